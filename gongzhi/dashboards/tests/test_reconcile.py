"""The headline reconciles with the raw tables: on the demo data, after the nightly recompute, every tile of
every section shows, for the subdistrict, a community, a compound and a grid, what counting the modules' own
rows again (here, with the ORM, not through dashboards or the cockpit selectors) gives, to the character."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.campaigns.choices import CampaignStatus
from gongzhi.campaigns.models import CampaignGridTally
from gongzhi.cases.choices import DONE_STATUSES, OPEN_STATUSES, VOID_STATUSES, CaseStatus
from gongzhi.cases.models import Case
from gongzhi.consultation.choices import FollowUpStatus
from gongzhi.consultation.models import FollowUp, Suggestion, Topic
from gongzhi.dashboards import board, selectors, services
from gongzhi.demo.seed import seed_demo
from gongzhi.party.choices import MemberStatus
from gongzhi.party.models import Member, Organisation
from gongzhi.publicity.models import Notice, NoticeTally, PublicityActivity
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Household, Person
from gongzhi.stewardship.choices import MonthStatus, SubjectKind
from gongzhi.stewardship.models import Committee, EvaluationMonth, Score
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node
from gongzhi.volunteering.choices import EntryKind, VolunteerStatus
from gongzhi.volunteering.models import PointsEntry, ServiceRecord, Volunteer

pytestmark = pytest.mark.django_db(transaction=False)

PLACE = 16  # a place is a path cut at compound depth


@dataclass(frozen=True)
class Scope:
    """What a persona's cockpit opens on: a node's subtree (by path) or one grid."""

    path: str = ""
    grid_id: int | None = None

    def rows(self, rows: QuerySet[Any], path: str, grid: str | None) -> QuerySet[Any]:
        """Rows placed by a path field and a grid field (None: the figure lies in no grid)."""
        if self.grid_id is not None:
            return rows.filter(**{grid: self.grid_id}) if grid else rows.none()
        return rows.filter(**{f"{path}__startswith": self.path})

    def holds(self, path: str, grid_id: int) -> bool:
        if self.grid_id is not None:
            return grid_id == self.grid_id
        return path.startswith(self.path)


@dataclass(frozen=True)
class Days:
    today: dt.date
    first: dt.date
    before_first: dt.date
    before_until: dt.date
    before_end: dt.date

    @classmethod
    def of(cls, today: dt.date) -> Days:
        first = today.replace(day=1)
        before_end = first - dt.timedelta(days=1)
        before_first = before_end.replace(day=1)
        before_until = before_first.replace(day=min(today.day, before_end.day))
        return cls(today, first, before_first, before_until, before_end)


TZ = timezone.get_default_timezone()


def between(field: str, since: dt.date, until: dt.date) -> Q:
    """A datetime field on a local day from ``since`` to ``until``."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=TZ)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def count(n: int) -> str:
    return f"{n:,}"


def change(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def tenths(a: int, b: int) -> int:
    return (2 * a * 10 + b) // (2 * b)


def percent(a: int, b: int) -> str:
    if not b:
        return "—"
    t = tenths(a * 100, b)
    return f"{t // 10}.{t % 10}%"


def points(now: tuple[int, int], before: tuple[int, int]) -> str:
    (a, b), (c, d) = now, before
    if not b or not d:
        return ""
    numerator, denominator = a * d - c * b, b * d
    t = tenths(abs(numerator) * 100, denominator)
    if t == 0:
        return "持平"
    return ("+" if numerator > 0 else "-") + f"{t // 10}.{t % 10} 个百分点"


def hours(minutes: int) -> str:
    t = tenths(abs(minutes), 60)
    return ("-" if minutes < 0 else "") + f"{t // 10:,}.{t % 10}"


def hours_change(minutes: int) -> str:
    return ("+" if minutes > 0 else "") + hours(minutes)


def total(rows: QuerySet[Any], field: str) -> int:
    return int(rows.aggregate(n=Sum(field))["n"] or 0)


def flow(now: int, before: int) -> tuple[str, str]:
    return count(now), change(now - before)


def stock(now: int) -> tuple[str, str]:
    return count(now), ""  # the demo's stocks have one snapshot, today's: nothing to compare with


# --- each module's figures, counted again ---------------------------------------------------------------


def registry(s: Scope) -> dict[str, tuple[str, str]]:
    households = s.rows(Household.objects.filter(is_active=True), "org_path", "grid_id").count()
    people = s.rows(Person.objects.filter(status=PersonStatus.RESIDENT), "org_path", "grid_id").count()
    return {"registry.households": stock(households), "registry.people": stock(people)}


def campaigns(s: Scope) -> dict[str, tuple[str, str]]:
    tallies = s.rows(CampaignGridTally.objects.filter(campaign__status=CampaignStatus.OPEN), "org_path", "grid_id")
    h, r = total(tallies, "households_total"), total(tallies, "households_reached")
    p, c = total(tallies, "persons_total"), total(tallies, "persons_checked")
    return {
        "campaigns.household_coverage": (percent(r, h), ""),
        "campaigns.person_coverage": (percent(c, p), ""),
        "campaigns.campaign_households": (count(h), ""),
    }


def _due(s: Scope, since: dt.date, until: dt.date) -> dict[str, int]:
    cases = s.rows(
        Case.objects.filter(between("deadline_at", since, until)).exclude(status__in=VOID_STATUSES),
        "org_path",
        "grid_id",
    )
    return {
        "due": cases.count(),
        "on_time": cases.filter(status__in=DONE_STATUSES, is_on_time=True).count(),
        "reworked": cases.filter(rework_count__gt=0).count(),
        "rated": cases.filter(rating__isnull=False).count(),
        "satisfied": cases.filter(rating__gte=4).count(),
    }


def cases(s: Scope, d: Days, now: dt.datetime) -> dict[str, tuple[str, str]]:
    live = Case.objects.exclude(status__in=VOID_STATUSES)
    reported = s.rows(live.filter(between("created_at", d.first, d.today)), "org_path", "grid_id").count()
    reported_before = s.rows(
        live.filter(between("created_at", d.before_first, d.before_until)), "org_path", "grid_id"
    ).count()
    month_end = (d.first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    m, b = _due(s, d.first, month_end), _due(s, d.before_first, d.before_end)
    open_cases = s.rows(Case.objects.filter(status__in=OPEN_STATUSES), "org_path", "grid_id")
    overdue = open_cases.filter(status=CaseStatus.DISPATCHED, deadline_at__lt=now).count()
    return {
        "cases.cases_reported": flow(reported, reported_before),
        "cases.on_time_rate": (
            percent(m["on_time"], m["due"]),
            points((m["on_time"], m["due"]), (b["on_time"], b["due"])),
        ),
        "cases.rework_rate": (
            percent(m["reworked"], m["due"]),
            points((m["reworked"], m["due"]), (b["reworked"], b["due"])),
        ),
        "cases.satisfaction_rate": (
            percent(m["satisfied"], m["rated"]),
            points((m["satisfied"], m["rated"]), (b["satisfied"], b["rated"])),
        ),
        "cases.cases_open": stock(open_cases.count()),
        "cases.cases_overdue": stock(overdue),
    }


PERSON = ("volunteer__person__org_path", "volunteer__person__grid_id")


def volunteering(s: Scope, d: Days) -> dict[str, tuple[str, str]]:
    def minutes(since: dt.date, until: dt.date) -> int:
        return total(
            s.rows(ServiceRecord.objects.filter(service_on__gte=since, service_on__lte=until), *PERSON), "minutes"
        )

    def entries(kinds: Iterable[str], since: dt.date, until: dt.date) -> int:
        rows = PointsEntry.objects.filter(kind__in=list(kinds), occurred_on__gte=since, occurred_on__lte=until)
        return total(s.rows(rows, *PERSON), "amount")

    now, before = minutes(d.first, d.today), minutes(d.before_first, d.before_until)
    spent = (EntryKind.REDEEMED, EntryKind.REFUNDED)
    volunteers = s.rows(Volunteer.objects.filter(status=VolunteerStatus.ACTIVE), "person__org_path", "person__grid_id")
    return {
        "volunteering.volunteer_minutes": (hours(now), hours_change(now - before)),
        "volunteering.points_earned": flow(
            entries([EntryKind.EARNED], d.first, d.today), entries([EntryKind.EARNED], d.before_first, d.before_until)
        ),
        "volunteering.points_redeemed": flow(
            -entries(spent, d.first, d.today), -entries(spent, d.before_first, d.before_until)
        ),
        "volunteering.volunteers": stock(volunteers.count()),
    }


def party(s: Scope, d: Days) -> dict[str, tuple[str, str]]:
    subdistrict = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("path").first()
    assert subdistrict is not None
    organisations = 0
    for organisation in Organisation.objects.filter(is_active=True).prefetch_related("territory"):
        paths = sorted(n.path for n in organisation.territory.all())
        place = paths[0][:PLACE] if paths else subdistrict.path
        organisations += s.holds(place, 0)
    members = s.rows(Member.objects.filter(status=MemberStatus.ACTIVE), "person__org_path", "person__grid_id")
    on_roll = Member.objects.filter(status=MemberStatus.ACTIVE).values("person_id")

    def minutes(since: dt.date, until: dt.date) -> int:
        rows = ServiceRecord.objects.filter(
            activity__party_service__isnull=False,
            volunteer__person_id__in=on_roll,
            service_on__gte=since,
            service_on__lte=until,
        )
        return total(s.rows(rows, *PERSON), "minutes")

    now, before = minutes(d.first, d.today), minutes(d.before_first, d.before_until)
    return {
        "party.party_organisations": stock(organisations),
        "party.party_members": stock(members.count()),
        "party.party_service_minutes": (hours(now), hours_change(now - before)),
    }


def publicity(s: Scope, d: Days) -> dict[str, tuple[str, str]]:
    holding = set(Grid.objects.filter(is_holding=True).values_list("pk", flat=True))
    grid_place = {
        g.pk: (g.compound.path if g.compound else g.community.path)[:PLACE]
        for g in Grid.objects.select_related("compound", "community")
    }

    def reach(since: dt.date, until: dt.date) -> tuple[int, int]:
        reached = recipients = 0
        for t in NoticeTally.objects.filter(
            notice__in=Notice.objects.filter(between("published_at", since, until)), grid_key__gte=0
        ):
            if t.grid_key == 0:
                place, grid = t.community_path[:PLACE], 0
            else:
                place, grid = grid_place[t.grid_key], 0 if t.grid_key in holding else t.grid_key
            if s.holds(place, grid):
                reached += t.read + t.told
                recipients += t.recipients
        return reached, recipients

    def notices(since: dt.date, until: dt.date) -> int:
        return s.rows(Notice.objects.filter(between("published_at", since, until)), "node__path", None).count()

    def activities(since: dt.date, until: dt.date) -> int:
        rows = PublicityActivity.objects.filter(held_on__gte=since, held_on__lte=until)
        return s.rows(rows, "node__path", None).count()

    now, before = reach(d.first, d.today), reach(d.before_first, d.before_until)
    return {
        "publicity.notice_read_rate": (percent(*now), points(now, before)),
        "publicity.notices": flow(notices(d.first, d.today), notices(d.before_first, d.before_until)),
        "publicity.publicity_activities": flow(
            activities(d.first, d.today), activities(d.before_first, d.before_until)
        ),
    }


def consultation(s: Scope, d: Days) -> dict[str, tuple[str, str]]:
    def suggestions(since: dt.date, until: dt.date) -> int:
        rows = Suggestion.objects.filter(between("created_at", since, until), hidden_at__isnull=True)
        return s.rows(rows, "scope__path", None).count()

    def topics(since: dt.date, until: dt.date) -> int:
        return s.rows(Topic.objects.filter(between("created_at", since, until)), "scope__path", None).count()

    follow_ups = s.rows(FollowUp.objects.filter(status=FollowUpStatus.OPEN), "topic__scope__path", None)
    return {
        "consultation.suggestions": flow(suggestions(d.first, d.today), suggestions(d.before_first, d.before_until)),
        "consultation.topics": flow(topics(d.first, d.today), topics(d.before_first, d.before_until)),
        "consultation.follow_ups_open": stock(follow_ups.count()),
        "consultation.follow_ups_overdue": stock(follow_ups.filter(due_on__lt=d.today).count()),
    }


def stewardship(s: Scope, d: Days, compound: Node | None) -> dict[str, tuple[str, str]]:
    ending = 0
    for committee in s.rows(Committee.objects.all(), "compound__path", None).prefetch_related("terms"):
        latest = max(committee.terms.all(), key=lambda t: t.number, default=None)
        if latest and latest.starts_on <= d.today <= latest.ends_on <= d.today + dt.timedelta(days=90):
            ending += 1
    figures = {"stewardship.committees_ending": stock(ending)}
    if compound is not None:
        month = EvaluationMonth.objects.filter(status=MonthStatus.PUBLISHED).order_by("-month").first()
        grades = (
            Score.objects.filter(is_current=True, evaluation__month=month, evaluation__compound=compound)
            .exclude(evaluation__subject_kind=SubjectKind.COMMITTEE)
            .values_list("grade", flat=True)
        )
        order = ["AAA", "AA", "A", "B", "C"]  # the default bands, which the demo's rubrics keep
        figures["stewardship.manager_grade"] = (min(grades, key=order.index) if grades else "—", "")
    return figures


def expected(s: Scope, d: Days, now: dt.datetime, compound: Node | None) -> dict[str, tuple[str, str]]:
    return {
        **registry(s),
        **campaigns(s),
        **cases(s, d, now),
        **volunteering(s, d),
        **party(s, d),
        **publicity(s, d),
        **consultation(s, d),
        **stewardship(s, d, compound),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The demo once for the module's tests (each persona is one test), rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_demo(tier="T", seed=2026)
            services.recompute()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize("username", ["jiedao", "shequ", "baobao", "wangge_a"])
def test_every_headline_tile_reconciles_with_the_raw_tables(demo, username) -> None:  # type: ignore[no-untyped-def]
    actor = actor_for_user(User.objects.get(username=username))
    focus = selectors.focus_for(actor=actor)
    if focus.grid is not None:
        scope = Scope(grid_id=focus.grid.pk)
    else:
        assert focus.node is not None
        scope = Scope(path=focus.node.path)
    today = timezone.localdate()
    now = timezone.now()
    shown = {
        f"{section.key}.{tile.key}": (tile.value, tile.change)
        for section in board.headline_sections(actor=actor, focus=focus, today=today)
        for tile in section.tiles
    }
    compound = focus.node if focus.node is not None and focus.node.kind == NodeKind.COMPOUND else None
    assert shown == expected(scope, Days.of(today), now, compound)
    # The demo has something to count in each module, so that agreeing on zeros proves little.
    if username == "jiedao":
        for key in ("volunteering.volunteers", "party.party_members", "publicity.notices", "consultation.suggestions"):
            assert shown[key][0] != "0", key
