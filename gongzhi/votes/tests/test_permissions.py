"""Persona × action matrix for votes; docs/permissions.md holds the same table."""

import pytest

from gongzhi.votes.choices import Electorate
from gongzhi.votes.permissions import can_manage_poll, can_read_result, may_create_polls, visible_polls
from gongzhi.votes.tests.helpers import announce

pytestmark = pytest.mark.django_db

# persona: (polls seen of A/B/C/D, manages A, manages B, manages C, may create polls)
# A households poll of compound X, B owners' vote of compound X, C households poll of compound Z,
# D members poll (owners' committee) of compound X.
MATRIX = {
    "jiedao": ("ABCD", True, True, True, True),
    "shequ": ("ABD", True, True, False, True),
    "lingdao": ("ABD", False, False, False, False),
    "baobao": ("ABD", False, False, False, False),
    "wangge_a": ("ABD", False, False, False, False),
    "wangge_b": ("ABD", False, False, False, False),
    "louzhang": ("AB", False, False, False, False),
    "wuye": ("", False, False, False, False),
    "yeweihui": ("ABD", False, True, False, True),
    "dangzhibu": ("ABD", False, False, False, False),
    "zhiyuan": ("", False, False, False, False),
    "jumin": ("AB", False, False, False, False),
    "admin": ("", False, False, False, False),
    "shenji": ("", False, False, False, False),
    "outsider": ("", False, False, False, False),
}


@pytest.fixture
def polls(world, actor_of):  # type: ignore[no-untyped-def]
    from gongzhi.votes.services import QuestionSpec

    owners = [QuestionSpec(text="选聘物业", rule="art278", config={"matter": "manager"})]
    return {
        "A": announce(actor_of("shequ"), world.compound_x, title="A"),
        "B": announce(
            actor_of("yeweihui"),
            world.compound_x,
            electorate=Electorate.OWNERS,
            questions=owners,
            notice_days=15,
            title="B",
        ),
        "C": announce(actor_of("jiedao"), world.compound_z, title="C"),
        "D": announce(
            actor_of("shequ"),
            world.compound_x,
            electorate=Electorate.MEMBERS,
            config={"role": "committee_member"},
            title="D",
        ),
    }


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_votes_matrix(world, actor_of, polls, persona):  # type: ignore[no-untyped-def]
    seen, manages_a, manages_b, manages_c, creates = MATRIX[persona]
    actor = actor_of(persona)
    assert "".join(sorted(visible_polls(actor).values_list("title", flat=True))) == seen
    assert can_manage_poll(actor, polls["A"]) is manages_a
    assert can_manage_poll(actor, polls["B"]) is manages_b
    assert can_manage_poll(actor, polls["C"]) is manages_c
    assert may_create_polls(actor) is creates
    # before close nobody reads a result, whatever their role
    assert not any(can_read_result(actor, poll) for poll in polls.values())
