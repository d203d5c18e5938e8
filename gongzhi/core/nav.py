from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavItem

NAV_ITEMS = [NavItem(_("首页"), "core:home", lambda actor: True, order=0)]
