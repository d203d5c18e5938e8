"""What every benchmark module shares: Django set up on the prepared database, timers and the figure format.

A benchmark module (bench/registry.py, bench/votes.py, …) runs as `python -m bench.<name> --json [--only GROUP]`
against the database the environment points at (GONGZHI_DB with GONGZHI_DB_NAME or GONGZHI_SQLITE_PATH; the
harness in bench/__main__.py prepares it with seed_demo). It prints ONE JSON object on its last stdout line:

    {"figures": [{"figure": "...", "value": 12.3, "unit": "ms", "limit": 10.1, "goal": "< 50 ms", "pass": true}]}

`limit` is the best this machine does for the same work, measured in the same run (hand SQL, a bare pipeline,
a bare endpoint), or null where there is none. Progress goes to stderr so stdout stays parseable.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    figure: str
    value: float | None
    unit: str
    limit: float | None = None
    goal: str = ""
    passed: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pass"] = data.pop("passed")
        return data


def setup_django() -> None:
    """Django on the database the harness prepared; never DEBUG (it would keep every query in memory)."""
    os.environ["GONGZHI_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds taken by one call of work, and its result."""
    started = time.perf_counter()
    result = work()
    return 1000 * (time.perf_counter() - started), result


def median_ms(work: Callable[[], Any], *, runs: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        work()
    return statistics.median(timed(work)[0] for _ in range(runs))


def percentile(samples: Iterable[float], fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def emit(figures: list[Figure]) -> None:
    sys.stdout.flush()
    print(json.dumps({"figures": [f.as_json() for f in figures]}, ensure_ascii=False), flush=True)


def tier() -> str:
    return os.environ.get("GONGZHI_BENCH_TIER", "S")


def smoke() -> bool:
    """`python -m bench --smoke`: every figure on token sizes, to prove the suite runs (tests/test_bench.py)."""
    return os.environ.get("GONGZHI_BENCH_SMOKE") == "1"


def vendor() -> str:
    from django.db import connection

    return connection.vendor
