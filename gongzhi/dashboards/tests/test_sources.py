"""The sources of volunteering, party, publicity, consultation and stewardship on the test world: each figure
reaches the subdistrict's cockpit whole, a grid's only with that grid's part, and a recompute right after a
refresh finds nothing to correct."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.consultation.choices import Party
from gongzhi.consultation.models import FollowUp, Suggestion, Topic
from gongzhi.dashboards import sections, selectors, services
from gongzhi.dashboards.figures import DEFINITIONS, FLOW
from gongzhi.dashboards.headline import Period
from gongzhi.party.choices import MemberKind, OrgKind
from gongzhi.party.models import Member, Organisation, ServiceActivity
from gongzhi.publicity.choices import ActivityKind, NoticeStatus
from gongzhi.publicity.models import STAFF_BUCKET, Notice, NoticeTally, PublicityActivity
from gongzhi.stewardship.choices import ManagerKind, MonthStatus, SubjectKind
from gongzhi.stewardship.models import (
    Committee,
    CommitteeTerm,
    Evaluation,
    EvaluationMonth,
    Manager,
    Rubric,
    Score,
)
from gongzhi.testing.world import World
from gongzhi.volunteering import ledger
from gongzhi.volunteering.choices import EntryKind
from gongzhi.volunteering.models import PointsEntry
from gongzhi.volunteering.testing import attend, build_volunteering, make_activity, register

pytestmark = pytest.mark.django_db


def _total(actor, key: str) -> int:  # type: ignore[no-untyped-def]
    """A figure as the actor's cockpit sums it: flows over every day kept, stocks today."""
    focus = selectors.focus_for(actor=actor)
    today = timezone.localdate()
    since = dt.date(2000, 1, 1) if DEFINITIONS[key].kind == FLOW else today
    return selectors.flow_totals(actor=actor, focus=focus, keys=[key], since=since, until=today)[key]


def _figures(actor_of, keys: list[str]) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    return {who: {k: _total(actor_of(who), k) for k in keys} for who in ("jiedao", "shequ", "baobao", "wangge_a")}


def _refresh_then_recompute_finds_no_drift() -> None:
    services.refresh()
    assert services.recompute().drift_count == 0


def test_volunteering(world: World, actor_of) -> None:  # type: ignore[no-untyped-def]
    v = build_volunteering(world)  # 居民甲 (grid A): 180 minutes certified, 30 points, 10 spent on an order
    zhiyuan = actor_for_user(world.user("zhiyuan"))
    other = register(world.people["grid_b"])
    attend(make_activity(organiser=zhiyuan, node=world.community, title="敬老"), other, minutes=90)
    far = register(world.people["community2"])
    attend(make_activity(organiser=zhiyuan, node=world.other_community, title="护河"), far, minutes=45)
    _refresh_then_recompute_finds_no_drift()
    keys = ["volunteers", "volunteer_minutes", "points_earned", "points_redeemed"]
    got = _figures(actor_of, keys)
    earned = {
        who: sum(e.amount for e in PointsEntry.objects.filter(volunteer=who, kind=EntryKind.EARNED))
        for who in (v.volunteer, other, far)
    }
    assert earned[v.volunteer] == 30 and earned[other] > 0 and earned[far] > 0
    a, b, c = earned[v.volunteer], earned[other], earned[far]
    assert got["jiedao"] == {
        "volunteers": 3,
        "volunteer_minutes": 315,
        "points_earned": a + b + c,
        "points_redeemed": 10,
    }
    assert got["shequ"] == {"volunteers": 2, "volunteer_minutes": 270, "points_earned": a + b, "points_redeemed": 10}
    assert got["wangge_a"] == {"volunteers": 1, "volunteer_minutes": 180, "points_earned": a, "points_redeemed": 10}
    # A cancelled order gives its points back: the day's redemption nets to nothing.
    ledger.order_cancel(actor=actor_of("zhiyuan"), order=v.order, reason="居民不再需要")
    _refresh_then_recompute_finds_no_drift()
    assert _total(actor_of("jiedao"), "points_redeemed") == 0


def test_party(world: World, actor_of) -> None:  # type: ignore[no-untyped-def]
    v = build_volunteering(world)
    branch = Organisation.objects.create(kind=OrgKind.BRANCH, name="X小区党支部")
    branch.territory.add(world.compound_x)
    Organisation.objects.create(kind=OrgKind.COMPANY, name="物业党支部")  # covers nothing: at the subdistrict
    far = Organisation.objects.create(kind=OrgKind.BRANCH, name="第二社区党支部")
    far.territory.add(world.other_community)
    on = dt.date(2010, 7, 1)
    Member.objects.create(person=world.people["jumin"], kind=MemberKind.FULL, organisation=branch, joined_on=on)
    Member.objects.create(person=world.people["grid_b"], kind=MemberKind.FULL, organisation=branch, joined_on=on)
    Member.objects.create(
        person=world.people["community2"], kind=MemberKind.FULL, outside_organisation="某局党支部", joined_on=on
    )
    ServiceActivity.objects.create(activity=v.activity, organisation=branch, tagged_at=timezone.now())
    _refresh_then_recompute_finds_no_drift()
    got = _figures(actor_of, ["party_organisations", "party_members", "party_service_minutes"])
    assert got["jiedao"] == {"party_organisations": 3, "party_members": 3, "party_service_minutes": 180}
    assert got["shequ"] == {"party_organisations": 1, "party_members": 2, "party_service_minutes": 180}
    assert got["baobao"] == {"party_organisations": 1, "party_members": 2, "party_service_minutes": 180}
    # A territory is no grid's: grid A sees its members and their service only.
    assert got["wangge_a"] == {"party_organisations": 0, "party_members": 1, "party_service_minutes": 180}


def test_publicity(world: World, actor_of) -> None:  # type: ignore[no-untyped-def]
    notice = Notice.objects.create(
        title="停水通知",
        body="明日停水",
        node=world.community,
        status=NoticeStatus.PUBLISHED,
        published_at=timezone.now(),
        author_name="社区",
        recipient_count=20,
    )
    for grid_key, path, recipients, read, told in (
        (world.grid_a.pk, world.community.path, 10, 4, 1),
        (world.grid_b.pk, world.community.path, 5, 2, 0),
        (0, world.community.path, 3, 0, 1),
        (STAFF_BUCKET, "", 2, 2, 0),
    ):
        NoticeTally.objects.create(
            notice=notice, grid_key=grid_key, community_path=path, recipients=recipients, read=read, told=told
        )
    Notice.objects.create(title="草稿", body="", node=world.community, author_name="社区")  # never published
    PublicityActivity.objects.create(
        node=world.compound_x, kind=ActivityKind.BANNER, title="防诈", held_on=timezone.localdate(), place="门口"
    )
    _refresh_then_recompute_finds_no_drift()
    got = _figures(actor_of, ["notices", "notice_recipients", "notice_reached", "publicity_activities"])
    assert got["jiedao"] == {"notices": 1, "notice_recipients": 18, "notice_reached": 8, "publicity_activities": 1}
    assert got["baobao"] == {"notices": 0, "notice_recipients": 15, "notice_reached": 7, "publicity_activities": 1}
    assert got["wangge_a"] == {"notices": 0, "notice_recipients": 10, "notice_reached": 5, "publicity_activities": 0}
    # A read counted up on a tally reaches the cockpit at the next refresh.
    NoticeTally.objects.filter(notice=notice, grid_key=world.grid_a.pk).update(read=9)
    services.refresh(now=timezone.now())
    assert _total(actor_of("wangge_a"), "notice_reached") == 10


def test_consultation(world: World, actor_of) -> None:  # type: ignore[no-untyped-def]
    jumin = world.user("jumin")
    for title, hidden in (("加装电梯", None), ("广告", timezone.now())):
        Suggestion.objects.create(
            author=jumin, author_label="居**", scope=world.compound_x, title=title, body="…", hidden_at=hidden
        )
    topic = Topic.objects.create(scope=world.compound_x, title="加装电梯")
    today = timezone.localdate()
    for due in (today - dt.timedelta(days=1), today):
        FollowUp.objects.create(
            topic=topic, description="联系厂家", owner_name="张三", owner_party=Party.RESIDENTS_COMMITTEE, due_on=due
        )
    _refresh_then_recompute_finds_no_drift()
    keys = ["suggestions", "topics", "follow_ups_open", "follow_ups_overdue"]
    got = _figures(actor_of, keys)
    assert (
        got["jiedao"] == got["baobao"] == {"suggestions": 1, "topics": 1, "follow_ups_open": 2, "follow_ups_overdue": 1}
    )
    assert got["wangge_a"] == dict.fromkeys(keys, 0)


def _company() -> Manager:
    return Manager.objects.create(kind=ManagerKind.PROPERTY_COMPANY, name="某物业", credit_code="91340300MA2T000001")


def _published_score(world: World, company: Manager, first: dt.date, total: int, grade: str) -> None:
    """A published month whose only evaluation is ``company`` in compound X, scored ``total`` / ``grade``."""
    rubric = Rubric.objects.filter(subject_kind=SubjectKind.PROPERTY_COMPANY, is_active=True).first()
    rubric = rubric or Rubric.objects.create(subject_kind=SubjectKind.PROPERTY_COMPANY, name="物业评分细则")
    month = EvaluationMonth.objects.create(month=first, status=MonthStatus.PUBLISHED)
    evaluation = Evaluation.objects.create(
        month=month,
        subject_kind=SubjectKind.PROPERTY_COMPANY,
        manager=company,
        compound=world.compound_x,
        community=world.community,
        rubric=rubric,
        subject_name="某物业（X小区）",
    )
    Score.objects.create(evaluation=evaluation, total=total, grade=grade)


def test_stewardship(world: World, actor_of) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    committee = Committee.objects.create(compound=world.compound_x, name="X小区业委会")
    CommitteeTerm.objects.create(
        committee=committee, number=1, starts_on=today - dt.timedelta(days=1800), ends_on=today + dt.timedelta(days=30)
    )
    later = Committee.objects.create(compound=world.compound_y, name="Y小区业委会")
    CommitteeTerm.objects.create(
        committee=later, number=1, starts_on=today - dt.timedelta(days=1800), ends_on=today + dt.timedelta(days=200)
    )
    _published_score(world, _company(), (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1), 820, "AA")
    _refresh_then_recompute_finds_no_drift()
    got = _figures(actor_of, ["committees_ending", "manager_grade"])
    assert got["jiedao"]["committees_ending"] == 1
    assert got["baobao"] == {"committees_ending": 1, "manager_grade": 2}  # AA: the second band
    assert got["wangge_a"] == {"committees_ending": 0, "manager_grade": 0}
    # The compound's cockpit names the grade; the section lists the ranking and the ending term with links.
    baobao = actor_of("baobao")
    section = sections.stewardship_section(baobao, selectors.focus_for(actor=baobao), Period.of(today))
    assert {t.key: t.value for t in section.tiles} == {"committees_ending": "1", "manager_grade": "AA"}
    assert [(r.label, r.value, r.note) for r in section.rows] == [
        ("某物业（X小区）", "82.0 AA", "第1名"),
        ("X小区 X小区业委会", f"第1届 {(today + dt.timedelta(days=30)).isoformat()} 届满", "还有 30 天"),
    ]
    assert all(r.link for r in section.rows)


def test_a_past_months_section_ranks_that_month_not_a_later_one(world: World, actor_of) -> None:  # type: ignore[no-untyped-def]
    """The monthly report of a past month shows the cockpit as on that month's last day: its ranking is the
    latest published month up to that month, not one published since."""
    today = timezone.localdate()
    last_month = selectors.month_first(today.replace(day=1) - dt.timedelta(days=1))
    month_before = selectors.month_first(last_month - dt.timedelta(days=1))
    company = _company()
    _published_score(world, company, month_before, 700, "B")
    _published_score(world, company, last_month, 820, "AA")
    actor = actor_of("jiedao")
    focus = selectors.focus_for(actor=actor)

    def ranking(day: dt.date) -> list[tuple[str, str]]:
        section = sections.stewardship_section(actor, focus, Period.of(day))
        return [(r.group, r.value) for r in section.rows if r.label == "某物业（X小区）"]

    assert ranking(selectors.month_last(month_before)) == [(f"{month_before:%Y-%m} 物业服务企业排名", "70.0 B")]
    assert ranking(today) == [(f"{last_month:%Y-%m} 物业服务企业排名", "82.0 AA")]
    assert ranking(selectors.month_first(month_before) - dt.timedelta(days=1)) == []  # nothing published yet
