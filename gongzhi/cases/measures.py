"""Measures per grid, compound, handler, category and month, with exact denominators.

For a month M, the cases due (应结案) are those whose deadline falls in M, rejected and merged
cases excepted. Then:
  按期结案率 on-time closure rate = closed, handled by the deadline ÷ due
  结案率 closure rate             = closed (结案 or rated) ÷ due
  返工率 rework rate              = due cases reworked at least once ÷ due
  平均处置用时 mean handling time  = working minutes from dispatch to the last handling report ÷ handled, in hours
  满意度 satisfaction              = sum of ratings ÷ rated (1–5), and the share rating 4 or 5
Rates are Fractions; they are rounded only when shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.choices import DONE_STATUSES, VOID_STATUSES
from gongzhi.cases.models import CaseCategory
from gongzhi.cases.permissions import visible_cases
from gongzhi.cases.worktime import TZ
from gongzhi.core.actors import Actor
from gongzhi.core.numbers import ratio_text
from gongzhi.territory.models import Grid, Node

GROUPS = {
    "grid": ("grid_id", _("网格")),
    "compound": ("compound_id", _("小区")),
    "handler": ("handler_label", _("处置单位")),
    "category": ("category_id", _("类别")),
}


@dataclass
class MeasureRow:
    key: object
    label: str
    due: int
    closed: int
    on_time: int
    reworked: int
    handled: int
    handling_minutes: int
    rated: int
    rating_sum: int
    satisfied: int

    @staticmethod
    def _rate(n: int, d: int) -> Fraction | None:
        return Fraction(n, d) if d else None

    @property
    def on_time_rate(self) -> Fraction | None:
        return self._rate(self.on_time, self.due)

    @property
    def closure_rate(self) -> Fraction | None:
        return self._rate(self.closed, self.due)

    @property
    def rework_rate(self) -> Fraction | None:
        return self._rate(self.reworked, self.due)

    @property
    def mean_handling_hours(self) -> Fraction | None:
        return Fraction(self.handling_minutes, self.handled * 60) if self.handled else None

    @property
    def mean_rating(self) -> Fraction | None:
        return self._rate(self.rating_sum, self.rated)

    @property
    def satisfaction_rate(self) -> Fraction | None:
        return self._rate(self.satisfied, self.rated)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(month.year, month.month, 1, tzinfo=TZ)
    end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=TZ)
    return start, end


def case_measures(*, actor: Actor, month: dt.date, by: str) -> list[MeasureRow]:
    field, _label = GROUPS[by]
    start, end = month_bounds(month)
    done = Q(status__in=DONE_STATUSES)
    rows = (
        visible_cases(actor)
        .filter(deadline_at__gte=start, deadline_at__lt=end)
        .exclude(status__in=VOID_STATUSES)
        .values(field)
        .annotate(
            due=Count("id"),
            closed=Count("id", filter=done),
            on_time=Count("id", filter=done & Q(is_on_time=True)),
            reworked=Count("id", filter=Q(rework_count__gt=0)),
            handled=Count("handling_minutes"),
            handling_minutes=Sum("handling_minutes"),
            rated=Count("rating"),
            rating_sum=Sum("rating"),
            satisfied=Count("id", filter=Q(rating__gte=4)),
        )
        .order_by(field)
    )
    found = list(rows)
    keys = [r[field] for r in found]
    names: dict[object, str] = {}
    if by == "grid":
        names = dict(Grid.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif by == "compound":
        names = dict(Node.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif by == "category":
        names = dict(CaseCategory.objects.filter(pk__in=keys).values_list("pk", "name"))
    result = [
        MeasureRow(
            key=r[field],
            label=names.get(r[field], "") if by != "handler" else (r[field] or ""),
            due=r["due"],
            closed=r["closed"],
            on_time=r["on_time"],
            reworked=r["reworked"],
            handled=r["handled"],
            handling_minutes=r["handling_minutes"] or 0,
            rated=r["rated"],
            rating_sum=r["rating_sum"] or 0,
            satisfied=r["satisfied"],
        )
        for r in found
    ]
    return sorted(result, key=lambda row: (row.label == "", row.label))


def total(rows: list[MeasureRow]) -> MeasureRow:
    sums = {
        name: sum(getattr(r, name) for r in rows)
        for name in (
            "due",
            "closed",
            "on_time",
            "reworked",
            "handled",
            "handling_minutes",
            "rated",
            "rating_sum",
            "satisfied",
        )
    }
    return MeasureRow(key=None, label=str(_("合计")), **sums)


def percent(value: Fraction | None) -> str:
    if value is None:
        return "—"
    return ratio_text(value.numerator, value.denominator, suffix="%")


def decimal(value: Fraction | None, places: int = 1) -> str:
    if value is None:
        return "—"
    return ratio_text(value.numerator, value.denominator, scale=1, places=places)
