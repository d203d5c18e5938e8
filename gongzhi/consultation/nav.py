from django.utils.translation import gettext_lazy as _

from gongzhi.consultation.permissions import RUNNER_ROLES
from gongzhi.core.navigation import NavItem
from gongzhi.votes.permissions import takes_part

NAV_ITEMS = [
    NavItem(
        _("广言亭"),
        "consultation:suggestion-list",
        takes_part,
        order=35,
    ),
    NavItem(
        _("议事角"),
        "consultation:topic-list",
        takes_part,
        order=36,
    ),
    NavItem(_("内容管理"), "consultation:moderation", lambda a: a.has_role(*RUNNER_ROLES), order=37),
]
