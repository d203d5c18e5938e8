"""Turning an eligibility rule into a voter roll, read from the registry at the moment a poll opens.

The roll is built unscoped, like the responsibility chain: it is the poll's electorate, not what the
person opening the poll may browse. Labels are masked names and places, never ID numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import subtree_q
from gongzhi.core.pinyin import mask_name
from gongzhi.registry.choices import HolderKind, PersonStatus
from gongzhi.registry.models import Dwelling, Household, Ownership, Person
from gongzhi.territory.selectors import place_labels
from gongzhi.votes.choices import Electorate
from gongzhi.votes.rules import Holding, group_owners

ADULT_YEARS = 18  # residents' meetings: residents aged 18 and over (城市居民委员会组织法 Art. 9)


@dataclass
class RollRow:
    voter_key: str
    label: str
    org_path: str = ""
    area_dm2: int = 0
    heads: int = 1
    person_ids: list[int] = field(default_factory=list)
    user_id: int | None = None
    dwellings: list[int] = field(default_factory=list)


@dataclass
class RollBuild:
    rows: list[RollRow]
    warnings: list[str]


def current_ownership_q(on: dt.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}acquired_on__isnull": True}) | Q(**{f"{prefix}acquired_on__lte": on})) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})
    )


def _adult_cutoff(on: dt.date) -> dt.date:
    try:
        return on.replace(year=on.year - ADULT_YEARS)
    except ValueError:  # 29 February
        return on.replace(year=on.year - ADULT_YEARS, day=28)


def _place(labels: dict[str, str], org_path: str, room: str) -> str:
    return f"{labels.get(org_path, '')} {room}".strip()


def build_roll(*, electorate: str, scope_path: str, config: dict[str, object], on: dt.date) -> RollBuild:
    if electorate == Electorate.RESIDENTS:
        return _residents(scope_path, on)
    if electorate == Electorate.HOUSEHOLDS:
        return _households(scope_path, on)
    if electorate == Electorate.OWNERS:
        return _owners(scope_path, on)
    return _members(scope_path, config, on)


def _adults(scope_path: str, on: dt.date) -> tuple[list[Person], int]:
    people = list(
        Person.objects.filter(subtree_q("org_path", scope_path), status=PersonStatus.RESIDENT, household__isnull=False)
        .select_related("household__dwelling")
        .order_by("org_path", "id")
    )
    cutoff = _adult_cutoff(on)
    unknown_age = sum(1 for p in people if p.born_on is None)
    # Without a birth date age cannot be checked: they stay on the roll, and staff are told how many.
    return [p for p in people if p.born_on is None or p.born_on <= cutoff], unknown_age


def _residents(scope_path: str, on: dt.date) -> RollBuild:
    adults, unknown_age = _adults(scope_path, on)
    labels = place_labels(paths=[p.org_path for p in adults])
    rows = [
        RollRow(
            voter_key=f"person:{p.pk}",
            label=f"{mask_name(p.name)} · {_place(labels, p.org_path, _room(p))}",
            org_path=p.org_path,
            person_ids=[p.pk],
        )
        for p in adults
    ]
    warnings = [_("%(n)d名居民未登记出生日期，已列入名册，请核对年龄。") % {"n": unknown_age}] if unknown_age else []
    return RollBuild(rows, warnings)


def _room(person: Person) -> str:
    household = person.household
    return household.dwelling.room if household is not None and household.dwelling is not None else ""


def _households(scope_path: str, on: dt.date) -> RollBuild:
    households = list(
        Household.objects.filter(subtree_q("org_path", scope_path), is_active=True)
        .select_related("dwelling", "head")
        .order_by("org_path", "id")
    )
    adults, _unknown = _adults(scope_path, on)
    members: dict[int, list[int]] = defaultdict(list)
    for person in adults:
        if person.household_id is not None:
            members[person.household_id].append(person.pk)
    labels = place_labels(paths=[h.org_path for h in households])
    rows = []
    without_adult = 0
    for h in households:
        if not members.get(h.pk):
            without_adult += 1
        head = mask_name(h.head.name) if h.head is not None else h.number
        room = h.dwelling.room if h.dwelling is not None else ""
        rows.append(
            RollRow(
                voter_key=f"household:{h.pk}",
                label=f"{head} · {_place(labels, h.org_path, room)}",
                org_path=h.org_path,
                person_ids=members.get(h.pk, []),
            )
        )
    warnings = (
        [_("%(n)d户没有登记的成年成员，只能由工作人员录入纸质选票。") % {"n": without_adult}] if without_adult else []
    )
    return RollBuild(rows, warnings)


def _holder(ownership: Ownership) -> str:
    if ownership.holder_kind == HolderKind.PERSON:
        return f"p{ownership.person_id}"
    prefix = "dev" if ownership.holder_kind == HolderKind.DEVELOPER else "org"
    return f"{prefix}:{ownership.holder_name.strip()}"


def _owners(scope_path: str, on: dt.date) -> RollBuild:
    dwellings = list(Dwelling.objects.filter(subtree_q("org_path", scope_path)).order_by("org_path", "floor", "room"))
    ownerships: dict[int, list[Ownership]] = defaultdict(list)
    for ownership in (
        Ownership.objects.filter(current_ownership_q(on), dwelling__in=[d.pk for d in dwellings])
        .select_related("person")
        .order_by("id")
    ):
        ownerships[ownership.dwelling_id].append(ownership)
    warnings: list[str] = []
    unowned = [d for d in dwellings if not ownerships.get(d.pk)]
    if unowned:
        warnings.append(
            _("%(n)d套房屋没有登记产权人，未计入总面积和总人数：%(rooms)s")
            % {
                "n": len(unowned),
                "rooms": "、".join(_short(d) for d in unowned[:10]) + ("…" if len(unowned) > 10 else ""),
            }
        )
    names: dict[str, str] = {}
    holdings = []
    by_pk = {d.pk: d for d in dwellings}
    for dwelling in dwellings:
        held = ownerships.get(dwelling.pk)
        if not held:
            continue
        shares = sum((Fraction(o.share_numerator, o.share_denominator) for o in held), Fraction(0))
        if shares != 1:
            warnings.append(
                _("房屋%(d)s的产权份额合计为%(s)s，不是1，请核对。")
                % {"d": _short(dwelling), "s": f"{shares.numerator}/{shares.denominator}"}
            )
        for o in held:
            names[_holder(o)] = mask_name(o.person.name) if o.person is not None else o.holder_name.strip()
        holdings.append(
            Holding(
                dwelling=str(dwelling.pk), area_dm2=dwelling.exclusive_area_dm2, holders=frozenset(map(_holder, held))
            )
        )
    labels = place_labels(paths=[d.org_path for d in dwellings])
    rows = []
    for owner in group_owners(holdings):
        owned = [by_pk[int(pk)] for pk in owner.dwellings]
        first = owned[0]
        where = _place(labels, first.org_path, first.room)
        if len(owned) > 1:
            where = _("%(first)s 等%(n)d套") % {"first": where, "n": len(owned)}
        who = "、".join(names[h] for h in sorted(owner.holders))
        rows.append(
            RollRow(
                voter_key=owner.key,
                label=f"{who} · {where}"[:200],
                org_path=first.org_path,
                area_dm2=owner.area_dm2,
                heads=owner.heads,
                person_ids=sorted(int(h[1:]) for h in owner.holders if h.startswith("p")),
                dwellings=[d.pk for d in owned],
            )
        )
    return RollBuild(rows, warnings)


def _short(dwelling: Dwelling) -> str:
    return f"#{dwelling.pk}({dwelling.room})"


def _members(scope_path: str, config: dict[str, object], on: dt.date) -> RollBuild:
    listed = config.get("user_ids") or []
    user_ids: set[int] = {int(u) for u in listed} if isinstance(listed, list) else set()
    role = config.get("role")
    if role:
        duties = Duty.objects.filter(Duty.current_q(on), role=role).filter(
            subtree_q("node__path", scope_path) | subtree_q("grid__org_path", scope_path)
        )
        user_ids |= set(duties.values_list("user_id", flat=True))
    users = User.objects.filter(pk__in=user_ids, is_active=True).order_by("username")
    return RollBuild([RollRow(voter_key=f"user:{u.pk}", label=str(u), user_id=u.pk) for u in users], [])


def notice_user_ids(*, electorate: str, scope_path: str, config: dict[str, object], on: dt.date) -> set[int]:
    """Who is told a poll has been announced: the logins of those who would be on its roll today.

    Read straight from the registry rather than by drawing a roll (which opening does, once): the
    notice needs only who, not the weights or the labels.
    """
    if electorate == Electorate.MEMBERS:
        return {row.user_id for row in _members(scope_path, config, on).rows if row.user_id is not None}
    if electorate == Electorate.OWNERS:
        people = Person.objects.filter(
            pk__in=Ownership.objects.filter(
                current_ownership_q(on), subtree_q("dwelling__org_path", scope_path), person__isnull=False
            ).values("person_id")
        )
    else:
        people = Person.objects.filter(
            subtree_q("org_path", scope_path), status=PersonStatus.RESIDENT, household__isnull=False
        ).filter(Q(born_on__isnull=True) | Q(born_on__lte=_adult_cutoff(on)))
    return set(people.filter(user__isnull=False).values_list("user_id", flat=True))
