from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavItem
from gongzhi.publicity.honour_permissions import sees_honour

NAV_ITEMS = [
    # Honour campaigns
    NavItem(_("评选表彰"), "publicity:honour-list", sees_honour, order=46),
]
