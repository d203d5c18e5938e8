"""stewardship: who manages each compound (property companies, third-party managers, owners' committees),
their daily work ledgers, and (next) the monthly evaluation and ranking of every one of them."""

from django.apps import AppConfig


class StewardshipConfig(AppConfig):
    name = "gongzhi.stewardship"
    label = "stewardship"
    verbose_name = "物业与业委会"
