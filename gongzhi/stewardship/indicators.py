"""The month's indicators of every manager and committee, computed from records the product already has,
never typed: the figures the monthly evaluation (月度评比) scores.

Managers (per compound under contract on the month's last day):
- cases dispatched to them: cases of the compound whose handler is a property company or third party,
  first dispatched in the month; of those handled, how many on time (Case.is_on_time, working hours on
  the calendar), how many needed rework (返工), and complaints (rated 1 or 2 by the reporter);
- ledger completeness of the manager side (selectors.completeness's rule, in one grouped query).
Committees: days with a meeting entry and with a 收支公示 entry in their ledger.

Rates are permille integers (None when there is nothing to divide by), never floats.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.cases.choices import HandlerKind
from gongzhi.cases.models import Case
from gongzhi.stewardship.choices import LedgerKind, LedgerSide
from gongzhi.stewardship.models import Committee, LedgerEntry
from gongzhi.stewardship.selectors import required_days
from gongzhi.stewardship.services import current_contracts

MANAGER_HANDLERS = (HandlerKind.PROPERTY, HandlerKind.THIRD_PARTY)
COMPLAINT_RATING = 2  # a rating of 1 or 2 is a complaint about the handling


def _permille(part: int, whole: int) -> int | None:
    return part * 1000 // whole if whole else None


@dataclass(frozen=True)
class ManagerIndicators:
    compound_id: int
    manager_id: int
    dispatched: int
    handled: int
    on_time: int
    reworked: int
    complaints: int
    ledger_permille: int

    @property
    def on_time_permille(self) -> int | None:
        return _permille(self.on_time, self.handled)

    @property
    def rework_permille(self) -> int | None:
        return _permille(self.reworked, self.dispatched)


@dataclass(frozen=True)
class CommitteeIndicators:
    compound_id: int
    committee_id: int
    meeting_days: int
    finance_days: int


def _month_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def ledger_permille(days_by_kind: dict[str, int], side: str, first: dt.date, last: dt.date) -> int:
    """selectors.completeness over a whole month, from days per kind already counted."""
    length = (last - first).days + 1
    wanted = {kind: min(days, length) for kind, days in required_days().get(side, {}).items()}
    total = sum(wanted.values())
    counted = sum(min(days_by_kind.get(kind, 0), need) for kind, need in wanted.items())
    return counted * 1000 // total if total else 1000


def _ledger_days(side: str, first: dt.date, last: dt.date) -> dict[int, dict[str, int]]:
    """compound → kind → distinct days with an entry, for one side and month: one grouped query."""
    days: dict[int, dict[str, int]] = defaultdict(dict)
    for compound_id, kind, n in (
        LedgerEntry.objects.filter(side=side, day__gte=first, day__lte=last)
        .values_list("compound_id", "kind")
        .annotate(n=Count("day", distinct=True))
        .order_by()
    ):
        days[compound_id][kind] = n
    return days


def manager_indicators(*, first: dt.date, last: dt.date) -> list[ManagerIndicators]:
    """One row per compound under contract on the month's last day, for that contract's manager."""
    start, end = _month_range(first, last)
    handled = Q(handled_at__isnull=False)
    cases = {
        row["compound_id"]: row
        for row in Case.objects.filter(
            handler_kind__in=MANAGER_HANDLERS, dispatched_at__gte=start, dispatched_at__lt=end, compound__isnull=False
        )
        .values("compound_id")
        .annotate(
            dispatched=Count("pk"),
            handled=Count("pk", filter=handled),
            on_time=Count("pk", filter=handled & Q(is_on_time=True)),
            reworked=Count("pk", filter=Q(rework_count__gt=0)),
            complaints=Count("pk", filter=Q(rating__lte=COMPLAINT_RATING)),
        )
        .order_by()
    }
    ledgers = _ledger_days(LedgerSide.MANAGER, first, last)
    rows = []
    for compound_id, manager_id in (
        current_contracts(on=last).values_list("compound_id", "manager_id").order_by("compound_id")
    ):
        c = cases.get(compound_id, {})
        rows.append(
            ManagerIndicators(
                compound_id=compound_id,
                manager_id=manager_id,
                dispatched=c.get("dispatched", 0),
                handled=c.get("handled", 0),
                on_time=c.get("on_time", 0),
                reworked=c.get("reworked", 0),
                complaints=c.get("complaints", 0),
                ledger_permille=ledger_permille(ledgers.get(compound_id, {}), LedgerSide.MANAGER, first, last),
            )
        )
    return rows


def committee_indicators(*, first: dt.date, last: dt.date) -> list[CommitteeIndicators]:
    ledgers = _ledger_days(LedgerSide.COMMITTEE, first, last)
    return [
        CommitteeIndicators(
            compound_id=compound_id,
            committee_id=committee_id,
            meeting_days=ledgers.get(compound_id, {}).get(LedgerKind.MEETING, 0),
            finance_days=ledgers.get(compound_id, {}).get(LedgerKind.FINANCE, 0),
        )
        for committee_id, compound_id in Committee.objects.values_list("pk", "compound_id").order_by("compound_id")
    ]
