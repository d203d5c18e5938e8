"""Persona × action matrix for accounts; docs/permissions.md holds the same table."""

import pytest

from gongzhi.accounts.choices import Role
from gongzhi.accounts.permissions import can_grant_duty, can_view_audit, visible_duties
from gongzhi.accounts.security import needs_two_factor

pytestmark = pytest.mark.django_db

# persona: (may grant a grid worker in grid A, may grant an auditor, may read the audit logs,
#           needs TOTP when required, duties seen)
MATRIX = {
    "jiedao": (True, False, False, True, 11),
    "shequ": (False, False, False, True, 1),
    "lingdao": (False, False, False, False, 1),
    "baobao": (False, False, False, False, 1),
    "wangge_a": (False, False, False, True, 1),
    "wangge_b": (False, False, False, True, 1),
    "louzhang": (False, False, False, False, 1),
    "wuye": (False, False, False, False, 1),
    "yeweihui": (False, False, False, False, 1),
    "dangzhibu": (False, False, False, False, 1),
    "zhiyuan": (False, False, False, False, 1),
    "admin": (False, True, False, True, 1),
    "shenji": (False, False, True, True, 1),
    "jumin": (False, False, False, False, 0),
    "outsider": (False, False, False, False, 0),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_accounts_matrix(world, actor_of, settings, persona):
    settings.GONGZHI_REQUIRE_2FA = True
    grant_grid, grant_auditor, read_audit, totp, duties = MATRIX[persona]
    actor = actor_of(persona)
    assert (
        can_grant_duty(actor, role=Role.GRID_WORKER, node_path=None, grid_org_path=world.grid_a.org_path) is grant_grid
    )
    assert can_grant_duty(actor, role=Role.AUDITOR, node_path=None, grid_org_path=None) is grant_auditor
    assert can_view_audit(actor) is read_audit
    assert needs_two_factor(actor) is totp
    assert visible_duties(actor).count() == duties
