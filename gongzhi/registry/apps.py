"""registry: dwellings, households, people, memberships, ownerships and care tags.

Households and people carry a copy of their unit's territory path and their grid (org_path, grid), so
every scope filter over millions of rows is one indexed predicate. Only the services here write them.
"""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gongzhi.registry"
    label = "registry"
    verbose_name = "人房登记"

    def ready(self) -> None:
        from gongzhi.registry import receivers  # noqa: F401 - a person's change drops their cached Actor
