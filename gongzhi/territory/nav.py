from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Role
from gongzhi.core.navigation import NavItem
from gongzhi.territory.permissions import GRID_ROLES, NODE_ROLES

NAV_ITEMS = [
    NavItem(_("区域"), "territory:browse", lambda a: a.has_role(*NODE_ROLES, *GRID_ROLES), order=10),
    NavItem(
        _("责任链"),
        "territory:chain-list",
        lambda a: a.has_role(Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER, Role.LEAD_CADRE, Role.RESPONSIBLE_CADRE),
        order=80,
    ),
    NavItem(_("职责"), "territory:duty-list", lambda a: a.has_role(Role.SUBDISTRICT_OFFICER), order=81),
]
