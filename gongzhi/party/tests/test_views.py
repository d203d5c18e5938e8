"""The pages at HTTP level: wiring, access-log rows on reveal and export, forms and refusals."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.party.models import CommitteeSeat, Consent, Member
from gongzhi.party.tests.helpers import build_party

pytestmark = pytest.mark.django_db


def test_branch_page_for_the_secretary_logs_the_reveal(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    response = client_of("dangzhibu").get(reverse("party:org-detail", args=[party.branch_x.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "X小区党支部" in body and "1号楼党小组" in body
    assert "居民甲" in body and "曾小红" in body  # the outside-held member living in X is listed
    assert "住户丁" not in body
    assert "不足3名" in body  # two full members: the warning shows, the page does not fail
    log = AccessLog.objects.get(subject_type="party.member")
    assert (log.action, log.actor_name, log.row_count, log.subject_id) == (
        "reveal",
        "dangzhibu",
        4,
        str(party.branch_x.pk),
    )


def test_home_takes_the_secretary_to_their_branch(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    response = client_of("dangzhibu").get(reverse("party:home"))
    assert response["Location"] == reverse("party:org-detail", args=[party.branch_x.pk])
    assert client_of("jiedao").get(reverse("party:home"))["Location"] == reverse("party:tree")


def test_export_is_access_logged_and_reads_back(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    response = client_of("dangzhibu").get(reverse("party:member-export", args=[party.branch_x.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[0] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert names == {"居民甲", "邻居乙", "住户丙", "曾小红"}
    log = AccessLog.objects.get(subject_type="party.member", action="export")
    assert log.row_count == 4


def test_tree_page_shows_coverage_to_the_officer(world, client_of, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    build_party(world)
    client = client_of("jiedao")
    with django_assert_max_num_queries(30):
        response = client.get(reverse("party:tree"))
    body = response.content.decode()
    assert "3 / 3" in body and "1 / 4" in body and "25.0%" in body
    assert "YZ联合党支部" in body
    assert "覆盖情况" not in client_of("dangzhibu").get(reverse("party:tree")).content.decode()


def test_member_add_through_the_page(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    Member.objects.filter(pk=party.neighbour.pk).update(status="ended", ended_on=dt.date(2025, 1, 1))
    client = client_of("dangzhibu")
    url = reverse("party:org-detail", args=[party.branch_x.pk])
    assert "邻居乙" in client.get(url, {"person_q": "邻居"}).content.decode()
    response = client.post(
        reverse("party:member-add", args=[party.branch_x.pk]),
        {"person": world.people["neighbour"].pk, "kind": "probationary", "joined_on": "2025-06-01"},
        follow=True,
    )
    assert "已登记党员邻居乙" in response.content.decode()
    assert Member.objects.filter(person=world.people["neighbour"], status="active", kind="probationary").exists()
    again = client.post(
        reverse("party:member-add", args=[party.branch_x.pk]),
        {"person": world.people["neighbour"].pk, "kind": "full", "joined_on": "2025-06-01"},
        follow=True,
    )
    assert "已是在册党员" in again.content.decode()


def test_member_add_form_errors_name_the_field(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    response = client_of("dangzhibu").post(
        reverse("party:member-add", args=[party.branch_x.pk]),
        {"person": world.people["neighbour"].pk, "kind": "full", "joined_on": ""},
        follow=True,
    )
    assert "入党日期" in response.content.decode()


def test_committee_consent_and_move_through_the_page(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    client = client_of("dangzhibu")
    client.post(
        reverse("party:committee-set", args=[party.branch_x.pk]),
        {"starts_on": "2024-03-01", "secretary": party.jumin.pk, "deputy": party.neighbour.pk},
    )
    assert set(CommitteeSeat.objects.values_list("seat", flat=True)) == {"secretary", "deputy"}
    client.post(reverse("party:member-move", args=[party.neighbour.pk]), {"group": party.group_1.pk})
    assert Member.objects.get(pk=party.neighbour.pk).group_id == party.group_1.pk
    client.post(reverse("party:consent-give", args=[party.neighbour.pk]), {"shows_badge": "on"})
    assert Consent.objects.filter(member=party.neighbour, withdrawn_at__isnull=True).exists()
    page = client.get(reverse("party:org-detail", args=[party.branch_x.pk])).content.decode()
    assert "已亮身份" in page and "data-confirm" in page
    client.post(reverse("party:consent-withdraw", args=[party.neighbour.pk]))
    assert not Consent.objects.filter(member=party.neighbour, withdrawn_at__isnull=True).exists()


def test_the_secretary_may_not_set_up_organisations(world, client_of):  # type: ignore[no-untyped-def]
    build_party(world)
    assert client_of("dangzhibu").get(reverse("party:org-create")).status_code == 404
    response = client_of("jiedao").post(
        reverse("party:org-create"), {"kind": "branch", "name": "无上级支部", "territory": [world.compound_y.pk]}
    )
    assert "上级应为" in response.content.decode()


def test_empty_tree_says_what_to_do(world, client_of):  # type: ignore[no-untyped-def]
    assert "先设立街道党工委" in client_of("jiedao").get(reverse("party:tree")).content.decode()
