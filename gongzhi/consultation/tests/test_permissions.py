"""Persona × action matrix for consultation; docs/permissions.md holds the same table."""

import pytest

from gongzhi.accounts.actors import actor_for_user
from gongzhi.consultation import services
from gongzhi.consultation.permissions import (
    can_discuss,
    can_moderate,
    can_run_topic,
    can_support,
    may_run_topics,
    visible_suggestions,
    visible_topics,
)
from gongzhi.consultation.tests.helpers import promoted, resident, suggestion

pytestmark = pytest.mark.django_db

# persona: (suggestions seen, topics seen, may support X's suggestion, discuss X's topic, moderate and run X's topic)
MATRIX = {
    "jiedao": ({"X", "Z", "topic"}, 1, False, True, True),
    "shequ": ({"X", "topic"}, 1, False, True, True),
    "lingdao": ({"X", "topic"}, 1, False, False, False),
    "baobao": ({"X", "topic"}, 1, False, False, False),
    "wangge_a": ({"X", "topic"}, 1, False, False, False),
    "wangge_b": ({"X", "topic"}, 1, False, False, False),
    "louzhang": ({"X", "topic"}, 1, False, False, False),
    "wuye": (set(), 0, False, False, False),
    "yeweihui": ({"X", "topic"}, 1, False, False, False),
    "dangzhibu": ({"X", "topic"}, 1, False, False, False),
    "zhiyuan": (set(), 0, False, False, False),
    "jumin": ({"X", "topic"}, 1, False, True, False),  # the author does not support their own suggestion
    "zhuhu": ({"X", "topic"}, 1, True, True, False),  # a neighbour in compound X
    "ding": ({"Z"}, 0, False, False, False),  # lives in compound Z
    "admin": (set(), 0, False, False, False),
    "shenji": (set(), 0, False, False, False),
    "outsider": (set(), 0, False, False, False),
}


@pytest.fixture
def rows(world):  # type: ignore[no-untyped-def]
    topic = promoted(world)  # its suggestion is titled after the topic
    in_x = suggestion(world, title="X")
    resident(world, "zhuhu")
    resident(world, "ding")
    in_z = services.suggestion_post(
        actor=actor_for_user(world.user("ding")), scope=world.compound_z, title="Z", body="停车位不够"
    )
    return {"topic": topic, "X": in_x, "Z": in_z}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_consultation_matrix(world, actor_of, rows, persona):  # type: ignore[no-untyped-def]
    suggestions, topics, supports, discusses, runs = MATRIX[persona]
    actor = actor_of(persona)
    seen = {"topic" if s.pk == rows["topic"].suggestion_id else s.title for s in visible_suggestions(actor)}
    assert seen == suggestions
    assert visible_topics(actor).count() == topics
    assert can_support(actor, rows["X"]) is supports
    assert can_discuss(actor, rows["topic"]) is discusses
    assert can_moderate(actor, rows["X"].scope_path) is runs
    assert can_run_topic(actor, rows["topic"]) is runs
    assert may_run_topics(actor) is (persona in {"jiedao", "shequ"})
