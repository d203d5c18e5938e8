from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavItem
from gongzhi.votes.permissions import takes_part

NAV_ITEMS = [
    NavItem(
        _("投票"),
        "votes:poll-list",
        takes_part,
        order=40,
    ),
]
