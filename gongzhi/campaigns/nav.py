from django.utils.translation import gettext_lazy as _

from gongzhi.campaigns.permissions import GRID_ROLES, NODE_ROLES
from gongzhi.core.actors import Actor
from gongzhi.core.navigation import NavItem


def walks_or_plans(actor: Actor) -> bool:
    return actor.has_role(*NODE_ROLES, *GRID_ROLES)


NAV_ITEMS = [NavItem(_("入户走访"), "campaigns:campaign-list", walks_or_plans, order=35)]
