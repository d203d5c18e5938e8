"""`make bench [TIER=T|S|M] [DB=sqlite|postgres]`: measure Gongzhi against this machine's limit.

    python -m bench --tier S --db sqlite            # what `make bench` runs
    python -m bench --tier M --db postgres --only cases,campaigns
    python -m bench --tier S --reseed                # rebuild the seeded database even if it is current

1. The database: seed_demo at the tier into a database of its own (PostgreSQL gongzhi_bench_<tier>, or
   $GONGZHI_BENCH_PG_NAME when several checkouts share the server; SQLite
   var/bench/bench-<tier>.sqlite3). It is reused while its fingerprint — tier, seed, every migration and every
   demo module — is unchanged, so a tier M run pays the seed once; the seed's time and peak memory are kept in
   var/bench/<db>-<tier>.json and reported as the `seed_demo` figure.
2. Each group of figures runs in a process of its own (`python -m bench.<module> --json [--only GROUP]`), so its
   peak memory (max RSS) is its own; modules of apps that are not installed are skipped.
3. The table on stdout gives figure, value, unit, limit, ratio (value ÷ limit), goal and pass; the whole run goes
   to bench/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
DEMO_SEED = 2026  # gongzhi.demo.seed.DEFAULT_SEED; part of the fingerprint

# (module, group): each runs as one process. Order: cheap and read-only first, writers last.
TASKS: list[tuple[str, str | None]] = [
    ("registry", "search"),
    ("registry", "export"),
    ("registry", "import"),
    ("campaigns", None),
    ("cases", None),
    ("stewardship", None),
    ("votes", "tally"),
    ("votes", "race"),
    ("volunteering", None),
    ("publicity", None),
    ("dashboards", None),
    ("http", None),
]
TIMEOUT_SECONDS = {"T": 300, "S": 1800, "M": 3600}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=["T", "S", "M"], default="S")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--only", default="", help="comma-separated modules or module:group (default: all)")
    parser.add_argument("--reseed", action="store_true", help="rebuild the seeded database even if it is current")
    parser.add_argument("--out", default="", help="where to write the JSON (default bench/results/<timestamp>.json)")
    parser.add_argument("--smoke", action="store_true", help="token sizes: proves the suite runs, measures nothing")
    return parser.parse_args()


def database_env(tier: str, db: str, *, smoke: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    if smoke:
        env["GONGZHI_BENCH_SMOKE"] = "1"
    env.update(
        {
            "GONGZHI_DB": db,
            "GONGZHI_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "GONGZHI_BENCH_TIER": tier,
            # The API throttle protects production from one client; the benchmark is that one client.
            "GONGZHI_API_RATE": "100000000/m",
            "PYTHONPATH": str(ROOT),
        }
    )
    if db == "postgres":
        # Several checkouts share one server; GONGZHI_BENCH_PG_NAME keeps one checkout's seed from another's.
        name = os.environ.get("GONGZHI_BENCH_PG_NAME") or f"gongzhi_bench_{tier.lower()}"
        if not name.startswith("gongzhi_bench"):
            raise SystemExit(f"GONGZHI_BENCH_PG_NAME={name!r}: a benchmark database is named gongzhi_bench…")
        env["GONGZHI_DB_NAME"] = name
    else:
        env["GONGZHI_SQLITE_PATH"] = str(STATE / f"bench-{tier}.sqlite3")
    return env


def fingerprint(tier: str) -> str:
    """Changes when anything that shapes the seeded data changes: migrations and demo modules."""
    digest = hashlib.sha256(f"{tier}:{DEMO_SEED}".encode())
    gongzhi = ROOT / "gongzhi"
    files = sorted(
        [*gongzhi.glob("*/migrations/*.py"), *gongzhi.glob("demo/**/*.py"), *gongzhi.glob("*/demo.py")],
        key=lambda p: str(p.relative_to(ROOT)),
    )
    for path in files:
        if "/tests/" in str(path):
            continue
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_child(argv: list[str], env: dict[str, str], *, timeout: float) -> tuple[int, str, float, float]:
    """Run a process; its exit code, stdout, wall seconds and peak RSS in MiB (from wait4, the child's own)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = started + timeout
    output: list[str] = []
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    while True:
        if time.perf_counter() > deadline:
            process.kill()
            output.append('{"figures": [], "error": "timed out"}')
            break
        if selector.select(timeout=1.0):
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, "".join(output), time.perf_counter() - started, usage.ru_maxrss / 1024


def postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def postgres_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def prepare_database(tier: str, db: str, *, reseed: bool) -> dict[str, Any]:
    """The seeded database for the tier, reused while its fingerprint holds; returns the seed record."""
    STATE.mkdir(parents=True, exist_ok=True)
    env = database_env(tier, db)
    record_path = STATE / f"{db}-{tier}.json"
    wanted = fingerprint(tier)
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    if db == "postgres":
        name = env["GONGZHI_DB_NAME"]
        present = postgres_exists(name)
    else:
        name = env["GONGZHI_SQLITE_PATH"]
        present = Path(name).exists()
    if present and not reseed and record.get("fingerprint") == wanted:
        print(f"reusing the seeded tier {tier} database ({db}, fingerprint {wanted})", flush=True)
        return {**record, "reused": True}

    print(f"seeding tier {tier} on {db} (fingerprint {wanted}); this is paid once per schema …", flush=True)
    if db == "postgres":
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        postgres_admin(f'CREATE DATABASE "{name}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    python = sys.executable
    code, _, migrate_seconds, _ = run_child([python, "manage.py", "migrate", "--noinput", "-v", "0"], env, timeout=900)
    if code:
        raise SystemExit("migrate failed")
    code, out, seconds, rss = run_child(
        [python, "manage.py", "seed_demo", "--tier", tier], env, timeout=TIMEOUT_SECONDS[tier] * 2
    )
    if code:
        raise SystemExit(f"seed_demo failed:\n{out}")
    print(out.strip(), flush=True)
    analyze = "VACUUM ANALYZE" if db == "postgres" else "ANALYZE"
    run_child([python, "manage.py", "shell", "-c", _sql_command(analyze)], env, timeout=1800)
    record = {
        "fingerprint": wanted,
        "tier": tier,
        "db": db,
        "seed_seconds": round(seconds, 1),
        "migrate_seconds": round(migrate_seconds, 1),
        "seed_peak_rss_mib": round(rss),
        "seeded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed_output": out.strip().splitlines()[-8:],
    }
    record_path.write_text(json.dumps(record, ensure_ascii=False, indent=2))
    return {**record, "reused": False}


def _sql_command(sql: str) -> str:
    return f"from django.db import connection\nwith connection.cursor() as c: c.execute({sql!r})"


def wanted_tasks(only: str) -> list[tuple[str, str | None]]:
    picks = {item.strip() for item in only.split(",") if item.strip()}
    chosen = []
    for module, group in TASKS:
        if picks and module not in picks and f"{module}:{group}" not in picks:
            continue
        if importlib.util.find_spec(f"bench.{module}") is None:
            print(f"skipping bench.{module}: no such module (its app is not here yet)", flush=True)
            continue
        chosen.append((module, group))
    return chosen


def ratio_of(figure: dict[str, Any]) -> float | None:
    limit = figure.get("limit")
    if not limit or figure.get("value") is None:
        return None
    return float(figure["value"]) / float(limit)


def print_table(figures: list[dict[str, Any]]) -> None:
    header = f"{'figure':<54} {'value':>11} {'unit':<7} {'limit':>11} {'ratio':>7} {'RSS MiB':>8}  {'goal':<34} pass"
    print()
    print(header)
    print("-" * len(header))
    for f in figures:
        ratio = ratio_of(f)
        limit = f.get("limit")
        verdict = {True: "yes", False: "NO", None: "-"}[f.get("pass")]
        print(
            f"{f['figure'][:54]:<54} {_num(f['value']):>11} {f['unit'][:7]:<7} {_num(limit):>11} "
            f"{(f'{ratio:.2f}×' if ratio is not None else '-'):>7} {_num(f.get('max_rss_mib')):>8}  "
            f"{f.get('goal', '')[:34]:<34} {verdict}"
        )


def markdown_table(run: dict[str, Any]) -> str:
    """The run as the table docs/performance.md carries."""
    machine = run["machine"]
    lines = [
        f"Tier {run['tier']} on {run['db']}, {run['started_at']}, {machine['cpus']} CPUs, {machine['memory_gib']} GiB, "
        f"load average at the start {machine['load_average'][0]:.1f}.",
        "",
        "| figure | value | unit | limit | ratio | peak RSS MiB | goal | pass | note |",
        "|---|---:|---|---:|---:|---:|---|---|---|",
    ]
    for f in run["figures"]:
        ratio = ratio_of(f)
        verdict = {True: "yes", False: "**no**", None: "–"}[f.get("pass")]
        lines.append(
            f"| {f['figure']} | {_num(f['value'])} | {f['unit']} | {_num(f.get('limit'))} | "
            f"{f'{ratio:.2f}×' if ratio is not None else '–'} | {_num(f.get('max_rss_mib'))} | {f.get('goal', '')} | "
            f"{verdict} | {f.get('note', '')} |"
        )
    return "\n".join(lines) + "\n"


def _num(value: Any) -> str:
    if value is None:
        return "-"
    value = float(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def main() -> None:
    args = parse_args()
    started = dt.datetime.now(dt.UTC)
    seed = prepare_database(args.tier, args.db, reseed=args.reseed)
    env = database_env(args.tier, args.db, smoke=args.smoke)
    figures: list[dict[str, Any]] = [
        {
            "figure": f"seed_demo tier {args.tier}" + (" (recorded when seeded)" if seed["reused"] else ""),
            "value": seed["seed_seconds"],
            "unit": "s",
            "limit": None,
            "goal": "",
            "pass": None,
            "max_rss_mib": seed["seed_peak_rss_mib"],
            "task": "seed",
        }
    ]
    failures = []
    for module, group in wanted_tasks(args.only):
        name = f"{module}:{group}" if group else module
        print(f"running {name} …", flush=True)
        argv = [sys.executable, "-m", f"bench.{module}", "--json"] + (["--only", group] if group else [])
        code, out, seconds, rss = run_child(argv, env, timeout=TIMEOUT_SECONDS[args.tier])
        lines = [line for line in out.strip().splitlines() if line.startswith("{")]
        try:
            produced = json.loads(lines[-1])["figures"] if lines else []
        except (json.JSONDecodeError, KeyError):
            produced = []
        if code or not produced:
            failures.append(name)
            print(f"  {name} failed (exit {code}); its output:\n{out[-2000:]}", flush=True)
        for figure in produced:
            figure["max_rss_mib"] = round(rss)
            figure["task"] = name
            figure["ratio"] = ratio_of(figure)
            figures.append(figure)
        print(f"  {name}: {len(produced)} figures in {seconds:.1f} s, peak RSS {rss:.0f} MiB", flush=True)

    run = {
        "started_at": started.isoformat(timespec="seconds"),
        "tier": args.tier,
        "db": args.db,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
        "seed": seed,
        "figures": figures,
        "failed": failures,
        "harness_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out_path = Path(args.out) if args.out else RESULTS / f"{started:%Y%m%dT%H%M%SZ}-{args.tier}-{args.db}.json"
    out_path.write_text(json.dumps(run, ensure_ascii=False, indent=2))
    out_path.with_suffix(".md").write_text(markdown_table(run))
    print_table(figures)
    print(f"\nload average {os.getloadavg()[0]:.1f}; written to {out_path}")
    if failures:
        raise SystemExit(f"failed: {', '.join(failures)}")


if __name__ == "__main__":
    main()
