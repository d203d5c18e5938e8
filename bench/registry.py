"""Registry figures: import of a 100,000-row ledger, export of 100,000 rows, scoped person search.

    python -m bench.registry --json --only import|export|search     (the harness sets the database)

import  — a ledger of 100,000 people (new rooms in the seeded buildings, so every row creates a person, a
          household member and often a dwelling) read with calamine and imported by the same run_import the
          page and `import_registry` use, in a transaction that is rolled back so the seeded data stays as it
          was. Limit: the bare pipeline — calamine, the GB 11643 checksum, AES-GCM of ID and phone, the keyed
          hash, and a bulk insert (COPY on PostgreSQL, executemany on SQLite) into a table of the same width,
          with no framework between.
export  — the people export the officer downloads (scope, access log, place labels, care tags), 100,000 rows
          (every person at tier S, which has fewer). Limit: one hand-written SELECT of the same columns
          streamed into the same sheet writer (gongzhi/core/xlsx.py).
search  — the person search as the subdistrict officer: name prefix, pinyin prefix and exact ID through the
          keyed hash, first page of 50, p50 and p95 over many queries. Limit: the same indexed SQL by hand.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hmac
import os
import random
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import ROOT, Figure, emit, log, percentile, setup_django, smoke, tier, timed

ROWS = {"T": 2_000, "S": 100_000, "M": 100_000}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文斌玉兰海燕红梅春梅建华"
RELATIONS = ["户主", "配偶", "子女", "父母"]
LEDGER_HEADER = (
    *("小区", "楼栋", "单元", "房号", "姓名", "证件类型", "证件号码", "联系电话"),
    *("与户主关系", "是否产权人", "专有面积"),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", choices=["import", "export", "search"], required=True)
    return parser.parse_args()


def officer() -> Any:
    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.accounts.models import User

    return actor_for_user(User.objects.get(username="jiedao"), is_verified=True)


# --- import ---------------------------------------------------------------------------------------------


def citizen_id(serial: int) -> str:
    """A valid GB 11643 number, distinct for every serial (a birth date per thousand)."""
    from gongzhi.core.identity import check_char

    born = dt.date(1950, 1, 1) + dt.timedelta(days=serial // 1000)
    first17 = f"650102{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_char(first17)


def ledger_rows(count: int) -> list[list[Any]]:
    """People in new rooms of the seeded buildings: households of one to four, heads own their flat."""
    from collections import Counter

    from gongzhi.territory.choices import NodeKind
    from gongzhi.territory.models import Node

    step = Node.steplen
    compounds = dict(Node.objects.filter(kind=NodeKind.COMPOUND).values_list("path", "name"))
    buildings = dict(Node.objects.filter(kind=NodeKind.BUILDING).values_list("path", "name"))
    # A compound name the ledger cannot tell apart from another one would be rejected, as it should be.
    twice = {name for name, times in Counter(compounds.values()).items() if times > 1}
    units = [
        (path, name)
        for path, name in Node.objects.filter(kind=NodeKind.UNIT).order_by("path").values_list("path", "name")
        if compounds.get(path[: -2 * step]) not in twice
    ]
    rng = random.Random(7)
    rows: list[list[Any]] = [list(LEDGER_HEADER)]
    serial = 0
    household = 0
    while len(rows) - 1 < count:
        unit_path, unit_name = units[household % len(units)]
        room = f"9{household // len(units):03d}"  # no seeded room starts with 9 and has four digits
        for member in range(1 + household % 4):
            serial += 1
            rows.append(
                [
                    compounds[unit_path[: -2 * step]],
                    buildings[unit_path[:-step]],
                    unit_name,
                    room,
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "居民身份证",
                    citizen_id(serial),
                    f"199{serial:08d}",
                    RELATIONS[member],
                    "是" if member == 0 else "否",
                    "89.50",
                ]
            )
            if len(rows) - 1 == count:
                break
        household += 1
    return rows


def write_ledger(path: Path, rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人口台账")
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def measure_import() -> list[Figure]:
    from django.db import transaction

    from gongzhi.core.actors import Actor
    from gongzhi.core.tables import read_rows
    from gongzhi.registry.importing import run_import

    count = 500 if smoke() else ROWS[tier()]
    path = ROOT / "var" / "bench" / f"ledger-{tier()}-{count}.xlsx"
    if not path.exists():
        log(f"writing a {count:,}-row ledger to {path.name} …")
        write_ledger(path, ledger_rows(count))
    actor = Actor.system("bench")

    def ours() -> Any:
        with transaction.atomic():
            outcome = run_import(actor, read_rows(path, filename=path.name))
            transaction.set_rollback(True)
        return outcome

    log("importing with run_import (rolled back afterwards) …")
    ms, outcome = timed(ours)
    summary = outcome.summary(limit=3)
    if summary["rejected"] or not outcome.imported:
        raise SystemExit(f"the benchmark ledger was not imported cleanly: {summary}")
    log("the bare pipeline …")
    bare_ms = min(timed(lambda: bare_import(path))[0] for _ in range(2))
    rate = count / (ms / 1000)
    bare_rate = count / (bare_ms / 1000)
    return [
        Figure(
            f"registry import, {count:,}-row xlsx",
            round(rate),
            "rows/s",
            round(bare_rate),
            goal="< 15 s and ≥ 0.33× limit",
            passed=ms < 15_000 and rate >= bare_rate / 3,
            note=f"{ms / 1000:.1f} s for {summary['created']:,} created; bare pipeline {bare_ms / 1000:.1f} s",
            extra={"seconds": round(ms / 1000, 2), "limit_seconds": round(bare_ms / 1000, 2)},
        )
    ]


# How person_list orders each kind of search (the hand-written SQL orders the same way).
ORDER = {"name": "p.name", "pinyin": "p.name_pinyin", "id": "p.org_path"}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def bare_import(path: Path) -> int:
    """Parse, checksum, encrypt, hash and bulk-insert with nothing of ours between: the machine's limit."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.db import connection
    from python_calamine import CalamineWorkbook

    key = AESGCM(os.urandom(32))
    index_key = os.urandom(32)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    out = []
    for row in sheet[1:]:
        number = str(row[6])
        if "10X98765432"[sum(int(d) * w for d, w in zip(number, WEIGHTS, strict=False)) % 11] != number[17]:
            continue
        phone = str(row[7])
        sealed_id = base64.urlsafe_b64encode(key.encrypt(nonce := os.urandom(12), number.encode(), None) + nonce)
        sealed_phone = base64.urlsafe_b64encode(key.encrypt(nonce := os.urandom(12), phone.encode(), None) + nonce)
        out.append(
            (
                row[4],
                sealed_id.decode(),
                hmac.digest(index_key, number.encode(), "sha256")[:16].hex(),
                sealed_phone.decode(),
                hmac.digest(index_key, phone.encode(), "sha256")[:16].hex(),
                f"{row[0]}|{row[1]}|{row[2]}|{row[3]}",
                row[8],
            )
        )
    raw = connection.connection if connection.connection is not None else None
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    cursor = raw.cursor()
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bare_person (name text, id_number text, id_bidx text, phone text,"
        " phone_bidx text, place text, relation text)"
    )
    if connection.vendor == "postgresql":
        with cursor.copy(
            "COPY bare_person (name, id_number, id_bidx, phone, phone_bidx, place, relation) FROM STDIN"
        ) as copy:
            for item in out:
                copy.write_row(item)
    else:
        cursor.executemany("INSERT INTO bare_person VALUES (?, ?, ?, ?, ?, ?, ?)", out)
    cursor.execute("DELETE FROM bare_person")
    raw.commit()
    return len(out)


# --- export ---------------------------------------------------------------------------------------------


def measure_export() -> list[Figure]:
    from gongzhi.core.xlsx import write_xlsx
    from gongzhi.registry.exporting import people_export
    from gongzhi.registry.selectors import person_list

    actor = officer()
    count = min(100_000, person_list(actor=actor).count())

    def ours() -> int:
        export = people_export(actor=actor, people=person_list(actor=actor)[:count])
        with tempfile.TemporaryFile() as out:
            return write_xlsx(out, title=export.title, columns=export.columns, rows=export.rows, notice=export.notice)

    log(f"exporting {count:,} people …")
    ms, written = timed(ours)
    bare_ms = timed(lambda: bare_export(count))[0]
    rate = written / (ms / 1000)
    return [
        Figure(
            f"people export, {written:,} rows xlsx",
            round(rate),
            "rows/s",
            round(count / (bare_ms / 1000)),
            goal="< 10 s",
            passed=ms < 10_000,
            note=f"{ms / 1000:.1f} s; one hand-written SELECT into the same sheet writer {bare_ms / 1000:.1f} s",
            extra={"seconds": round(ms / 1000, 2), "limit_seconds": round(bare_ms / 1000, 2)},
        )
    ]


def bare_export(count: int) -> int:
    """The limit: one hand-written SELECT of the same columns, streamed into the same sheet writer."""
    from django.db import connection

    from gongzhi.core.xlsx import write_xlsx
    from gongzhi.registry.exporting import PEOPLE_COLUMNS

    def rows() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.name, p.sex, p.born_on, p.id_type, p.id_masked, p.phone_masked, p.org_path, d.room,"
                " h.number, g.name, '', p.status FROM registry_person p"
                " LEFT JOIN registry_household h ON h.id = p.household_id"
                " LEFT JOIN registry_dwelling d ON d.id = h.dwelling_id LEFT JOIN territory_grid g ON g.id = p.grid_id"
                " WHERE p.status = 'resident' ORDER BY p.org_path, p.id LIMIT %s",
                [count],
            )
            while batch := cursor.fetchmany(5000):
                yield from batch

    with tempfile.TemporaryFile() as out:
        return write_xlsx(out, title="人员", columns=PEOPLE_COLUMNS, rows=rows())


# --- search ---------------------------------------------------------------------------------------------


def measure_search() -> list[Figure]:
    from django.db import connection

    from gongzhi.core.search import MAX_CHAR
    from gongzhi.registry.models import Person
    from gongzhi.registry.selectors import person_list
    from gongzhi.registry.services import id_blind_index

    actor = officer()
    rng = random.Random(11)
    total = Person.objects.count()
    sample_ids = sorted(rng.sample(range(1, max(2, total)), min(400, total - 1)))
    sample = Person.objects.filter(id__in=sample_ids, status="resident", id_type="citizen_id").exclude(id_bidx=None)
    people = list(sample.only("name", "name_pinyin", "id_number")[:60])
    queries = (
        [("name", p.name[:2]) for p in people[:20]]
        + [("pinyin", p.name_pinyin[: max(4, len(p.name_pinyin) - 2)]) for p in people[20:40]]
        + [("id", p.id_number) for p in people[40:60]]
    )
    scope_path = min(g.node_path for g in actor.grants if g.node_path)  # the officer's subdistrict

    def ours(text: str) -> int:
        return len(list(person_list(actor=actor, search=text)[:50]))

    def hand(kind: str, text: str) -> int:
        predicate, params = {
            "name": ("p.name >= %s AND p.name < %s", [text, text + MAX_CHAR]),
            "pinyin": (
                "((p.name_pinyin >= %s AND p.name_pinyin < %s) OR (p.name_initials >= %s AND p.name_initials < %s))",
                [text, text + MAX_CHAR, text, text + MAX_CHAR],
            ),
            "id": ("p.id_bidx = %s", [id_blind_index(text)]),
        }[kind]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.id, p.name, p.id_masked, p.phone_masked, p.org_path, g.name, d.room FROM registry_person p"
                " LEFT JOIN territory_grid g ON g.id = p.grid_id"
                " LEFT JOIN registry_household h ON h.id = p.household_id"
                " LEFT JOIN registry_dwelling d ON d.id = h.dwelling_id"
                f" WHERE {predicate} AND p.status = 'resident' AND p.org_path >= %s AND p.org_path < %s"
                f" ORDER BY {ORDER[kind]}, p.id LIMIT 50",
                [*params, scope_path, scope_path + MAX_CHAR],
            )
            return len(cursor.fetchall())

    figures = []
    for kind in ("name", "pinyin", "id"):
        chosen = [text for k, text in queries if k == kind]
        for text in chosen[:3]:  # warm up
            ours(text)
            hand(kind, text)
        ours_ms: list[float] = []
        hand_ms: list[float] = []
        for _ in range(3):
            for text in chosen:
                ours_ms.append(timed(partial(ours, text))[0])
                hand_ms.append(timed(partial(hand, kind, text))[0])
        label = {"name": "name prefix", "pinyin": "pinyin prefix", "id": "exact ID (keyed hash)"}[kind]
        for name, q in (("p50", 0.5), ("p95", 0.95)):
            value = percentile(ours_ms, q)
            figures.append(
                Figure(
                    f"person search, {label}, {name}",
                    round(value, 2),
                    "ms",
                    round(percentile(hand_ms, q), 2),
                    goal="< 50 ms",
                    passed=value < 50,
                    note=f"{len(chosen)} queries × 3, first page of 50, as the subdistrict officer",
                )
            )
    return figures


def main() -> None:
    args = parse_args()
    setup_django()
    started = time.perf_counter()
    figures = {"import": measure_import, "export": measure_export, "search": measure_search}[args.only]()
    log(f"registry {args.only}: {time.perf_counter() - started:.1f} s")
    emit(figures)


if __name__ == "__main__":
    main()
