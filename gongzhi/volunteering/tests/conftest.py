import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.core.identity import check_char
from gongzhi.registry.choices import Relation
from gongzhi.registry.services import PersonData, person_register
from gongzhi.testing.world import SYSTEM, add_user, grant


@pytest.fixture
def vworld(world):
    from gongzhi.volunteering.testing import build_volunteering

    return build_volunteering(world)


@pytest.fixture
def rule(db):
    from gongzhi.volunteering.testing import ensure_default_rule

    return ensure_default_rule()


@pytest.fixture
def second_manager(world):
    """Another volunteer-association manager over the subdistrict: the second pair of eyes."""
    user = add_user("zhiyuan2", "志愿者协会复核员")
    grant(user, Role.VOLUNTEER_MANAGER, node=world.subdistrict)
    world.users["zhiyuan2"] = user
    return user


def citizen_id(years_old: int, serial: str) -> str:
    """A valid ID number of someone born ``years_old`` years ago, a month ago (so the age holds all month)."""
    born = timezone.localdate() - dt.timedelta(days=30)
    first17 = f"340303{born.year - years_old:04d}{born:%m}{min(born.day, 28):02d}{serial}"  # no 29 February
    return first17 + check_char(first17)


@pytest.fixture
def child(world):
    """jumin's daughter, 10 years old, in jumin's household."""
    return person_register(
        actor=SYSTEM,
        household=world.households["jumin"],
        relation=Relation.CHILD,
        data=PersonData(name="曾小花", id_type="citizen_id", id_number=citizen_id(10, "122")),
    )


@pytest.fixture
def teenager(world):
    """jumin's son, 16 years old."""
    return person_register(
        actor=SYSTEM,
        household=world.households["jumin"],
        relation=Relation.CHILD,
        data=PersonData(name="曾小军", id_type="citizen_id", id_number=citizen_id(16, "123")),
    )
