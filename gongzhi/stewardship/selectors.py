"""Reads of stewardship, each starting from a visible_* scope: a compound's managers, contract, committee,
the month's ledger and its completeness."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.stewardship.choices import LedgerKind, LedgerSide, MonthStatus, Position, SubjectKind
from gongzhi.stewardship.models import (
    Committee,
    CommitteeCandidate,
    CommitteeMember,
    CommitteeTerm,
    Contract,
    EvaluationMonth,
    LedgerEntry,
    ModeChange,
    Rubric,
    Score,
    default_grade_bands,
)
from gongzhi.stewardship.permissions import visible_compounds, visible_entries
from gongzhi.stewardship.services import MAX_MEMBERS, current_contracts
from gongzhi.territory.models import Node
from gongzhi.votes.choices import PollStatus


def compound_list(*, actor: Actor, search: str = "") -> QuerySet[Node]:
    rows = visible_compounds(actor).order_by("path")
    return rows.filter(name__contains=search.strip()) if search.strip() else rows


def compound_get(*, actor: Actor, compound_id: int) -> Node:
    return get_object_or_404(visible_compounds(actor), pk=compound_id)


def contract_current(*, compound: Node, on: dt.date) -> Contract | None:
    return current_contracts(on=on).filter(compound=compound).select_related("manager").first()


def contract_history(*, compound: Node) -> list[Contract]:
    return list(Contract.objects.filter(compound=compound).select_related("manager").order_by("-starts_on"))


def mode_history(*, compound: Node) -> list[ModeChange]:
    return list(ModeChange.objects.filter(compound=compound).select_related("contract__manager")[:20])


@dataclass
class CommitteeView:
    committee: Committee
    term: CommitteeTerm | None
    members: list[CommitteeMember]
    warnings: list[str] = field(default_factory=list)
    # The term's election through the vote engine, in ballot order (empty when none was held).
    candidates: list[CommitteeCandidate] = field(default_factory=list)

    @property
    def election_applied(self) -> bool:
        return any(c.elected is not None for c in self.candidates)

    @property
    def may_hold_election(self) -> bool:
        """A term with no sitting members and no election under way (a cancelled one may be held again)."""
        election = self.term.election if self.term else None
        return not self.members and (election is None or election.status == PollStatus.CANCELLED)


def committee_view(*, compound: Node, on: dt.date) -> CommitteeView | None:
    """The committee with its current term and members, and what the rules find wrong as warnings."""
    committee = Committee.objects.filter(compound=compound).first()
    if committee is None:
        return None
    term = committee.terms.select_related("election").first()
    rank = {position: i for i, position in enumerate(Position.values)}  # 主任, 副主任, 委员
    members = (
        sorted(
            term.members.filter(left_on__isnull=True).select_related("person").order_by("id"),
            key=lambda m: rank[m.position],
        )
        if term
        else []
    )
    view = CommitteeView(committee, term, members)
    if term is not None and term.election_id is not None:
        view.candidates = list(term.candidates.select_related("person").order_by("question__position"))
    if term is None:
        view.warnings.append(_("尚未登记任何一届。"))
        return view
    if term.starts_on > on:
        # The next term, registered ahead: its members are seated by its election and filed after it, so
        # counting them now would warn of a committee that is not meant to sit yet.
        if term.election_id is None:
            view.warnings.append(
                _("第%(n)d届将于 %(d)s 开始任期，尚未发起换届选举。") % {"n": term.number, "d": term.starts_on}
            )
        return view
    if term.ends_on < on:
        view.warnings.append(_("第%(n)d届已于 %(d)s 届满，应尽快换届。") % {"n": term.number, "d": term.ends_on})
    elif (term.ends_on - on).days <= 90:
        view.warnings.append(_("第%(n)d届将于 %(d)s 届满，请筹备换届。") % {"n": term.number, "d": term.ends_on})
    n = len(members)
    if not 5 <= n <= MAX_MEMBERS or n % 2 == 0:
        view.warnings.append(_("现有成员%(n)d人：业委会应为5至11人的单数（指导规则第三十一条）。") % {"n": n})
    if not any(m.position == Position.DIRECTOR for m in members):
        view.warnings.append(_("没有主任。"))
    if term.filed_on is None:
        due = (term.elected_on or term.starts_on) + dt.timedelta(days=30)
        view.warnings.append(_("尚未备案（应于选举后30日内，即 %(d)s 前）。") % {"d": due})
    return view


# --- the month's ledger -------------------------------------------------------------------------------


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """'2026-11' → (first day, last day); ValueError for anything else."""
    year, number = (int(part) for part in month.split("-"))
    if not (2000 <= year <= 2100 and 1 <= number <= 12) or len(month) != 7:
        raise ValueError(month)
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


def month_last_day(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def ledger_month(*, actor: Actor, compound: Node, first: dt.date, last: dt.date) -> QuerySet[LedgerEntry]:
    return (
        visible_entries(actor)
        .filter(compound=compound, day__gte=first, day__lte=last)
        .prefetch_related("photos", "comments")
        .order_by("-day", "-id")
    )


def required_days() -> dict[str, dict[str, int]]:
    """Days a month each side must have entries of each kind (settings.GONGZHI_LEDGER_REQUIRED_DAYS)."""
    days: dict[str, dict[str, int]] = settings.GONGZHI_LEDGER_REQUIRED_DAYS
    return days


@dataclass
class KindCompleteness:
    kind: str
    required: int
    days: int

    @property
    def label(self) -> str:
        return str(LedgerKind(self.kind).label)

    @property
    def counted(self) -> int:
        return min(self.days, self.required)


@dataclass
class Completeness:
    """Ledger completeness of one side in one compound and month, in permille (an integer, never a float)."""

    side: str
    kinds: list[KindCompleteness]

    @property
    def permille(self) -> int:
        required = sum(k.required for k in self.kinds)
        return sum(k.counted for k in self.kinds) * 1000 // required if required else 1000

    @property
    def percent(self) -> str:
        return f"{self.permille // 10}.{self.permille % 10}%"


def completeness(*, compound: Node, side: str, first: dt.date, last: dt.date) -> Completeness:
    """Σ over required kinds of min(days with an entry of the kind, days required) ÷ Σ days required.

    Days required are per month; a month in progress asks for them in proportion to the days gone.
    """
    days_in_month = (last - first).days + 1
    today = timezone.localdate()
    elapsed = days_in_month if last < today else max(0, (min(today, last) - first).days + 1)
    counts: dict[str, set[dt.date]] = defaultdict(set)
    for kind, day in LedgerEntry.objects.filter(
        compound=compound, side=side, day__gte=first, day__lte=last
    ).values_list("kind", "day"):
        counts[kind].add(day)
    kinds = [
        KindCompleteness(kind, min(days, days_in_month) * elapsed // days_in_month, len(counts.get(kind, ())))
        for kind, days in required_days().get(side, {}).items()
    ]
    return Completeness(side, kinds)


def ledger_sides(*, compound: Node, on: dt.date) -> list[str]:
    """Which ledgers the compound keeps: its manager's while a contract runs, its committee's if it has one."""
    sides: list[str] = []
    if current_contracts(on=on).filter(compound=compound).exists():
        sides.append(LedgerSide.MANAGER)
    if Committee.objects.filter(compound=compound).exists():
        sides.append(LedgerSide.COMMITTEE)
    return sides


# --- the cockpit's figures (dashboards.sources.stewardship, dashboards.sections) ------------------------
# Per compound (a committee's or a manager's place is its compound), in no grid.

ENDING_DAYS = 90  # as the term reminders count (services.TERM_REMINDER_DAYS)


def _latest_terms() -> QuerySet[CommitteeTerm]:
    return CommitteeTerm.objects.filter(committee_id=OuterRef("pk")).order_by("-number")


def _ending_committees(today: dt.date) -> QuerySet[Committee]:
    """Committees whose latest term sits now and ends within 90 days: no next term registered yet."""
    latest = _latest_terms()
    return Committee.objects.annotate(
        term_starts=Subquery(latest.values("starts_on")[:1]),
        term_ends=Subquery(latest.values("ends_on")[:1]),
        term_number=Subquery(latest.values("number")[:1]),
    ).filter(term_starts__lte=today, term_ends__gte=today, term_ends__lte=today + dt.timedelta(days=ENDING_DAYS))


def cockpit_committees_ending(*, today: dt.date, prefix: int) -> list[tuple[str, int]]:
    rows = _ending_committees(today).values_list(Substr("compound__path", 1, prefix)).annotate(n=Count("id")).order_by()
    return list(rows)


@dataclass(frozen=True)
class EndingTerm:
    compound_id: int
    compound: str
    committee: str
    number: int
    ends_on: dt.date


def committees_ending(*, actor: Actor, under: str, today: dt.date, limit: int = 10) -> list[EndingTerm]:
    """The committees ending within 90 days in the compounds the actor sees below ``under`` (a path), soonest
    first."""
    rows = (
        _ending_committees(today)
        .filter(compound__in=visible_compounds(actor), compound__path__startswith=under)
        .order_by("term_ends", "compound__path")
        # the annotations of _ending_committees, which the type checker does not follow
        .values_list("compound_id", "compound__name", "name", "term_number", "term_ends")[:limit]  # type: ignore[misc]
    )
    return [EndingTerm(*row) for row in rows]


def latest_published_month(on: dt.date | None = None) -> EvaluationMonth | None:
    """The latest published month; with ``on``, the latest whose month is not after ``on``'s (a past month's
    report ranks that month, not one published since)."""
    months = EvaluationMonth.objects.filter(status=MonthStatus.PUBLISHED)
    if on is not None:
        months = months.filter(month__lte=on)
    return months.order_by("-month").first()


def grade_code(grade: str, bands: list[list[object]]) -> int:
    """A grade's place in its rubric's bands, 1 for the best (AAA in the default bands); 0 if unknown."""
    names = [str(band[0]) for band in bands]
    return names.index(grade) + 1 if grade in names else 0


def cockpit_manager_grades(*, prefix: int) -> list[tuple[str, int]]:
    """Per compound: the grade of its manager (property company or third party) in the latest published
    month, as a code (grade_code). A compound with two managers that month keeps the better grade. One
    month's scores: a few hundred rows."""
    month = latest_published_month()
    if month is None:
        return []
    rows = Score.objects.filter(is_current=True, evaluation__month=month).exclude(
        evaluation__subject_kind=SubjectKind.COMMITTEE
    )
    best: dict[str, int] = {}
    for path, grade, bands in rows.values_list(
        "evaluation__compound__path", "grade", "evaluation__rubric__grade_bands"
    ):
        code = grade_code(grade, bands)
        place = path[:prefix]
        if code and (place not in best or code < best[place]):
            best[place] = code
    return sorted(best.items())


def grade_labels() -> dict[int, str]:
    """Every grade of the current manager rubric's bands by its code (1 the best), in one query."""
    rubric = Rubric.objects.filter(subject_kind=SubjectKind.PROPERTY_COMPANY, is_active=True).first()
    bands = rubric.grade_bands if rubric is not None else default_grade_bands()
    return {code: str(band[0]) for code, band in enumerate(bands, start=1)}


def grade_label(code: int) -> str:
    """The grade a code stands for, in the current manager rubric's bands ("—" for none)."""
    return grade_labels().get(code, "—")


def cockpit_mark() -> int:
    """Terms registered or changed, and every score written (publication and appeals add rows)."""
    terms = CommitteeTerm.objects.aggregate(n=Max("pk"), at=Max("updated_at"))
    score = Score.objects.aggregate(n=Max("pk"))["n"] or 0
    return (terms["n"] or 0) + score + (int(terms["at"].timestamp()) if terms["at"] else 0)
