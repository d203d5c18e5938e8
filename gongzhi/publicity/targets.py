"""A notice's target: a rule over territory, grids, care tags, owners and roles, and the querysets that
resolve it. The same querysets count the preview and freeze the recipients, so the number shown before
publishing is the number written.

The rule, read as a sentence:
- **where**: the nodes and grids named, or the notice's own node when none is;
- **residents** living there (status 在住) — all of them, or only those with any of the care tags named;
- **owners** of dwellings in the compounds named (wherever they live);
- **staff** holding one of the roles named, on a node or grid inside "where".
Residents in no grid are reached by node: a building nobody put in a grid does not hide its households.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import any_subtree_q, outermost_paths
from gongzhi.core.exceptions import DomainError
from gongzhi.registry.choices import HolderKind, PersonStatus
from gongzhi.registry.models import CareTag, Ownership, Person, PersonCareTag
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node

# Roles a notice may name; the platform's own (admin, auditor) are not an audience.
TARGET_ROLES = tuple(r for r in Role if r not in (Role.PLATFORM_ADMIN, Role.AUDITOR))


@dataclass(frozen=True)
class Target:
    nodes: tuple[int, ...] = ()
    grids: tuple[int, ...] = ()
    residents: bool = True
    care_tags: tuple[str, ...] = ()
    owners_of: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes),
            "grids": list(self.grids),
            "residents": self.residents,
            "care_tags": list(self.care_tags),
            "owners_of": list(self.owners_of),
            "roles": list(self.roles),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        return cls(
            nodes=tuple(int(i) for i in data.get("nodes", [])),
            grids=tuple(int(i) for i in data.get("grids", [])),
            residents=bool(data.get("residents", True)),
            care_tags=tuple(str(c) for c in data.get("care_tags", [])),
            owners_of=tuple(int(i) for i in data.get("owners_of", [])),
            roles=tuple(str(r) for r in data.get("roles", [])),
        )


@dataclass
class Resolved:
    """A target checked against the database: the rows it names, ready for the querysets."""

    target: Target
    nodes: list[Node] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    tags: list[CareTag] = field(default_factory=list)
    compounds: list[Node] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return outermost_paths(n.path for n in self.nodes)


def resolve(target: Target, *, default_node: Node) -> Resolved:
    """Check every id and code of the rule; an unknown one is a DomainError naming the field."""
    nodes = list(Node.objects.filter(pk__in=target.nodes))
    if len(nodes) != len(set(target.nodes)):
        raise DomainError(_("发送范围中有不存在的区域。"), field="nodes")
    grids = list(Grid.objects.filter(pk__in=target.grids, is_active=True))
    if len(grids) != len(set(target.grids)):
        raise DomainError(_("发送范围中有不存在或已停用的网格。"), field="grids")
    if not nodes and not grids:
        nodes = [default_node]
    tags = list(CareTag.objects.filter(code__in=target.care_tags, is_active=True))
    if len(tags) != len(set(target.care_tags)):
        raise DomainError(_("关爱标签不存在或已停用。"), field="care_tags")
    compounds = list(Node.objects.filter(pk__in=target.owners_of, kind=NodeKind.COMPOUND))
    if len(compounds) != len(set(target.owners_of)):
        raise DomainError(_("“业主”只能选择小区。"), field="owners_of")
    unknown = set(target.roles) - set(TARGET_ROLES)
    if unknown:
        raise DomainError(_("未知的角色：%(r)s。") % {"r": "、".join(sorted(unknown))}, field="roles")
    if target.care_tags and not target.residents:
        raise DomainError(_("按关爱标签发送须选择“居民”。"), field="care_tags")
    if not target.residents and not compounds and not target.roles:
        raise DomainError(_("请至少选择一类发送对象：居民、业主或工作人员。"), field="residents")
    return Resolved(target=target, nodes=nodes, grids=grids, tags=tags, compounds=compounds)


def _where_q(resolved: Resolved, *, path_field: str, grid_field: str) -> Q:
    q = any_subtree_q(path_field, resolved.paths)
    if resolved.grids:
        q |= Q(**{f"{grid_field}__in": [g.pk for g in resolved.grids]})
    return q


def residents(resolved: Resolved) -> QuerySet[Person]:
    """Residents living where the rule says (by node, or by grid), with any of its care tags if it names some."""
    if not resolved.target.residents:
        return Person.objects.none()
    rows = Person.objects.filter(
        _where_q(resolved, path_field="org_path", grid_field="grid_id"), status=PersonStatus.RESIDENT
    )
    if resolved.tags:
        tagged = PersonCareTag.objects.filter(person_id=OuterRef("pk"), tag_id__in=[t.pk for t in resolved.tags])
        rows = rows.filter(Exists(tagged))
    return rows.order_by()


def owners(resolved: Resolved, *, on: dt.date | None = None) -> QuerySet[Person]:
    """People owning (now) a dwelling in the compounds named, wherever they live; the deceased are left out."""
    if not resolved.compounds:
        return Person.objects.none()
    on = on or timezone.localdate()
    owning = Ownership.objects.filter(
        any_subtree_q("dwelling__org_path", [c.path for c in resolved.compounds]),
        Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        person_id=OuterRef("pk"),
        holder_kind=HolderKind.PERSON,
    )
    return Person.objects.filter(Exists(owning)).exclude(status=PersonStatus.DECEASED).order_by()


def staff(resolved: Resolved, *, on: dt.date | None = None) -> QuerySet[User]:
    """Users holding a named role, now, on a node or grid inside the rule's area."""
    if not resolved.target.roles:
        return User.objects.none()
    on = on or timezone.localdate()
    where = (
        any_subtree_q("node__path", resolved.paths)
        | any_subtree_q("grid__org_path", resolved.paths)
        | any_subtree_q("grid__compound__path", resolved.paths)
    )
    # A grid duty is inside the community named by node (a grid's path is its community's) and the compound
    # it lies in, and inside a grid named directly. A node duty above a named grid (the community worker)
    # is not inside it.
    if resolved.grids:
        where |= Q(grid_id__in=[g.pk for g in resolved.grids])
    duties = Duty.objects.filter(Duty.current_q(on), where, role__in=resolved.target.roles, user_id=OuterRef("pk"))
    return User.objects.filter(Exists(duties), is_active=True).order_by()


def label(resolved: Resolved) -> str:
    """The rule in words, for the notice's record and the staff pages."""
    where = [n.name for n in resolved.nodes] + [g.name for g in resolved.grids]
    parts: list[str] = []
    if resolved.target.residents:
        who = _("居民")
        if resolved.tags:
            who += "（" + "、".join(t.name for t in resolved.tags) + "）"
        parts.append(who)
    if resolved.compounds:
        parts.append(_("业主（%(c)s）") % {"c": "、".join(c.name for c in resolved.compounds)})
    if resolved.target.roles:
        parts.append("、".join(str(Role(r).label) for r in resolved.target.roles))
    return ("、".join(where) + " · " + " · ".join(parts))[:300]
