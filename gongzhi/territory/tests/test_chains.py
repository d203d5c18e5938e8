import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.accounts.services import duty_grant, duty_revoke
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.models import AuditEntry
from gongzhi.territory.chains import compound_chains, escalation_steps
from gongzhi.testing.world import add_user, grant

pytestmark = pytest.mark.django_db


def _chain(actor, compound):
    return next(c for c in compound_chains(actor=actor) if c.compound.pk == compound.pk)


def test_chain_of_a_compound_lists_its_holders_and_gaps(world, actor_of):
    chain = _chain(actor_of("jiedao"), world.compound_x)
    assert [u.username for u in chain.lead_cadres] == ["lingdao"]
    assert [u.username for u in chain.responsible_cadres] == ["baobao"]
    assert {link.grid.name: [u.username for u in link.heads] for link in chain.grids} == {
        "A网格": ["wangge_a"],
        "B网格": ["wangge_b"],
    }
    assert (chain.building_count, chain.buildings_with_head) == (2, 1)
    assert chain.missing == ["1栋楼缺责任人"]


def test_incomplete_chains_are_found(world, actor_of):
    chains = {c.compound.name: c for c in compound_chains(actor=actor_of("jiedao"))}
    assert not chains["X小区"].is_complete
    assert "缺包保领导" in chains["Y小区"].missing
    assert "未划网格" in chains["Y小区"].missing  # Y's building is in grid A, which belongs to compound X


def test_chain_completes_when_the_gaps_are_filled(world, actor_of):
    officer = actor_of("jiedao")
    duty_grant(actor=officer, user=add_user("lou2", "二号楼责任人"), role=Role.BUILDING_HEAD, node=world.buildings["2"])
    assert _chain(officer, world.compound_x).is_complete


def test_escalation_walks_up_the_chain_from_the_building(world):
    steps = escalation_steps(compound=world.compound_x, grid=world.grid_a, building=world.buildings["1"])
    assert [(s.role, [u.username for u in s.users]) for s in steps] == [
        (Role.BUILDING_HEAD, ["louzhang"]),
        (Role.GRID_HEAD, ["wangge_a"]),
        (Role.RESPONSIBLE_CADRE, ["baobao"]),
        (Role.LEAD_CADRE, ["lingdao"]),
    ]


def test_escalation_skips_ended_duties(world):
    Duty.objects.filter(role=Role.RESPONSIBLE_CADRE).update(ends_on=dt.date(2021, 1, 1))
    roles = [s.role for s in escalation_steps(compound=world.compound_x, grid=world.grid_a)]
    assert roles == [Role.GRID_HEAD, Role.LEAD_CADRE]


def test_duty_grant_checks_the_kind_of_place(world, actor_of):
    officer = actor_of("jiedao")
    with pytest.raises(DomainError, match="网格"):
        duty_grant(actor=officer, user=world.user("shequ"), role=Role.GRID_HEAD, node=world.compound_x)
    with pytest.raises(DomainError, match="只能指定到"):
        duty_grant(actor=officer, user=world.user("shequ"), role=Role.LEAD_CADRE, node=world.buildings["1"])


def test_only_the_officer_grants_duties_and_never_system_roles(world, actor_of):
    with pytest.raises(NotAllowed):
        duty_grant(actor=actor_of("shequ"), user=world.user("outsider"), role=Role.GRID_WORKER, grid=world.grid_a)
    with pytest.raises(NotAllowed):
        duty_grant(actor=actor_of("jiedao"), user=world.user("outsider"), role=Role.AUDITOR)


def test_duty_grant_and_revoke_are_audited_and_take_effect(world, actor_of):
    officer = actor_of("jiedao")
    duty = duty_grant(actor=officer, user=world.user("outsider"), role=Role.GRID_WORKER, grid=world.grid_b)
    assert world.grid_b.pk in actor_of("outsider").grid_ids(Role.GRID_WORKER)
    duty_revoke(actor=officer, duty=duty)
    assert actor_of("outsider").grants == ()
    actions = list(
        AuditEntry.objects.filter(target_type="accounts.duty", target_id=str(duty.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["accounts.duty_grant", "accounts.duty_revoke"]


def test_duplicate_duty_is_refused(world, actor_of):
    with pytest.raises(DomainError, match="已有相同职责"):
        duty_grant(actor=actor_of("jiedao"), user=world.user("wangge_a"), role=Role.GRID_HEAD, grid=world.grid_a)


def test_chain_pages(world, client_of):
    officer = client_of("jiedao")
    page = officer.get(reverse("territory:chain-list"), {"incomplete": "1"}).content.decode()
    assert "Y小区" in page
    assert "缺包保领导" in page
    url = reverse("territory:chain-detail", args=[world.compound_x.pk])
    response = officer.post(
        url, {"role": Role.BUILDING_HEAD, "target": f"building:{world.buildings['2'].pk}", "username": "outsider"}
    )
    assert response.status_code == 302
    assert Duty.objects.filter(user=world.user("outsider"), role=Role.BUILDING_HEAD).exists()
    bad = officer.post(url, {"role": Role.GRID_HEAD, "target": f"compound:{world.compound_x.pk}", "username": "nobody"})
    body = bad.content.decode()
    assert "范围应为" in body
    assert "没有用户名为" in body


def test_chain_page_is_read_only_for_a_cadre_and_404_outside_scope(world, client_of):
    url = reverse("territory:chain-detail", args=[world.compound_x.pk])
    cadre = client_of("baobao")
    assert cadre.get(url).status_code == 200
    cadre.post(
        url, {"role": Role.BUILDING_HEAD, "target": f"building:{world.buildings['2'].pk}", "username": "outsider"}
    )
    assert not Duty.objects.filter(user=world.user("outsider")).exists()
    assert client_of("baobao").get(reverse("territory:chain-detail", args=[world.compound_z.pk])).status_code == 404


def test_grant_helper_is_used_by_the_world(world):
    assert grant  # the world builder grants duties directly; services are tested above


def test_officer_grants_a_community_worker_on_the_duty_page(world, client_of):
    officer = client_of("jiedao")
    url = reverse("territory:duty-list")
    response = officer.post(
        url, {"role": Role.COMMUNITY_WORKER, "place": f"node:{world.other_community.pk}", "username": "outsider"}
    )
    assert response.status_code == 302
    assert Duty.objects.get(user=world.user("outsider")).node_id == world.other_community.pk
    wrong = officer.post(url, {"role": Role.GRID_WORKER, "place": f"node:{world.community.pk}", "username": "outsider"})
    assert "须指定一个网格" in wrong.content.decode()
    assert client_of("shequ").get(url).status_code == 404
