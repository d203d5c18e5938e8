"""Persona × action matrix for territory; docs/permissions.md holds the same table."""

import pytest

from gongzhi.territory.permissions import can_manage_territory, visible_grids, visible_nodes

pytestmark = pytest.mark.django_db

# persona: (number of nodes seen, grids seen, may manage compound X)
MATRIX = {
    "jiedao": (16, {"A网格", "B网格", "C网格"}, True),
    "shequ": (10, {"A网格", "B网格"}, False),
    "lingdao": (5, {"A网格", "B网格"}, False),
    "baobao": (5, {"A网格", "B网格"}, False),
    "wuye": (5, {"A网格", "B网格"}, False),
    "yeweihui": (5, {"A网格", "B网格"}, False),
    "dangzhibu": (5, {"A网格", "B网格"}, False),
    "zhiyuan": (16, {"A网格", "B网格", "C网格"}, False),
    "wangge_a": (4, {"A网格"}, False),
    "wangge_b": (2, {"B网格"}, False),
    "louzhang": (2, {"A网格"}, False),
    "jumin": (0, set(), False),
    "admin": (0, set(), False),
    "shenji": (0, set(), False),
    "outsider": (0, set(), False),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_territory_matrix(world, actor_of, persona):
    nodes, grids, may_manage = MATRIX[persona]
    actor = actor_of(persona)
    assert visible_nodes(actor).count() == nodes
    assert set(visible_grids(actor).values_list("name", flat=True)) == grids
    assert can_manage_territory(actor, world.compound_x) is may_manage
