"""Reads for cases, each starting from visible_cases(actor)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncDate
from django.shortcuts import get_object_or_404

from gongzhi.accounts.choices import Role
from gongzhi.cases import permissions as perms
from gongzhi.cases.choices import DONE_STATUSES, OPEN_STATUSES, VOID_STATUSES, CaseStatus, HandlerKind
from gongzhi.cases.models import Case, CaseCategory, CaseEvent, CasePhoto, Open311Key, WorkCalendarDay
from gongzhi.cases.worktime import TZ
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.registry.models import Household
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

LIST_RELATED = ("category", "grid", "compound")


def case_get(*, actor: Actor, case_id: int) -> Case:
    return get_object_or_404(
        perms.visible_cases(actor).select_related(*LIST_RELATED, "building", "dwelling", "merged_into"), pk=case_id
    )


def case_find(*, actor: Actor, case_id: int | None) -> Case | None:
    """A case the actor can see, or None (the target of a merge, named by number on a form)."""
    return perms.visible_cases(actor).filter(pk=case_id).first() if case_id else None


def report_categories() -> QuerySet[CaseCategory]:
    """The active sub-categories a report may name (小类 under their 大类), in code order."""
    return CaseCategory.objects.filter(is_active=True, parent__isnull=False).select_related("parent").order_by("code")


def category_find(*, category_id: int | None) -> CaseCategory | None:
    """The category a form names (categories are configuration, the same for everyone), or None."""
    return CaseCategory.objects.filter(pk=category_id).first() if category_id else None


def calendar_days(*, limit: int = 200) -> QuerySet[WorkCalendarDay]:
    """The calendar's exceptions, newest first (for the officer's calendar page)."""
    return WorkCalendarDay.objects.order_by("-day")[:limit]


def open311_key_list() -> QuerySet[Open311Key]:
    return Open311Key.objects.select_related("created_by").order_by("-created_at")


def open311_key_get(*, key_id: int) -> Open311Key:
    return get_object_or_404(Open311Key, pk=key_id)


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.prefetch_related("photos").order_by("at", "id")


def case_photo_get(*, actor: Actor, photo_id: int) -> CasePhoto:
    return get_object_or_404(CasePhoto.objects.filter(case__in=perms.visible_cases(actor)), pk=photo_id)


def case_list_mine(*, actor: Actor) -> QuerySet[Case]:
    if actor.user_id is None:
        return Case.objects.none()
    return Case.objects.filter(reporter_id=actor.user_id).select_related(*LIST_RELATED).order_by("-created_at", "-id")


def handler_q(actor: Actor) -> Q:
    q = Q(pk__in=[])
    property_nodes = actor.node_ids(Role.PROPERTY_STAFF)
    if property_nodes:
        q |= Q(handler_kind__in=perms.PROPERTY_KINDS, handler_node_id__in=sorted(property_nodes))
    communities = actor.node_ids(Role.COMMUNITY_WORKER)
    if communities:
        q |= Q(handler_kind=HandlerKind.COMMUNITY, handler_node_id__in=sorted(communities))
    subdistricts = actor.node_ids(Role.SUBDISTRICT_OFFICER)
    if subdistricts:
        q |= Q(handler_kind=HandlerKind.DEPARTMENT, handler_node_id__in=sorted(subdistricts))
    return q


def case_queue(*, actor: Actor) -> QuerySet[Case]:
    """The handler's queue: cases dispatched to the actor's unit, nearest deadline first."""
    return (
        Case.objects.filter(handler_q(actor), status=CaseStatus.DISPATCHED)
        .select_related(*LIST_RELATED)
        .order_by("deadline_at", "id")
    )


def reporting_q(actor: Actor) -> Q:
    q = Q(pk__in=[])
    grids = actor.grid_ids(*perms.GRID_ROLES)
    if grids:
        q |= Q(grid_id__in=sorted(grids))
    paths = actor.paths(*perms.APPROVER_ROLES)
    if paths:
        q |= any_subtree_q("org_path", paths)
    return q


DESK_STATUSES = {
    "new": [CaseStatus.REPORTED, CaseStatus.ACCEPTED],
    "verify": [CaseStatus.HANDLED, CaseStatus.VERIFIED],
    "running": [CaseStatus.DISPATCHED],
}


def case_desk(*, actor: Actor, tab: str) -> QuerySet[Case]:
    """The reporting side's desk: new cases to file and dispatch, handled ones to verify, approvals."""
    rows = Case.objects.filter(reporting_q(actor)).select_related(*LIST_RELATED)
    if tab == "approvals":
        rows = rows.filter(status=CaseStatus.DISPATCHED).exclude(pending="")
    else:
        rows = rows.filter(status__in=DESK_STATUSES.get(tab, DESK_STATUSES["new"]))
    return rows.order_by("created_at", "id")


def case_parked(*, actor: Actor) -> QuerySet[Case]:
    return (
        perms.visible_cases(actor)
        .filter(status=CaseStatus.PARKED)
        .select_related(*LIST_RELATED)
        .order_by("created_at", "id")
    )


def report_places(*, actor: Actor) -> list[tuple[str, str]]:
    """Where the actor may point a report: their home first, then buildings they look after."""
    places: list[tuple[str, str]] = []
    if actor.household_id is not None:
        household = Household.objects.select_related("dwelling__unit").filter(pk=actor.household_id).first()
        if household is not None and household.dwelling is not None:
            places.append((f"d{household.dwelling_id}", f"我家（{household.dwelling.room}）"))
    buildings = Node.objects.none()
    q = Q(pk__in=[])
    homes = [p for p in [perms.compound_path(h) for h in actor_home_paths(actor)] if p]
    paths = actor.paths(*perms.PLACE_ROLES, Role.BUILDING_HEAD) + homes
    if paths:
        q |= any_subtree_q("path", paths)
    grids = actor.grid_ids(*perms.GRID_ROLES)
    if grids:
        q |= Q(grid_id__in=sorted(grids))
    buildings = Node.objects.filter(q, kind=NodeKind.BUILDING).order_by("path")[:500]
    compounds = {
        n.path: n.name for n in Node.objects.filter(kind=NodeKind.COMPOUND, path__in={b.path[:16] for b in buildings})
    }
    places += [(f"b{b.pk}", f"{compounds.get(b.path[:16], '')} {b.name}") for b in buildings]
    return places


def actor_home_paths(actor: Actor) -> list[str]:
    if actor.household_id is None:
        return []
    return list(Household.objects.filter(pk=actor.household_id).values_list("org_path", flat=True))


def report_grids(*, actor: Actor) -> dict[str, object]:
    """A GeoJSON FeatureCollection of the grids the actor may point at on the report map."""
    from gongzhi.territory.models import Grid

    q = Q(pk__in=[])
    homes = [perms.compound_path(h) for h in actor_home_paths(actor)]
    if homes:
        q |= Q(compound__path__in=homes)
    grids = actor.grid_ids(*perms.GRID_ROLES)
    if grids:
        q |= Q(pk__in=sorted(grids))
    paths = actor.paths(*perms.PLACE_ROLES, Role.BUILDING_HEAD)
    if paths:
        q |= any_subtree_q("org_path", paths)
        q |= Q(compound__path__in=[p[:16] for p in paths if len(p) > 16])
    rows = Grid.objects.filter(q, is_active=True, boundary__isnull=False).order_by("code")[:300]
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": g.name}, "geometry": g.boundary} for g in rows],
    }


def case_list_nearby(*, actor: Actor) -> QuerySet[Case]:
    """Public cases of the compound the actor lives in, for "me too" (none for someone without a home)."""
    homes = [perms.compound_path(h) for h in actor_home_paths(actor)]
    if not homes:
        return Case.objects.none()
    return (
        perms.visible_cases(actor)
        .filter(any_subtree_q("org_path", homes) & perms.public_q())
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")
    )


# --- For the cockpit (dashboards): grouped counts by place and day, the definitions of cases.measures ---


def day_counts(*, by: str, since: dt.date, until: dt.date, prefix: int) -> list[dict[str, Any]]:
    """Cases per (day, grid_id, place) whose report (``by="created_at"``) or deadline (``by="deadline_at"``)
    falls on a day from ``since`` to ``until`` (Asia/Shanghai), rejected and merged cases excepted. For the
    deadline, also the measures of cases.measures: closed on time, reworked, rated, rating sum, satisfied."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=TZ)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
    cases = (
        Case.objects.filter(**{f"{by}__gte": start, f"{by}__lt": end})
        .exclude(status__in=VOID_STATUSES)
        .annotate(day=TruncDate(by, tzinfo=TZ), place=Substr("org_path", 1, prefix))
        .values("day", "grid_id", "place")
        .order_by()
    )
    if by == "created_at":
        return list(cases.annotate(reported=Count("id")))
    done = Q(status__in=DONE_STATUSES)
    return list(
        cases.annotate(
            due=Count("id"),
            on_time=Count("id", filter=done & Q(is_on_time=True)),
            reworked=Count("id", filter=Q(rework_count__gt=0)),
            rated=Count("rating"),
            rating_sum=Sum("rating"),
            satisfied=Count("id", filter=Q(rating__gte=4)),
        )
    )


def open_counts(*, now: dt.datetime, prefix: int) -> list[dict[str, Any]]:
    """Unfinished cases per (grid_id, place), and how many of them are a running clock past its deadline
    (status dispatched, as the escalation reads it)."""
    return list(
        Case.objects.filter(status__in=OPEN_STATUSES)
        .annotate(place=Substr("org_path", 1, prefix))
        .values("grid_id", "place")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(status=CaseStatus.DISPATCHED, deadline_at__lt=now)),
        )
        .order_by()
    )


def event_mark() -> int:
    """The last case event: every change of a case writes one."""
    return CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def event_spans(*, after: int) -> list[tuple[dt.datetime, dt.datetime | None, dt.datetime]]:
    """For the cases changed by events after ``after``: (reported at, deadline, last event at). A change
    can move a case's figures on any day from its report to its (old or new) deadline; an extension only
    moves the deadline later, so the old one lies in the span too."""
    changed = CaseEvent.objects.filter(pk__gt=after).values("case_id")
    rows = Case.objects.filter(pk__in=changed).values_list("created_at", "deadline_at")
    last = CaseEvent.objects.filter(pk__gt=after).order_by("-pk").values_list("at", flat=True).first()
    return [(created, deadline, last) for created, deadline in rows] if last else []


def first_report_day() -> dt.date | None:
    first = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return first.astimezone(TZ).date() if first else None


def last_deadline_day() -> dt.date | None:
    last = (
        Case.objects.order_by("-deadline_at")
        .filter(deadline_at__isnull=False)
        .values_list("deadline_at", flat=True)
        .first()
    )
    return last.astimezone(TZ).date() if last else None


def overdue_list(*, actor: Actor, now: dt.datetime, grid_id: int | None = None, path: str = "") -> QuerySet[Case]:
    """Running clocks past their deadline (status dispatched, as cases_overdue counts them) in one grid or
    below a place, among the cases the actor sees; the longest overdue first (the cockpit's list)."""
    cases = perms.visible_cases(actor).filter(status=CaseStatus.DISPATCHED, deadline_at__lt=now)
    if grid_id is not None:
        cases = cases.filter(grid_id=grid_id)
    if path:
        cases = cases.filter(any_subtree_q("org_path", [path]))
    return cases.select_related("category").order_by("deadline_at", "pk")
