"""Writes for cases. Every change of a case goes through case_transition, which checks the
allowed-transitions table (choices.TRANSITIONS) and who may act, then appends a CaseEvent."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.cases import permissions as perms
from gongzhi.cases import selectors, worktime
from gongzhi.cases.choices import (
    TRANSITIONS,
    Action,
    CaseStatus,
    Channel,
    HandlerKind,
    Pending,
    PhotoKind,
)
from gongzhi.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    MeToo,
    Open311Key,
    RoutingRule,
    WorkCalendarDay,
)
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.notifications import notify
from gongzhi.core.photos import CleanPhoto
from gongzhi.registry.models import Dwelling
from gongzhi.territory.choices import ManagementMode, NodeKind
from gongzhi.territory.geometry import contains_point
from gongzhi.territory.models import Grid, Node

STEP = Node.steplen


def working_calendar() -> worktime.IsWorkingDay:
    return worktime.calendar_predicate(dict(WorkCalendarDay.objects.values_list("day", "is_working")))


# --- where a case lies and who handles it ------------------------------------------------------


@dataclass(frozen=True)
class Place:
    org_path: str
    grid: Grid | None
    compound: Node | None
    building: Node | None
    dwelling: Dwelling | None
    longitude: float | None = None
    latitude: float | None = None


def grid_at(longitude: float, latitude: float) -> Grid | None:
    """The active grid whose boundary covers the point: bounding boxes first, then the polygon."""
    candidates = Grid.objects.filter(
        is_active=True,
        boundary__isnull=False,
        min_lon__lte=longitude,
        max_lon__gte=longitude,
        min_lat__lte=latitude,
        max_lat__gte=latitude,
    ).select_related("compound", "community")
    for grid in candidates.order_by("code"):
        if contains_point(grid.boundary, longitude, latitude):
            return grid
    return None


def place_locate(
    *,
    building: Node | None = None,
    dwelling: Dwelling | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
) -> Place:
    if dwelling is not None:
        unit = Node.objects.get(pk=dwelling.unit_id)
        building = Node.objects.get_parent(unit)
    if building is not None:
        if building.kind != NodeKind.BUILDING:
            raise DomainError(_("请选择楼栋。"), field="building")
        compound = Node.objects.filter(path=building.path[: 4 * STEP], kind=NodeKind.COMPOUND).first()
        grid = Grid.objects.filter(pk=building.grid_id).first() if building.grid_id else None
        path = dwelling.org_path if dwelling is not None else building.path
        return Place(path, grid, compound, building, dwelling, longitude, latitude)
    if longitude is None or latitude is None:
        raise DomainError(_("请选择楼栋或房屋，或在地图上选一个点。"), field="building")
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise DomainError(_("经纬度超出范围。"), field="longitude")
    grid = grid_at(longitude, latitude)
    if grid is None:
        raise DomainError(_("该位置不在任何网格内，请选择楼栋。"), field="longitude")
    compound = grid.compound
    path = compound.path if compound is not None else grid.community.path
    return Place(path, grid, compound, None, None, longitude, latitude)


def case_report_check(actor: Actor) -> None:
    """Refuse someone who may not report at all, before anything about the report is looked at."""
    if not actor.is_system and not perms.may_report(actor):
        raise NotAllowed(_("您没有上报事件的权限。"))


def place_from(
    *, actor: Actor, where: str = "", longitude: float | None = None, latitude: float | None = None
) -> Place:
    """Where a report by this actor lies: one of the places report_places offers them ("d<dwelling id>",
    "b<building id>"), else a point on the map. The page and the API resolve a report's place here."""
    case_report_check(actor)
    if not where:
        return place_locate(longitude=longitude, latitude=latitude)
    dwelling = building = None
    if where in dict(selectors.report_places(actor=actor)):
        pk = int(where[1:])
        if where.startswith("d"):
            dwelling = Dwelling.objects.filter(pk=pk).first()
        else:
            building = Node.objects.filter(pk=pk).first()
    if dwelling is None and building is None:
        raise DomainError(_("请选择列表中的位置。"), field="where")
    return place_locate(dwelling=dwelling, building=building)


@dataclass(frozen=True)
class Route:
    kind: str
    node: Node
    label: str


def route_for(*, org_path: str, compound: Node | None, category: CaseCategory) -> Route:
    """Location × category → handler: a routing rule if one matches, else the category's default kind
    at that place, else the community (the default owner), else the subdistrict."""
    prefixes = [org_path[: i * STEP] for i in range(1, len(org_path) // STEP + 1)]
    rules = (
        RoutingRule.objects.filter(place__path__in=prefixes)
        .filter(Q(category=category) | Q(category__isnull=True))
        .select_related("place", "handler_node")
    )
    best = max(rules, key=lambda r: (len(r.place.path), r.category_id is not None), default=None)
    if best is not None:
        return Route(best.handler_kind, best.handler_node, best.handler_label)
    kind = category.handler_kind
    if kind in perms.PROPERTY_KINDS and compound is not None:
        if compound.management_mode == ManagementMode.PROPERTY_COMPANY:
            return Route(HandlerKind.PROPERTY, compound, _("%(c)s物业") % {"c": compound.name})
        if compound.management_mode == ManagementMode.THIRD_PARTY:
            return Route(HandlerKind.THIRD_PARTY, compound, _("%(c)s托管单位") % {"c": compound.name})
    if kind == HandlerKind.DEPARTMENT:
        subdistrict = Node.objects.get(path=org_path[:STEP])
        return Route(HandlerKind.DEPARTMENT, subdistrict, category.department or subdistrict.name)
    community = Node.objects.filter(path=org_path[: 2 * STEP], kind=NodeKind.COMMUNITY).first()
    if community is not None:
        return Route(HandlerKind.COMMUNITY, community, community.name)
    subdistrict = Node.objects.get(path=org_path[:STEP])
    return Route(HandlerKind.DEPARTMENT, subdistrict, subdistrict.name)


# --- reporting ---------------------------------------------------------------------------------


def _channel_for(actor: Actor) -> str:
    if actor.has_role(*perms.GRID_ROLES):
        return Channel.GRID_WORKER
    if actor.has_role(Role.BUILDING_HEAD):
        return Channel.BUILDING_HEAD
    if actor.has_role(*perms.APPROVER_ROLES):
        return Channel.STAFF
    return Channel.RESIDENT


def _event(case: Case, actor: Actor, action: str, from_status: str, note: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.username or "system",
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
    )


def _attach(case: Case, event: CaseEvent, photos: Sequence[CleanPhoto], kind: str) -> None:
    for photo in photos:
        CasePhoto.objects.create(
            case=case, event=event, kind=kind, image=photo.content, width=photo.width, height=photo.height
        )


def _case_url(case: Case) -> str:
    return reverse("cases:case-detail", args=[case.pk])


def _notify_users(user_ids: Sequence[int], *, title: str, case: Case, kind: str = "case") -> None:
    ids = [i for i in user_ids if i]
    if ids:
        transaction.on_commit(lambda: notify(recipient_ids=ids, kind=kind, title=title, url=_case_url(case)))


def _grid_heads(case: Case) -> list[int]:
    if case.grid_id is None:
        return []
    on = timezone.localdate()
    return list(
        Duty.objects.filter(Duty.current_q(on), grid_id=case.grid_id, role__in=perms.GRID_ROLES).values_list(
            "user_id", flat=True
        )
    )


def _handler_users(case: Case) -> list[int]:
    role = {
        HandlerKind.PROPERTY: Role.PROPERTY_STAFF,
        HandlerKind.THIRD_PARTY: Role.PROPERTY_STAFF,
        HandlerKind.COMMUNITY: Role.COMMUNITY_WORKER,
        HandlerKind.DEPARTMENT: Role.SUBDISTRICT_OFFICER,
    }[HandlerKind(case.handler_kind)]
    if case.handler_node_id is None:
        return []
    on = timezone.localdate()
    return list(
        Duty.objects.filter(Duty.current_q(on), node_id=case.handler_node_id, role=role).values_list(
            "user_id", flat=True
        )
    )


def case_report(
    *,
    actor: Actor,
    category: CaseCategory | None,
    description: str,
    place: Place,
    photos: Sequence[CleanPhoto] = (),
    is_private: bool = False,
    address: str = "",
    channel: str | None = None,
) -> Case:
    case_report_check(actor)
    if category is None or category.parent_id is None or not category.is_active:
        raise DomainError(_("请选择一个启用的小类。"), field="category")
    description = description.strip()
    if not description:
        raise DomainError(_("请填写问题描述。"), field="description")
    if len(description) > 4000:
        raise DomainError(_("问题描述不能超过 4000 字。"), field="description")
    with transaction.atomic():
        case = Case.objects.create(
            reporter_id=actor.user_id,
            channel=channel or _channel_for(actor),
            category=category,
            description=description,
            address=address[:200],
            building=place.building,
            dwelling=place.dwelling,
            longitude=place.longitude,
            latitude=place.latitude,
            org_path=place.org_path,
            grid=place.grid,
            compound=place.compound,
            is_private=is_private,
        )
        event = _event(case, actor, "report", "")
        _attach(case, event, photos, PhotoKind.REPORT)
        _notify_users(_grid_heads(case), title=_("新事件待受理：%(c)s") % {"c": category.name}, case=case)
    return case


# --- the one transition service ----------------------------------------------------------------


def _may(actor: Actor, case: Case, action: str) -> bool:
    if action == Action.ESCALATE:
        return actor.is_system
    if action in (Action.HANDLE, Action.REQUEST_EXTENSION, Action.REQUEST_RETURN):
        return perms.is_handler(actor, case)
    if action in (Action.VERIFY_PASS, Action.VERIFY_FAIL):
        # The unit that fixes is never the one that certifies the fix.
        return perms.is_reporting_side(actor, case) and not perms.is_handler(actor, case)
    if action in (
        Action.APPROVE_EXTENSION,
        Action.DENY_EXTENSION,
        Action.APPROVE_RETURN,
        Action.DENY_RETURN,
        Action.PARK,
        Action.UNPARK,
    ):
        return perms.is_approver(actor, case)
    if action == Action.RATE:
        return perms.is_reporter(actor, case)
    if action == Action.ME_TOO:
        # Residents say "me too"; staff who meet the same problem file or merge instead.
        return actor.is_resident and not perms.is_reporter(actor, case)
    return perms.is_reporting_side(actor, case)


def allowed_actions(actor: Actor, case: Case) -> list[str]:
    """The actions this actor may take on this case now (the detail page shows these)."""
    found = []
    for action, (sources, _target) in TRANSITIONS.items():
        if case.status not in sources or action == Action.ESCALATE or not _may(actor, case, action):
            continue
        if action in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION) and case.pending != Pending.EXTENSION:
            continue
        if action in (Action.APPROVE_RETURN, Action.DENY_RETURN) and case.pending != Pending.RETURN:
            continue
        if action in (Action.REQUEST_EXTENSION, Action.REQUEST_RETURN) and case.pending:
            continue
        found.append(action)
    return found


def _start_clock(case: Case, now: dt.datetime) -> None:
    case.deadline_at = worktime.deadline(
        now, case.category.time_limit_amount, case.category.time_limit_unit, working_calendar()
    )
    case.escalation_level = 0
    case.is_on_time = None


def _route(case: Case) -> None:
    route = route_for(org_path=case.org_path, compound=case.compound, category=case.category)
    case.handler_kind, case.handler_node, case.handler_label = route.kind, route.node, route.label


def _require(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    return value


def case_transition(
    *,
    actor: Actor,
    case: Case,
    action: str,
    note: str = "",
    photos: Sequence[CleanPhoto] = (),
    rating: int | None = None,
    hours: int | None = None,
    category: CaseCategory | None = None,
    target: Case | None = None,
) -> Case:
    if action not in TRANSITIONS:
        raise InvalidTransition(_("未知的操作。"))
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("category", "compound").get(pk=case.pk)
        sources, to_status = TRANSITIONS[action]
        if case.status not in sources:
            raise InvalidTransition(
                _("事件当前为“%(s)s”，不能%(a)s。") % {"s": CaseStatus(case.status).label, "a": Action(action).label}
            )
        if not _may(actor, case, action):
            raise NotAllowed(_("您不能对该事件执行“%(a)s”。") % {"a": Action(action).label})
        from_status = case.status
        now = timezone.now()
        photo_kind = PhotoKind.REPORT
        notify_ids: list[int] = []
        title = ""

        if action == Action.ACCEPT:
            case.accepted_at = now
        elif action == Action.REJECT:
            note = _require(note, _("请填写不予立案的理由。"), "note")
            title = _("您上报的事件未予立案")
            notify_ids = [case.reporter_id] if case.reporter_id else []
        elif action == Action.DISPATCH:
            _route(case)
            case.dispatched_at = case.dispatched_at or now
            _start_clock(case, now)
            title = _("新派遣事件：%(c)s") % {"c": case.category.name}
        elif action == Action.HANDLE:
            note = _require(note, _("请填写处置结果。"), "note")
            if not photos:
                raise DomainError(_("请上传处置后的照片。"), field="photos")
            case.result = note
            case.handled_at = now
            case.handling_minutes = worktime.working_minutes_between(case.dispatched_at or now, now, working_calendar())
            case.is_on_time = case.deadline_at is None or now <= case.deadline_at
            case.pending, case.pending_minutes, case.pending_note = Pending.NONE, 0, ""
            photo_kind = PhotoKind.RESULT
            notify_ids = _grid_heads(case)
            title = _("事件已处置，待核查：%(c)s") % {"c": case.category.name}
        elif action == Action.VERIFY_FAIL:
            note = _require(note, _("请写明核查不通过的原因。"), "note")
            case.rework_count += 1
            case.is_on_time = None
            photo_kind = PhotoKind.VERIFY
            title = _("事件核查未通过，请返工：%(c)s") % {"c": case.category.name}
        elif action == Action.VERIFY_PASS:
            photo_kind = PhotoKind.VERIFY
        elif action == Action.CLOSE:
            case.reply = _require(note, _("请填写给上报人的答复。"), "note")
            case.closed_at = now
            notify_ids = [case.reporter_id] if case.reporter_id else []
            title = _("您上报的事件已办结，请评价")
        elif action == Action.RATE:
            if rating is None or not 1 <= rating <= 5:
                raise DomainError(_("满意度请选择 1 到 5 分。"), field="rating")
            case.rating, case.rating_note = rating, note[:500]
        elif action == Action.REQUEST_EXTENSION:
            if not hours or hours <= 0 or hours > 7 * 30:
                raise DomainError(_("延期请填写 1 到 210 个工作时。"), field="hours")
            case.pending, case.pending_minutes = Pending.EXTENSION, hours * 60
            case.pending_note = _require(note, _("请写明延期理由。"), "note")[:500]
        elif action == Action.REQUEST_RETURN:
            case.pending, case.pending_minutes = Pending.RETURN, 0
            case.pending_note = _require(note, _("请写明回退理由。"), "note")[:500]
        elif action in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION, Action.APPROVE_RETURN, Action.DENY_RETURN):
            wanted = Pending.EXTENSION if "extension" in action else Pending.RETURN
            if case.pending != wanted:
                raise InvalidTransition(_("该事件没有待审批的%(p)s。") % {"p": Pending(wanted).label})
            if action == Action.APPROVE_EXTENSION and case.deadline_at is not None:
                case.deadline_at = worktime.add_working_minutes(
                    case.deadline_at, case.pending_minutes, working_calendar()
                )
                case.extension_count += 1
                case.escalation_level = 0
            if action == Action.APPROVE_RETURN:
                case.handler_kind, case.handler_node, case.handler_label = "", None, ""
                case.deadline_at = None
            note = note or case.pending_note
            case.pending, case.pending_minutes, case.pending_note = Pending.NONE, 0, ""
        elif action == Action.PARK:
            note = _require(note, _("请写明挂账理由。"), "note")
            case.pending, case.pending_minutes, case.pending_note = Pending.NONE, 0, ""
        elif action == Action.UNPARK:
            if case.handler_node_id is None:
                _route(case)
            case.dispatched_at = case.dispatched_at or now
            _start_clock(case, now)
        elif action == Action.RECATEGORISE:
            if category is None or category.parent_id is None or not category.is_active:
                raise DomainError(_("请选择一个启用的小类。"), field="category")
            note = note or _("由“%(a)s”改为“%(b)s”") % {"a": case.category.name, "b": category.name}
            case.category = category
            if case.status == CaseStatus.DISPATCHED:
                before = case.handler_node_id, case.handler_kind
                _route(case)
                if (case.handler_node_id, case.handler_kind) != before:
                    _start_clock(case, now)
                    title = _("新派遣事件：%(c)s") % {"c": category.name}
        elif action == Action.MERGE:
            if target is None or target.pk == case.pk:
                raise DomainError(_("请选择要合并到的事件。"), field="target")
            target = Case.objects.select_for_update().get(pk=target.pk)
            if target.status in (CaseStatus.MERGED, CaseStatus.REJECTED):
                raise DomainError(_("不能合并到已合并或未立案的事件。"), field="target")
            case.merged_into = target
            Case.objects.filter(pk=target.pk).update(me_too_count=F("me_too_count") + 1 + case.me_too_count)
            note = note or _("合并到事件 #%(n)d") % {"n": target.pk}
            notify_ids = [case.reporter_id] if case.reporter_id else []
            title = _("您上报的事件已与同类事件合并处理")
        elif action == Action.ME_TOO:
            _obj, created = MeToo.objects.get_or_create(case=case, user_id=actor.user_id)
            if not created:
                raise DomainError(_("您已经表示过“我也遇到”。"))
            case.me_too_count += 1

        if to_status is not None:
            case.status = to_status
        case.save()
        event = _event(case, actor, action, from_status, note)
        _attach(case, event, photos, photo_kind)
        if action in (Action.DISPATCH, Action.VERIFY_FAIL, Action.UNPARK) or (action == Action.RECATEGORISE and title):
            notify_ids = _handler_users(case)
        if notify_ids and title:
            _notify_users(notify_ids, title=title, case=case)
    return case


# --- the working calendar and Open311 keys -----------------------------------------------------


def calendar_day_set(*, actor: Actor, day: dt.date, is_working: bool | None, note: str = "") -> None:
    """Mark a day as holiday or make-up working day; ``None`` returns it to the weekday rule."""
    if not actor.is_system and not perms.may_edit_calendar(actor):
        raise NotAllowed(_("只有街道干部可以修改工作日历。"))
    with transaction.atomic():
        row = WorkCalendarDay.objects.filter(day=day).first()
        before: dict[str, Any] = {"is_working": row.is_working} if row else {}
        if is_working is None:
            if row is not None:
                row.delete()
        else:
            row, _created = WorkCalendarDay.objects.update_or_create(
                day=day, defaults={"is_working": is_working, "note": note[:60]}
            )
        target = row or WorkCalendarDay(day=day)
        audit_record(
            actor=actor,
            action="cases.calendar",
            target=target,
            before=before,
            after={} if is_working is None else {"is_working": is_working},
            label=str(day),
        )


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open311_key_create(*, actor: Actor, name: str) -> tuple[Open311Key, str]:
    if not actor.is_system and not perms.may_manage_keys(actor):
        raise NotAllowed(_("只有街道干部可以管理接口密钥。"))
    name = _require(name, _("请填写密钥名称。"), "name")[:100]
    if actor.user_id is None:
        raise NotAllowed(_("接口密钥必须由具体的人创建。"))
    raw = "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        key = Open311Key.objects.create(name=name, prefix=raw[:12], digest=_digest(raw), created_by_id=actor.user_id)
        audit_record(actor=actor, action="cases.open311_key_create", target=key, label=name)
    return key, raw


def open311_key_revoke(*, actor: Actor, key: Open311Key) -> None:
    if not actor.is_system and not perms.may_manage_keys(actor):
        raise NotAllowed(_("只有街道干部可以管理接口密钥。"))
    with transaction.atomic():
        Open311Key.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=actor, action="cases.open311_key_revoke", target=key, label=key.name)


def open311_key_check(raw: str) -> Open311Key | None:
    if not raw:
        return None
    key = Open311Key.objects.filter(digest=_digest(raw), revoked_at__isnull=True).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def open311_request_create(
    *, key: Open311Key, category: CaseCategory, description: str, place: Place, address: str = ""
) -> Case:
    """A request from a partner channel enters the same workflow at "reported", with no reporter account."""
    actor = Actor.system(f"open311:{key.prefix}")
    with transaction.atomic():
        case = case_report(
            actor=actor,
            category=category,
            description=description,
            place=place,
            address=address,
            channel=Channel.OPEN311,
        )
        case.open311_token = secrets.token_hex(8)
        case.save(update_fields=["open311_token"])
    return case
