from django.utils.translation import gettext_lazy as _

from gongzhi.cases.permissions import may_dispatch, may_handle, may_report
from gongzhi.core.actors import Actor
from gongzhi.core.navigation import NavItem


def _reports_only(actor: Actor) -> bool:
    return may_report(actor) and not may_dispatch(actor)


NAV_ITEMS = [
    NavItem(_("我的上报"), "cases:case-mine", _reports_only, order=30),
    NavItem(_("受理派遣"), "cases:desk", may_dispatch, order=31),
    NavItem(_("待处置事件"), "cases:queue", lambda actor: may_handle(actor) and not may_dispatch(actor), order=32),
]
