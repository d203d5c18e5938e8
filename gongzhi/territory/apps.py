"""territory: the tree Subdistrict → Community → Area → Compound → Building → Unit, grids and codes."""

from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "gongzhi.territory"
    label = "territory"
    verbose_name = "区域与网格"
