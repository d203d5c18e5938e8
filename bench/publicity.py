"""Notice figures at the tier's scale: `python -m bench.publicity --json` (the harness sets the database).

Each run is inside a transaction rolled back afterwards, so the seeded database is left as it was.

- publish: a notice from the subdistrict to every resident (about 1,000,000 at tier M) — notice_publish,
  which resolves the rule, freezes the recipients with INSERT … SELECT and writes the per-grid tallies.
  Limit: the bare INSERT … SELECT of the same rows from registry_person by hand. The recipient count of the
  notice must equal the hand insert's row count — the bench fails otherwise. Goal (issue 16): < 10 s on
  PostgreSQL at tier M.
- read-rate page: /publicity/manage/<id>/ of that notice rendered for jiedao through the Django test client
  (p50 of 15 runs). Goal < 200 ms.
- read: one resident opening the notice (services.notice_read: the guarded UPDATE and the tally), p50.
Progress goes to stderr; stdout gets one JSON object.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from bench.common import Figure, emit, log, percentile, setup_django, smoke, timed

PUBLISH_GOAL_MS = 10_000
PAGE_GOAL_MS = 200


class Rollback(Exception):
    pass


def runs() -> int:
    return 1 if smoke() else 3


def hand_insert(notice_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO publicity_recipient (notice_id, person_id, grid_id, org_path) "
            "SELECT %s, id, grid_id, org_path FROM registry_person WHERE status = %s",
            [notice_id, "resident"],
        )
        return int(cursor.rowcount)


def measure() -> list[Figure]:
    from django.db import transaction
    from django.test import Client

    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.accounts.models import User
    from gongzhi.core.actors import Actor
    from gongzhi.publicity import services
    from gongzhi.publicity.models import Notice
    from gongzhi.publicity.targets import Target
    from gongzhi.territory.choices import NodeKind
    from gongzhi.territory.models import Node

    system = Actor.system("bench")
    subdistrict = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("path").first()
    assert subdistrict is not None
    jiedao = User.objects.get(username="jiedao")
    jumin = User.objects.get(username="jumin")
    data = services.NoticeData(
        title="基准：致全体居民的一封信", body="<p>基准测试通知。</p>", node=subdistrict, target=Target()
    )
    publish_ms: list[float] = []
    hand_ms: list[float] = []
    page_ms: list[float] = []
    read_ms: list[float] = []
    recipients = hand_rows = 0
    for run in range(runs()):
        try:
            with transaction.atomic():
                notice = services.notice_create(actor=system, data=data)
                elapsed, published = timed(lambda n=notice: services.notice_publish(actor=system, notice=n))
                publish_ms.append(elapsed)
                recipients = published.recipient_count
                log(f"publicity: publish run {run + 1}: {elapsed:.0f} ms, {recipients} recipients")
                client = Client(HTTP_HOST="127.0.0.1")
                client.force_login(jiedao)
                url = f"/publicity/manage/{published.pk}/"
                for i in range(16 if not smoke() else 2):
                    started = time.perf_counter()
                    response = client.get(url)
                    if i:  # the first is the warm-up
                        page_ms.append(1000 * (time.perf_counter() - started))
                    if response.status_code != 200:
                        raise SystemExit(f"{url} answered {response.status_code}")
                reader = actor_for_user(jumin)
                read_ms.append(timed(lambda r=reader, n=published: services.notice_read(actor=r, notice=n))[0])
                raise Rollback
        except Rollback:
            pass
        try:
            with transaction.atomic():
                shell = Notice.objects.create(title="基准", body="-", node=subdistrict, author_name="bench")
                elapsed, hand_rows = timed(lambda pk=shell.pk: hand_insert(pk))
                hand_ms.append(elapsed)
                raise Rollback
        except Rollback:
            pass
    if hand_rows != recipients:
        raise SystemExit(f"publicity: the notice froze {recipients} recipients, the hand insert {hand_rows}")
    publish, hand = statistics.median(publish_ms), statistics.median(hand_ms)
    page = statistics.median(page_ms)
    return [
        Figure(
            "publicity: publish to every resident (freeze recipients)",
            round(publish, 1),
            "ms",
            limit=round(hand, 1),
            goal=f"< {PUBLISH_GOAL_MS} ms",
            passed=publish < PUBLISH_GOAL_MS,
            note=f"median of {len(publish_ms)}; {recipients} recipients; limit: a bare INSERT … SELECT of the same "
            f"rows (no tallies, no indexes but the table's)",
        ),
        Figure(
            "publicity: read-rate page of that notice",
            round(page, 1),
            "ms",
            goal=f"< {PAGE_GOAL_MS} ms",
            passed=page < PAGE_GOAL_MS,
            note=f"p50 of {len(page_ms)}, p95 {percentile(page_ms, 0.95):.1f} ms; Django test client as jiedao",
        ),
        Figure(
            "publicity: one resident opens the notice",
            round(statistics.median(read_ms), 2),
            "ms",
            note=f"median of {len(read_ms)}; the guarded UPDATE and the tally row",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.parse_args()
    setup_django()
    started = time.perf_counter()
    figures: list[Any] = measure()
    log(f"publicity: {time.perf_counter() - started:.1f} s")
    emit(figures)


if __name__ == "__main__":
    main()
