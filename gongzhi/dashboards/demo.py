"""Demo data of the cockpit: nothing of its own; the aggregates are computed from the other modules' demo
data, as the nightly recompute would (listed last in GONGZHI_DEMO_MODULES)."""

from __future__ import annotations

import datetime as dt
import random

from gongzhi.dashboards import services


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    run = services.recompute()
    return f"{run.rows} aggregate figures"
