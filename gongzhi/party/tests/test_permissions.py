"""The persona × action matrix of party work (docs/permissions.md): membership is restricted data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.models import AccessLog
from gongzhi.party import selectors
from gongzhi.party.permissions import (
    may_create_organisation,
    may_keep,
    sees_party,
    visible_members,
    visible_organisations,
)
from gongzhi.party.tests.helpers import build_party

pytestmark = pytest.mark.django_db

ALL = {"纬二路街道党工委", "第一社区党委", "X小区党支部", "1号楼党小组", "YZ联合党支部"}
# persona → (organisations seen, members seen, keeps X小区党支部, sets up organisations)
MATRIX = {
    "jiedao": (ALL, 5, True, True),
    "dangzhibu": ({"X小区党支部", "1号楼党小组"}, 4, True, False),
    "shequ": (set(), 0, False, False),
    "baobao": (set(), 0, False, False),
    "lingdao": (set(), 0, False, False),
    "wangge_a": (set(), 0, False, False),
    "wangge_b": (set(), 0, False, False),
    "louzhang": (set(), 0, False, False),
    "wuye": (set(), 0, False, False),
    "yeweihui": (set(), 0, False, False),
    "zhiyuan": (set(), 0, False, False),
    "jumin": (set(), 0, False, False),  # a member themself: their own membership is not listed to them here
    "admin": (set(), 0, False, False),
    "shenji": (set(), 0, False, False),
    "outsider": (set(), 0, False, False),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_party_scope(world, actor_of, persona):  # type: ignore[no-untyped-def]
    party = build_party(world)
    orgs, members, keeps, creates = MATRIX[persona]
    actor = actor_of(persona)
    assert set(visible_organisations(actor).values_list("name", flat=True)) == orgs
    assert visible_members(actor).count() == members
    assert may_keep(actor, party.branch_x) is keeps
    assert may_create_organisation(actor) is creates
    assert sees_party(actor) is bool(orgs or creates)


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_member_list_pages_only_for_party_roles(world, client_of, persona):  # type: ignore[no-untyped-def]
    party = build_party(world)
    client = client_of(persona)
    sees = bool(MATRIX[persona][1])
    for url in (
        reverse("party:org-detail", args=[party.branch_x.pk]),
        reverse("party:member-export", args=[party.branch_x.pk]),
        reverse("party:home"),
    ):
        response = client.get(url)
        if not sees:
            assert response.status_code == 404, url
    page = client.get(reverse("party:org-detail", args=[party.branch_x.pk]))
    if sees:
        assert "邻居乙" in page.content.decode()
    else:
        assert AccessLog.objects.filter(subject_type="party.member").count() == 0


def test_the_secretary_does_not_see_another_branchs_members(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    assert client_of("dangzhibu").get(reverse("party:org-detail", args=[party.joint_yz.pk])).status_code == 404


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_badges_only_with_consent_whoever_asks(world, actor_of, persona):  # type: ignore[no-untyped-def]
    """The badge selectors answer the same for everyone: consent is the permission, and without it nothing
    of party membership shows on any profile or household list."""
    party = build_party(world)
    people = [party.jumin.person_id, party.neighbour.person_id]
    assert selectors.badge_person_ids(people) == set()
    from gongzhi.party import services
    from gongzhi.party.tests.helpers import SYSTEM

    services.consent_give(actor=SYSTEM, member=party.neighbour)
    assert selectors.badge_person_ids(people) == {party.neighbour.person_id}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_reporting_scope_and_pages(world, actor_of, client_of, persona):  # type: ignore[no-untyped-def]
    """双报到: slips, needs and cards only for the keepers of the organisation reported to; the member's own
    slip for themself (tested in test_reporting_views); 404 for everyone else."""
    from gongzhi.party import reporting
    from gongzhi.party.tests.test_reporting import newcomer, slip

    party = build_party(world)
    person, _actor = newcomer(world)
    registration = reporting.registration_submit(
        actor=actor_of("jiedao"), person=person, data=slip(world.buildings["2"])
    )
    reporting.need_create(
        actor=actor_of("jiedao"), organisation=party.branch_x, category="patrol", title="巡逻", node=world.compound_x
    )
    keeps = MATRIX[persona][2]
    actor = actor_of(persona)
    assert reporting.visible_registrations(actor).count() == (1 if keeps else 0)
    assert reporting.visible_needs(actor).count() == (1 if keeps else 0)
    client = client_of(persona)
    for url in (
        reverse("party:report-register"),
        reverse("party:report-export"),
        reverse("party:report-detail", args=[registration.pk]),
        reverse("party:report-needs", args=[party.branch_x.pk]),
        reverse("party:report-units", args=[party.branch_x.pk]),
    ):
        assert (client.get(url).status_code == 404) is not keeps, url
    if not keeps:
        assert not AccessLog.objects.filter(fields="registration").exists()
