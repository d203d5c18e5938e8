from django.utils.translation import gettext_lazy as _

from gongzhi.core.actors import Actor
from gongzhi.core.navigation import NavItem
from gongzhi.volunteering.permissions import can_create_activity, can_view_ledger


def _volunteers_here(actor: Actor) -> bool:
    """Residents (a registry Person) and everyone who organises or manages volunteering."""
    return actor.person_id is not None or can_create_activity(actor)


NAV_ITEMS = [
    NavItem(_("志愿服务"), "volunteering:home", _volunteers_here, order=50),
    NavItem(_("积分超市"), "volunteering:shop", lambda a: a.person_id is not None, order=51),
    NavItem(_("志愿管理"), "volunteering:manage", can_view_ledger, order=52),
]
