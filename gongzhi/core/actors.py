"""The Actor: who is acting, with every grant of scope resolved once per request.

Built by accounts.actors.actor_for_user from the user's current Duties (and, for a resident, their
registry household). Permission modules read it; nothing else reads roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q


def subtree_q(field_name: str, path: str) -> Q:
    """Rows whose path copy lies in the subtree at ``path``, written as a range.

    A range uses the index on SQLite, where ``startswith`` (LIKE) scans it; "~" sorts after every
    path character (0-9A-Z) under byte-order collation.
    """
    return Q(**{f"{field_name}__gte": path, f"{field_name}__lt": path + "~"})


def outermost_paths(paths: Iterable[str]) -> list[str]:
    """The paths not inside another one of them, sorted."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def any_subtree_q(field_name: str, paths: Iterable[str]) -> Q:
    """OR of subtree ranges; nested paths are dropped because their parent range covers them."""
    q = Q(pk__in=[])
    for path in outermost_paths(paths):
        q |= subtree_q(field_name, path)
    return q


@dataclass(frozen=True)
class Grant:
    """One current Duty, resolved: a role over a node (by path and kind) or over a grid."""

    role: str
    node_id: int | None = None
    node_path: str | None = None
    node_kind: str | None = None
    grid_id: int | None = None


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str = ""
    display_name: str = ""
    grants: tuple[Grant, ...] = ()
    person_id: int | None = None
    household_id: int | None = None
    is_superuser: bool = False
    is_verified: bool = False  # passed a second factor (TOTP) in this session
    is_system: bool = False  # a command or scheduled job, never a request
    ip_address: str = ""

    @classmethod
    def anonymous(cls, ip_address: str = "") -> Actor:
        return cls(user_id=None, ip_address=ip_address)

    @classmethod
    def system(cls, reason: str) -> Actor:
        """For commands and scheduled jobs: acts with full rights, recorded under the given name."""
        return cls(user_id=None, username=f"system:{reason}", display_name=reason, is_system=True)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @property
    def is_resident(self) -> bool:
        return self.household_id is not None

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def paths(self, *roles: str) -> list[str]:
        return [g.node_path for g in self.grants if g.role in roles and g.node_path]

    def grid_ids(self, *roles: str) -> set[int]:
        return {g.grid_id for g in self.grants if g.role in roles and g.grid_id is not None}

    def node_ids(self, *roles: str) -> set[int]:
        return {g.node_id for g in self.grants if g.role in roles and g.node_id is not None}
