"""Reads of the registry; every one starts from a visible_* scope in registry.permissions."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from gongzhi.core.actors import Actor, subtree_q
from gongzhi.core.identity import DocumentType, InvalidDocument, InvalidPhone, parse_document, parse_phone
from gongzhi.core.search import QueryKind, classify_query, prefix_q
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Dwelling, Household, Membership, Person, Residence
from gongzhi.registry.permissions import visible_dwellings, visible_households, visible_people
from gongzhi.registry.services import id_blind_index, phone_blind_index
from gongzhi.territory.models import Node


def person_search_q(text: str) -> Q:
    """A predicate for one search box: exact ID or phone through the blind index, else name or pinyin prefix."""
    kind, value = classify_query(text)
    if kind is QueryKind.ID_NUMBER:
        keys = set()
        for doc_type in (
            DocumentType.CITIZEN_ID,
            DocumentType.HMT_TRAVEL_PERMIT,
            DocumentType.FOREIGN_PR_2017,
            DocumentType.PASSPORT,
        ):
            try:
                keys.add(id_blind_index(parse_document(doc_type, value).search_key))
            except InvalidDocument:
                continue
        return Q(id_bidx__in=keys)
    if kind is QueryKind.PHONE:
        try:
            return Q(phone_bidx=phone_blind_index(parse_phone(value)))
        except InvalidPhone:
            return Q(pk__in=[])
    if kind is QueryKind.PINYIN:
        return prefix_q("name_pinyin", value) | prefix_q("name_initials", value)
    return prefix_q("name", value)


def person_list(
    *,
    actor: Actor,
    search: str = "",
    grid_id: int | None = None,
    node: Node | None = None,
    care_tag_id: int | None = None,
    status: str | None = PersonStatus.RESIDENT,
) -> QuerySet[Person]:
    people = visible_people(actor)
    order: tuple[str, ...] = ("org_path", "id")
    if search.strip():
        people = people.filter(person_search_q(search))
        # A name or pinyin search lists by name: the name indexes then give the first page in order, where
        # ordering by place made SQLite walk the whole scope in place order to find 50 matching names.
        kind = classify_query(search)[0]
        if kind is QueryKind.NAME:
            order = ("name", "id")
        elif kind is QueryKind.PINYIN:
            order = ("name_pinyin", "id")
    if grid_id is not None:
        people = people.filter(grid_id=grid_id)
    if node is not None:
        people = people.filter(subtree_q("org_path", node.path))
    if care_tag_id is not None:
        people = people.filter(care_tag_links__tag_id=care_tag_id)
    if status:
        people = people.filter(status=status)
    return people.select_related("grid", "household__dwelling__unit").order_by(*order)


def person_get(*, actor: Actor, person_id: int) -> Person:
    return get_object_or_404(
        visible_people(actor).select_related("household__dwelling__unit", "grid").prefetch_related("care_tags"),
        pk=person_id,
    )


def household_get(*, actor: Actor, household_id: int) -> Household:
    members = Person.objects.order_by("id").prefetch_related("care_tags")
    return get_object_or_404(
        visible_households(actor)
        .select_related("dwelling__unit", "grid", "head")
        .prefetch_related(Prefetch("members", queryset=members)),
        pk=household_id,
    )


def household_memberships(*, household: Household) -> QuerySet[Membership]:
    """The whole membership history of a household the caller already got through household_get."""
    return household.memberships.select_related("person").order_by("-left_on", "joined_on", "id")


def household_residences(*, household: Household) -> QuerySet[Residence]:
    return household.residences.select_related("dwelling__unit").order_by("-moved_in_on", "-id")


def dwelling_list(*, actor: Actor, unit: Node) -> QuerySet[Dwelling]:
    return (
        visible_dwellings(actor)
        .filter(unit=unit)
        .prefetch_related(
            Prefetch("households", queryset=Household.objects.filter(is_active=True).select_related("head"))
        )
        .order_by("floor", "room")
    )


def dwelling_get(*, actor: Actor, dwelling_id: int) -> Dwelling:
    return get_object_or_404(visible_dwellings(actor).select_related("unit", "grid"), pk=dwelling_id)


def dwelling_households(*, actor: Actor, dwelling: Dwelling) -> QuerySet[Household]:
    return visible_households(actor).filter(dwelling=dwelling, is_active=True).select_related("head").order_by("id")


def household_list(*, actor: Actor, grid_id: int | None = None, node: Node | None = None) -> QuerySet[Household]:
    households = visible_households(actor).filter(is_active=True)
    if grid_id is not None:
        households = households.filter(grid_id=grid_id)
    if node is not None:
        households = households.filter(subtree_q("org_path", node.path))
    return households.order_by("org_path", "id")


def dwelling_search(*, actor: Actor, grid_id: int | None = None, node: Node | None = None) -> QuerySet[Dwelling]:
    dwellings = visible_dwellings(actor)
    if grid_id is not None:
        dwellings = dwellings.filter(grid_id=grid_id)
    if node is not None:
        dwellings = dwellings.filter(subtree_q("org_path", node.path))
    return dwellings.order_by("org_path", "floor", "room")


def dwelling_find(*, actor: Actor, compound: str, building: str, unit: str, room: str) -> Dwelling | None:
    """A visible dwelling by the address as staff write it (华侨新村 / 1号楼 / 1单元 / 301室)."""
    from gongzhi.registry.importing import building_key, compound_key, room_key, unit_key

    compounds = [
        n
        for n in Node.objects.filter(kind="compound").only("path", "name")
        if compound_key(n.name) == compound_key(compound)
    ]
    buildings = [
        n
        for c in compounds
        for n in Node.objects.filter(subtree_q("path", c.path), kind="building").only("path", "name")
        if building_key(n.name) == building_key(building)
    ]
    units = [
        n.pk
        for b in buildings
        for n in Node.objects.filter(subtree_q("path", b.path), kind="unit").only("pk", "name")
        if unit_key(n.name) == unit_key(unit)
    ]
    rooms = {room.strip(), room_key(room)}
    return visible_dwellings(actor).filter(unit_id__in=units, room__in=rooms).first()


def person_by_document(*, number: str) -> Person | None:
    """The registered person with this ID number, found through the blind index (any scope: staff who
    know the full number may move the person in; nothing is shown until they do)."""
    from gongzhi.core.search import QueryKind, classify_query

    kind, _value = classify_query(number)
    if kind is not QueryKind.ID_NUMBER:
        return None
    return Person.objects.filter(person_search_q(number)).first()


def place_counts(*, prefix: int) -> dict[str, list[tuple[int | None, str, int]]]:
    """For the cockpit: households in the register (在册) and people living here (在住), as
    (grid_id, org_path cut to ``prefix`` characters, count) per figure; one grouped query each."""
    place = Substr("org_path", 1, prefix)
    households = (
        Household.objects.filter(is_active=True).values_list("grid_id", place).annotate(n=Count("id")).order_by()
    )
    people = (
        Person.objects.filter(status=PersonStatus.RESIDENT)
        .values_list("grid_id", place)
        .annotate(n=Count("id"))
        .order_by()
    )
    return {"households": list(households), "people": list(people)}


def change_mark() -> int:
    """The last change recorded in the register's history (households and people), for the cockpit."""
    last_household = Household.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
    last_person = Person.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
    return last_household + last_person
