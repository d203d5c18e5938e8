"""demo: the seed_demo command that builds a realistic, deterministic subdistrict (纬二路街道).

Each app contributes its part through its own services or bulk builders; this app only orchestrates.
"""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "gongzhi.demo"
    label = "demo"
    verbose_name = "演示数据"
