"""dashboards: the cockpit. Read-only over the other apps: it keeps per-place, per-day aggregates of their
figures (refreshed from their selectors by a background task, recomputed nightly as a check) and shows them
as headline figures, a grid map, charts, a big screen and a monthly report."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "gongzhi.dashboards"
    label = "dashboards"
    verbose_name = "驾驶舱"
