"""Demo party organisations (filled in the next step)."""

from __future__ import annotations

import datetime as dt
import random


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    return "party: 0 个党组织"
