from django.utils.translation import gettext_lazy as _

from gongzhi.core.actors import Actor
from gongzhi.core.navigation import NavItem
from gongzhi.publicity.permissions import GRID_ROLES, can_compose


def _follows(actor: Actor) -> bool:
    return can_compose(actor) or bool(actor.grid_ids(*GRID_ROLES))


NAV_ITEMS = [
    NavItem(_("公告"), "publicity:inbox", lambda actor: actor.is_authenticated, order=12),
    NavItem(_("发通知"), "publicity:manage", _follows, order=48),
]
