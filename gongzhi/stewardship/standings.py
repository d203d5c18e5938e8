"""Reading the monthly evaluation: each subject's score (computed while the month is open, the stored
Score once published), its grade and places, and the red and black lists.

``compute`` scores many evaluations in a fixed number of queries (rubric items, sheets with their
deductions, satisfaction counts, and for an open month the live indicators); the arithmetic is
scoring.py's. Callers pass evaluations already filtered by permissions.visible_evaluations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from gongzhi.stewardship import indicators, scoring
from gongzhi.stewardship.choices import MonthStatus, RaterKind, SubjectKind
from gongzhi.stewardship.models import Deduction, Evaluation, EvaluationMonth, Rating, Rubric, RubricItem, Score
from gongzhi.stewardship.selectors import month_last_day
from gongzhi.votes.models import Ballot, PollResult, Question


@dataclass
class Result:
    evaluation: Evaluation
    total: int
    grade: str
    parts: dict[str, int]
    deducted: int
    satisfaction: int | None
    ledger_permille: int
    rated_by: list[str] = field(default_factory=list)
    score: Score | None = None  # the stored row, once published
    place: int = 0  # among the month's subjects of its kind
    community_place: int = 0
    red: bool = False
    black: bool = False
    black_reason: str = ""

    @property
    def unrated(self) -> bool:
        return not any(kind != RaterKind.RESIDENTS for kind in self.rated_by)

    @property
    def standing(self) -> scoring.Standing:
        return scoring.Standing(
            evaluation_id=self.evaluation.pk,
            total=self.total,
            satisfaction=self.satisfaction,
            deducted=self.deducted,
            ledger_permille=self.ledger_permille,
        )


def points_text(tenths: int | None) -> str:
    """1000 → "100.0"; None → "—"."""
    if tenths is None:
        return "—"
    return f"{tenths // 10}.{tenths % 10}"


# --- figures ----------------------------------------------------------------------------------------------


def live_figures(month: dt.date) -> dict[tuple[str, int], dict[str, int | None]]:
    """(subject kind group, compound id) → the month's indicators, computed now (indicators.py)."""
    first, last = month, month_last_day(month)
    figures: dict[tuple[str, int], dict[str, int | None]] = {}
    for row in indicators.manager_indicators(first=first, last=last):
        figures[("manager", row.compound_id)] = {
            "manager_id": row.manager_id,
            "dispatched": row.dispatched,
            "handled": row.handled,
            "on_time": row.on_time,
            "reworked": row.reworked,
            "complaints": row.complaints,
            "ledger_permille": row.ledger_permille,
            "on_time_permille": row.on_time_permille,
            "rework_permille": row.rework_permille,
        }
    for c in indicators.committee_indicators(first=first, last=last):
        figures[("committee", c.compound_id)] = {"meetings_days": c.meeting_days, "finance_days": c.finance_days}
    return figures


def figures_key(evaluation: Evaluation) -> tuple[str, int]:
    group = "committee" if evaluation.subject_kind == SubjectKind.COMMITTEE else "manager"
    return group, evaluation.compound_id


def figures_of(evaluation: Evaluation, live: dict[tuple[str, int], dict[str, int | None]] | None) -> dict[str, Any]:
    """The frozen indicators once the month left rating; the live ones before (the same manager only)."""
    if evaluation.month.status != MonthStatus.RATING or live is None:
        return dict(evaluation.indicators)
    row = dict(live.get(figures_key(evaluation), {}))
    if evaluation.manager_id is not None and row.get("manager_id") not in (None, evaluation.manager_id):
        return {}
    return row


# --- satisfaction -------------------------------------------------------------------------------------------


def satisfaction_counts(questions: Iterable[Question]) -> dict[int, dict[int, int]]:
    """question id → {answer 5…1: households}: from the poll's count once closed, else nothing yet.

    The options of a satisfaction question are in order 非常满意 (5) … 非常不满意 (1).
    """
    questions = list(questions)
    by_poll: dict[int, list[Question]] = defaultdict(list)
    for q in questions:
        by_poll[q.poll_id].append(q)
    counts: dict[int, dict[int, int]] = {}
    for result in PollResult.objects.filter(poll_id__in=by_poll):
        for q in result.questions:
            option_ids = [o["id"] for o in q["options"]]
            tally = q["tally"].get("counts", {})
            counts[q["id"]] = {5 - i: int(tally.get(str(oid), 0)) for i, oid in enumerate(option_ids)}
    return counts


def satisfaction_turnout(question_ids: Sequence[int]) -> int:
    """Households that have rated so far in an open poll (how many, never what)."""
    polls = Question.objects.filter(pk__in=question_ids).values_list("poll_id", flat=True)
    return Ballot.objects.filter(poll_id__in=polls).standing().count()


# --- scores ---------------------------------------------------------------------------------------------------


def _item_rules(rubric_ids: Iterable[int]) -> dict[int, list[scoring.ItemRule]]:
    rules: dict[int, list[scoring.ItemRule]] = defaultdict(list)
    for item in RubricItem.objects.filter(rubric_id__in=set(rubric_ids)).order_by("rubric_id", "position"):
        rules[item.rubric_id].append(
            scoring.ItemRule(
                item_id=item.pk,
                max_points=item.max_points,
                indicator=item.indicator,
                target=item.target,
                deduction_step=item.deduction_step,
            )
        )
    return rules


def compute(evaluations: Sequence[Evaluation]) -> dict[int, Result]:
    """Score each evaluation from its sheets, figures and satisfaction, as publication would store it."""
    if not evaluations:
        return {}
    rubrics = {r.pk: r for r in Rubric.objects.filter(pk__in={e.rubric_id for e in evaluations})}
    rules = _item_rules(rubrics)
    sheets: dict[int, list[Rating]] = defaultdict(list)
    standing_deductions = Prefetch("deductions", queryset=Deduction.objects.filter(withdrawn_by__isnull=True))
    for rating in Rating.objects.filter(
        evaluation__in=[e.pk for e in evaluations], submitted_at__isnull=False
    ).prefetch_related(standing_deductions):
        sheets[rating.evaluation_id].append(rating)
    counts = satisfaction_counts(
        Question.objects.filter(pk__in=[e.satisfaction_question_id for e in evaluations if e.satisfaction_question_id])
    )
    open_months = {e.month.month for e in evaluations if e.month.status == MonthStatus.RATING}
    live: dict[tuple[str, int], dict[str, int | None]] = {}
    for month in open_months:
        live.update(live_figures(month))  # one open month at a time in practice
    results = {}
    for e in evaluations:
        rubric = rubrics[e.rubric_id]
        items = rules[e.rubric_id]
        figures = figures_of(e, live if open_months else None)
        parts: dict[str, int] = {}
        deducted = 0
        for rating in sheets.get(e.pk, []):
            taken: dict[int, int] = defaultdict(int)
            for d in rating.deductions.all():
                taken[d.item_id] += d.points
            deducted += sum(taken.values())
            parts[rating.rater_kind] = scoring.rater_score(items, figures, taken)
        rated_by = list(parts)
        if not parts:
            parts[RaterKind.SUBDISTRICT] = scoring.rater_score(items, figures, {})  # nobody rated: no deductions
        satisfaction = None
        if e.satisfaction_question_id is not None:
            satisfaction = scoring.satisfaction_score(counts.get(e.satisfaction_question_id, {}))
        if satisfaction is not None:
            parts[RaterKind.RESIDENTS] = satisfaction
            rated_by.append(RaterKind.RESIDENTS)
        weights = {str(kind): rubric.weight_of(kind) for kind in scoring.RATER_ORDER}
        total = scoring.weighted_total(parts, weights)
        results[e.pk] = Result(
            evaluation=e,
            total=total,
            grade=scoring.grade_of(total, rubric.grade_bands),
            parts=parts,
            deducted=deducted,
            satisfaction=satisfaction,
            ledger_permille=int(figures.get("ledger_permille") or 0),
            rated_by=rated_by,
        )
    return results


def stored(evaluations: Sequence[Evaluation]) -> dict[int, Result]:
    """The current Score rows of published evaluations, read back as results."""
    scores = Score.objects.filter(evaluation__in=[e.pk for e in evaluations], is_current=True)
    by_evaluation = {e.pk: e for e in evaluations}
    results = {}
    for s in scores:
        parts = {k: int(v) for k, v in s.parts.items() if k in RaterKind.values}
        satisfaction = parts.get(RaterKind.RESIDENTS)
        results[s.evaluation_id] = Result(
            evaluation=by_evaluation[s.evaluation_id],
            total=s.total,
            grade=s.grade,
            parts=parts,
            deducted=s.deducted,
            satisfaction=satisfaction,
            ledger_permille=int(s.parts.get("ledger_permille", 0)),
            rated_by=list(parts),
            score=s,
        )
    return results


# --- the month's table ---------------------------------------------------------------------------------------


def subject_key(e: Evaluation) -> tuple[str, int | None, int | None, int]:
    return e.subject_kind, e.manager_id, e.committee_id, e.compound_id


def previous_months(month: dt.date, n: int) -> list[dt.date]:
    """The n calendar months before this one, most recent first."""
    months = []
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


def _last_places(month_ids: Sequence[int]) -> dict[int, set[tuple[str, int | None, int | None, int]]]:
    """Published month id → the subjects that came last in their kind's ranking that month."""
    rows = list(Evaluation.objects.filter(month_id__in=month_ids).select_related("month"))
    results = stored(rows)
    by_month_kind: dict[tuple[int, str], list[Result]] = defaultdict(list)
    for r in results.values():
        by_month_kind[(r.evaluation.month_id, r.evaluation.subject_kind)].append(r)
    last: dict[int, set[tuple[str, int | None, int | None, int]]] = defaultdict(set)
    for (month_id, _kind), group in by_month_kind.items():
        places = scoring.rank(r.standing for r in group)
        worst = max(places, key=lambda eid: places[eid])
        last[month_id].add(subject_key(results[worst].evaluation))
    return last


def month_results(month: EvaluationMonth, evaluations: QuerySet[Evaluation] | None = None) -> list[Result]:
    """Every subject of the month scored and placed: ranked over the whole subdistrict by kind, and within
    its community; red and black lists by the rubric's rules. ``evaluations`` narrows what is returned
    (places are always over the whole month)."""
    everyone_q = Evaluation.objects.filter(month=month).select_related("month", "compound", "community", "rubric")
    if evaluations is not None:  # which of them are wanted: read with them, not by a query of its own
        everyone_q = everyone_q.annotate(is_wanted=Exists(evaluations.filter(pk=OuterRef("pk"))))
    everyone = list(everyone_q)
    results = stored(everyone) if month.is_published else compute(everyone)
    by_kind: dict[str, list[Result]] = defaultdict(list)
    by_community: dict[tuple[str, int], list[Result]] = defaultdict(list)
    for r in results.values():
        by_kind[r.evaluation.subject_kind].append(r)
        by_community[(r.evaluation.subject_kind, r.evaluation.community_id)].append(r)
    for group in by_kind.values():
        for eid, place in scoring.rank(r.standing for r in group).items():
            results[eid].place = place
    for group in by_community.values():
        for eid, place in scoring.rank(r.standing for r in group).items():
            results[eid].community_place = place
    _mark_lists(month, results, by_kind)
    rows = [r for r in results.values() if evaluations is None or r.evaluation.is_wanted]  # type: ignore[attr-defined]
    return sorted(rows, key=lambda r: (r.evaluation.subject_kind, r.place))


def _mark_lists(month: EvaluationMonth, results: dict[int, Result], by_kind: dict[str, list[Result]]) -> None:
    longest = max((r.evaluation.rubric.black_last_months for r in results.values()), default=1)
    earlier = previous_months(month.month, max(longest - 1, 0))
    published = dict(
        EvaluationMonth.objects.filter(month__in=earlier, status=MonthStatus.PUBLISHED).values_list("month", "pk")
    )
    last = _last_places(list(published.values()))
    for group in by_kind.values():
        bottom = max(group, key=lambda r: r.place) if len(group) > 1 else None
        for r in group:
            rubric = r.evaluation.rubric
            r.red = r.grade in rubric.red_grades
            if r.total < rubric.black_below:
                r.black, r.black_reason = True, f"得分低于{points_text(rubric.black_below)}分"
                continue
            if r is not bottom or rubric.black_last_months < 1:
                continue
            needed = earlier[: rubric.black_last_months - 1]
            key = subject_key(r.evaluation)
            if all(m in published and key in last[published[m]] for m in needed):
                r.black = True
                r.black_reason = f"连续{rubric.black_last_months}个月排名末位"
        for r in group:
            r.red = r.red and not r.black


def trend(evaluation: Evaluation, visible: QuerySet[Evaluation], months: int = 12) -> list[Result]:
    """The same subject's published scores over the last months, oldest first (for the chart)."""
    same = Q(subject_kind=evaluation.subject_kind, compound_id=evaluation.compound_id)
    same &= Q(manager_id=evaluation.manager_id) if evaluation.manager_id else Q(committee_id=evaluation.committee_id)
    rows = list(
        visible.filter(same, month__status=MonthStatus.PUBLISHED)
        .select_related("month")
        .order_by("-month__month")[:months]
    )
    results = stored(rows)
    return [results[e.pk] for e in reversed(rows) if e.pk in results]
