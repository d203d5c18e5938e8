"""A small, complete world for tests: one subdistrict with two communities, grids A and B, and the
personas of DESIGN.md §1, each with the Duties that give them their part.

    纬二路街道 (subdistrict)
    ├── 第一社区 (community, code 340303001001)
    │   └── 第一片区 (area 01)
    │       ├── X小区 (compound 001, property company)    grid A: building 1;  grid B: building 2
    │       │   ├── 1号楼 / 1单元 / 101, 102   — jumin's household in 101
    │       │   └── 2号楼 / 1单元 / 101
    │       └── Y小区 (compound 002, old, no property company)  grid A: building 3
    │           └── 3号楼 / 1单元 / 101
    └── 第二社区 (community, code 340303001002)
        └── 第二片区 / Z小区 / 9号楼 / 1单元 / 101        grid C

Owners (registry.Ownership): 1-101 居民甲 + 曾小红 (½ each), 1-102 邻居乙, 2-101 住户丙, 9-101 住户丁,
3-101 the developer's unsold stock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import Actor
from gongzhi.registry.choices import DwellingKind, HolderKind, Relation
from gongzhi.registry.models import Dwelling, Household, Ownership, Person
from gongzhi.registry.services import PersonData, household_register, person_register
from gongzhi.territory.choices import ManagementMode, NodeKind
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.services import grid_create, node_add

SYSTEM = Actor.system("test-world")
PASSWORD = "Test-pass-2026"

# Valid synthetic identity numbers (MOD 11-2 checked) for the world's people.
JUMIN_ID = "340303199001011233"
JUMIN_SPOUSE_ID = "34030319920304122X"
NEIGHBOUR_ID = "340303198505051234"
OTHER_GRID_ID = "340303197712120015"
OTHER_COMMUNITY_ID = "340303196806060020"


@dataclass
class World:
    subdistrict: Node
    community: Node
    other_community: Node
    area: Node
    compound_x: Node
    compound_y: Node
    compound_z: Node
    buildings: dict[str, Node]
    units: dict[str, Node]
    grid_a: Grid
    grid_b: Grid
    grid_c: Grid
    dwellings: dict[str, Dwelling]
    households: dict[str, Household]
    people: dict[str, Person]
    users: dict[str, User] = field(default_factory=dict)

    def user(self, username: str) -> User:
        return self.users[username]


def add_dwelling(unit: Node, room: str, *, area_dm2: int = 8950, kind: str = DwellingKind.RESIDENTIAL) -> Dwelling:
    unit = Node.objects.get(pk=unit.pk)
    return Dwelling.objects.create(
        unit=unit,
        room=room,
        floor=int(room[:-2] or 1),
        kind=kind,
        exclusive_area_dm2=area_dm2,
        org_path=unit.path,
        grid_id=unit.grid_id,
    )


def add_user(username: str, full_name: str, *, is_staff: bool = False) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, full_name=full_name, is_staff=is_staff)


def grant(user: User, role: str, *, node: Node | None = None, grid: Grid | None = None) -> Duty:
    return Duty.objects.create(user=user, role=role, node=node, grid=grid, starts_on=dt.date(2020, 1, 1))


def build_world() -> World:
    from gongzhi.registry.services import building_assign_grid

    s = SYSTEM
    sub = node_add(actor=s, parent=None, kind=NodeKind.SUBDISTRICT, name="纬二路街道")
    com = node_add(actor=s, parent=sub, kind=NodeKind.COMMUNITY, name="第一社区", code="340303001001")
    com2 = node_add(actor=s, parent=sub, kind=NodeKind.COMMUNITY, name="第二社区", code="340303001002")
    area = node_add(actor=s, parent=com, kind=NodeKind.AREA, name="第一片区", code="01")
    area2 = node_add(actor=s, parent=com2, kind=NodeKind.AREA, name="第二片区", code="01")
    cx = node_add(
        actor=s,
        parent=area,
        kind=NodeKind.COMPOUND,
        name="X小区",
        code="001",
        management_mode=ManagementMode.PROPERTY_COMPANY,
    )
    cy = node_add(
        actor=s,
        parent=area,
        kind=NodeKind.COMPOUND,
        name="Y小区",
        code="002",
        management_mode=ManagementMode.NONE,
        is_old_compound=True,
    )
    cz = node_add(
        actor=s,
        parent=area2,
        kind=NodeKind.COMPOUND,
        name="Z小区",
        code="001",
        management_mode=ManagementMode.THIRD_PARTY,
    )
    grid_a = grid_create(actor=s, community=com, compound=cx, name="A网格", sequence=1)
    grid_b = grid_create(actor=s, community=com, compound=cx, name="B网格", sequence=2)
    grid_c = grid_create(actor=s, community=com2, compound=cz, name="C网格", sequence=1)
    buildings: dict[str, Node] = {}
    units: dict[str, Node] = {}
    for key, compound, grid in (("1", cx, grid_a), ("2", cx, grid_b), ("3", cy, grid_a), ("9", cz, grid_c)):
        building = node_add(actor=s, parent=compound, kind=NodeKind.BUILDING, name=f"{key}号楼", code=key, floors=6)
        building_assign_grid(actor=s, building=building, grid=grid)
        buildings[key] = Node.objects.get(pk=building.pk)
        units[key] = node_add(actor=s, parent=buildings[key], kind=NodeKind.UNIT, name="1单元", code="1")
    dwellings = {
        "1-101": add_dwelling(units["1"], "101"),
        "1-102": add_dwelling(units["1"], "102", area_dm2=12000),
        "2-101": add_dwelling(units["2"], "101"),
        "3-101": add_dwelling(units["3"], "101"),
        "9-101": add_dwelling(units["9"], "101"),
    }
    on = dt.date(2021, 3, 1)
    households = {
        "jumin": household_register(
            actor=s,
            dwelling=dwellings["1-101"],
            moved_in_on=on,
            head=PersonData(name="居民甲", id_type="citizen_id", id_number=JUMIN_ID, phone="13800001111"),
        ),
        "neighbour": household_register(
            actor=s,
            dwelling=dwellings["1-102"],
            moved_in_on=on,
            head=PersonData(name="邻居乙", id_type="citizen_id", id_number=NEIGHBOUR_ID, phone="13900002222"),
        ),
        "grid_b": household_register(
            actor=s,
            dwelling=dwellings["2-101"],
            moved_in_on=on,
            head=PersonData(name="住户丙", id_type="citizen_id", id_number=OTHER_GRID_ID),
        ),
        "community2": household_register(
            actor=s,
            dwelling=dwellings["9-101"],
            moved_in_on=on,
            head=PersonData(name="住户丁", id_type="citizen_id", id_number=OTHER_COMMUNITY_ID),
        ),
    }
    people = {
        key: Person.objects.get(memberships__household=h, memberships__relation=Relation.HEAD)
        for key, h in households.items()
    }
    people["jumin_spouse"] = person_register(
        actor=s,
        household=households["jumin"],
        relation=Relation.SPOUSE,
        joined_on=on,
        data=PersonData(name="曾小红", id_type="citizen_id", id_number=JUMIN_SPOUSE_ID, phone="13700003333"),
    )
    world = World(
        subdistrict=sub,
        community=com,
        other_community=com2,
        area=area,
        compound_x=cx,
        compound_y=cy,
        compound_z=cz,
        buildings=buildings,
        units=units,
        grid_a=grid_a,
        grid_b=grid_b,
        grid_c=grid_c,
        dwellings=dwellings,
        households=households,
        people=people,
    )
    _add_personas(world)
    _add_ownerships(world)
    return world


DEVELOPER_NAME = "纬二路置业有限公司"


def _add_ownerships(w: World) -> None:
    """Who owns the dwellings (owners' votes count from these): jumin and spouse co-own 1-101, the
    neighbour owns 1-102, 住户丙 owns 2-101, 住户丁 owns 9-101, and 3-101 is the developer's unsold stock."""
    d, p = w.dwellings, w.people
    on = dt.date(2021, 3, 1)
    Ownership.objects.bulk_create(
        [
            Ownership(dwelling=d["1-101"], person=p["jumin"], share_numerator=1, share_denominator=2, acquired_on=on),
            Ownership(
                dwelling=d["1-101"], person=p["jumin_spouse"], share_numerator=1, share_denominator=2, acquired_on=on
            ),
            Ownership(dwelling=d["1-102"], person=p["neighbour"], acquired_on=on),
            Ownership(dwelling=d["2-101"], person=p["grid_b"], acquired_on=on),
            Ownership(dwelling=d["9-101"], person=p["community2"], acquired_on=on),
            Ownership(dwelling=d["3-101"], holder_kind=HolderKind.DEVELOPER, holder_name=DEVELOPER_NAME),
        ]
    )


def _add_personas(w: World) -> None:
    u = w.users
    u["jiedao"] = add_user("jiedao", "街道干部", is_staff=True)
    grant(u["jiedao"], Role.SUBDISTRICT_OFFICER, node=w.subdistrict)
    u["shequ"] = add_user("shequ", "社区工作者")
    grant(u["shequ"], Role.COMMUNITY_WORKER, node=w.community)
    u["baobao"] = add_user("baobao", "包保干部")
    grant(u["baobao"], Role.RESPONSIBLE_CADRE, node=w.compound_x)
    u["lingdao"] = add_user("lingdao", "包保领导")
    grant(u["lingdao"], Role.LEAD_CADRE, node=w.compound_x)
    u["wangge_a"] = add_user("wangge_a", "网格员A")
    grant(u["wangge_a"], Role.GRID_HEAD, grid=w.grid_a)
    u["wangge_b"] = add_user("wangge_b", "网格员B")
    grant(u["wangge_b"], Role.GRID_HEAD, grid=w.grid_b)
    u["louzhang"] = add_user("louzhang", "楼栋长")
    grant(u["louzhang"], Role.BUILDING_HEAD, node=w.buildings["1"])
    u["wuye"] = add_user("wuye", "物业人员")
    grant(u["wuye"], Role.PROPERTY_STAFF, node=w.compound_x)
    u["yeweihui"] = add_user("yeweihui", "业委会成员")
    grant(u["yeweihui"], Role.COMMITTEE_MEMBER, node=w.compound_x)
    u["dangzhibu"] = add_user("dangzhibu", "党支部书记")
    grant(u["dangzhibu"], Role.PARTY_SECRETARY, node=w.compound_x)
    u["zhiyuan"] = add_user("zhiyuan", "志愿者协会管理员")
    grant(u["zhiyuan"], Role.VOLUNTEER_MANAGER, node=w.subdistrict)
    u["admin"] = User.objects.create_superuser(username="admin", password=PASSWORD, full_name="平台管理员")
    grant(u["admin"], Role.PLATFORM_ADMIN)
    u["shenji"] = add_user("shenji", "审计员")
    grant(u["shenji"], Role.AUDITOR)
    u["jumin"] = add_user("jumin", "居民甲")
    Person.objects.filter(pk=w.people["jumin"].pk).update(user=u["jumin"])
    u["outsider"] = add_user("outsider", "无职责用户")


ORPHANS_ON = dt.date(2022, 5, 1)


def add_orphans(world: World) -> tuple[Household, Household]:
    """A building of Y小区 that nobody put in a grid, with one household of two; a household of one with no
    dwelling at all (imported from a paper ledger by compound); and a gridless building in 第二社区."""
    building = node_add(actor=SYSTEM, parent=world.compound_y, kind=NodeKind.BUILDING, name="5号楼", code="5")
    unit = node_add(actor=SYSTEM, parent=building, kind=NodeKind.UNIT, name="1单元", code="1")
    gridless = household_register(
        actor=SYSTEM,
        dwelling=add_dwelling(unit, "201"),
        moved_in_on=ORPHANS_ON,
        head=PersonData(name="无网格甲", id_type="citizen_id", id_number="340303198001010017"),
    )
    person_register(
        actor=SYSTEM,
        household=gridless,
        relation=Relation.CHILD,
        joined_on=ORPHANS_ON,
        data=PersonData(name="无网格乙"),
    )
    homeless = Household.objects.create(number="H-PAPER-1", org_path=world.compound_y.path, registered_on=ORPHANS_ON)
    person_register(
        actor=SYSTEM, household=homeless, relation=Relation.HEAD, joined_on=ORPHANS_ON, data=PersonData(name="无房屋丙")
    )
    other = node_add(actor=SYSTEM, parent=world.compound_z, kind=NodeKind.BUILDING, name="8号楼", code="8")
    household_register(
        actor=SYSTEM,
        dwelling=add_dwelling(node_add(actor=SYSTEM, parent=other, kind=NodeKind.UNIT, name="1单元", code="1"), "101"),
        moved_in_on=ORPHANS_ON,
        head=PersonData(name="无网格丁"),
    )
    return gridless, homeless
