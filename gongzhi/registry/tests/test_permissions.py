"""Persona × action matrix for the registry; docs/permissions.md holds the same table."""

import pytest

from gongzhi.registry.permissions import (
    can_edit_household,
    can_reveal_person,
    visible_dwellings,
    visible_households,
    visible_people,
)

pytestmark = pytest.mark.django_db

EVERYONE = {"居民甲", "曾小红", "邻居乙", "住户丙", "住户丁"}
COMMUNITY_1 = {"居民甲", "曾小红", "邻居乙", "住户丙"}
GRID_A = {"居民甲", "曾小红", "邻居乙"}

# persona: (people seen, households seen, dwellings seen, may edit jumin's household, may reveal jumin)
MATRIX = {
    "jiedao": (EVERYONE, 4, 5, True, True),
    "shequ": (COMMUNITY_1, 3, 4, True, True),
    "lingdao": (COMMUNITY_1, 3, 3, False, False),
    "baobao": (COMMUNITY_1, 3, 3, False, False),
    "wangge_a": (GRID_A, 2, 3, True, True),
    "wangge_b": ({"住户丙"}, 1, 1, False, False),
    "louzhang": (GRID_A, 2, 2, False, False),
    "jumin": ({"居民甲", "曾小红"}, 1, 1, False, False),
    "wuye": (set(), 0, 0, False, False),
    "yeweihui": (set(), 0, 0, False, False),
    "dangzhibu": (set(), 0, 0, False, False),
    "zhiyuan": (set(), 0, 0, False, False),
    "admin": (set(), 0, 0, False, False),
    "shenji": (set(), 0, 0, False, False),
    "outsider": (set(), 0, 0, False, False),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_registry_matrix(world, actor_of, persona):
    people, households, dwellings, may_edit, may_reveal = MATRIX[persona]
    actor = actor_of(persona)
    assert set(visible_people(actor).values_list("name", flat=True)) == people
    assert visible_households(actor).count() == households
    assert visible_dwellings(actor).count() == dwellings
    assert can_edit_household(actor, world.households["jumin"]) is may_edit
    assert can_reveal_person(actor, world.people["jumin"]) is may_reveal
