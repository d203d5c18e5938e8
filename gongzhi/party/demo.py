"""Demo party organisations of the subdistrict: 街道党工委, a 社区党委 per community, a branch in every
compound (a 党总支 with several branches where more than fifty members are held locally, joint branches
for single buildings and compounds with fewer than three full members), building groups where a building
has at least three members, two property companies' organisations, and about 8% of adults as members.

Retired members hold their membership in the community (组织关系转入社区); most in-service members hold
it at their work unit and are recorded with that unit's name (在职党员); 300 of them have reported
to where they live (双报到, demo_reporting.py). The newest compound has no organisation yet, so the
coverage figure is below 100%. One branch is left past its term and one company's organisation has too
few members: the warnings then show in the demo.

Rows are bulk-written (a few thousand members in tier S); the persona dangzhibu's Duty names compound X,
which its branch covers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.party.choices import MemberKind, OrgKind, Seat
from gongzhi.party.demo_meetings import seed_demo_meetings
from gongzhi.party.demo_reporting import seed_reporting
from gongzhi.party.models import CommitteeSeat, Consent, Member, Organisation, Term
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Person
from gongzhi.stewardship.choices import ManagerKind
from gongzhi.stewardship.services import current_contracts
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

MEMBER_SHARE = 0.08
RETIRED_AGE = 60
LOCAL_SHARE_IN_SERVICE = 0.2  # in-service members whose membership the community holds
BRANCH_TARGET = 45  # a compound's branch is split (党总支) above 50; each new branch takes about 45
JOINT_MAX = 5
GROUP_MIN = 3
CONSENT_SHARE = 0.3
UNITS = (
    "蚌埠市财政局机关党支部",
    "蚌埠市第二中学党总支",
    "蚌埠医学院第一附属医院党委",
    "国网蚌埠供电公司党委",
    "蚌山区人民法院机关党支部",
    "蚌埠市税务局机关党委",
    "中国银行蚌埠分行党委",
    "蚌埠学院党委",
)
COMPOUND_PATH_LENGTH = 4 * Node.steplen
BUILDING_PATH_LENGTH = 5 * Node.steplen


@dataclass
class Draft:
    """A member before writing: who, what kind, held where."""

    person_id: int
    path: str
    born_on: dt.date
    kind: str
    local: bool
    joined_on: dt.date
    org: Organisation | None = None
    group: Organisation | None = None


@dataclass
class Writer:
    rng: random.Random
    today: dt.date
    orgs: list[tuple[Organisation, list[int]]] = field(default_factory=list)

    def org(
        self, kind: str, name: str, parent: Organisation | None, territory: list[int], **extra: object
    ) -> Organisation:
        founded = self.today.replace(year=self.today.year - self.rng.randint(3, 20), month=7, day=1)
        org = Organisation(kind=kind, name=name, parent=parent, founded_on=founded, **extra)
        org.save()  # parents before children: a few hundred rows, each needs its key for the next
        self.orgs.append((org, territory))
        return org

    def territory(self) -> None:
        through = Organisation.territory.through
        through.objects.bulk_create(
            [through(organisation_id=o.pk, node_id=n) for o, nodes in self.orgs for n in nodes], batch_size=2000
        )


def _add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    writer = Writer(rng, today)
    subdistrict = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("path").first()
    if subdistrict is None:
        return "party: 0 个党组织"
    top = writer.org(OrgKind.WORKING_COMMITTEE, f"{subdistrict.name}党工委", None, [subdistrict.pk])
    communities = {
        c.path: writer.org(OrgKind.COMMUNITY_COMMITTEE, f"{c.name}党委", top, [c.pk])
        for c in Node.objects.filter(kind=NodeKind.COMMUNITY).order_by("path")
    }
    compounds = list(Node.objects.filter(kind=NodeKind.COMPOUND).order_by("path"))
    buildings = defaultdict(list)
    for b in Node.objects.filter(kind=NodeKind.BUILDING).order_by("path").only("pk", "path", "name"):
        buildings[b.path[:COMPOUND_PATH_LENGTH]].append(b)
    persona = Duty.objects.filter(user__username="dangzhibu", role=Role.PARTY_SECRETARY).values_list(
        "node__path", flat=True
    )
    persona_path = next(iter(persona), "")
    drafts = _drafts(rng, today)
    by_compound: dict[str, list[Draft]] = defaultdict(list)
    for d in drafts:
        by_compound[d.path[:COMPOUND_PATH_LENGTH]].append(d)
    # The newest compound that is neither old nor the personas' waits for its organisation.
    waiting = next(
        (
            c
            for c in reversed(compounds)
            if not c.is_old_compound and not c.is_single_building and c.path != persona_path
        ),
        None,
    )
    pooled: list[Node] = []  # single buildings and compounds with fewer than three full members
    branches: list[Organisation] = []
    for compound in compounds:
        local = [d for d in by_compound.get(compound.path, []) if d.local]
        if compound.path == persona_path:
            for d in local[BRANCH_TARGET:]:
                d.local = False  # the personas' branch stays one branch the secretary runs
            local = local[:BRANCH_TARGET]
        if compound == waiting:
            for d in local:
                d.local = False
            continue
        community = communities[compound.path[: 2 * Node.steplen]]
        full = sum(1 for d in local if d.kind == MemberKind.FULL)
        if compound.is_single_building or full < 3:
            pooled.append(compound)
            continue
        branches += _compound_branches(writer, compound, community, local, buildings[compound.path])
    # Joint branches of at most five neighbouring compounds (in path order); under their community's
    # committee when they are all of one community, else under the 党工委.
    for start in range(0, len(pooled), JOINT_MAX):
        chunk = pooled[start : start + JOINT_MAX]
        parents = {communities[c.path[: 2 * Node.steplen]] for c in chunk}
        parent = parents.pop() if len(parents) == 1 else top
        name = f"{chunk[0].name}等{len(chunk)}个小区联合党支部" if len(chunk) > 1 else f"{chunk[0].name}联合党支部"
        joint = writer.org(OrgKind.JOINT_BRANCH, name, parent, [c.pk for c in chunk])
        for c in chunk:
            for d in by_compound.get(c.path, []):
                if d.local:
                    d.org = joint
        branches.append(joint)
    companies = _company_orgs(writer, top, drafts, today)
    writer.territory()
    written = _write_members(rng, drafts)
    seats = _committees(rng, today, branches + companies, written)
    consents = _consents(rng, written)
    meetings = seed_demo_meetings(rng=rng, today=today)
    reporting = seed_reporting(rng=rng, today=today, tier=tier)
    return (
        f"party: {len(writer.orgs)} 个党组织（{len(branches)} 个支部）, {len(written)} 名党员, "
        f"{seats} 个职务, {consents} 人亮身份, {meetings}; {reporting}"
    )


def _drafts(rng: random.Random, today: dt.date) -> list[Draft]:
    adult = today.replace(year=today.year - 18)
    people = Person.objects.filter(status=PersonStatus.RESIDENT, born_on__lte=adult, household__isnull=False)
    drafts = []
    for pk, path, born in people.order_by("pk").values_list("pk", "org_path", "born_on").iterator(chunk_size=5000):
        if born is None or len(path) < BUILDING_PATH_LENGTH or rng.random() >= MEMBER_SHARE:
            continue
        age = _age(born, today)
        probationary = rng.random() < (0.35 if age < 30 else 0.02)
        earliest = _add_years(born, 19)
        span = max(1, (today - earliest).days - 1)
        joined = (
            today - dt.timedelta(days=rng.randint(1, 360))
            if probationary
            else earliest + dt.timedelta(days=rng.randint(0, span))
        )
        local = age >= RETIRED_AGE or rng.random() < LOCAL_SHARE_IN_SERVICE
        kind = MemberKind.PROBATIONARY if probationary else MemberKind.FULL
        drafts.append(Draft(pk, path, born, kind, local, min(joined, today)))
    return drafts


def _compound_branches(
    writer: Writer, compound: Node, community: Organisation, local: list[Draft], buildings: list[Node]
) -> list[Organisation]:
    """One branch, or a 党总支 with a branch per run of buildings when more than fifty are held locally;
    a group in every building with at least three of the branch's members."""
    by_building: dict[str, list[Draft]] = defaultdict(list)
    for d in local:
        by_building[d.path[:BUILDING_PATH_LENGTH]].append(d)
    if len(local) <= 50:
        runs = [buildings]
        parent = community
        names = [f"{compound.name}党支部"]
    else:
        parent = writer.org(OrgKind.GENERAL_BRANCH, f"{compound.name}党总支", community, [compound.pk])
        runs, size = [], 0
        run: list[Node] = []
        for b in buildings:
            n = len(by_building.get(b.path, []))
            if run and size + n > BRANCH_TARGET:
                runs.append(run)
                run, size = [], 0
            run.append(b)
            size += n
        runs.append(run)
        names = [f"{compound.name}第{i + 1}党支部" for i in range(len(runs))]
    made = []
    for name, run in zip(names, runs, strict=True):
        branch = writer.org(OrgKind.BRANCH, name, parent, [compound.pk])
        made.append(branch)
        for b in run:
            here = by_building.get(b.path, [])
            group = writer.org(OrgKind.GROUP, f"{b.name}党小组", branch, [b.pk]) if len(here) >= GROUP_MIN else None
            for d in here:
                d.org, d.group = branch, group
    return made


def _company_orgs(writer: Writer, top: Organisation, drafts: list[Draft], today: dt.date) -> list[Organisation]:
    """The two companies serving most compounds set up organisations; members are drawn from the residents
    recorded as held outside (they work there), one company's too few to form a branch on its own."""
    from gongzhi.stewardship.models import Manager

    # The companies serving most compounds now (a small tier may have one: the next registered fills in).
    serving = Counter(
        current_contracts(on=today)
        .filter(manager__kind=ManagerKind.PROPERTY_COMPANY)
        .values_list("manager_id", flat=True)
    )
    companies = sorted(
        Manager.objects.filter(kind=ManagerKind.PROPERTY_COMPANY, is_active=True),
        key=lambda m: (-serving.get(m.pk, 0), m.pk),
    )[:2]
    outside = [d for d in drafts if not d.local and d.kind == MemberKind.FULL]
    made = []
    for index, manager in enumerate(companies):
        org = writer.org(OrgKind.COMPANY, f"{manager.name}党支部", top, [], manager=manager)
        for d in outside[index * 10 : index * 10 + (6 if index == 0 else 2)]:
            d.local, d.org = True, org
        made.append(org)
    return made


def _write_members(rng: random.Random, drafts: list[Draft]) -> list[Member]:
    rows = [
        Member(
            person_id=d.person_id,
            kind=d.kind,
            organisation=d.org if d.local else None,
            outside_organisation="" if d.local and d.org is not None else rng.choice(UNITS),
            group=d.group if d.local else None,
            joined_on=d.joined_on,
        )
        for d in drafts
    ]
    return Member.objects.bulk_create(rows, batch_size=2000)


def _committees(rng: random.Random, today: dt.date, branches: list[Organisation], members: list[Member]) -> int:
    """Each branch's current term: a committee of 3–5 from seven full members, else a secretary; one
    branch past its term; each group's leader."""
    full: dict[int, list[Member]] = defaultdict(list)
    grouped: dict[int, list[Member]] = defaultdict(list)
    for m in members:
        if m.organisation_id is not None and m.kind == MemberKind.FULL:
            full[m.organisation_id].append(m)
        if m.group_id is not None:
            grouped[m.group_id].append(m)
    terms: list[Term] = []
    seats: list[tuple[int, Member, str]] = []
    expired_done = False
    for branch in branches:
        pool = full.get(branch.pk, [])
        if not pool:
            continue
        years = 3 if branch.kind == OrgKind.COMPANY else 5
        starts = today - dt.timedelta(days=rng.randint(100, 365 * years - 120))
        if not expired_done and branch.kind == OrgKind.JOINT_BRANCH:
            starts, expired_done = today - dt.timedelta(days=365 * years + 40), True
        terms.append(
            Term(organisation=branch, starts_on=starts, ends_on=_add_years(starts, years) - dt.timedelta(days=1))
        )
        wanted = [Seat.SECRETARY, Seat.ORGANISATION, Seat.PROPAGANDA, Seat.DISCIPLINE][: rng.randint(3, 4)]
        if len(pool) < 7:
            wanted = [Seat.SECRETARY] + ([Seat.DEPUTY] if len(pool) >= 4 else [])
        for member, seat in zip(rng.sample(pool, len(wanted)), wanted, strict=True):
            seats.append((len(terms) - 1, member, seat))
    for group_id, pool in grouped.items():
        first = min(pool, key=lambda m: m.pk)
        starts = today - dt.timedelta(days=rng.randint(100, 900))
        terms.append(
            Term(organisation_id=group_id, starts_on=starts, ends_on=_add_years(starts, 5) - dt.timedelta(days=1))
        )
        seats.append((len(terms) - 1, first, Seat.GROUP_LEADER))
    written = Term.objects.bulk_create(terms, batch_size=2000)
    CommitteeSeat.objects.bulk_create(
        [CommitteeSeat(term=written[i], member=m, seat=s) for i, m, s in seats], batch_size=2000
    )
    return len(seats)


def _consents(rng: random.Random, members: list[Member]) -> int:
    now = timezone.now()
    rows = [
        Consent(
            member=m,
            shows_badge=True,
            shows_household=rng.random() < 0.5,
            given_at=now - dt.timedelta(days=rng.randint(1, 400)),
            given_by_name="demo",
        )
        for m in members
        if m.organisation_id is not None and rng.random() < CONSENT_SHARE
    ]
    Consent.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
