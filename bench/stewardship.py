"""The monthly evaluation (月度评比) at the tier's scale: `python -m bench.stewardship --json`.

Runs against the database the harness prepared (seed_demo seeds months of evaluation: published months
and this month being rated). Never creates a database. Figures, each timed over several warm runs, p50 and
p95 where the page or the computation is what a user waits for:

- the month's evaluation, live: standings.month_results of the month being rated, the function the month
  page calls — every subject's indicators (on-time closure and rework of the cases dispatched to it that
  month, complaints, ledger completeness; a committee's meeting and finance days), weighted scores,
  places and red and black lists. Limit: the indicators by hand SQL (two grouped queries, the contracts
  and the committees), whose figures must EQUAL the module's for every subject — the bench fails otherwise;
- the month's indicators alone (standings.live_figures), beside the same hand SQL;
- a published month's ranking (stored Score rows), beside a hand SELECT of the current scores ranked by
  the documented tie-break in Python; the places must be equal;
- the month page /stewardship/evaluation/<month>/ rendered for jiedao through the Django test client;
- month_review and then month_publish of the month being rated, inside a transaction rolled back after
  each run.
Progress goes to stderr; stdout gets one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from bench.common import Figure, emit, log, percentile, setup_django, smoke, tier, timed

GOAL_MS = 2000  # issue 14: the month's evaluation for every subject at tier M under 2 s on PostgreSQL
PAGE_GOAL_MS = 2000
READ_GOAL_MS = 500


def runs() -> int:
    return 2 if smoke() else 15  # p95 of 15 runs is the second slowest, not the slowest


class Rollback(Exception):
    pass


class Mismatch(SystemExit):
    pass


# --- the indicators by hand ---------------------------------------------------------------------------------


def hand_figures(month: dt.date) -> dict[tuple[str, int], dict[str, int | None]]:
    """(manager|committee, compound id) → the indicators standings.live_figures gives, by raw SQL."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection

    from gongzhi.stewardship.selectors import month_last_day

    first, last = month, month_last_day(month)
    zone = ZoneInfo(settings.TIME_ZONE)
    ops = connection.ops
    start = ops.adapt_datetimefield_value(dt.datetime.combine(first, dt.time.min, tzinfo=zone))
    end = ops.adapt_datetimefield_value(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    day_first, day_last = ops.adapt_datefield_value(first), ops.adapt_datefield_value(last)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT compound_id, count(*),"
            " count(*) FILTER (WHERE handled_at IS NOT NULL),"
            " count(*) FILTER (WHERE handled_at IS NOT NULL AND is_on_time),"
            " count(*) FILTER (WHERE rework_count > 0),"
            " count(*) FILTER (WHERE rating <= 2)"
            " FROM cases_case WHERE handler_kind IN ('property', 'third_party')"
            " AND dispatched_at >= %s AND dispatched_at < %s AND compound_id IS NOT NULL GROUP BY compound_id",
            [start, end],
        )
        cases = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT compound_id, side, kind, count(DISTINCT day) FROM stewardship_ledgerentry"
            " WHERE day >= %s AND day <= %s GROUP BY compound_id, side, kind",
            [day_first, day_last],
        )
        ledger: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
        for compound_id, side, kind, days in cursor.fetchall():
            ledger[(compound_id, side)][kind] = days
        cursor.execute(
            "SELECT compound_id, manager_id FROM stewardship_contract WHERE starts_on <= %s"
            " AND (ends_on IS NULL OR ends_on >= %s) AND (terminated_on IS NULL OR terminated_on > %s)",
            [day_last, day_last, day_last],
        )
        contracts = cursor.fetchall()
        cursor.execute("SELECT compound_id FROM stewardship_committee")
        committees = [row[0] for row in cursor.fetchall()]

    length = (last - first).days + 1
    wanted = {kind: min(days, length) for kind, days in settings.GONGZHI_LEDGER_REQUIRED_DAYS["manager"].items()}
    whole = sum(wanted.values())
    figures: dict[tuple[str, int], dict[str, int | None]] = {}
    for compound_id, manager_id in contracts:
        dispatched, handled, on_time, reworked, complaints = cases.get(compound_id, (0, 0, 0, 0, 0))
        days = ledger.get((compound_id, "manager"), {})
        counted = sum(min(days.get(kind, 0), need) for kind, need in wanted.items())
        figures[("manager", compound_id)] = {
            "manager_id": manager_id,
            "dispatched": dispatched,
            "handled": handled,
            "on_time": on_time,
            "reworked": reworked,
            "complaints": complaints,
            "ledger_permille": counted * 1000 // whole if whole else 1000,
            "on_time_permille": on_time * 1000 // handled if handled else None,
            "rework_permille": reworked * 1000 // dispatched if dispatched else None,
        }
    for compound_id in committees:
        days = ledger.get((compound_id, "committee"), {})
        figures[("committee", compound_id)] = {
            "meetings_days": days.get("meeting", 0),
            "finance_days": days.get("finance", 0),
        }
    return figures


def check_equal(ours: dict[Any, Any], hand: dict[Any, Any], what: str) -> None:
    if ours == hand:
        return
    differ = sorted(k for k in ours.keys() | hand.keys() if ours.get(k) != hand.get(k))
    shown = "; ".join(f"{k}: module {ours.get(k)} hand {hand.get(k)}" for k in differ[:5])
    raise Mismatch(f"{what}: the module and the hand SQL differ for {len(differ)} subjects: {shown}")


def hand_ranking(month_id: int) -> dict[int, tuple[int, int]]:
    """evaluation id → (total, place among its kind) from the current Score rows, ranked by hand."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.id, e.subject_kind, s.total, s.deducted, s.parts FROM stewardship_score s"
            " JOIN stewardship_evaluation e ON e.id = s.evaluation_id WHERE e.month_id = %s AND s.is_current",
            [month_id],
        )
        rows = cursor.fetchall()
    by_kind: dict[str, list[tuple[tuple[int, ...], int, int]]] = defaultdict(list)
    for eid, kind, total, deducted, parts in rows:
        parts = json.loads(parts) if isinstance(parts, str) else parts
        satisfaction = parts.get("residents")
        key = (-total, -(satisfaction if satisfaction is not None else -1), deducted, -parts.get("ledger_permille", 0))
        by_kind[kind].append(((*key, eid), eid, total))
    places = {}
    for group in by_kind.values():
        for place, (_key, eid, total) in enumerate(sorted(group), start=1):
            places[eid] = (total, place)
    return places


# --- measuring ------------------------------------------------------------------------------------------------


def interleaved(ours: Callable[[], Any], hand: Callable[[], Any] | None, n: int) -> tuple[list[float], list[float]]:
    ours()
    if hand is not None:
        hand()
    ours_ms, hand_ms = [], []
    for _ in range(n):
        ours_ms.append(timed(ours)[0])
        if hand is not None:
            hand_ms.append(timed(hand)[0])
    return ours_ms, hand_ms


def queries_of(work: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured.captured_queries)


def p50_p95(
    name: str, ours: list[float], hand: list[float], goal_ms: float | None, note: str, *, goal: str = ""
) -> list[Figure]:
    figures = []
    for label, q in (("p50", 0.5), ("p95", 0.95)):
        value = percentile(ours, q)
        figures.append(
            Figure(
                f"{name}, {label}",
                round(value, 2),
                "ms",
                round(percentile(hand, q), 2) if hand else None,
                goal=goal or (f"< {goal_ms:g} ms" if goal_ms else ""),
                passed=value < goal_ms if goal_ms else None,
                note=note,
            )
        )
    return figures


def measure() -> list[Figure]:
    from django.db import transaction
    from django.test import Client

    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.accounts.models import User
    from gongzhi.stewardship import evaluation as ev
    from gongzhi.stewardship import standings
    from gongzhi.stewardship.choices import MonthStatus
    from gongzhi.stewardship.models import EvaluationMonth

    current = EvaluationMonth.objects.filter(status=MonthStatus.RATING).order_by("-month").first()
    published = EvaluationMonth.objects.filter(status=MonthStatus.PUBLISHED).order_by("-month").first()
    jiedao = User.objects.filter(username="jiedao").first()
    if current is None or jiedao is None:
        raise SystemExit("no month being rated or no jiedao persona: seed_demo did not seed the evaluation")
    n = runs()
    subjects = current.evaluations.count()
    figures: list[Figure] = []

    # (b) first: the yardstick, and the module's figures must equal it
    log(f"stewardship: indicators of {current.month:%Y-%m} ({subjects} subjects), module against hand SQL …")
    check_equal(standings.live_figures(current.month), hand_figures(current.month), "indicators")
    ours, hand = interleaved(lambda: standings.live_figures(current.month), lambda: hand_figures(current.month), n)
    note = f"{current.month:%Y-%m}, {subjects} subjects (live_figures); the hand SQL's figures equal the module's"
    figures += p50_p95("evaluation: the month's indicators, live", ours, hand, GOAL_MS, note)
    hand_indicators = hand

    # (a) the whole month live: indicators, weighted scores, places, lists
    log("stewardship: month_results, live …")
    count = queries_of(lambda: standings.month_results(current))
    results = standings.month_results(current)
    ours, _ = interleaved(lambda: standings.month_results(current), None, n)
    figures += p50_p95(
        "evaluation: the month live, scores and ranking",
        ours,
        hand_indicators,
        GOAL_MS,
        f"month_results, tier {tier()}: {len(results)} subjects scored and placed in {count} queries; "
        "limit: the indicators by hand SQL",
    )

    # (c) a published month's ranking, read back
    if published is not None:
        log(f"stewardship: published month {published.month:%Y-%m} …")
        stored = {r.evaluation.pk: (r.total, r.place) for r in standings.month_results(published)}
        check_equal(stored, hand_ranking(published.pk), "published ranking")
        count = queries_of(lambda: standings.month_results(published))
        ours, hand = interleaved(lambda: standings.month_results(published), lambda: hand_ranking(published.pk), n)
        figures += p50_p95(
            "evaluation: a published month's ranking",
            ours,
            hand,
            READ_GOAL_MS,
            f"{published.month:%Y-%m}: {len(stored)} stored scores in {count} queries; "
            "the places equal a hand ranking of the Score rows",
        )
    else:
        figures.append(Figure("evaluation: published month ranking", None, "ms", note="no published month"))

    # (d) the month page as the subdistrict officer
    log("stewardship: the month page for jiedao …")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(jiedao)
    url = f"/stewardship/evaluation/{current.month:%Y-%m}/"

    def page() -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return bytes(response.content)

    count = queries_of(page)
    ours, _ = interleaved(page, None, n)
    figures += p50_p95(
        "evaluation: the month page (jiedao)",
        ours,
        hand_indicators,
        PAGE_GOAL_MS,
        f"{url} in {count} queries; limit: the indicators by hand SQL",
    )

    # (e) review and publication, rolled back
    log("stewardship: month_review and month_publish, rolled back …")
    officer = actor_for_user(jiedao)
    polls = (
        current.evaluations.filter(satisfaction_question__isnull=False)
        .values("satisfaction_question__poll_id")
        .distinct()
        .count()
    )
    review_ms: list[float] = []
    publish_ms: list[float] = []
    for _ in range(max(2, n // 2 + 1)):
        try:
            with transaction.atomic():
                month = EvaluationMonth.objects.get(pk=current.pk)
                started = time.perf_counter()
                month = ev.month_review(actor=officer, month=month)
                review_ms.append(1000 * (time.perf_counter() - started))
                started = time.perf_counter()
                ev.month_publish(actor=officer, month=month)
                publish_ms.append(1000 * (time.perf_counter() - started))
                raise Rollback
        except Rollback:
            pass
    still = EvaluationMonth.objects.get(pk=current.pk).status
    if still != MonthStatus.RATING:
        raise SystemExit(f"the rolled-back review left the month {still}")
    steps = (("month_review, rolled back", review_ms), ("month_publish, rolled back", publish_ms))
    for name, samples in steps:
        median = statistics.median(samples)
        figures.append(
            Figure(
                f"evaluation: {name}",
                round(median, 1),
                "ms",
                goal=f"< {GOAL_MS} ms",
                passed=median < GOAL_MS,
                note=f"median of {len(samples)} runs, p95 {percentile(samples, 0.95):.1f} ms; {subjects} subjects, "
                f"{polls} satisfaction polls counted (no hand-SQL counterpart)",
            )
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.parse_args()
    setup_django()
    started = time.perf_counter()
    figures = measure()
    log(f"stewardship: {time.perf_counter() - started:.1f} s")
    emit(figures)


if __name__ == "__main__":
    main()
