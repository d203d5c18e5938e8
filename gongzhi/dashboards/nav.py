from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavItem
from gongzhi.dashboards.permissions import can_view_cockpit

NAV_ITEMS = [NavItem(_("驾驶舱"), "dashboards:cockpit", can_view_cockpit, order=5)]
