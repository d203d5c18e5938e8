"""The demo logins: the personas of DESIGN.md §1 on compound X, and a responsibility chain for the other
compounds (a few left incomplete on purpose, see layout.ChainGap).

Personas are made the way gongzhi.testing.world makes them: create_user / create_superuser and one Duty
per role and place. The hundreds of chain users share one password hash: hashing each with Argon2 would
take minutes, and they all have the same documented demo password anyway.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import make_password

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.core.identity import Sex
from gongzhi.demo.layout import ChainGap, SubdistrictPlan
from gongzhi.demo.names import NameMaker
from gongzhi.registry.models import Person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

if TYPE_CHECKING:
    from gongzhi.demo.seed import Jumin

DUTY_STARTS_ON = dt.date(2020, 1, 1)
RESIDENT = "resident"  # jumin holds no Duty: a resident's scope comes from their household


@dataclass(frozen=True)
class Persona:
    username: str
    full_name: str
    role: str  # a Role, or RESIDENT
    place: str  # which place the Duty names: subdistrict, community, compound, grid_a, grid_b, building, ""
    sees: str
    is_staff: bool = False


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "jiedao",
        "周立新",
        Role.SUBDISTRICT_OFFICER,
        "subdistrict",
        "全街道：区域、网格、职责、走访任务、评分细则",
        True,
    ),
    Persona("shequ", "李春梅", Role.COMMUNITY_WORKER, "community", "本社区的全部区域、网格和居民"),
    Persona("baobao", "陈志刚", Role.RESPONSIBLE_CADRE, "compound", "包保小区的居民、走访和事件"),
    Persona("lingdao", "刘卫东", Role.LEAD_CADRE, "compound", "包保小区（包保领导，事件逐级上报的最后一级）"),
    Persona("wangge_a", "张丽", Role.GRID_HEAD, "grid_a", "只看本网格：户、人、走访、事件"),
    Persona("wangge_b", "王磊", Role.GRID_HEAD, "grid_b", "只看本网格：户、人、走访、事件"),
    Persona("louzhang", "赵德明", Role.BUILDING_HEAD, "building", "本楼栋的住户"),
    Persona("wuye", "孙晓燕", Role.PROPERTY_STAFF, "compound", "派给物业的事件；看不到居民登记信息"),
    Persona("yeweihui", "吴国庆", Role.COMMITTEE_MEMBER, "compound", "本小区业主投票和公告"),
    Persona("dangzhibu", "郑红梅", Role.PARTY_SECRETARY, "compound", "党组织、党员和服务记录"),
    Persona("zhiyuan", "何文静", Role.VOLUNTEER_MANAGER, "subdistrict", "志愿者、活动、服务时长和积分商城"),
    Persona("jumin", "", RESIDENT, "", "自己的户；诉求、提议、投票、志愿服务和积分"),
    Persona("admin", "马骏", Role.PLATFORM_ADMIN, "", "Django 管理后台和系统配置；不能查看审计日志"),
    Persona("shenji", "冯雪", Role.AUDITOR, "", "审计记录和个人信息访问日志"),
)


def _persona_places(plan: SubdistrictPlan) -> dict[str, dict[str, int]]:
    compound_x = plan.persona_compound
    grid_a, grid_b = compound_x.grids[0], compound_x.grids[1]
    return {
        "subdistrict": {"node_id": plan.node_id},
        "community": {"node_id": plan.communities[0].node_id},
        "compound": {"node_id": compound_x.node_id},
        "grid_a": {"grid_id": grid_a.grid_id},
        "grid_b": {"grid_id": grid_b.grid_id},
        "building": {"node_id": grid_a.buildings[0].node_id},
        "": {},
    }


def write_personas(plan: SubdistrictPlan, jumin: Jumin, rng: random.Random) -> dict[str, int]:
    password = settings.GONGZHI_DEMO_PASSWORD
    places = _persona_places(plan)
    duties: list[Duty] = []
    users = 0
    for persona in PERSONAS:
        if persona.role == Role.PLATFORM_ADMIN:
            user = User.objects.create_superuser(
                username=persona.username, password=password, full_name=persona.full_name
            )
        else:
            user = User.objects.create_user(
                username=persona.username,
                password=password,
                full_name=jumin.name if persona.role == RESIDENT else persona.full_name,
                is_staff=persona.is_staff,
            )
        users += 1
        if persona.role == RESIDENT:
            Person.objects.filter(pk=jumin.person_id).update(user=user)
        else:
            duties.append(Duty(user=user, role=persona.role, starts_on=DUTY_STARTS_ON, **places[persona.place]))
    chain_users, chain_duties = _chain(plan, rng, make_password(password))
    duties.extend(chain_duties)
    Duty.objects.bulk_create(duties, batch_size=2000)
    return {"users": users + chain_users, "duties": len(duties)}


def _chain(plan: SubdistrictPlan, rng: random.Random, password_hash: str) -> tuple[int, list[Duty]]:
    """Community workers, and for each compound a lead cadre, a responsible cadre, a grid head per grid and
    a building head for the first building of each grid, except where compound X's personas stand."""
    names = NameMaker(rng)
    holders: dict[str, list[tuple[str, dict[str, int]]]] = {}

    def hold(username: str, role: str, **place: int) -> None:
        holders.setdefault(username, []).append((role, place))

    compound_x = plan.persona_compound
    for community in plan.communities:
        if community is not plan.communities[0]:
            hold(f"sq_{community.code}", Role.COMMUNITY_WORKER, node_id=community.node_id)
        for area in community.areas:
            for compound in area.compounds:
                if compound is compound_x:
                    for grid in compound.grids[2:]:
                        hold(f"wg_{grid.code}", Role.GRID_HEAD, grid_id=grid.grid_id)
                    for grid in compound.grids[1:]:
                        hold(f"lz_{grid.code}", Role.BUILDING_HEAD, node_id=grid.buildings[0].node_id)
                    continue
                gap = compound.spec.chain_gap
                if gap is not ChainGap.NO_LEAD:
                    hold(f"ld_{community.code}", Role.LEAD_CADRE, node_id=compound.node_id)
                if gap is not ChainGap.NO_RESPONSIBLE:
                    hold(
                        f"bb_{community.code}{area.code}{compound.code}",
                        Role.RESPONSIBLE_CADRE,
                        node_id=compound.node_id,
                    )
                for index, grid in enumerate(compound.grids):
                    if not (gap is ChainGap.GRID_HEAD_MISSING and index == len(compound.grids) - 1):
                        hold(f"wg_{grid.code}", Role.GRID_HEAD, grid_id=grid.grid_id)
                    hold(f"lz_{grid.code}", Role.BUILDING_HEAD, node_id=grid.buildings[0].node_id)
    users = []
    for username in holders:
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        full_name = names.full(sex, dt.date(rng.randint(1965, 1996), 6, 1))
        users.append(User(username=username, full_name=full_name, password=password_hash))
    User.objects.bulk_create(users, batch_size=2000)
    duties = [
        Duty(user=user, role=role, starts_on=DUTY_STARTS_ON, **place)
        for user in users
        for role, place in holders[user.username]
    ]
    return len(users), duties


def existing_persona_usernames() -> list[str]:
    return sorted(User.objects.filter(username__in=[p.username for p in PERSONAS]).values_list("username", flat=True))


@dataclass(frozen=True)
class LoginRow:
    username: str
    full_name: str
    role: str
    place: str
    sees: str


def login_rows() -> list[LoginRow]:
    """One row per persona that exists in the database, with the places its current Duties name."""
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])}
    duties = Duty.objects.filter(user__in=users.values()).select_related("node", "grid").order_by("id")
    places: dict[str, list[str]] = {}
    for duty in duties:
        places.setdefault(duty.user.username, []).append(_place_name(duty))
    rows = []
    for persona in PERSONAS:
        user = users.get(persona.username)
        if user is None:
            continue
        if persona.role == RESIDENT:
            role, place = "居民", _home(user)
        else:
            role, place = str(Role(persona.role).label), "、".join(places.get(persona.username, [])) or "—"
        rows.append(LoginRow(persona.username, user.full_name, role, place, persona.sees))
    return rows


def _place_name(duty: Duty) -> str:
    if duty.grid is not None:
        return duty.grid.name
    if duty.node is None:
        return "—"
    if duty.node.kind == NodeKind.BUILDING:
        return f"{Node.objects.get_parent(duty.node)}{duty.node}"  # "1号楼" alone says little
    return duty.node.name


def _home(user: User) -> str:
    person = Person.objects.filter(user=user).select_related("household__dwelling__unit").first()
    if person is None or person.household is None or person.household.dwelling is None:
        return "—"
    dwelling = person.household.dwelling
    building = Node.objects.get_parent(dwelling.unit)
    compound = Node.objects.get_parent(building) if building is not None else None
    return f"{compound}{building}{dwelling.unit}{dwelling.room}（户 {person.household.number}）"
