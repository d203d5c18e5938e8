from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavItem
from gongzhi.registry.permissions import REGISTRY_GRID_ROLES, REGISTRY_NODE_ROLES
from gongzhi.registry.quality import may_see_quality

NAV_ITEMS = [
    NavItem(
        _("人员"), "registry:person-list", lambda a: a.has_role(*REGISTRY_NODE_ROLES, *REGISTRY_GRID_ROLES), order=20
    ),
    NavItem(_("数据质量"), "registry:quality", may_see_quality, order=21),
]
