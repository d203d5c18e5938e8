from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavItem
from gongzhi.party.permissions import sees_party

NAV_ITEMS = [
    NavItem(_("党建"), "party:home", sees_party, order=47),
    # 双报到: any resident may be an in-service member reporting where they live; the page shows their own only.
    NavItem(_("党员报到"), "party:me", lambda a: a.person_id is not None and not sees_party(a), order=48),
]
