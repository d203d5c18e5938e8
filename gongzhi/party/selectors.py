"""Reads of party work, each starting from a visible_* scope: the organisation tree, the branch rules as live
checks, coverage figures, member lists, the 联建 links with property companies, and the consented badges."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.party.choices import (
    BRANCH_KINDS,
    COMPOUND_ORG_KINDS,
    HOLDING_KINDS,
    MemberKind,
    MemberStatus,
    OrgKind,
    Seat,
)
from gongzhi.party.models import CommitteeSeat, Consent, Member, Organisation, Term
from gongzhi.party.permissions import visible_members, visible_organisations
from gongzhi.stewardship.services import current_contracts
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

MIN_FULL_MEMBERS = 3  # 党章 Art. 30: three full members set up a basic organisation
MAX_BRANCH_MEMBERS = 50  # a branch normally has at most 50 members
COMMITTEE_FROM = 7  # ≥ 7 full members: a committee of 3–5; fewer: a secretary (and a deputy) only
COMMITTEE_SIZE = (3, 5)
MAX_JOINT_COMPOUNDS = 5
SEAT_RANK = {seat: i for i, seat in enumerate(Seat.values)}
COMPOUND_PATH_LENGTH = 4 * Node.steplen  # subdistrict → community → area → compound


def organisation_list(*, actor: Actor) -> QuerySet[Organisation]:
    return visible_organisations(actor).select_related("parent", "manager").order_by("name", "id")


def organisation_get(*, actor: Actor, organisation_id: int) -> Organisation:
    return get_object_or_404(visible_organisations(actor).select_related("parent", "manager"), pk=organisation_id)


def organisation_page_get(*, actor: Actor, organisation_id: int) -> Organisation:
    """organisation_get with its territory read once, in path order: the page's rule check, member list,
    place list and 联建 links all read it (``organisation.territory.all()``)."""
    return get_object_or_404(
        visible_organisations(actor)
        .select_related("parent", "manager")
        .prefetch_related(Prefetch("territory", queryset=Node.objects.order_by("path"))),
        pk=organisation_id,
    )


def compounds_of(organisation: Organisation) -> list[Node]:
    """The compounds the organisation covers, from its territory (prefetched by organisation_page_get)."""
    return [n for n in organisation.territory.all() if n.kind == NodeKind.COMPOUND]


def current_term(*, organisation: Organisation, on: dt.date) -> Term | None:
    """The latest term begun by the day (an expired one too: the warning says so)."""
    return organisation.terms.filter(starts_on__lte=on).order_by("-starts_on", "-id").first()


def term_seats(term: Term | None) -> list[CommitteeSeat]:
    if term is None:
        return []
    seats = term.seats.select_related("member__person")
    return sorted(seats, key=lambda s: (SEAT_RANK[s.seat], s.pk))


@dataclass
class Counts:
    full: int = 0
    probationary: int = 0

    @property
    def total(self) -> int:
        return self.full + self.probationary


def member_counts(org_ids: Iterable[int]) -> dict[int, Counts]:
    """Active members each organisation holds, full and probationary: one grouped query."""
    counts: dict[int, Counts] = defaultdict(Counts)
    rows = (
        Member.objects.filter(organisation_id__in=list(org_ids), status=MemberStatus.ACTIVE)
        .values_list("organisation_id", "kind")
        .annotate(n=Count("id"))
    )
    for org_id, kind, n in rows:
        setattr(counts[org_id], "full" if kind == MemberKind.FULL else "probationary", n)
    return counts


@dataclass
class RuleCheck:
    """What the rules of domain-rules.md §7 find in one organisation: figures and warnings, never errors."""

    organisation: Organisation
    counts: Counts
    seats: list[str]  # the seats of the current term
    term: Term | None
    compounds: int
    warnings: list[str] = field(default_factory=list)
    groups: int = 0  # active building groups under it
    placed: int = 0  # a group: the members placed in it

    @property
    def shows_counts(self) -> bool:
        return self.organisation.kind in HOLDING_KINDS


def rule_check(
    *,
    organisation: Organisation,
    counts: Counts,
    term: Term | None,
    seats: list[str],
    compounds: int,
    on: dt.date,
) -> RuleCheck:
    check = RuleCheck(organisation, counts, seats, term, compounds)
    w = check.warnings
    kind = organisation.kind
    if not organisation.is_active:
        return check
    if kind in BRANCH_KINDS:
        if counts.full < MIN_FULL_MEMBERS:
            w.append(
                _("正式党员%(n)d名，不足3名：应与邻近单位组建联合党支部（预备党员不计入）。") % {"n": counts.full}
                if kind != OrgKind.JOINT_BRANCH
                else _("联合党支部正式党员%(n)d名，不足3名（预备党员不计入）。") % {"n": counts.full}
            )
        if counts.total > MAX_BRANCH_MEMBERS:
            w.append(_("党员%(n)d名，超过50名：应分设党支部，或成立党总支。") % {"n": counts.total})
        head = seats.count(Seat.SECRETARY)
        if term is None or head == 0:
            w.append(_("未登记书记。"))
        elif counts.full >= COMMITTEE_FROM:
            low, high = COMMITTEE_SIZE
            if not low <= len(seats) <= high:
                w.append(
                    _("正式党员%(n)d名（7名以上），应设支部委员会3至5人，现登记%(s)d人。")
                    % {"n": counts.full, "s": len(seats)}
                )
        elif any(s not in (Seat.SECRETARY, Seat.DEPUTY) for s in seats):
            w.append(_("正式党员%(n)d名（不足7名），不设支部委员会，只设书记（可设副书记）。") % {"n": counts.full})
    if kind == OrgKind.JOINT_BRANCH and compounds > MAX_JOINT_COMPOUNDS:
        w.append(_("联合党支部覆盖%(n)d个小区，超过5个。") % {"n": compounds})
    if kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GENERAL_BRANCH) and compounds == 0:
        w.append(_("尚未登记覆盖的小区。"))
    if kind == OrgKind.GROUP and Seat.GROUP_LEADER not in seats:
        w.append(_("未登记党小组组长。"))
    if term is not None and term.ends_on < on and kind != OrgKind.GROUP:
        w.append(_("本届任期已于 %(d)s 届满，应按期换届。") % {"d": term.ends_on})
    return check


def organisation_checks(*, organisations: list[Organisation], on: dt.date) -> dict[int, RuleCheck]:
    """Rule checks of many organisations in a fixed number of queries (the tree page, the cockpit)."""
    ids = [o.pk for o in organisations]
    counts = member_counts(ids)
    terms: dict[int, Term] = {}
    for term in Term.objects.filter(organisation_id__in=ids, starts_on__lte=on).order_by("starts_on", "id"):
        terms[term.organisation_id] = term  # the latest wins
    seats: dict[int, list[str]] = defaultdict(list)
    for term_id, seat in CommitteeSeat.objects.filter(term_id__in=[t.pk for t in terms.values()]).values_list(
        "term_id", "seat"
    ):
        seats[term_id].append(seat)
    compounds = Counter(
        Organisation.territory.through.objects.filter(
            organisation_id__in=ids, node__kind=NodeKind.COMPOUND
        ).values_list("organisation_id", flat=True)
    )
    groups = Counter(
        Organisation.objects.filter(parent_id__in=ids, kind=OrgKind.GROUP, is_active=True).values_list(
            "parent_id", flat=True
        )
    )
    placed = dict(
        Member.objects.filter(group_id__in=ids, status=MemberStatus.ACTIVE)
        .values_list("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    result = {}
    for org in organisations:
        latest = terms.get(org.pk)
        result[org.pk] = rule_check(
            organisation=org,
            counts=counts.get(org.pk, Counts()),
            term=latest,
            seats=seats.get(latest.pk, []) if latest else [],
            compounds=compounds.get(org.pk, 0),
            on=on,
        )
        result[org.pk].groups = groups.get(org.pk, 0)
        result[org.pk].placed = placed.get(org.pk, 0)
    return result


def organisation_check(
    *, organisation: Organisation, on: dt.date, term: Term | None, seats: list[CommitteeSeat], groups: int
) -> RuleCheck:
    """organisation_checks for the one organisation of its page, from what the page reads anyway: its current
    ``term`` and the term's ``seats`` (term_seats), its active ``groups`` and its territory; the counts in
    one query."""
    org = organisation
    found = Member.objects.filter(Q(organisation=org) | Q(group=org), status=MemberStatus.ACTIVE).aggregate(
        full=Count("pk", filter=Q(organisation=org, kind=MemberKind.FULL)),
        probationary=Count("pk", filter=Q(organisation=org) & ~Q(kind=MemberKind.FULL)),
        placed=Count("pk", filter=Q(group=org)),
    )
    check = rule_check(
        organisation=org,
        counts=Counts(full=found["full"], probationary=found["probationary"]),
        term=term,
        seats=[s.seat for s in seats],
        compounds=len(compounds_of(org)),
        on=on,
    )
    check.groups, check.placed = groups, found["placed"]
    return check


def organisation_warnings(*, actor: Actor, on: dt.date) -> list[RuleCheck]:
    """The organisations of the actor's scope whose rules find something wrong (for the cockpit)."""
    orgs = list(visible_organisations(actor).filter(is_active=True).order_by("name", "id"))
    return [c for c in organisation_checks(organisations=orgs, on=on).values() if c.warnings]


@dataclass
class TreeRow:
    organisation: Organisation
    depth: int
    check: RuleCheck


def organisation_tree(*, actor: Actor, on: dt.date, groups: bool = False) -> list[TreeRow]:
    """Visible organisations depth-first from their roots; an organisation whose parent is out of sight is
    a root of what the actor sees. Building groups (hundreds in a subdistrict) only when asked: the tree
    page counts them on their branch, the branch page lists them."""
    rows_in = visible_organisations(actor).select_related("manager")
    if not groups:
        rows_in = rows_in.exclude(kind=OrgKind.GROUP)
    orgs = list(rows_in.order_by("name", "id"))
    checks = organisation_checks(organisations=orgs, on=on)
    seen = {o.pk for o in orgs}
    children: dict[int | None, list[Organisation]] = defaultdict(list)
    for org in orgs:
        children[org.parent_id if org.parent_id in seen else None].append(org)
    order = {k: i for i, k in enumerate(OrgKind.values)}
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in sorted(children.get(parent, []), key=lambda o: (order[o.kind], o.name, o.pk)):
            rows.append(TreeRow(org, depth, checks[org.pk]))
            walk(org.pk, depth + 1)

    walk(None, 0)
    return rows


# --- coverage -----------------------------------------------------------------------------------------


@dataclass
class CompoundRow:
    compound: Node
    organisations: list[str]
    members: int
    full: int


@dataclass
class Coverage:
    compounds: int
    compounds_covered: int
    buildings: int
    buildings_covered: int
    rows: list[CompoundRow]

    @staticmethod
    def _permille(part: int, whole: int) -> int:
        return part * 1000 // whole if whole else 0

    @property
    def compounds_permille(self) -> int:
        return self._permille(self.compounds_covered, self.compounds)

    @property
    def buildings_permille(self) -> int:
        return self._permille(self.buildings_covered, self.buildings)

    @property
    def compounds_percent(self) -> str:
        return f"{self.compounds_permille // 10}.{self.compounds_permille % 10}%"

    @property
    def buildings_percent(self) -> str:
        return f"{self.buildings_permille // 10}.{self.buildings_permille % 10}%"

    @property
    def members(self) -> int:
        return sum(r.members for r in self.rows)


def coverage(*, under: Node) -> Coverage:
    """Compounds with a party organisation ÷ all compounds, buildings with a party group ÷ all buildings,
    and active members living in each compound (held here or outside), under a subdistrict or community."""
    span = Q(path__gte=under.path, path__lt=under.path + "~")
    compounds = list(Node.objects.filter(span, kind=NodeKind.COMPOUND).order_by("path"))
    links = Organisation.territory.through.objects.filter(organisation__is_active=True)
    covering: dict[int, list[str]] = defaultdict(list)
    for node_id, name in links.filter(organisation__kind__in=COMPOUND_ORG_KINDS).values_list(
        "node_id", "organisation__name"
    ):
        covering[node_id].append(name)
    grouped = set(links.filter(organisation__kind=OrgKind.GROUP).values_list("node_id", flat=True))
    building_ids = set(Node.objects.filter(span, kind=NodeKind.BUILDING).values_list("pk", flat=True))
    members: Counter[str] = Counter()
    full: Counter[str] = Counter()
    for org_path, kind, n in (
        Member.objects.filter(
            status=MemberStatus.ACTIVE, person__org_path__gte=under.path, person__org_path__lt=under.path + "~"
        )
        .values_list("person__org_path", "kind")
        .annotate(n=Count("id"))
    ):
        members[org_path[:COMPOUND_PATH_LENGTH]] += n
        if kind == MemberKind.FULL:
            full[org_path[:COMPOUND_PATH_LENGTH]] += n
    rows = [CompoundRow(c, sorted(covering.get(c.pk, [])), members[c.path], full[c.path]) for c in compounds]
    return Coverage(
        compounds=len(compounds),
        compounds_covered=sum(1 for c in compounds if c.pk in covering),
        buildings=len(building_ids),
        buildings_covered=len(building_ids & grouped),
        rows=rows,
    )


# --- members ------------------------------------------------------------------------------------------


def member_list(*, actor: Actor, organisation: Organisation, search: str = "") -> QuerySet[Member]:
    """The organisation's active members (a group: those placed in it); outside-held members living in the
    compounds a branch covers are listed with it."""
    rows = visible_members(actor).filter(status=MemberStatus.ACTIVE)
    if organisation.kind == OrgKind.GROUP:
        rows = rows.filter(group=organisation)
    else:
        paths = [n.path for n in compounds_of(organisation)]
        here = Q(pk__in=[])
        for path in paths:
            here |= Q(person__org_path__gte=path, person__org_path__lt=path + "~")
        rows = rows.filter(Q(organisation=organisation) | (Q(organisation__isnull=True) & here))
    search = search.strip()
    if search:
        rows = rows.filter(person__name__contains=search)
    # Those the organisation holds first; members registered from outside after them.
    return rows.select_related("person", "organisation", "group").order_by(
        F("organisation_id").asc(nulls_last=True), "person__name_pinyin", "id"
    )


def member_get(*, actor: Actor, member_id: int) -> Member:
    return get_object_or_404(visible_members(actor).select_related("person", "organisation", "group"), pk=member_id)


def current_consents(member_ids: Iterable[int]) -> dict[int, Consent]:
    return {c.member_id: c for c in Consent.objects.filter(member_id__in=list(member_ids), withdrawn_at__isnull=True)}


def children_of(*, organisation: Organisation) -> tuple[list[Organisation], list[Organisation]]:
    """The organisation's active children other than groups (by name), and its building groups (as groups_of,
    each with its ``size``: the active members placed in it): one query for both, one for the groups' places."""
    rows: list[Organisation] = list(
        organisation.children.filter(is_active=True)
        .annotate(size=Count("group_members", filter=Q(group_members__status=MemberStatus.ACTIVE)))
        .prefetch_related(Prefetch("territory", queryset=Node.objects.order_by("path")))
        .order_by("name", "id")
    )
    groups = [o for o in rows if o.kind == OrgKind.GROUP]
    children = [o for o in rows if o.kind != OrgKind.GROUP]
    return children, sorted(groups, key=lambda g: (min((n.path for n in g.territory.all()), default="~"), g.name))


def groups_of(*, organisation: Organisation) -> list[Organisation]:
    """The branch's building groups in the order of their buildings (1号楼 before 10号楼)."""
    rows = list(organisation.children.filter(kind=OrgKind.GROUP, is_active=True).prefetch_related("territory"))
    return sorted(rows, key=lambda g: (min((n.path for n in g.territory.all()), default="~"), g.name))


def group_sizes(groups: list[Organisation]) -> dict[int, int]:
    return dict(
        Member.objects.filter(group__in=groups, status=MemberStatus.ACTIVE)
        .values_list("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )


# --- 联建: property companies' organisations and the branches of the compounds they serve ----------------


def linked_organisations(*, organisation: Organisation, on: dt.date) -> list[Organisation]:
    """A company's organisation ↔ the branches covering each compound its company serves (current contracts)."""
    contracts = current_contracts(on=on)
    # The contracts are a subquery of the one query (a list of ids would be a query of its own).
    if organisation.kind == OrgKind.COMPANY:
        if organisation.manager_id is None:
            return []
        compound_ids = contracts.filter(manager_id=organisation.manager_id).values("compound_id")
        rows = Organisation.objects.filter(kind__in=COMPOUND_ORG_KINDS, territory__in=compound_ids)
    elif organisation.kind in COMPOUND_ORG_KINDS:
        compounds = [n.pk for n in compounds_of(organisation)]
        managers = contracts.filter(compound_id__in=compounds).values("manager_id")
        rows = Organisation.objects.filter(kind=OrgKind.COMPANY, manager_id__in=managers)
    else:
        return []
    return list(rows.filter(is_active=True).distinct().order_by("name"))


# --- 亮身份: only with consent ------------------------------------------------------------------------------


def badge_person_ids(person_ids: Iterable[int]) -> set[int]:
    """Of these people, those who are active members and consented to a badge on their volunteer profile."""
    return set(
        Consent.objects.filter(
            member__person_id__in=list(person_ids),
            member__status=MemberStatus.ACTIVE,
            withdrawn_at__isnull=True,
            shows_badge=True,
        ).values_list("member__person_id", flat=True)
    )


def party_households(household_ids: Iterable[int]) -> set[int]:
    """Of these households, those with a living member (active) who consented to show 党员户."""
    return set(
        Consent.objects.filter(
            member__person__household_id__in=list(household_ids),
            member__status=MemberStatus.ACTIVE,
            withdrawn_at__isnull=True,
            shows_household=True,
        ).values_list("member__person__household_id", flat=True)
    )


# --- choices for the forms ----------------------------------------------------------------------------


def parent_choices(*, actor: Actor) -> list[tuple[int, str]]:
    rows = visible_organisations(actor).filter(is_active=True).exclude(kind=OrgKind.GROUP).order_by("kind", "name")
    return [(o.pk, f"{o.name}（{o.kind_label}）") for o in rows]


def place_choices(*, organisation: Organisation | None = None) -> list[tuple[int, str]]:
    """Communities and compounds of the subdistrict; the buildings of a group's branch's compounds, or of
    every compound when a new organisation is set up."""
    places = Node.objects.filter(kind__in=[NodeKind.COMMUNITY, NodeKind.COMPOUND]).order_by("path")
    choices = [(n.pk, f"{n.kind_label} · {n.name}") for n in places]
    compounds = {n.path: n.name for n in places if n.kind == NodeKind.COMPOUND}
    buildings = Node.objects.filter(kind=NodeKind.BUILDING).order_by("path")
    if organisation is not None and organisation.kind == OrgKind.GROUP and organisation.parent is not None:
        paths = list(organisation.parent.territory.values_list("path", flat=True))
        span = Q(pk__in=[])
        for path in paths:
            span |= Q(path__gte=path, path__lt=path + "~")
        buildings = buildings.filter(span)
    elif organisation is not None:
        return choices
    choices += [(b.pk, f"{compounds.get(b.path[:COMPOUND_PATH_LENGTH], '')} · {b.name}") for b in buildings]
    return choices


def manager_choices() -> list[tuple[int, str]]:
    from gongzhi.stewardship.choices import ManagerKind
    from gongzhi.stewardship.models import Manager

    return [
        (m.pk, m.name)
        for m in Manager.objects.filter(is_active=True, kind=ManagerKind.PROPERTY_COMPANY).order_by("name")
    ]


def places_get(ids: list[int]) -> list[Node]:
    return list(Node.objects.filter(pk__in=ids).order_by("path"))


def manager_get(manager_id: int | None) -> Any:
    from gongzhi.stewardship.models import Manager

    return get_object_or_404(Manager, pk=manager_id) if manager_id is not None else None


def person_candidates(*, actor: Actor, organisation: Organisation, search: str) -> list[tuple[int, str]]:
    """People of the registry a secretary may register, found by name: those living in the compounds the
    organisation covers (an officer: anywhere), at most 20, shown with the masked ID as the registry does."""
    from gongzhi.registry.models import Person

    search = search.strip()
    if not search:
        return []
    rows = Person.objects.filter(name__contains=search)
    paths = list(organisation.territory.values_list("path", flat=True))
    if organisation.parent is not None and organisation.kind == OrgKind.GROUP:
        paths = list(organisation.parent.territory.values_list("path", flat=True))
    from gongzhi.party.permissions import is_officer

    if not is_officer(actor):
        span = Q(pk__in=[])
        for path in paths:
            span |= Q(org_path__gte=path, org_path__lt=path + "~")
        rows = rows.filter(span)
    taken = Member.objects.filter(status=MemberStatus.ACTIVE).values("person_id")
    rows = rows.exclude(pk__in=taken).order_by("name_pinyin", "id")[:20]
    return [(p.pk, f"{p.name} {p.id_masked}".strip()) for p in rows]


def seat_choices(*, actor: Actor, organisation: Organisation) -> list[tuple[int, str]]:
    """Members who may hold a seat: held by the branch (a group: placed in the group)."""
    rows = visible_members(actor).filter(status=MemberStatus.ACTIVE).select_related("person")
    if organisation.kind == OrgKind.GROUP:
        rows = rows.filter(group=organisation)
    else:
        rows = rows.filter(organisation=organisation)
    return [(m.pk, f"{m.person.name}（{m.get_kind_display()}）") for m in rows.order_by("person__name_pinyin")[:300]]


def members_by_ids(*, actor: Actor, ids: list[int]) -> dict[int, Member]:
    return {m.pk: m for m in visible_members(actor).filter(pk__in=ids).select_related("person")}


def subdistrict_of(*, organisation: Organisation | None = None) -> Node | None:
    return Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("path").first()


# --- the cockpit's figures (dashboards.sources.party) ---------------------------------------------------


def cockpit_organisations(*, prefix: int) -> list[tuple[str, int]]:
    """Active organisations per place: an organisation counts once, at the first (lowest path) node of the
    territory it covers, cut to ``prefix``; one covering nothing counts at the subdistrict. No grid: a
    territory is not a grid's. One grouped query."""
    first_node = (
        Organisation.territory.through.objects.filter(organisation_id=OuterRef("pk"))
        .order_by("node__path")
        .values_list(Substr("node__path", 1, prefix))[:1]
    )
    root = subdistrict_of()
    rows = (
        Organisation.objects.filter(is_active=True)
        .annotate(place=Coalesce(Subquery(first_node), Value(root.path if root else "")))
        .values_list("place")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(place, n) for place, n in rows]


def cockpit_members(*, prefix: int) -> list[tuple[int | None, str, int]]:
    """Members on the roll (在册: those held here and in-service members reported here, 双报到) per
    (grid_id, place) of where they live."""
    rows = (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .values_list("person__grid_id", Substr("person__org_path", 1, prefix))
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(grid_id, place, n) for grid_id, place, n in rows]
