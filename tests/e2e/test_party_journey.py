"""Issue 15 "done means", tried as a new user would on phones: jumin, an in-service member, reports to the
branch of the compound she lives in; dangzhibu accepts her and places her in the building group; dangzhibu
publishes a 党员服务 activity, jumin signs up, is checked in and out and her hours certified; her service card
and the branch's totals show the certified hours; dangzhibu records a 支委会 with who attended."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.party import services
from gongzhi.party.choices import MeetingKind, MemberKind, OrgKind, Seat
from gongzhi.party.models import Meeting, Member, Registration
from gongzhi.registry.choices import Relation
from gongzhi.registry.services import PersonData, person_register
from gongzhi.testing.world import PASSWORD, SYSTEM
from gongzhi.volunteering.models import ServiceRecord
from gongzhi.volunteering.testing import ensure_default_rule, register
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGZHI_SHOTS", "/tmp/shots")) / "party"  # noqa: S108 (a place to look at)
JOINED = dt.date(2005, 7, 1)


def _as(browser, live_server, username, asked):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()

    def confirm(dialog):  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    login(page, live_server, username, PASSWORD)
    return page


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _branch(world):  # type: ignore[no-untyped-def]
    """X小区党支部 with its 1号楼党小组, seven full members held locally (a committee of three: the branch
    holds 支委会) living in X, none of them jumin."""
    committee = services.org_create(actor=SYSTEM, kind=OrgKind.WORKING_COMMITTEE, name="纬二路街道党工委")
    community = services.org_create(
        actor=SYSTEM,
        kind=OrgKind.COMMUNITY_COMMITTEE,
        name="第一社区党委",
        parent=committee,
        territory=[world.community],
    )
    branch = services.org_create(
        actor=SYSTEM, kind=OrgKind.BRANCH, name="X小区党支部", parent=community, territory=[world.compound_x]
    )
    group = services.org_create(
        actor=SYSTEM, kind=OrgKind.GROUP, name="1号楼党小组", parent=branch, territory=[world.buildings["1"]]
    )
    people = [world.people["neighbour"], world.people["grid_b"]]
    for i, name in enumerate(["王建国", "李秀英", "张卫东", "刘淑珍", "陈志强"]):
        household = world.households["neighbour" if i % 2 else "grid_b"]
        people.append(
            person_register(
                actor=SYSTEM, household=household, relation=Relation.OTHER, joined_on=JOINED, data=PersonData(name=name)
            )
        )
    members = [
        services.member_add(actor=SYSTEM, person_id=p.pk, kind=MemberKind.FULL, joined_on=JOINED, organisation=branch)
        for p in people
    ]
    services.committee_set(
        actor=SYSTEM,
        organisation=branch,
        starts_on=timezone.localdate() - dt.timedelta(days=400),
        seats=[(members[0], Seat.SECRETARY), (members[2], Seat.ORGANISATION), (members[3], Seat.PROPAGANDA)],
    )
    return branch, group


def test_an_in_service_member_reports_serves_and_the_branch_meets(world, browser, live_server):  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    ensure_default_rule()
    branch, group = _branch(world)
    register(world.people["jumin"])  # jumin volunteers already (the volunteering journey registers on the page)
    asked: list[str] = []

    # jumin fills in her 报到单.
    jumin = _as(browser, live_server, "jumin", asked)
    jumin.goto(f"{live_server.url}/party/me/")
    jumin.click("#report-start")
    jumin.fill("#id_work_unit_name", "蚌埠市财政局")
    jumin.fill("#id_post", "科员")
    jumin.fill("#id_holding_organisation", "蚌埠市财政局机关党支部")
    jumin.fill("#id_joined_on", "2012-07-01")
    jumin.check("input[name=service_posts][value=patrol]")
    _shot(jumin, "1-slip")
    jumin.click("#slip-submit")
    jumin.wait_for_selector("text=待确认")
    registration = Registration.objects.get(person=world.people["jumin"])
    assert registration.organisation == branch

    # dangzhibu accepts her and places her in the building group.
    secretary = _as(browser, live_server, "dangzhibu", asked)
    secretary.goto(f"{live_server.url}/party/reporting/?status=submitted")
    secretary.get_by_role("link", name="居民甲").click()
    secretary.select_option("#id_group", label="1号楼党小组")
    _shot(secretary, "2-accept")
    secretary.click("#accept-submit")
    secretary.wait_for_selector("text=已确认报到")
    member = Member.objects.get(person=world.people["jumin"], status="active")
    assert (member.organisation_id, member.outside_organisation, member.group_id) == (
        None,
        "蚌埠市财政局机关党支部",
        group.pk,
    )

    # dangzhibu publishes a 党员服务 activity starting in half an hour.
    starts = timezone.localtime() + dt.timedelta(minutes=30)
    secretary.goto(f"{live_server.url}/party/organisations/{branch.pk}/services/new/")
    secretary.fill("#id_title", "党员先锋岗：楼道清理")
    secretary.fill("#id_place", "1号楼前")
    secretary.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    secretary.fill("#id_ends_at", (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    secretary.fill("#id_slots", "10")
    secretary.click("#service-submit")
    secretary.wait_for_url(re.compile(r"/volunteering/activities/\d+/$"))
    activity_id = int(secretary.url.rstrip("/").rsplit("/", 1)[1])

    # jumin signs up on the volunteering page, which marks it 党员服务.
    jumin.goto(f"{live_server.url}/volunteering/activities/{activity_id}/")
    assert "党员服务" in jumin.inner_text("h1")
    jumin.get_by_role("button", name="我要报名").click()
    jumin.wait_for_selector("text=报名成功")
    _shot(jumin, "3-signed-up")

    # At the activity she shows her code; dangzhibu checks her in and out and certifies two hours.
    jumin.goto(f"{live_server.url}/volunteering/me/code/")
    digits = jumin.inner_text("#checkin-digits").strip()
    number = re.search(r"ZY\d{8}", jumin.inner_text("main")).group(0)  # type: ignore[union-attr]
    secretary.goto(f"{live_server.url}/volunteering/activities/{activity_id}/roster/")
    secretary.fill("#id_code", f"{number} {digits}")
    secretary.click("#scan-submit")
    secretary.wait_for_selector(".scan-result.ok >> text=居民甲 签到成功")
    secretary.check("input[name=direction][value=out]")
    secretary.fill("#id_code", f"{number} {digits}")
    secretary.click("#scan-submit")
    secretary.wait_for_selector(".scan-result.ok >> text=居民甲 签退成功")
    secretary.reload()
    secretary.fill("input.hours-input", "2")
    secretary.click("#certify-submit")
    secretary.wait_for_selector("text=已认定 1 人的服务时长")
    assert ServiceRecord.objects.get(activity_id=activity_id).minutes == 120

    # Her service card and the branch's totals show the certified hours.
    jumin.goto(f"{live_server.url}/party/me/")
    card = jumin.inner_text("main")
    hours = jumin.inner_text(".stat:has-text('认证服务时长') .stat-value").strip()
    assert "党员先锋岗：楼道清理" in card and hours == "2"
    _shot(jumin, "4-service-card")
    secretary.goto(f"{live_server.url}/party/organisations/{branch.pk}/services/")
    assert "2 小时" in secretary.inner_text("#served-year")
    assert "居民甲" in secretary.inner_text("#served-members")
    _shot(secretary, "5-branch-totals")

    # dangzhibu records a 支委会: two of the three committee members came, a majority.
    secretary.goto(f"{live_server.url}/party/organisations/{branch.pk}/meetings/new/?kind={MeetingKind.COMMITTEE}")
    secretary.fill("#id_held_on", timezone.localdate().isoformat())
    secretary.fill("#id_topic", "研究在职党员报到后的服务安排")
    secretary.fill("#id_minutes", "一、通报本月在职党员报到情况；二、安排楼道清理先锋岗；三、议定下月主题党日。")
    boxes = secretary.locator("input[name=present]")
    assert boxes.count() == 3
    boxes.nth(0).check()
    boxes.nth(1).check()
    _shot(secretary, "6-committee-form")
    secretary.get_by_role("button", name="登记").click()
    secretary.wait_for_url(re.compile(r"/party/meetings/\d+/$"))
    page = secretary.inner_text("main")
    assert "已过半" in page
    _shot(secretary, "7-committee-recorded")
    meeting = Meeting.objects.get(organisation=branch, kind=MeetingKind.COMMITTEE)
    assert (meeting.entitled, meeting.present, meeting.has_quorum) == (3, 2, True)
