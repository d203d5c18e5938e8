from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Role
from gongzhi.core.navigation import NavItem
from gongzhi.stewardship.permissions import STAFF_ROLES

SUBJECT_ROLES = (Role.PROPERTY_STAFF, Role.COMMITTEE_MEMBER)

NAV_ITEMS = [
    NavItem(
        _("物业与业委会"),
        "stewardship:compound-list",
        lambda a: a.is_system or a.has_role(*STAFF_ROLES, *SUBJECT_ROLES),
        order=45,
    ),
    NavItem(
        _("月度评比"),
        "stewardship:evaluation-home",
        lambda a: a.is_system or a.has_role(*STAFF_ROLES, *SUBJECT_ROLES),
        order=46,
    ),
    # Everyone else signed in sees the published red and black lists.
    NavItem(
        _("红黑榜"),
        "stewardship:lists",
        lambda a: a.user_id is not None and not (a.is_system or a.has_role(*STAFF_ROLES, *SUBJECT_ROLES)),
        order=46,
    ),
]
