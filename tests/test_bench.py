"""`make bench` runs end to end: every benchmark module on tier T with token sizes (SMOKE=1).

The benchmarks themselves are not part of `make test` (tier S and M take minutes); this proves the harness,
the seeded-database reuse and every module still run, and that the correctness checks inside them hold.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    os.environ.get("GONGZHI_DB", "sqlite") != "sqlite", reason="run once per `make test`, with the SQLite pass"
)
def test_make_bench_runs_end_to_end() -> None:
    # The harness chooses its own database (var/bench/); nothing of the test run's settings may leak into it.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_SETTINGS_MODULE"))}
    result = subprocess.run(
        ["make", "--no-print-directory", "bench", "TIER=T", "DB=sqlite", "SMOKE=1"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    written = re.search(r"written to (\S+\.json)", result.stdout)
    assert written, result.stdout[-2000:]
    run = json.loads(Path(written.group(1)).read_text())
    tasks = {figure["task"] for figure in run["figures"]}
    expected = {
        "seed",
        "registry:search",
        "registry:export",
        "registry:import",
        "votes:tally",
        "volunteering",
        "stewardship",
        "http",
    }
    assert expected <= tasks, sorted(tasks)
    assert not run["failed"]
    # Figures that check correctness (one ballot, no drift, an exact count) must hold even on token sizes;
    # bench.stewardship exits non-zero, and so fails above, when its hand SQL and the module's figures differ.
    assert all(figure["pass"] is not False for figure in run["figures"] if figure["task"].startswith("vol")), run
