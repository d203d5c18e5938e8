"""party: party organisations (党工委 → 社区党委 → 小区党支部 → 楼栋党小组, and property companies'
organisations), their committees and terms, members, and 亮身份 consent. Membership is restricted data."""

from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "gongzhi.party"
    label = "party"
    verbose_name = "党建"
