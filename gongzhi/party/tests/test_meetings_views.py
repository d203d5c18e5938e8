"""The pages of 三会一课 at HTTP level: who gets them (404 outside party roles and scope), the record form's
errors keeping what was typed, the access-log row when attendee names show, and a query bound on the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases.tests.helpers import upload
from gongzhi.core.models import AccessLog
from gongzhi.party import meetings
from gongzhi.party.choices import MeetingKind
from gongzhi.party.models import Meeting
from gongzhi.party.tests.helpers import SYSTEM, Party, build_party
from gongzhi.party.tests.test_permissions import MATRIX

pytestmark = pytest.mark.django_db


def a_meeting(party: Party, org_key: str = "branch_x", **extra):  # type: ignore[no-untyped-def]
    org = getattr(party, org_key)
    present = [party.jumin.pk, party.neighbour.pk] if org_key == "branch_x" else [party.far.pk]
    fields = {
        "kind": MeetingKind.GENERAL_ASSEMBLY,
        "held_on": timezone.localdate() - dt.timedelta(days=3),
        "topic": "学习二十大精神",
        "minutes": "书记传达，党员交流。",
        "present_member_ids": present,
        **extra,
    }
    return meetings.meeting_record(actor=SYSTEM, organisation=org, **fields)


def test_secretary_sees_own_branch_meetings_newest_first(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    a_meeting(party, topic="较早的会", held_on=timezone.localdate() - dt.timedelta(days=20))
    a_meeting(party, topic="最近的会", kind=MeetingKind.THEME_DAY)
    client = client_of("dangzhibu")
    body = client.get(reverse("party:meeting-list", args=[party.branch_x.pk])).content.decode()
    assert body.index("最近的会") < body.index("较早的会")
    assert "应到3人 · 实到2人" in body and "已过半" in body
    only = client.get(reverse("party:meeting-list", args=[party.branch_x.pk]), {"kind": "theme_day"})
    assert "最近的会" in only.content.decode() and "较早的会" not in only.content.decode()
    assert "组织生活（三会一课）" in client.get(reverse("party:org-detail", args=[party.branch_x.pk])).content.decode()


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_meeting_pages_follow_the_party_matrix(world, client_of, persona):  # type: ignore[no-untyped-def]
    """Everyone outside party roles gets 404 on every meeting page; the officer and the secretary of X get
    X's pages; only the officer the subdistrict's overview."""
    party = build_party(world)
    meeting = a_meeting(party)
    client = client_of(persona)
    _orgs, members, keeps, officer = MATRIX[persona]
    pages = {
        reverse("party:meeting-list", args=[party.branch_x.pk]): bool(members),
        reverse("party:meeting-new", args=[party.branch_x.pk]): keeps,
        reverse("party:meeting-detail", args=[meeting.pk]): bool(members),
        reverse("party:meeting-edit", args=[meeting.pk]): keeps,
        reverse("party:compliance", args=[party.branch_x.pk]): bool(members),
        reverse("party:compliance-overview"): officer,
    }
    for url, allowed in pages.items():
        assert client.get(url).status_code == (200 if allowed else 404), url
    if not members:
        assert not AccessLog.objects.filter(subject_type="party.meeting").exists()


def test_secretary_gets_404_for_a_branch_outside_their_scope(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    theirs = a_meeting(party, "joint_yz")
    client = client_of("dangzhibu")
    assert client.get(reverse("party:meeting-list", args=[party.joint_yz.pk])).status_code == 404
    assert client.get(reverse("party:meeting-new", args=[party.joint_yz.pk])).status_code == 404
    assert client.get(reverse("party:meeting-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("party:compliance", args=[party.joint_yz.pk])).status_code == 404
    assert client.get(reverse("party:compliance-overview")).status_code == 404  # the subdistrict's page


def test_record_form_lists_those_entitled_unticked_and_logs_the_reveal(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    response = client_of("dangzhibu").get(reverse("party:meeting-new", args=[party.branch_x.pk]))
    body = response.content.decode()
    assert "居民甲" in body and "邻居乙" in body and "住户丙" in body
    assert "曾小红" not in body  # held outside: not entitled to the branch's meeting
    assert 'name="present"' in body and " checked" not in body
    assert "全选" in body and "应到3人" in body
    log = AccessLog.objects.get(subject_type="party.meeting")
    assert (log.action, log.row_count, log.fields) == ("reveal", 3, "attendance")


def test_record_form_error_is_chinese_and_keeps_the_input(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    url = reverse("party:meeting-new", args=[party.branch_x.pk]) + "?kind=general_assembly"
    response = client_of("dangzhibu").post(
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "topic": "学习党章第三章",
            "minutes": "逐条学习。",
            "present": [party.jumin.pk, party.spouse.pk],
            f"reason-{party.grid_b.pk}": "外出务工",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "不属于本次会议应到人员" in body
    assert 'value="学习党章第三章"' in body and "外出务工" in body
    assert f'value="{party.jumin.pk}" checked' in body
    assert Meeting.objects.count() == 0
    missing = client_of("dangzhibu").post(url, {"held_on": timezone.localdate().isoformat(), "topic": "无记录"})
    assert "这个字段是必填项" in missing.content.decode() and 'value="无记录"' in missing.content.decode()


def test_record_through_the_page_then_the_detail_shows_quorum_and_logs(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    client = client_of("dangzhibu")
    response = client.post(
        reverse("party:meeting-new", args=[party.branch_x.pk]) + "?kind=general_assembly",
        {
            "held_on": timezone.localdate().isoformat(),
            "topic": "换届选举筹备",
            "place": "党群服务站",
            "minutes": "讨论换届方案。",
            "present": [party.jumin.pk],
            f"reason-{party.grid_b.pk}": "住院",
            "photos": [upload()],
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("party:meeting-detail", args=[meeting.pk])
    assert (meeting.entitled, meeting.present, meeting.photos.count()) == (3, 1, 1)
    body = client.get(response["Location"]).content.decode()
    assert "未过半" in body and "不计入落实情况" in body
    assert "住院" in body and "未说明原因" in body  # 住户丙 gave one, 邻居乙 none
    log = AccessLog.objects.get(subject_type="party.meeting", subject_id=str(meeting.pk))
    assert (log.action, log.row_count, log.actor_name) == ("reveal", 3, "dangzhibu")
    photo = meeting.photos.get()
    assert client.get(reverse("party:meeting-photo", args=[photo.pk]))["Content-Type"] == "image/jpeg"


def test_correct_through_the_page(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    meeting = a_meeting(party)
    client = client_of("dangzhibu")
    page = client.get(reverse("party:meeting-edit", args=[meeting.pk])).content.decode()
    assert f'value="{party.jumin.pk}" checked' in page and 'value="学习二十大精神"' in page
    response = client.post(
        reverse("party:meeting-edit", args=[meeting.pk]),
        {"topic": "学习二十大精神", "minutes": "补记。", "present": [party.jumin.pk]},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.present, meeting.minutes) == (1, "补记。")


def test_compliance_page_and_the_officers_overview(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    a_meeting(party)
    today = timezone.localdate()
    client = client_of("dangzhibu")
    body = client.get(reverse("party:compliance", args=[party.branch_x.pk])).content.decode()
    assert f"{today.year}年落实情况" in body and "图例" in body and "主题党日" in body
    assert "cmp-done" in body and "未过半" in body  # the legend explains the unquorate cell
    past = client.get(reverse("party:compliance", args=[party.branch_x.pk]), {"year": today.year - 1})
    assert "cmp-overdue" in past.content.decode() and 'cmp-not-yet" title' not in past.content.decode()
    officer = client_of("jiedao")
    assert reverse("party:compliance-overview") in officer.get(reverse("party:tree")).content.decode()
    overview = officer.get(reverse("party:compliance-overview")).content.decode()
    assert "X小区党支部" in overview and "YZ联合党支部" in overview and "1个党小组" in overview


def test_meeting_list_queries_are_bounded(world, client_of, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    party = build_party(world)
    for i in range(12):
        a_meeting(party, topic=f"第{i}次", held_on=timezone.localdate() - dt.timedelta(days=i))
    client = client_of("dangzhibu")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("party:meeting-list", args=[party.branch_x.pk]))
    assert response.content.decode().count('class="list-item"') == 12
