"""Who lives in a dwelling: households as a street office would register them, with plausible ages,
relations, documents, phones and care tags.

Pure Python: this module draws drafts (what a worker would type into the registry form); seed.py turns
them into rows through registry.services.person_fields.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from gongzhi.core.identity import DocumentType, Sex
from gongzhi.core.pinyin import split_surname
from gongzhi.demo.layout import Style
from gongzhi.demo.names import HMT_PHONE, NameMaker, NumberMaker, Weighted
from gongzhi.registry.choices import Relation
from gongzhi.registry.services import PersonData

# Ages, move-in dates and "today" are all measured from this date, never the wall clock, so that one
# seed gives the same people whenever it runs.
REFERENCE_DATE = dt.date(2026, 11, 1)
DAYS_PER_YEAR = 365.2425


class Occupancy(StrEnum):
    OWNER = "owner"  # the owner's household lives there
    TENANT = "tenant"  # rented out: a tenant household lives there, the owner elsewhere
    VACANT = "vacant"  # owned by someone who lives elsewhere, nobody registered there
    DEVELOPER = "developer"  # unsold, still held by the developer
    ORGANISATION = "organisation"  # a shop held by a company


@dataclass(slots=True)
class Resident:
    data: PersonData
    sex: str
    born: dt.date
    relation: str
    joined_on: dt.date
    tags: list[str] = field(default_factory=list)
    is_owner: bool = False


@dataclass(slots=True)
class HouseholdDraft:
    members: list[Resident]  # members[0] is the head
    moved_in_on: dt.date


def years_ago(years: float, *, on: dt.date = REFERENCE_DATE) -> dt.date:
    return on - dt.timedelta(days=round(years * DAYS_PER_YEAR))


def age_on(born: dt.date, on: dt.date = REFERENCE_DATE) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# Household shapes and how common they are, by the kind of compound: old compounds house many
# elderly people living alone or as couples whose children have moved away.
OWNER_SHAPES: dict[str, tuple[tuple[str, int], ...]] = {
    "older": (
        ("elderly_single", 13), ("elderly_couple", 17), ("single_adult", 6), ("couple", 9), ("couple_child", 19),
        ("couple_children", 8), ("three_generations", 13), ("single_parent", 4), ("grandparents_grandchild", 4),
        ("elderly_with_child", 7),
    ),
    "newer": (
        ("elderly_single", 3), ("elderly_couple", 6), ("single_adult", 8), ("couple", 13), ("couple_child", 28),
        ("couple_children", 15), ("three_generations", 15), ("single_parent", 5), ("grandparents_grandchild", 2),
        ("elderly_with_child", 5),
    ),
}  # fmt: skip
TENANT_SHAPES: tuple[tuple[str, int], ...] = (
    ("tenant_single", 30), ("tenant_couple", 20), ("tenant_family", 32), ("tenant_shared", 18),
)  # fmt: skip

ORGANISATION_NAMES = ("蚌埠市磨玉商贸有限公司", "蚌埠市鑫源物资有限公司", "安徽省淮味餐饮管理有限公司")
DEVELOPER_NAME = "蚌埠某房地产开发有限公司"


class PopulationMaker:
    """Draws households for dwellings; every draw comes from the one ``rng``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = NameMaker(rng)
        self.numbers = NumberMaker(rng)
        self._owner_shapes = {key: Weighted(shapes) for key, shapes in OWNER_SHAPES.items()}
        self._tenant_shapes = Weighted(TENANT_SHAPES)
        self._shapes: dict[str, Callable[[], list[Resident]]] = {
            "elderly_single": self._elderly_single,
            "elderly_couple": self._elderly_couple,
            "single_adult": self._single_adult,
            "couple": lambda: self._couple(children=0),
            "couple_child": lambda: self._couple(children=1),
            "couple_children": lambda: self._couple(children=2),
            "three_generations": self._three_generations,
            "single_parent": self._single_parent,
            "grandparents_grandchild": self._grandparents_grandchild,
            "elderly_with_child": self._elderly_with_child,
            "tenant_single": lambda: [self._adult(Relation.HEAD, 20, 40, wide=True)],
            "tenant_couple": lambda: self._couple(children=0, youngest=22, oldest=40, wide=True),
            "tenant_family": lambda: self._couple(children=1, youngest=26, oldest=45, wide=True),
            "tenant_shared": self._shared_flat,
        }

    # --- dwellings ------------------------------------------------------------------------------

    def occupancy(self, style: Style, *, is_shop: bool) -> Occupancy:
        r = self.rng.random()
        if is_shop:
            if r < 0.2:
                return Occupancy.DEVELOPER
            return Occupancy.ORGANISATION if r < 0.3 else Occupancy.VACANT
        if style is Style.MARKET and r < 0.08:
            return Occupancy.DEVELOPER  # the newest compound still has unsold flats
        r = self.rng.random()
        if r < 0.045:
            return Occupancy.VACANT
        return Occupancy.TENANT if r < 0.145 else Occupancy.OWNER

    def area_dm2(self, style: Style, *, is_shop: bool) -> int:
        """A flat's exclusive area in 0.01 m²: small walk-up flats in old compounds, larger ones in new."""
        if is_shop:
            low, high = 20, 80
        elif style is Style.OLD:
            low, high = 45, 95
        elif style is Style.SINGLE:
            low, high = 50, 105
        else:
            low, high = 80, 140
        return self.rng.randint(low * 100, high * 100)

    def household(self, style: Style, *, tenant: bool, built_year: int, shape: str = "") -> HouseholdDraft:
        if not shape:
            if tenant:
                shape = self._tenant_shapes.pick(self.rng)
            else:
                shape = self._owner_shapes["older" if style in (Style.OLD, Style.SINGLE) else "newer"].pick(self.rng)
        members = self._shapes[shape]()
        earliest = dt.date(built_year, 6, 1)
        if tenant:
            earliest = max(earliest, dt.date(2019, 1, 1))  # leases are short: tenants arrived lately
        earliest = max(earliest, years_ago(-20, on=members[0].born))  # a head of household from 20
        moved_in_on = self.date_between(min(earliest, years_ago(0.1)), years_ago(0.05))
        for member in members:
            if member.relation in (Relation.PARENT, Relation.PARENT_IN_LAW) and self.rng.random() < 0.5:
                member.joined_on = self.date_between(moved_in_on, years_ago(0.02))  # moved in to be looked after
            else:
                member.joined_on = max(moved_in_on, member.born)
        if not tenant:
            self._set_owners(members)
        self._add_care_tags(members, style, shape)
        return HouseholdDraft(members, moved_in_on)

    def non_resident_owner(self) -> PersonData:
        """An owner who lives elsewhere (a landlord, or the owner of an empty flat or a shop)."""
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        return self._person_data(sex, self.born(32, 78), wide=True)

    def organisation_name(self) -> str:
        return self.rng.choice(ORGANISATION_NAMES)

    # --- people ---------------------------------------------------------------------------------

    def date_between(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return dt.date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))

    def born(self, youngest: int, oldest: int) -> dt.date:
        """A birth date for someone aged ``youngest``..``oldest`` on the reference date."""
        return self.date_between(years_ago(oldest + 1) + dt.timedelta(days=1), years_ago(youngest))

    def _person_data(
        self,
        sex: str,
        born: dt.date,
        *,
        surname: str | None = None,
        wide: bool = False,
        local_child: bool = False,
    ) -> PersonData:
        """What a worker types for one person. Birth date and sex are typed too: person_fields checks them
        against the number, so a generator slip fails loudly instead of seeding nonsense."""
        rng = self.rng
        age = age_on(born)
        r = rng.random()
        if age >= 18 and r < 0.0003:
            return self._foreigner(sex, born)
        if age >= 18 and r < 0.0007:
            return self._hmt_resident(sex, born, surname)
        if age >= 18 and r < 0.0037:
            name, area = self.names.minority(sex)
            number = self.numbers.citizen_id(area, born, sex)
            return PersonData(name, DocumentType.CITIZEN_ID, number, self._phone(age), born, sex)
        name = self.names.full(sex, born, surname=surname)
        if (age < 3 and rng.random() < 0.6) or (age < 16 and rng.random() < 0.03):
            # Parents register a newborn's 户口 but often have no ID card made for years.
            return PersonData(name, born_on=born, sex=sex)
        area = self.numbers.local_area() if local_child else self.numbers.area()
        if wide and rng.random() < 0.5:
            area = self.numbers.area()
        if born.year < 1955 and rng.random() < 0.03:
            number = self.numbers.legacy_citizen_id(area, born, sex)  # never swapped for a second-generation card
        else:
            number = self.numbers.citizen_id(area, born, sex)
        return PersonData(name, DocumentType.CITIZEN_ID, number, self._phone(age), born, sex)

    def _phone(self, age: int) -> str:
        r = self.rng.random()
        if age < 14:
            return ""
        if age < 18:
            return self.numbers.mobile() if r < 0.5 else ""
        if age < 70:
            return self.numbers.mobile() if r < 0.93 else ""
        if r < 0.5:
            return self.numbers.mobile()
        return self.numbers.landline() if r < 0.72 else ""

    def _foreigner(self, sex: str, born: dt.date) -> PersonData:
        who = self.names.foreigner(sex)
        if self.rng.random() < 0.4:
            phone = self.numbers.international(who.phone_prefix, who.phone_digits)
        else:
            phone = self.numbers.mobile()
        if self.rng.random() < 0.4:
            number = self.numbers.foreign_pr(who.nationality, born, who.sex)
            return PersonData(who.name, DocumentType.FOREIGN_PR, number, phone, born, who.sex)
        number = self.numbers.passport(who.passport_prefix)
        return PersonData(who.name, DocumentType.PASSPORT, number, phone, born, who.sex)

    def _hmt_resident(self, sex: str, born: dt.date, surname: str | None) -> PersonData:
        region = self.rng.choice(("hk", "hk", "mo", "tw"))
        prefix, digits = HMT_PHONE[region]
        phone = self.numbers.international(prefix, digits) if self.rng.random() < 0.5 else self.numbers.mobile()
        number = self.numbers.hmt_residence_permit(region, born, sex)
        name = self.names.full(sex, born, surname=surname)
        return PersonData(name, DocumentType.HMT_RESIDENCE_PERMIT, number, phone, born, sex)

    def _resident(
        self, relation: str, sex: str, born: dt.date, *, surname: str | None = None, wide: bool = False
    ) -> Resident:
        local_child = relation in (Relation.CHILD, Relation.GRANDCHILD) and age_on(born) < 30
        data = self._person_data(sex, born, surname=surname, wide=wide, local_child=local_child)
        return Resident(data, data.sex, born, relation, REFERENCE_DATE)

    def _adult(self, relation: str, youngest: int, oldest: int, *, wide: bool = False) -> Resident:
        return self._resident(relation, self.rng.choice((Sex.MALE, Sex.FEMALE)), self.born(youngest, oldest), wide=wide)

    def _elderly_age(self, mode: int = 66) -> int:
        # Most elderly residents are in their sixties; those living alone are older (widowhood).
        return min(98, round(self.rng.triangular(60, 96, mode)))

    # --- household shapes -----------------------------------------------------------------------

    def _elderly_single(self) -> list[Resident]:
        sex = Sex.FEMALE if self.rng.random() < 0.65 else Sex.MALE  # widows outnumber widowers
        age = self._elderly_age(mode=76)
        return [self._resident(Relation.HEAD, sex, self.born(age, age))]

    def _elderly_couple(self) -> list[Resident]:
        age = self._elderly_age()
        return self._pair(self.born(age, age), spouse_gap=self.rng.randint(-1, 5))

    def _single_adult(self) -> list[Resident]:
        return [self._adult(Relation.HEAD, 22, 58)]

    def _pair(self, husband_born: dt.date, *, spouse_gap: int, wide: bool = False) -> list[Resident]:
        """A married couple; the head is the husband more often than not, as 户主 still tends to be."""
        wife_born = min(years_ago(20), husband_born + dt.timedelta(days=round(spouse_gap * DAYS_PER_YEAR)))
        husband = self._resident(Relation.HEAD, Sex.MALE, husband_born, wide=wide)
        wife = self._resident(Relation.SPOUSE, Sex.FEMALE, wife_born, wide=wide)
        if self.rng.random() < 0.3:
            husband.relation, wife.relation = Relation.SPOUSE, Relation.HEAD
            return [wife, husband]
        return [husband, wife]

    def _children(self, mother: Resident, surname: str, count: int, relation: str = Relation.CHILD) -> list[Resident]:
        children = []
        age = age_on(mother.born) - self.rng.randint(22, 34)
        for _ in range(count):
            if age < 0:
                break
            sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
            children.append(self._resident(relation, sex, self.born(age, age), surname=surname))
            age -= self.rng.randint(2, 7)
        return children

    def _couple(self, *, children: int, youngest: int = 24, oldest: int = 60, wide: bool = False) -> list[Resident]:
        if children:
            youngest, oldest = max(youngest, 26), min(oldest, 56)
        members = self._pair(self.born(youngest, oldest), spouse_gap=self.rng.randint(-2, 5), wide=wide)
        return members + self._children(_wife(members), _family_surname(members), children)

    def _three_generations(self) -> list[Resident]:
        if self.rng.random() < 0.5:
            # A working couple with their children and one or two of the head's (or spouse's) parents.
            members = self._couple(children=self.rng.choice((1, 1, 2)), youngest=30, oldest=50)
            relation = Relation.PARENT if self.rng.random() < 0.7 else Relation.PARENT_IN_LAW
            father_age = age_on(members[0].born) + self.rng.randint(24, 34)
            parents = [self._resident(relation, Sex.FEMALE, self.born(father_age - 3, father_age))]
            if self.rng.random() < 0.5 and father_age < 95:
                parents.insert(0, self._resident(relation, Sex.MALE, self.born(father_age, father_age)))
            return members + parents
        # An elderly couple with a married child, the child's spouse and grandchildren.
        age = self.rng.randint(58, 82)
        members = self._pair(self.born(age, age), spouse_gap=self.rng.randint(0, 4))
        grown_up = self._children(_wife(members), _family_surname(members), 1)
        if not grown_up or age_on(grown_up[0].born) < 24:
            return members + grown_up
        grown = grown_up[0]
        grown_age = age_on(grown.born)
        in_law_sex = Sex.FEMALE if grown.sex == Sex.MALE else Sex.MALE
        in_law = self._resident(Relation.CHILD_IN_LAW, in_law_sex, self.born(max(20, grown_age - 3), grown_age + 2))
        young_family = [grown, in_law]
        grandchildren = self._children(
            _wife(young_family), _family_surname(young_family), self.rng.choice((1, 1, 2)), Relation.GRANDCHILD
        )
        return [*members, grown, in_law, *grandchildren]

    def _single_parent(self) -> list[Resident]:
        parent = self._adult(Relation.HEAD, 28, 52)
        return [parent, *self._children(parent, _surname(parent), 1)]

    def _grandparents_grandchild(self) -> list[Resident]:
        age = self.rng.randint(55, 76)
        if self.rng.random() < 0.6:
            members = self._pair(self.born(age, age), spouse_gap=self.rng.randint(0, 4))
        else:
            members = [self._resident(Relation.HEAD, Sex.FEMALE, self.born(age, age))]
        surname = _family_surname(members)
        for _ in range(self.rng.choice((1, 1, 2))):
            grand_age = self.rng.randint(3, 15)
            sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
            members.append(self._resident(Relation.GRANDCHILD, sex, self.born(grand_age, grand_age), surname=surname))
        return members

    def _elderly_with_child(self) -> list[Resident]:
        age = self._elderly_age()
        sex = Sex.FEMALE if self.rng.random() < 0.6 else Sex.MALE
        head = self._resident(Relation.HEAD, sex, self.born(age, age))
        if self.rng.random() < 0.15:
            return [head, self._adult(Relation.SIBLING, max(60, age - 8), min(98, age + 5))]
        child_age = max(25, age - self.rng.randint(24, 34))
        child_sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        surname = _surname(head) if sex == Sex.MALE else None
        return [head, self._resident(Relation.CHILD, child_sex, self.born(child_age, child_age), surname=surname)]

    def _shared_flat(self) -> list[Resident]:
        members = [self._adult(Relation.HEAD, 20, 35, wide=True)]
        for _ in range(self.rng.choice((1, 1, 2))):
            members.append(self._adult(Relation.TENANT, 20, 35, wide=True))
        return members

    # --- ownership and care tags ----------------------------------------------------------------

    def _set_owners(self, members: list[Resident]) -> None:
        head = members[0]
        head.is_owner = True
        spouse = next((m for m in members if m.relation == Relation.SPOUSE), None)
        if spouse is not None and self.rng.random() < 0.3:
            spouse.is_owner = True  # co-owned, half each

    def _add_care_tags(self, members: list[Resident], style: Style, shape: str) -> None:
        rng = self.rng
        ages = [age_on(m.born) for m in members]
        older = style in (Style.OLD, Style.SINGLE)
        if shape == "elderly_single" and ages[0] >= 60:
            members[0].tags.append("elderly_alone")
        if shape == "elderly_couple" and min(ages) >= 60:
            for member in members:
                member.tags.append("empty_nest")
        if rng.random() < (0.028 if older else 0.008):
            members[0].tags.append("low_income")
        for member, age in zip(members, ages, strict=True):
            sex = member.sex
            if shape == "grandparents_grandchild" and member.relation == Relation.GRANDCHILD and age < 16:
                member.tags.append("left_behind_child")
            if age >= 5 and rng.random() < 0.012:
                member.tags.append("disabled")
            if sex == Sex.MALE and 40 <= age <= 85 and rng.random() < 0.03:
                member.tags.append("veteran")
            if age >= 45 and rng.random() < 0.012:
                member.tags.append("seriously_ill")
            if (
                sex == Sex.FEMALE
                and 22 <= age <= 40
                and member.relation in (Relation.HEAD, Relation.SPOUSE, Relation.CHILD_IN_LAW)
                and rng.random() < 0.04
            ):
                member.tags.append("pregnant")
            if rng.random() < 0.003:
                member.tags.append("special_care")


def _surname(member: Resident) -> str:
    return split_surname(member.data.name)[0]


def _wife(members: list[Resident]) -> Resident:
    return next((m for m in members if m.sex == Sex.FEMALE), members[0])


def _family_surname(members: list[Resident]) -> str:
    """Children take the father's surname (when there is a father in the household)."""
    father = next((m for m in members if m.sex == Sex.MALE), members[0])
    return _surname(father)
