"""Honour pages over HTTP: the persona matrix, the sealed vote on every page, the ballot and nomination forms."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongzhi.publicity import honour
from gongzhi.publicity.honour_permissions import can_manage_campaign, can_nominate, visible_campaigns
from gongzhi.publicity.models_honour import HonourNomination, HonourPhoto, HonourResult
from gongzhi.publicity.tests.honour_helpers import (
    REASON,
    actor,
    build_campaign,
    published_campaign,
    voting_campaign,
)
from gongzhi.votes.models import Participation

pytestmark = pytest.mark.django_db

# persona → (sees the campaign, runs it, may nominate while nominating, reads the honour roll)
MATRIX = {
    "jumin": (True, False, True, True),
    "wangge_a": (True, False, False, True),
    "shequ": (True, True, True, True),
    "jiedao": (True, True, True, True),
    "baobao": (True, False, False, True),
    "wuye": (False, False, False, True),
    "outsider": (False, False, False, False),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_honour_scope_matrix(world, actor_of, client_of, persona):  # type: ignore[no-untyped-def]
    sees, runs, nominates, reads_roll = MATRIX[persona]
    nominating = build_campaign(world)
    who = actor_of(persona)
    assert visible_campaigns(who).filter(pk=nominating.campaign.pk).exists() is sees
    assert can_manage_campaign(who, nominating.campaign) is runs
    assert can_nominate(who, nominating.campaign) is nominates
    h = published_campaign(world)
    client = client_of(persona)
    detail = client.get(reverse("publicity:honour-detail", args=[h.campaign.pk]))
    assert detail.status_code == (200 if sees else 404)
    for name in ("publicity:honour-review", "publicity:honour-audit", "publicity:honour-results"):
        assert client.get(reverse(name, args=[h.campaign.pk])).status_code == (200 if runs else 404), name
    result = HonourResult.objects.filter(category=h.persons, is_winner=True).get()
    certificate = client.get(reverse("publicity:honour-certificate", args=[result.pk]))
    assert certificate.status_code == (200 if runs else 404)
    if runs:
        assert certificate.content.startswith(b"%PDF")
    roll = client.get(reverse("publicity:honour-roll"))
    assert roll.status_code == 200
    assert ("曾小红" in roll.content.decode()) is reads_roll
    node = client.get(reverse("publicity:honour-roll-node", args=[world.compound_x.pk]))
    assert node.status_code == (200 if reads_roll else 404)
    # Never an ID number or a phone on the honour roll.
    assert "340303" not in roll.content.decode() and "1370000" not in roll.content.decode()


def test_the_other_community_does_not_see_the_campaign(world, client_of):  # type: ignore[no-untyped-def]
    from gongzhi.accounts.choices import Role
    from gongzhi.testing.world import add_user, grant

    other = add_user("shequ2", "第二社区工作者")
    grant(other, Role.COMMUNITY_WORKER, node=world.other_community)
    world.users["shequ2"] = other
    h = build_campaign(world)
    client = client_of("shequ2")
    assert client.get(reverse("publicity:honour-detail", args=[h.campaign.pk])).status_code == 404
    assert (
        client.post(reverse("publicity:honour-act", args=[h.campaign.pk]), {"action": "close_nominations"}).status_code
        == 404
    )


SEALED = re.compile(r"\d+\s*票")


def test_no_result_or_count_of_an_open_vote_shows_on_any_page(world, client_of):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    n = h.nominations
    honour.honour_ballot_cast(
        actor=actor(world, "jumin"),
        campaign=h.campaign,
        choices={h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["spouse"].pk]},
    )
    pages = [
        ("jumin", reverse("publicity:honour-detail", args=[h.campaign.pk])),
        ("shequ", reverse("publicity:honour-detail", args=[h.campaign.pk])),
        ("jiedao", reverse("publicity:honour-detail", args=[h.campaign.pk])),
        ("jumin", reverse("publicity:honour-roll")),
        ("shequ", reverse("publicity:honour-roll")),
        ("shequ", reverse("publicity:honour-audit", args=[h.campaign.pk])),
        ("shequ", reverse("publicity:honour-list")),
        ("shequ", reverse("publicity:honour-score", args=[h.campaign.pk])),
        ("shequ", reverse("votes:poll-detail", args=[h.campaign.poll_id])),
    ]
    for username, url in pages:
        response = client_of(username).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not SEALED.search(html), (url, SEALED.search(html))
        assert 'id="honour-public-votes"' not in html and 'id="honour-results"' not in html, url
        assert "得票" not in html, url
    audit = client_of("shequ").get(reverse("publicity:honour-audit", args=[h.campaign.pk])).content.decode()
    assert "1 / 4" in audit  # who took part, not what they chose
    assert "1人 1户" in audit  # jumin's flat took part; nothing says how
    assert "曾小红" not in audit and "2号楼" not in audit


def test_after_close_the_campaign_page_shows_the_public_votes(world, client_of):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    n = h.nominations
    honour.honour_ballot_cast(
        actor=actor(world, "jumin"),
        campaign=h.campaign,
        choices={h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["spouse"].pk]},
    )
    honour.campaign_vote_close(actor=actor(world, "shequ"), campaign=h.campaign)
    html = client_of("jumin").get(reverse("publicity:honour-detail", args=[h.campaign.pk])).content.decode()
    assert 'id="honour-public-votes"' in html and "1票" in html


def test_the_ballot_form_refuses_more_than_k_choices_in_chinese(world, client_of):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    n = h.nominations
    url = reverse("publicity:honour-vote", args=[h.campaign.pk])
    response = client_of("jumin").post(
        url, {f"category_{h.buildings.pk}": [n["b1"].pk, n["b2"].pk], f"category_{h.persons.pk}": [n["spouse"].pk]}
    )
    assert response.status_code == 400
    assert "“文明楼栋”每人最多选择1项，您选了2项。" in response.content.decode()
    assert not Participation.objects.exists()


def test_voting_on_the_campaign_page_counts_one_ballot_per_voter(world, client_of):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    n = h.nominations
    client = client_of("jumin")
    page = client.get(reverse("publicity:honour-detail", args=[h.campaign.pk])).content.decode()
    assert 'id="ballot-form"' in page and 'id="ballot-submit"' in page
    data = {f"category_{h.buildings.pk}": [n["b1"].pk], f"category_{h.persons.pk}": [n["spouse"].pk]}
    url = reverse("publicity:honour-vote", args=[h.campaign.pk])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert "已经投过票，每位投票人只有一张选票" in again.content.decode()
    assert Participation.objects.filter(poll=h.campaign.poll).count() == 1
    page = client.get(reverse("publicity:honour-detail", args=[h.campaign.pk])).content.decode()
    assert 'id="honour-voted"' in page and 'id="ballot-form"' not in page


def test_a_voter_outside_the_roll_gets_no_ballot(world, client_of):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    page = client_of("wangge_a").get(reverse("publicity:honour-detail", args=[h.campaign.pk])).content.decode()
    assert 'id="honour-not-on-roll"' in page and 'id="ballot-form"' not in page
    n = h.nominations
    response = client_of("wangge_a").post(
        reverse("publicity:honour-vote", args=[h.campaign.pk]),
        {f"category_{h.buildings.pk}": [n["b1"].pk], f"category_{h.persons.pk}": [n["spouse"].pk]},
    )
    assert response.status_code == 403 and not Participation.objects.exists()


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 200)).save(out, format="PNG")
    return SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png")


def test_nominating_on_the_page_with_a_photo_and_refusing_a_duplicate(world, client_of, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    h = build_campaign(world)
    client = client_of("jumin")
    url = reverse("publicity:honour-nominate", args=[h.campaign.pk])
    assert 'id="nominate-form"' in client.get(url).content.decode()
    data = {
        "category": h.persons.pk,
        "building": world.buildings["1"].pk,
        "room": "1-102",
        "name": "邻居乙",
        "reason": REASON,
        "has_consent": "on",
    }
    response = client.post(url, {**data, "photos": [_photo()]})
    assert response.status_code == 302, response.content.decode()
    nomination = HonourNomination.objects.get()
    assert (nomination.person_id, nomination.label, nomination.place) == (
        world.people["neighbour"].pk,
        "邻居乙",
        "X小区 1号楼",
    )
    assert HonourPhoto.objects.filter(nomination=nomination).count() == 1
    again = client.post(url, data)
    assert again.status_code == 200
    assert "“邻居乙”已被提名为“好媳妇”，不能重复提名" in again.content.decode()
    assert HonourNomination.objects.count() == 1
    # A name not in the named flat is not found, whoever lives elsewhere.
    wrong = client.post(url, {**data, "name": "住户丙"})
    assert "没有登记名为“住户丙”的在住居民" in wrong.content.decode()
    # The photo of a pending nomination is for its nominator and the staff.
    photo = reverse("publicity:honour-photo", args=[HonourPhoto.objects.get().pk])
    assert client.get(photo).status_code == 200
    assert client_of("wangge_a").get(photo).status_code == 404
    assert client_of("shequ").get(photo).status_code == 200


def test_a_judge_sees_only_their_own_scores_until_the_panel_has_scored(world, client_of):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    honour.campaign_vote_close(actor=actor(world, "shequ"), campaign=h.campaign)
    item = h.campaign.rubric.get()
    url = reverse("publicity:honour-score", args=[h.campaign.pk])
    data = {f"s_{x.pk}_{item.pk}": 7 for x in h.nominations.values()}
    assert client_of("shequ").post(url, data).status_code == 302
    page = client_of("jiedao").get(url).content.decode()
    assert 'id="score-form"' in page and 'id="panel-scores"' not in page
    assert 'value="7"' not in page
    assert client_of("jumin").get(url).status_code == 404
    assert client_of("jiedao").post(url, {f"s_{x.pk}_{item.pk}": 9 for x in h.nominations.values()}).status_code == 302
    page = client_of("jiedao").get(url).content.decode()
    assert 'id="panel-scores"' in page


def test_staff_create_a_campaign_on_the_page(world, client_of):  # type: ignore[no-untyped-def]
    client = client_of("shequ")
    url = reverse("publicity:honour-create")
    page = client.get(url).content.decode()
    assert 'id="honour-create-form"' in page and "好婆婆" in page
    data = {
        "title": "第一社区文明评选",
        "scope": world.community.pk,
        "electorate": "households",
        "vote_weight_percent": 70,
        "judges": "shequ，jiedao",
        "cat1_kind": "building",
        "cat1_name": "文明楼栋",
        "cat1_winners": 2,
        "cat1_k": 2,
        "item1_name": "事迹",
        "item1_max": 50,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    campaign = visible_campaigns(actor(world, "shequ")).get(title="第一社区文明评选")
    assert campaign.categories.count() == 1 and campaign.judges.count() == 2 and campaign.vote_weight_percent == 70
    assert client_of("jumin").get(url).status_code == 404
    bad = client.post(url, {**data, "title": "无评委", "judges": ""})
    assert "请指定评委" in bad.content.decode()


def test_the_audit_flags_a_dwelling_with_unusually_many_voters(world, client_of, monkeypatch):  # type: ignore[no-untyped-def]
    from gongzhi.publicity import honour_selectors

    monkeypatch.setattr(honour_selectors, "UNUSUAL_VOTERS_PER_DWELLING", 2)
    monkeypatch.setattr(honour_selectors, "BURST_BALLOTS", 2)
    h = voting_campaign(world)
    n = h.nominations
    choices = {h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["spouse"].pk]}
    honour.honour_ballot_cast(actor=actor(world, "jumin"), campaign=h.campaign, choices=choices)
    from gongzhi.publicity.tests.test_honour_services import actor_for_person

    honour.honour_ballot_cast(actor=actor_for_person(world, "jumin_spouse"), campaign=h.campaign, choices=choices)
    audit = honour_selectors.vote_audit(actor=actor(world, "shequ"), campaign=h.campaign)
    assert audit is not None and audit.flagged == 1 and audit.voted == 2
    row = audit.dwellings[0]
    assert (row.label, row.roll, row.voted) == ("X小区 1号楼 1单元 101", 2, 2)
    assert row.flags == ["一户2人投票", "10分钟内2张选票"]
    html = client_of("shequ").get(reverse("publicity:honour-audit", args=[h.campaign.pk])).content.decode()
    assert "一户2人投票" in html and not SEALED.search(html)
    assert client_of("jumin").get(reverse("publicity:honour-audit", args=[h.campaign.pk])).status_code == 404
