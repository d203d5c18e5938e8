"""Reads of the answers recorded in visits: per visit on the household's page, per question for the campaign.

A household's answers are those of its latest visit that recorded any (a second visit corrects the
first); a person's are those of their latest check with answers. Health questions (temperature,
symptoms) are left out for roles that may not see them, exactly as the form leaves them out. Names are
masked; the follow-up lists and the answers export write an access-log row, as the registry's do.

Follow-up ("flagged") answers: 是 to a yes/no question, and a temperature at or above FEVER_FROM.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.campaigns.choices import FieldKind, FieldTarget, HouseholdState, PersonState
from gongzhi.campaigns.models import (
    Campaign,
    CampaignField,
    CampaignHousehold,
    CampaignPerson,
    PersonCheck,
    Visit,
)
from gongzhi.campaigns.permissions import can_see_health, visible_campaign_households
from gongzhi.campaigns.selectors import HOUSEHOLD_VALUES, address_of, building_names, campaign_fields
from gongzhi.core.actors import Actor
from gongzhi.core.pinyin import mask_name

# 37.3 °C: the threshold of 发热 in the screening notices (腋温).
FEVER_FROM = Decimal("37.3")
# Temperatures are shown in these bands; numbers in up to this many equal bands.
TEMPERATURE_BANDS = (Decimal("36.0"), Decimal("37.3"), Decimal("38.0"), Decimal("39.0"))
NUMBER_BANDS = 6


def fields_for(actor: Actor, campaign: Campaign, target: str) -> list[CampaignField]:
    """The questions the actor may see answers to: health questions only for the campaign's own staff."""
    sees_health = can_see_health(actor)
    return [f for f in campaign_fields(campaign=campaign, target=target) if sees_health or not f.is_health]


def display(field: CampaignField, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.kind == FieldKind.YES_NO:
        return _("是") if value is True else _("否")
    if field.kind == FieldKind.TEMPERATURE:
        return f"{value}℃"
    return str(value)


def is_flagged(field: CampaignField, value: Any) -> bool:
    if field.kind == FieldKind.YES_NO:
        return value is True
    if field.kind == FieldKind.TEMPERATURE and value not in (None, ""):
        return Decimal(str(value)) >= FEVER_FROM
    return False


# --- one household's visits --------------------------------------------------------------------------


@dataclass
class AnswerLine:
    label: str
    value: str
    flagged: bool = False


@dataclass
class CheckLine:
    name: str
    status: str
    answers: list[AnswerLine]


@dataclass
class VisitLine:
    visit: Visit
    answers: list[AnswerLine]
    checks: list[CheckLine]


def _lines(fields: Sequence[CampaignField], answers: dict[str, Any]) -> list[AnswerLine]:
    return [
        AnswerLine(f.label, display(f, answers[f.key]), is_flagged(f, answers[f.key]))
        for f in fields
        if f.key in answers
    ]


def household_visit_lines(*, actor: Actor, row: CampaignHousehold, limit: int = 10) -> list[VisitLine]:
    """The row's latest visits with what each recorded, the person checks included (names masked)."""
    campaign = row.campaign
    household_fields = fields_for(actor, campaign, FieldTarget.HOUSEHOLD)
    person_fields = fields_for(actor, campaign, FieldTarget.PERSON)
    visits = list(Visit.objects.filter(household_row=row).order_by("-visited_at", "-id")[:limit])
    checks: dict[int, list[CheckLine]] = {v.pk: [] for v in visits}
    for check in (
        PersonCheck.objects.filter(visit__in=visits)
        .select_related("person_row__person")
        .only("visit_id", "status", "answers", "person_row__person__name")
        .order_by("pk")
    ):
        checks[check.visit_id].append(
            CheckLine(
                mask_name(check.person_row.person.name),
                check.get_status_display(),
                _lines(person_fields, check.answers),
            )
        )
    return [VisitLine(v, _lines(household_fields, v.answers), checks[v.pk]) for v in visits]


# --- the campaign's answers, per question ------------------------------------------------------------


@dataclass
class FollowUp:
    row_id: int
    address: str
    name: str
    value: str


@dataclass
class QuestionSummary:
    question: CampaignField
    answered: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)
    low: str = ""
    median: str = ""
    high: str = ""
    follow_up: list[FollowUp] = field(default_factory=list)

    @property
    def biggest(self) -> int:
        return max((n for _label, n in self.counts), default=0)


def _latest_household_answers(actor: Actor, campaign: Campaign) -> dict[int, dict[str, Any]]:
    rows = visible_campaign_households(actor).filter(campaign=campaign).values("pk")
    latest: dict[int, dict[str, Any]] = {}
    for row_id, answers in (
        Visit.objects.filter(campaign=campaign, household_row__in=rows)
        .exclude(answers={})
        .order_by("visited_at", "id")
        .values_list("household_row_id", "answers")
    ):
        latest[row_id] = answers
    return latest


def _latest_person_answers(actor: Actor, campaign: Campaign) -> dict[int, tuple[int, dict[str, Any]]]:
    """person row → (household row, answers of the latest check that recorded any).

    Scoped by the household rows the actor sees, as a person row shares its household row's place:
    filtering on the person rows' own scope made SQLite take minutes at tier S.
    """
    rows = visible_campaign_households(actor).filter(campaign=campaign).values("pk")
    latest: dict[int, tuple[int, dict[str, Any]]] = {}
    for person_row_id, row_id, answers in (
        PersonCheck.objects.filter(visit__campaign=campaign, visit__household_row__in=rows)
        .exclude(answers={})
        .order_by("visit__visited_at", "id")
        .values_list("person_row_id", "visit__household_row_id", "answers")
    ):
        latest[person_row_id] = (row_id, answers)
    return latest


def _bands(values: list[Decimal], field: CampaignField) -> list[tuple[str, int]]:
    if field.kind == FieldKind.TEMPERATURE:
        edges = list(TEMPERATURE_BANDS)
        labels = [f"<{edges[0]}℃"] + [f"{a}–{b}℃" for a, b in pairwise(edges)]
        labels.append(f"≥{edges[-1]}℃")
        counts = Counter(sum(1 for e in edges if v >= e) for v in values)
        return [(label, counts.get(i, 0)) for i, label in enumerate(labels)]
    low, high = min(values), max(values)
    if low == high:
        return [(str(low), len(values))]
    if all(v == v.to_integral_value() for v in values) and high - low < NUMBER_BANDS * 2:
        exact: Counter[Decimal] = Counter(values)
        return [(str(v), exact[v]) for v in sorted(exact)]
    width = (high - low) / NUMBER_BANDS
    counted = Counter(min(int((v - low) / width), NUMBER_BANDS - 1) for v in values)
    return [
        (f"{(low + width * i).quantize(Decimal('0.1'))}–{(low + width * (i + 1)).quantize(Decimal('0.1'))}", counted[i])
        for i in range(NUMBER_BANDS)
    ]


def _summarise(field: CampaignField, values: list[tuple[int, Any]]) -> QuestionSummary:
    summary = QuestionSummary(question=field, answered=len(values))
    raw = [v for _pk, v in values]
    if field.kind == FieldKind.CHOICE:
        counts = Counter(raw)
        summary.counts = [(option, counts.get(option, 0)) for option in field.options]
    elif field.kind == FieldKind.YES_NO:
        summary.counts = [(_("是"), raw.count(True)), (_("否"), raw.count(False))]
    elif field.kind in (FieldKind.NUMBER, FieldKind.TEMPERATURE) and raw:
        numbers = sorted(Decimal(str(v)) for v in raw)
        summary.low, summary.high = str(numbers[0]), str(numbers[-1])
        summary.median = str(statistics.median_low(numbers))
        summary.counts = _bands(numbers, field)
    elif field.kind == FieldKind.DATE:
        summary.counts = sorted(Counter(raw).items())[:31]
    return summary


@dataclass
class AnswerSummary:
    households: list[QuestionSummary]
    people: list[QuestionSummary]
    households_answered: int
    people_answered: int

    @property
    def follow_up_count(self) -> int:
        return sum(len(q.follow_up) for q in (*self.households, *self.people))


def answer_summary(*, actor: Actor, campaign: Campaign, with_follow_up: bool = False) -> AnswerSummary:
    """Counts per choice, the distribution of numbers, and (when asked) who answered a flagged 是 or a fever."""
    households = _latest_household_answers(actor, campaign)
    people = _latest_person_answers(actor, campaign)
    out = AnswerSummary([], [], len(households), len(people))
    wanted_rows: set[int] = set()
    wanted_people: set[int] = set()
    for target, answers_by, into in (
        (FieldTarget.HOUSEHOLD, households, out.households),
        (FieldTarget.PERSON, {pk: a for pk, (_row, a) in people.items()}, out.people),
    ):
        for f in fields_for(actor, campaign, target):
            values = [(pk, a[f.key]) for pk, a in answers_by.items() if a.get(f.key) not in (None, "")]
            summary = _summarise(f, values)
            if with_follow_up:
                summary.follow_up = [FollowUp(pk, "", "", display(f, v)) for pk, v in values if is_flagged(f, v)]
                (wanted_rows if target == FieldTarget.HOUSEHOLD else wanted_people).update(
                    u.row_id for u in summary.follow_up
                )
            into.append(summary)
    if with_follow_up:
        _fill_follow_up(out, wanted_rows, wanted_people)
    return out


def _fill_follow_up(out: AnswerSummary, row_ids: set[int], person_row_ids: set[int]) -> None:
    """Addresses and masked names of the flagged rows; a person's line points at their household row."""
    person_rows = {
        pk: (household_row, name)
        for pk, household_row, name in CampaignPerson.objects.filter(pk__in=list(person_row_ids)).values_list(
            "pk", "household_row_id", "person__name"
        )
    }
    lines = {}
    wanted = row_ids | {household_row for household_row, _name in person_rows.values()}
    if wanted:
        values = CampaignHousehold.objects.filter(pk__in=wanted).values(**HOUSEHOLD_VALUES)
        rows: list[dict[str, Any]] = list(values)  # type: ignore[arg-type]
        buildings = building_names(r["v_unit_path"] for r in rows)
        lines = {r["v_pk"]: (address_of(r, buildings), r["v_head_name"] or "") for r in rows}
    for q in out.households:
        for u in q.follow_up:
            u.address, head = lines.get(u.row_id, ("", ""))
            u.name = mask_name(head) if head else ""
    for q in out.people:
        for u in q.follow_up:
            household_row, name = person_rows[u.row_id]
            u.address = lines.get(household_row, ("", ""))[0]
            u.name, u.row_id = mask_name(name), household_row


# --- rows for the export ----------------------------------------------------------------------------


@dataclass
class ExportRow:
    kind: str
    address: str
    name: str
    state: str
    answers: dict[int, str] = field(default_factory=dict)  # field pk → shown value


def answer_export_rows(*, actor: Actor, campaign: Campaign) -> tuple[list[CampaignField], Iterator[ExportRow]]:
    """Every visited household and checked person in scope, with their latest answers, for the Excel file."""
    household_fields = fields_for(actor, campaign, FieldTarget.HOUSEHOLD)
    person_fields = fields_for(actor, campaign, FieldTarget.PERSON)
    households = _latest_household_answers(actor, campaign)
    people = _latest_person_answers(actor, campaign)

    def rows() -> Iterator[ExportRow]:
        wanted = set(households) | {row for row, _a in people.values()}
        values: list[dict[str, Any]] = list(
            visible_campaign_households(actor)  # type: ignore[arg-type]
            .filter(campaign=campaign, pk__in=list(wanted))
            .order_by("walk_key", "pk")
            .values(**HOUSEHOLD_VALUES)
        )
        buildings = building_names(r["v_unit_path"] for r in values)
        members: dict[int, list[tuple[str, str, dict[str, Any]]]] = {}
        for pk, row_id, name, state in CampaignPerson.objects.filter(pk__in=list(people)).values_list(
            "pk", "household_row_id", "person__name", "state"
        ):
            members.setdefault(row_id, []).append((mask_name(name), state, people[pk][1]))
        for r in values:
            address = address_of(r, buildings)
            answers = households.get(r["v_pk"], {})
            yield ExportRow(
                _("户"),
                address,
                mask_name(r["v_head_name"]) if r["v_head_name"] else "",
                str(HouseholdState(r["v_st"]).label),
                {f.pk: display(f, answers.get(f.key)) for f in household_fields},
            )
            for name, state, person_answers in members.get(r["v_pk"], []):
                yield ExportRow(
                    _("人"),
                    address,
                    name,
                    str(PersonState(state).label),
                    {f.pk: display(f, person_answers.get(f.key)) for f in person_fields},
                )

    return [*household_fields, *person_fields], rows()
