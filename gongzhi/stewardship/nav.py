from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Role
from gongzhi.core.navigation import NavItem
from gongzhi.stewardship.permissions import STAFF_ROLES

NAV_ITEMS = [
    NavItem(
        _("物业与业委会"),
        "stewardship:compound-list",
        lambda a: a.is_system or a.has_role(*STAFF_ROLES, Role.PROPERTY_STAFF, Role.COMMITTEE_MEMBER),
        order=45,
    ),
]
