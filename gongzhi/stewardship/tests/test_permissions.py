"""The persona × action matrix of stewardship (docs/permissions.md), checked persona by persona."""

from __future__ import annotations

import pytest
from django.utils import timezone

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


# persona → (subjects seen while rating, seen once published, sheets of the company, runs months,
#            may appeal for the company)
EVALUATION_MATRIX = {
    "jiedao": (2, 2, ["subdistrict"], True, False),
    "shequ": (2, 2, ["community"], False, False),
    "baobao": (2, 2, [], False, False),
    "lingdao": (2, 2, [], False, False),
    "wuye": (0, 1, [], False, True),
    "yeweihui": (0, 2, ["committee"], False, False),
    "jumin": (0, 0, [], False, False),
    "wangge_a": (0, 0, [], False, False),
    "louzhang": (0, 0, [], False, False),
    "dangzhibu": (0, 0, [], False, False),
    "zhiyuan": (0, 0, [], False, False),
    "admin": (0, 0, [], False, False),
    "shenji": (0, 0, [], False, False),
    "outsider": (0, 0, [], False, False),
}


@pytest.mark.parametrize("persona", sorted(EVALUATION_MATRIX))
def test_evaluation_scope(world, actor_of, persona):  # type: ignore[no-untyped-def]
    from gongzhi.stewardship import evaluation as ev
    from gongzhi.stewardship.choices import SubjectKind
    from gongzhi.stewardship.permissions import may_appeal, may_run_evaluation, rater_kinds_of, visible_evaluations

    rows_for_routes(world)
    jiedao = actor_of("jiedao")
    month = ev.month_open(actor=jiedao, month=timezone.localdate().replace(day=1))
    company = month.evaluations.get(subject_kind=SubjectKind.PROPERTY_COMPANY)
    rating, published, sheets, runs, appeals = EVALUATION_MATRIX[persona]
    actor = actor_of(persona)
    assert visible_evaluations(actor).count() == rating
    assert rater_kinds_of(actor, company) == sheets
    assert may_run_evaluation(actor) is runs
    ev.month_review(actor=jiedao, month=month)
    ev.month_publish(actor=jiedao, month=month)
    assert visible_evaluations(actor).count() == published
    assert may_appeal(actor, company) is appeals
