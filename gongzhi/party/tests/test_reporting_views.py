"""双报到 pages at HTTP level: the member's own, the keepers', access-log rows, exports, refusals and 404s."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.party import reporting, serving
from gongzhi.party.models import NeedClaim, Registration, ServiceActivity
from gongzhi.party.tests.helpers import SYSTEM, build_party
from gongzhi.party.tests.test_reporting import newcomer, slip
from gongzhi.testing.world import World
from gongzhi.volunteering.services import ActivityData
from gongzhi.volunteering.testing import attend, ensure_default_rule, register

pytestmark = pytest.mark.django_db

SLIP_POST = {
    "work_unit_name": "蚌埠市财政局",
    "post": "科员",
    "holding_organisation": "蚌埠市财政局机关党支部",
    "member_kind": "full",
    "joined_on": "2012-07-01",
    "skills": ["legal"],
    "service_posts": ["publicity"],
}


def _logged_in(world: World, client):  # type: ignore[no-untyped-def]
    person, _actor = newcomer(world)
    client.force_login(person.user)
    return person


def test_a_resident_submits_their_own_slip_and_a_second_is_refused_in_chinese(world, client):  # type: ignore[no-untyped-def]
    party = build_party(world)
    person = _logged_in(world, client)
    form = client.get(reverse("party:report-submit")).content.decode()
    assert "X小区党支部" in form and "2号楼" in form
    response = client.post(
        reverse("party:report-submit"), {**SLIP_POST, "residence": world.buildings["2"].pk}, follow=True
    )
    assert "待确认" in response.content.decode()
    registration = Registration.objects.get(person=person)
    assert registration.organisation == party.branch_x
    again = client.post(reverse("party:report-submit"), {**SLIP_POST, "residence": world.buildings["2"].pk})
    assert again.status_code == 200
    assert "已有一份待确认或已报到的报到单" in again.content.decode()
    client.post(reverse("party:report-withdraw", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == "withdrawn"


def test_other_residents_get_404_on_someone_elses_slip(world, client, client_of):  # type: ignore[no-untyped-def]
    build_party(world)
    person = _logged_in(world, client)
    registration = reporting.registration_submit(
        actor=SYSTEM, person=person, data=slip(world.buildings["2"], work_unit_name="市税务局")
    )
    other = client_of("jumin")
    for name in ("party:report-detail", "party:report-slip"):
        assert other.get(reverse(name, args=[registration.pk])).status_code == 404, name
    assert other.post(reverse("party:report-withdraw", args=[registration.pk])).status_code == 404
    assert other.get(reverse("party:report-register")).status_code == 404
    assert "市税务局" not in other.get(reverse("party:me")).content.decode()
    assert "还没有关联居民信息" in client_of("outsider").get(reverse("party:me")).content.decode()
    registration.refresh_from_db()
    assert registration.status == "submitted"


def test_accept_through_the_page_then_the_card_and_the_needs_show_on_me(world, client, client_of, actor_of):  # type: ignore[no-untyped-def]
    ensure_default_rule()
    party = build_party(world)
    person = _logged_in(world, client)
    registration = reporting.registration_submit(actor=SYSTEM, person=person, data=slip(world.buildings["2"]))
    keeper = client_of("dangzhibu")
    page = keeper.get(reverse("party:report-detail", args=[registration.pk])).content.decode()
    assert "确认报到" in page and "街道干部授予" not in page
    done = keeper.post(reverse("party:report-accept", args=[registration.pk]), {"group": ""}, follow=True)
    assert "已确认报到" in done.content.decode()
    registration.refresh_from_db()
    assert registration.status == "accepted"
    assert "职责由街道干部授予" in keeper.get(reverse("party:report-detail", args=[registration.pk])).content.decode()
    printed = client.get(reverse("party:report-slip", args=[registration.pk]))
    assert printed.content.startswith(b"%PDF")
    assert reporting.receipt_number(registration) in printed["Content-Disposition"]
    assert not AccessLog.objects.filter(action="print").exists()  # the member's own slip
    keeper.get(reverse("party:report-slip", args=[registration.pk]))
    assert AccessLog.objects.filter(action="print", fields="registration").count() == 1
    need = reporting.need_create(
        actor=SYSTEM, organisation=party.branch_x, category="patrol", title="夜间巡逻", node=world.compound_x
    )
    starts = timezone.now() - dt.timedelta(days=1)
    tagged = serving.service_activity_create(
        actor=actor_of("dangzhibu"),
        organisation=party.branch_x,
        data=ActivityData(
            title="党员进楼栋",
            service_content="环境整治",
            node=world.compound_x,
            place="2号楼",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            slots=5,
        ),
    )
    attend(tagged.activity, register(person), minutes=90)
    me = client.get(reverse("party:me")).content.decode()
    assert "服务登记卡" in me and "1.5" in me and "夜间巡逻" in me
    client.post(reverse("party:report-need-claim", args=[need.pk]))
    assert NeedClaim.objects.filter(need=need, registration=registration).exists()
    claims = keeper.get(reverse("party:report-needs", args=[party.branch_x.pk])).content.decode()
    assert "新报到" in claims


def test_register_page_logs_each_view_and_keeps_its_queries_bounded(  # type: ignore[no-untyped-def]
    world, client_of, django_assert_max_num_queries
):
    build_party(world)
    for i in range(3):
        person, _actor = newcomer(world, f"报到{i}", f"baodao{i}")
        reporting.registration_submit(actor=SYSTEM, person=person, data=slip(world.buildings["2"]))
    keeper = client_of("dangzhibu")
    # Fixed: the scope, one page, one figures pass, and the access log's chained write (lock and head).
    with django_assert_max_num_queries(32):
        response = keeper.get(reverse("party:report-register"))
    body = response.content.decode()
    assert "报到0" in body and "报到2" in body
    log = AccessLog.objects.get(subject_type="party.member", fields="registration", action="reveal")
    assert (log.actor_name, log.row_count) == ("dangzhibu", 3)
    assert "报到1" not in keeper.get(reverse("party:report-register"), {"q": "报到2"}).content.decode()
    assert AccessLog.objects.filter(fields="registration", action="reveal").count() == 2


def test_register_export_reads_back_and_is_logged(world, client_of):  # type: ignore[no-untyped-def]
    build_party(world)
    person, _actor = newcomer(world)
    reporting.registration_submit(actor=SYSTEM, person=person, data=slip(world.buildings["2"]))
    response = client_of("jiedao").get(reverse("party:report-export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert [(r[0], r[2], r[7]) for r in rows] == [("新报到", "蚌埠市财政局", "待确认")]
    assert AccessLog.objects.get(fields="registration", action="export").row_count == 1


def test_feedback_sheet_as_excel_and_pdf_with_access_log_rows(world, client_of):  # type: ignore[no-untyped-def]
    build_party(world)
    person, _actor = newcomer(world)
    registration = reporting.registration_submit(actor=SYSTEM, person=person, data=slip(world.buildings["2"]))
    reporting.registration_accept(actor=SYSTEM, registration=registration)
    today = timezone.localdate()
    args = [registration.work_unit_id, today.year, reporting.quarter_of(today)]
    keeper = client_of("dangzhibu")
    assert "新报到" in keeper.get(reverse("party:report-feedback", args=args)).content.decode()
    xlsx = keeper.get(reverse("party:report-feedback-xlsx", args=args))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [r[0] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]] == ["新报到"]
    pdf = keeper.get(reverse("party:report-feedback-pdf", args=args))
    assert pdf.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(fields="registration", action="export").count() == 2
    keeper.post(reverse("party:report-feedback-send", args=args))
    assert "已反馈" in keeper.get(reverse("party:report-feedback", args=args)).content.decode()
    assert client_of("jumin").get(reverse("party:report-feedback", args=args)).status_code == 404


def test_a_keeper_starts_a_party_service_activity_for_a_need(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    need = reporting.need_create(
        actor=SYSTEM, organisation=party.branch_x, category="elder_care", title="独居老人探访", node=world.compound_x
    )
    starts = timezone.localtime() + dt.timedelta(days=2)
    response = client_of("dangzhibu").post(
        reverse("party:report-need-activity", args=[need.pk]),
        {
            "title": "独居老人探访",
            "service_content": "助老服务",
            "node": world.compound_x.pk,
            "place": "X小区",
            "starts_at": f"{starts:%Y-%m-%dT%H:%M}",
            "ends_at": f"{starts + dt.timedelta(hours=2):%Y-%m-%dT%H:%M}",
            "slots": 4,
        },
    )
    tag = ServiceActivity.objects.get(need=need)
    assert response["Location"] == reverse("volunteering:activity-detail", args=[tag.activity_id])
    assert tag.organisation == party.branch_x
    assert client_of("jumin").get(reverse("party:report-need-activity", args=[need.pk])).status_code == 404


def test_the_keeper_enters_a_slip_for_a_person(world, client_of):  # type: ignore[no-untyped-def]
    build_party(world)
    person, _actor = newcomer(world)
    keeper = client_of("dangzhibu")
    assert "新报到" in keeper.get(reverse("party:report-enter"), {"q": "新报到"}).content.decode()
    response = keeper.post(
        reverse("party:report-enter"), {**SLIP_POST, "person": person.pk, "residence": world.buildings["2"].pk}
    )
    registration = Registration.objects.get(person=person)
    assert response["Location"] == reverse("party:report-detail", args=[registration.pk])
    # Someone living outside the branch's compound is not found, nor reachable by id.
    far = world.people["community2"]
    assert keeper.get(reverse("party:report-enter"), {"person": far.pk}).status_code == 404


def test_the_tree_shows_the_figures_to_the_officer(world, client_of):  # type: ignore[no-untyped-def]
    build_party(world)
    person, _actor = newcomer(world)
    reporting.registration_submit(actor=SYSTEM, person=person, data=slip(world.buildings["2"]))
    body = client_of("jiedao").get(reverse("party:tree")).content.decode()
    assert "待确认报到单" in body and 'id="report-figures"' in body
