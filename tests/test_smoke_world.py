import pytest

from gongzhi.registry.permissions import visible_people

pytestmark = pytest.mark.django_db


def test_world(world, actor_of):
    assert visible_people(actor_of("jiedao")).count() == 5
    assert visible_people(actor_of("wangge_a")).count() == 3
    assert visible_people(actor_of("jumin")).count() == 2
    assert visible_people(actor_of("wuye")).count() == 0
