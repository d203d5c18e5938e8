"""The persona × action matrix of stewardship (docs/permissions.md), checked persona by persona."""

from __future__ import annotations

import pytest

from gongzhi.stewardship.permissions import (
    is_staff_for,
    ledger_side_of,
    may_comment,
    may_register,
    visible_compounds,
    visible_entries,
)
from gongzhi.stewardship.tests.helpers import rows_for_routes

pytestmark = pytest.mark.django_db

# persona → (compounds seen, ledger side kept in X小区, may comment in X小区, registers, entries of X seen)
MATRIX = {
    "jiedao": ({"X小区", "Y小区", "Z小区"}, None, True, True, 1),
    "shequ": ({"X小区", "Y小区"}, None, True, False, 1),
    "baobao": ({"X小区"}, None, True, False, 1),
    "lingdao": ({"X小区"}, None, True, False, 1),
    "wuye": ({"X小区"}, "manager", False, False, 1),
    "yeweihui": ({"X小区"}, "committee", False, False, 1),
    "jumin": ({"X小区"}, None, False, False, 0),
    "wangge_a": (set(), None, False, False, 0),
    "louzhang": (set(), None, False, False, 0),
    "dangzhibu": (set(), None, False, False, 0),
    "zhiyuan": (set(), None, False, False, 0),
    "admin": (set(), None, False, False, 0),
    "shenji": (set(), None, False, False, 0),
    "outsider": (set(), None, False, False, 0),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_stewardship_scope(world, actor_of, persona):  # type: ignore[no-untyped-def]
    rows_for_routes(world)
    compounds, side, comments, registers, entries = MATRIX[persona]
    actor = actor_of(persona)
    assert set(visible_compounds(actor).values_list("name", flat=True)) == compounds
    assert ledger_side_of(actor, world.compound_x) == side
    assert may_comment(actor, world.compound_x) is comments
    assert is_staff_for(actor, world.compound_x) is comments
    assert may_register(actor) is registers
    assert visible_entries(actor).filter(compound=world.compound_x).count() == entries
