"""Who sees which polls and who may run them. The only module that reads roles for votes.

A poll is seen by the staff whose places contain it, by everyone living or working in the place it
covers (members polls excepted: those are for their members), and by everyone on its roll, such as an
owner who lives elsewhere. It is run (opened, closed, paper ballots entered, published) by the
subdistrict officer and community workers above it, and an owners' vote also by the owners' committee
of its compound. Nobody reads a result before the poll closes: that is not a permission but a fact, as
the count does not exist until then (services.poll_close).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.registry.models import Household, Ownership
from gongzhi.territory.models import Grid, Node
from gongzhi.votes.choices import Electorate, PollStatus
from gongzhi.votes.electorates import current_ownership_q
from gongzhi.votes.models import Poll, RollEntry

POLL_MANAGER_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)
OWNERS_POLL_MANAGER_ROLES = (Role.COMMITTEE_MEMBER,)
# Staff who follow the polls below their place (they help residents vote and collect paper ballots).
POLL_VIEWER_ROLES = (
    *POLL_MANAGER_ROLES,
    *OWNERS_POLL_MANAGER_ROLES,
    Role.LEAD_CADRE,
    Role.RESPONSIBLE_CADRE,
    Role.PARTY_SECRETARY,
    Role.BUILDING_HEAD,
)
GRID_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)


def prefixes(paths: list[str]) -> set[str]:
    """Every ancestor-or-self path of each path: the scopes that cover that place."""
    step = Node.steplen
    return {path[: i * step] for path in paths for i in range(1, len(path) // step + 1)}


@dataclass(frozen=True)
class Places:
    """Where an actor works (subtrees they follow as staff) and lives or owns a dwelling."""

    staff: list[str]
    homes: list[str]


def actor_places(actor: Actor, *, staff_roles: tuple[str, ...]) -> Places:
    """Consultation reuses this: suggestions and topics are seen where polls are."""
    staff = actor.paths(*staff_roles)
    grid_ids = actor.grid_ids(*GRID_ROLES)
    if grid_ids:
        # A grid worker follows the compound their grid lies in.
        staff += list(
            Grid.objects.filter(pk__in=grid_ids, compound__isnull=False).values_list("compound__path", flat=True)
        )
    homes: list[str] = []
    if actor.person_id is not None:
        homes += list(
            Ownership.objects.filter(current_ownership_q(timezone.localdate()), person_id=actor.person_id).values_list(
                "dwelling__org_path", flat=True
            )
        )
    if actor.household_id is not None:
        homes += list(Household.objects.filter(pk=actor.household_id).values_list("org_path", flat=True))
    return Places(staff=staff, homes=homes)


def visible_polls(actor: Actor) -> QuerySet[Poll]:
    if actor.is_system:
        return Poll.objects.all()
    if not actor.is_authenticated:
        return Poll.objects.none()
    places = actor_places(actor, staff_roles=POLL_VIEWER_ROLES)
    # Polls below the places staff follow; polls covering where one works or lives, except members
    # polls, which stay with their members (and the staff above them).
    q = any_subtree_q("scope_path", places.staff)
    q |= Q(scope_path__in=prefixes([*places.staff, *places.homes])) & ~Q(electorate=Electorate.MEMBERS)
    on_roll = Q(user_id=actor.user_id)
    if actor.person_id is not None:
        on_roll |= Q(persons=actor.person_id)
    q |= Q(pk__in=RollEntry.objects.filter(on_roll).values("poll_id"))
    return Poll.objects.filter(q)


def _manages_path(actor: Actor, path: str, electorate: str) -> bool:
    if actor.is_system:
        return True
    if any(path.startswith(p) for p in actor.paths(*POLL_MANAGER_ROLES)):
        return True
    return electorate == Electorate.OWNERS and any(path.startswith(p) for p in actor.paths(*OWNERS_POLL_MANAGER_ROLES))


def can_create_poll(actor: Actor, *, scope: Node, electorate: str) -> bool:
    return _manages_path(actor, scope.path, electorate)


def can_manage_poll(actor: Actor, poll: Poll) -> bool:
    """Open, close, publish, cancel, enter paper ballots and proxies, read the roll and turnout."""
    return _manages_path(actor, poll.scope_path, poll.electorate)


def takes_part(actor: Actor) -> bool:
    """Residents, owners and the staff who follow polls: who gets the votes and consultation pages."""
    return actor.is_resident or actor.person_id is not None or actor.has_role(*POLL_VIEWER_ROLES, *GRID_ROLES)


def may_create_polls(actor: Actor) -> bool:
    return actor.has_role(*POLL_MANAGER_ROLES, *OWNERS_POLL_MANAGER_ROLES)


def can_read_result(actor: Actor, poll: Poll) -> bool:
    """After closing the managers check the count; once published everyone who sees the poll reads it."""
    if poll.status == PollStatus.PUBLISHED:
        return True
    return poll.status == PollStatus.CLOSED and can_manage_poll(actor, poll)


def can_manage_owners_rules(actor: Actor, compound: Node) -> bool:
    return _manages_path(actor, compound.path, Electorate.OWNERS)
