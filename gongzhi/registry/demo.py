"""The demo's data-quality gaps, as a real registry has them: a building nobody put in a grid yet and
two households copied from a paper ledger without their flat.

磨玉市场小区 (homes upstairs, shops downstairs) gets a new 商住楼 that the subdistrict registered but did not
assign to a grid: a shop and two households; two more households of the compound came from the market's paper
ledger with no dwelling. The campaign demo then walks them from 磨玉社区's 未划网格 bucket, and the page
数据质量 lists them with their fixes. Runs first of the app demos, through the registry services.
"""

from __future__ import annotations

import datetime as dt
import random

from gongzhi.core.actors import Actor
from gongzhi.core.identity import Sex
from gongzhi.registry.choices import DwellingKind, Relation
from gongzhi.registry.models import Dwelling, Household, Ownership
from gongzhi.registry.services import PersonData, household_register, person_register
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.territory.services import node_add

COMPOUND = "磨玉市场小区"
GAP_BUILDING = "市场西侧商住楼"
PAPER_LEDGER_PREFIX = "MY-PAPER-"
FAMILY_NAMES = "陈刘杨黄赵周吴徐孙马"
GIVEN_NAMES = ("桂英", "建国", "淑珍", "志强", "海燕", "玉兰", "国华", "红梅")


def _person(rng: random.Random) -> PersonData:
    """Entered from the market's own list: a name, a birth date and a sex, the ID number still to be checked."""
    born = dt.date(rng.randint(1948, 1995), rng.randint(1, 12), rng.randint(1, 28))
    return PersonData(
        name=rng.choice(FAMILY_NAMES) + rng.choice(GIVEN_NAMES), born_on=born, sex=rng.choice((Sex.MALE, Sex.FEMALE))
    )


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    compound = Node.objects.filter(kind=NodeKind.COMPOUND, name=COMPOUND).order_by("path").first()
    if compound is None:
        return "registry: no 磨玉市场小区 in this tier, no gaps added"
    system = Actor.system("demo")
    building = node_add(actor=system, parent=compound, kind=NodeKind.BUILDING, name=GAP_BUILDING, floors=3)
    unit = node_add(actor=system, parent=building, kind=NodeKind.UNIT, name="1单元", code="1")
    moved_in = today - dt.timedelta(days=40)
    shop = Dwelling.objects.create(
        unit=unit, room="101", floor=1, kind=DwellingKind.COMMERCIAL, exclusive_area_dm2=4200, org_path=unit.path
    )
    for floor, room in ((2, "201"), (3, "301")):
        dwelling = Dwelling.objects.create(
            unit=unit, room=room, floor=floor, exclusive_area_dm2=rng.randint(6000, 11000), org_path=unit.path
        )
        household = household_register(actor=system, dwelling=dwelling, moved_in_on=moved_in, head=_person(rng))
        person_register(
            actor=system, household=household, relation=Relation.SPOUSE, joined_on=moved_in, data=_person(rng)
        )
        owned = [dwelling, shop] if floor == 2 else [dwelling]
        Ownership.objects.bulk_create(
            Ownership(dwelling=d, person_id=household.head_id, acquired_on=moved_in) for d in owned
        )
    for n in (1, 2):
        household = Household.objects.create(
            number=f"{PAPER_LEDGER_PREFIX}{n}", org_path=compound.path, registered_on=today - dt.timedelta(days=400)
        )
        head = person_register(
            actor=system,
            household=household,
            relation=Relation.HEAD,
            joined_on=household.registered_on,
            data=_person(rng),
        )
        Household.objects.filter(pk=household.pk).update(head=head)
    return "registry: 1 栋未划网格的楼（2户）, 2 户未关联房屋"
