from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavItem
from gongzhi.party.permissions import sees_party

NAV_ITEMS = [NavItem(_("党建"), "party:home", sees_party, order=47)]
