from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.permissions import can_view_audit
from gongzhi.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("访问日志"), "accounts:access-log", can_view_audit, order=90),
    NavItem(_("操作审计"), "accounts:audit-trail", can_view_audit, order=91),
]
