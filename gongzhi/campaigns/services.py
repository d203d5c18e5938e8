"""Writes of door-to-door campaigns: plan, open (snapshot), visit, find a person, reassign, close, recount, purge.

Counting rule: a household counts once, the first time a visit leaves it reached or vacant; a person counts
once, the first time a check says present, away, moved out or deceased. The grid tally and the day tally
move in the same transaction as the visit, by single UPDATE … SET n = n + 1 statements (row-locked by the
database), so two workers in one grid never lose a count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, LPad, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.campaigns.answers import clean_answers
from gongzhi.campaigns.choices import (
    CHECKED_STATES,
    DONE_STATES,
    TRANSITIONS,
    CampaignKind,
    CampaignStatus,
    FieldKind,
    FieldTarget,
    HouseholdState,
    PersonState,
)
from gongzhi.campaigns.models import (
    Campaign,
    CampaignDayTally,
    CampaignField,
    CampaignGridTally,
    CampaignHousehold,
    CampaignPerson,
    CampaignScope,
    GridAssignment,
    PersonCheck,
    Visit,
)
from gongzhi.campaigns.permissions import (
    GRID_ROLES,
    can_manage_at,
    can_manage_campaign,
    can_record_visit,
    can_see_health,
    may_create_campaigns,
)
from gongzhi.core.actors import Actor, any_subtree_q, subtree_q
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.registry.choices import PersonStatus, Relation
from gongzhi.registry.models import Household
from gongzhi.registry.services import PersonData, person_register
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.services import holding_grid


@dataclass(frozen=True)
class FieldSpec:
    target: str
    label: str
    kind: str
    options: tuple[str, ...] = ()
    is_required: bool = False
    min_value: Any = None
    max_value: Any = None
    is_health: bool = False
    key: str = ""


@dataclass(frozen=True)
class CheckInput:
    person_row_id: int
    status: str
    answers: Mapping[str, Any] = field(default_factory=dict)


def _transition(campaign: Campaign, to: str) -> None:
    if to not in TRANSITIONS[campaign.status]:
        raise InvalidTransition(
            _("走访任务当前为“%(now)s”，不能改为“%(to)s”。")
            % {"now": campaign.get_status_display(), "to": CampaignStatus(to).label}
        )
    campaign.status = to


@transaction.atomic
def campaign_create(
    *,
    actor: Actor,
    title: str,
    kind: str,
    purpose: str,
    scope: Sequence[Node],
    starts_on: dt.date,
    ends_on: dt.date,
    retention_ends_on: dt.date,
    fields: Sequence[FieldSpec] = (),
) -> Campaign:
    if not (actor.is_system or may_create_campaigns(actor)):
        raise NotAllowed(_("您没有发起走访任务的权限。"))
    title = title.strip()
    if not title:
        raise DomainError(_("请填写任务名称。"), field="title")
    if kind not in CampaignKind.values:
        raise DomainError(_("请选择任务类型。"), field="kind")
    if not purpose.strip():
        raise DomainError(_("请写明收集信息的目的与依据（个人信息保护法第十七条）。"), field="purpose")
    if not scope:
        raise DomainError(_("请至少选择一个走访范围。"), field="scope")
    for node in scope:
        if not can_manage_at(actor, path=node.path):
            raise NotAllowed(_("“%(name)s”不在您的管理范围内。") % {"name": node.name})
    if ends_on < starts_on:
        raise DomainError(_("结束日期不能早于开始日期。"), field="ends_on")
    if retention_ends_on < ends_on:
        raise DomainError(_("个人信息保存截止日不能早于任务结束日期。"), field="retention_ends_on")
    campaign = Campaign.objects.create(
        title=title,
        kind=kind,
        purpose=purpose.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        retention_ends_on=retention_ends_on,
        created_by_id=actor.user_id or _system_user_id(),
    )
    CampaignScope.objects.bulk_create(CampaignScope(campaign=campaign, node=n, path=n.path) for n in scope)
    for order, spec in enumerate(fields):
        field_add(campaign=campaign, spec=spec, sort_order=order)
    audit_record(actor=actor, action="campaigns.campaign_create", target=campaign, label=title)
    return campaign


def _system_user_id() -> int:
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise DomainError(_("没有可以记为创建人的管理员账号。"))
    return user.pk


def field_add(*, campaign: Campaign, spec: FieldSpec, sort_order: int = 0) -> CampaignField:
    if campaign.status != CampaignStatus.DRAFT:
        raise DomainError(_("任务开始后不能再修改表单。"), field="fields")
    if spec.target not in FieldTarget.values:
        raise DomainError(_("字段对象须为每户或每人。"), field="fields")
    if spec.kind not in FieldKind.values:
        raise DomainError(_("字段类型无效：%(kind)s。") % {"kind": spec.kind}, field="fields")
    if not spec.label.strip():
        raise DomainError(_("字段须有问题文字。"), field="fields")
    if spec.kind == FieldKind.CHOICE and len(spec.options) < 2:
        raise DomainError(_("选项题“%(label)s”至少需要两个选项。") % {"label": spec.label}, field="fields")
    key = spec.key or f"{spec.target[0]}{sort_order + 1}"
    if CampaignField.objects.filter(campaign=campaign, target=spec.target, key=key).exists():
        raise DomainError(_("字段代码“%(key)s”重复。") % {"key": key}, field="fields")
    return CampaignField.objects.create(
        campaign=campaign,
        target=spec.target,
        key=key,
        label=spec.label.strip(),
        kind=spec.kind,
        options=list(spec.options),
        is_required=spec.is_required,
        min_value=spec.min_value,
        max_value=spec.max_value,
        is_health=spec.is_health or spec.kind == FieldKind.TEMPERATURE,
        sort_order=sort_order,
    )


def _insert_select(model: type[Any], columns: Sequence[str], queryset: QuerySet[Any]) -> int:
    """INSERT INTO model (columns) SELECT … : the snapshot is written by the database, not a Python loop."""
    sql, params = queryset.order_by().query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({cols}) {sql}", params)
        return int(cursor.rowcount)


# The tree runs subdistrict → community → …: a community's path is the first two steps of those below it.
COMMUNITY_PATH_LENGTH = 2 * Node.steplen


def _unassigned_buckets(households: QuerySet[Household]) -> list[tuple[str, QuerySet[Household]]]:
    """Households no grid holds, by the community they lie in (path of 8), or the node above when none."""
    prefixes = (
        households.filter(grid__isnull=True)
        .annotate(bucket=Substr("org_path", 1, COMMUNITY_PATH_LENGTH))
        .values_list("bucket", flat=True)
        .distinct()
        .order_by()
    )
    buckets = []
    for prefix in sorted(set(prefixes)):
        place = subtree_q("org_path", prefix) if len(prefix) == COMMUNITY_PATH_LENGTH else Q(org_path=prefix)
        buckets.append((prefix, households.filter(place, grid__isnull=True)))
    return buckets


@dataclass(frozen=True)
class UnassignedBucket:
    node: Node
    households: int


@dataclass(frozen=True)
class SnapshotPreview:
    """What opening the campaign would copy: all households, and those outside any grid by community."""

    households: int
    unassigned: list[UnassignedBucket]

    @property
    def unassigned_total(self) -> int:
        return sum(b.households for b in self.unassigned)


def _scope_households(campaign: Campaign) -> QuerySet[Household]:
    paths = [s.path for s in campaign.scopes.all()]
    return Household.objects.filter(is_active=True).filter(any_subtree_q("org_path", paths))


def snapshot_preview(*, campaign: Campaign) -> SnapshotPreview:
    """The counts shown before a manager confirms "开始走访": the same rule as _snapshot, read only."""
    households = _scope_households(campaign)
    buckets = _unassigned_buckets(households)
    nodes = Node.objects.in_bulk([prefix for prefix, _rows in buckets], field_name="path")
    return SnapshotPreview(
        households=households.count(),
        unassigned=[UnassignedBucket(nodes[prefix], rows.count()) for prefix, rows in buckets],
    )


def _insert_households(campaign: Campaign, households: QuerySet[Household], grid: Any) -> int:
    rows = households.annotate(
        c_campaign=Value(campaign.pk),
        c_grid=grid,
        # A household with no dwelling walks at its place's path: Concat reads the missing floor and room as "".
        c_walk=Concat(
            F("org_path"),
            LPad(Cast(F("dwelling__floor") + 100, CharField()), 3, Value("0")),
            LPad(F("dwelling__room"), 8, Value("0")),
            output_field=CharField(),
        ),
        c_state=Value(HouseholdState.PENDING),
        c_zero=Value(0),
    ).values_list("c_campaign", "pk", "c_grid", "org_path", "c_walk", "c_state", "c_zero")
    return _insert_select(
        CampaignHousehold,
        ["campaign_id", "household_id", "grid_id", "org_path", "walk_key", "state", "visit_count"],
        rows,
    )


def _snapshot(campaign: Campaign) -> None:
    """Copy every active household in scope: those in a grid under it, the others under their community's
    holding cell (未划网格), so that a building nobody put in a grid still counts and is walked."""
    households = _scope_households(campaign)
    _insert_households(campaign, households.filter(grid__isnull=False), F("grid_id"))
    for prefix, rows in _unassigned_buckets(households):
        holding = holding_grid(community=Node.objects.get(path=prefix))
        _insert_households(campaign, rows, Value(holding.pk))
    people = (
        CampaignHousehold.objects.filter(campaign=campaign, household__members__status=PersonStatus.RESIDENT)
        .annotate(c_campaign=Value(campaign.pk), c_state=Value(PersonState.PENDING), c_found=Value(False))
        .values_list("c_campaign", "household__members__id", "pk", "grid_id", "c_state", "c_found")
    )
    _insert_select(
        CampaignPerson, ["campaign_id", "person_id", "household_row_id", "grid_id", "state", "is_found"], people
    )
    _write_tallies(campaign)


def _grid_paths(grid_ids: Iterable[int]) -> dict[int, str]:
    return {
        pk: compound_path or org_path
        for pk, compound_path, org_path in Grid.objects.filter(pk__in=list(grid_ids)).values_list(
            "pk", "compound__path", "org_path"
        )
    }


def _count_rows(campaign: Campaign) -> dict[int, list[int]]:
    """grid → [households total, reached, persons total, checked], counted from the snapshot rows."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    done = Q(state__in=DONE_STATES)
    for grid_id, total, reached in (
        CampaignHousehold.objects.filter(campaign=campaign)
        .values_list("grid_id")
        .annotate(total=Count("pk"), reached=Count("pk", filter=done))
        .order_by()
    ):
        counts[grid_id][0:2] = [total, reached]
    for grid_id, total, checked in (
        CampaignPerson.objects.filter(campaign=campaign)
        .values_list("grid_id")
        .annotate(total=Count("pk"), checked=Count("pk", filter=Q(state__in=CHECKED_STATES)))
        .order_by()
    ):
        counts[grid_id][2:4] = [total, checked]
    return counts


def _write_tallies(campaign: Campaign) -> None:
    counts = _count_rows(campaign)
    paths = _grid_paths(counts)
    CampaignGridTally.objects.bulk_create(
        CampaignGridTally(
            campaign=campaign,
            grid_id=grid_id,
            org_path=paths[grid_id],
            households_total=c[0],
            households_reached=c[1],
            persons_total=c[2],
            persons_checked=c[3],
        )
        for grid_id, c in sorted(counts.items())
    )


def _default_assignments(campaign: Campaign, *, now: dt.datetime) -> int:
    """Each grid to its grid workers; a holding cell (未划网格) to the community workers of its community."""
    grid_ids = list(CampaignGridTally.objects.filter(campaign=campaign).values_list("grid_id", flat=True))
    current = Duty.current_q(now.date()) & Q(user__is_active=True)
    duties = set(
        Duty.objects.filter(current, role__in=GRID_ROLES, grid_id__in=grid_ids).values_list("grid_id", "user_id")
    )
    holding = dict(Grid.objects.filter(pk__in=grid_ids, is_holding=True).values_list("community_id", "pk"))
    community_duties = set(
        Duty.objects.filter(current, role=Role.COMMUNITY_WORKER, node_id__in=list(holding)).values_list(
            "node_id", "user_id"
        )
    )
    reasons = {g: _("按网格职责") for g, _u in duties}
    for community_id, user_id in community_duties:
        duties.add((holding[community_id], user_id))
        reasons[holding[community_id]] = _("未划网格的住户，由社区工作者走访")
    rows = [
        GridAssignment(
            campaign=campaign, grid_id=g, worker_id=u, assigned_by="system", reason=reasons[g], assigned_at=now
        )
        for g, u in sorted(duties)
    ]
    GridAssignment.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def campaign_open(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Snapshot the registry in scope (households, residents, grid tallies) and assign grids to their workers."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not can_manage_campaign(actor, campaign):
        raise NotAllowed(_("您没有开始这个走访任务的权限。"))
    _transition(campaign, CampaignStatus.OPEN)
    now = timezone.now()
    campaign.opened_at = now
    campaign.save(update_fields=["status", "opened_at", "updated_at"])
    _snapshot(campaign)
    assigned = _default_assignments(campaign, now=now)
    audit_record(
        actor=actor,
        action="campaigns.campaign_open",
        target=campaign,
        label=campaign.title,
        after={"assigned": assigned},
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor: Actor, campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not can_manage_campaign(actor, campaign):
        raise NotAllowed(_("您没有结束这个走访任务的权限。"))
    _transition(campaign, CampaignStatus.CLOSED)
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action="campaigns.campaign_close", target=campaign, label=campaign.title)
    return campaign


def _bump(campaign_id: int, grid_id: int, org_path: str, day: dt.date, *, households: int, persons: int) -> None:
    CampaignGridTally.objects.filter(campaign_id=campaign_id, grid_id=grid_id).update(
        households_reached=F("households_reached") + households, persons_checked=F("persons_checked") + persons
    )
    updated = CampaignDayTally.objects.filter(campaign_id=campaign_id, grid_id=grid_id, day=day).update(
        households_reached=F("households_reached") + households, persons_checked=F("persons_checked") + persons
    )
    if not updated:
        try:
            with transaction.atomic():
                CampaignDayTally.objects.create(
                    campaign_id=campaign_id,
                    grid_id=grid_id,
                    org_path=org_path,
                    day=day,
                    households_reached=households,
                    persons_checked=persons,
                )
        except IntegrityError:  # another visit in this grid created today's row first
            CampaignDayTally.objects.filter(campaign_id=campaign_id, grid_id=grid_id, day=day).update(
                households_reached=F("households_reached") + households, persons_checked=F("persons_checked") + persons
            )


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    row: CampaignHousehold,
    outcome: str,
    idempotency_key: str,
    answers: Mapping[str, Any] | None = None,
    checks: Sequence[CheckInput] = (),
    note: str = "",
    at: dt.datetime | None = None,
) -> Visit:
    """Record a visit; the same idempotency key returns the visit already recorded and counts nothing again."""
    key = idempotency_key.strip()
    if not key or len(key) > 64:
        raise DomainError(_("表单缺少提交编号，请刷新页面后重试。"), field="idempotency_key")
    existing = Visit.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_visit(existing, row)
    # Lock the household row: visits to one household are serialised, so a resubmission waiting here
    # finds the first one's visit below.
    row = CampaignHousehold.objects.select_for_update().select_related("campaign").get(pk=row.pk)
    existing = Visit.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_visit(existing, row)
    campaign = row.campaign
    if campaign.status != CampaignStatus.OPEN:
        raise DomainError(_("走访任务未在进行中，不能登记走访。"))
    if not can_record_visit(actor, row):
        raise NotAllowed(_("您不能登记这一户的走访。"))
    if outcome not in HouseholdState.values or outcome == HouseholdState.PENDING:
        raise DomainError(_("请选择走访结果。"), field="outcome")
    fields = list(campaign.fields.all())
    household_answers = (
        clean_answers([f for f in fields if f.target == FieldTarget.HOUSEHOLD], answers or {})
        if outcome == HouseholdState.REACHED
        else {}
    )
    person_fields = [f for f in fields if f.target == FieldTarget.PERSON]
    people = {p.pk: p for p in CampaignPerson.objects.select_for_update().filter(household_row=row)}
    cleaned_checks: list[tuple[CampaignPerson, str, dict[str, Any]]] = []
    for check in checks:
        person = people.get(check.person_row_id)
        if person is None:
            raise DomainError(_("核查的人员不属于这一户。"), field="checks")
        if check.status not in PersonState.values or check.status == PersonState.PENDING:
            raise DomainError(_("请选择每位成员的核查结果。"), field=f"p{person.pk}-status")
        person_answers = (
            clean_answers(person_fields, check.answers, prefix=f"p{person.pk}-")
            if check.status == PersonState.PRESENT
            else {}
        )
        cleaned_checks.append((person, check.status, person_answers))
    if not can_see_health(actor):
        # The form leaves health questions out for these roles; a hand-made request must not get them in.
        health = {(f.target, f.key) for f in fields if f.is_health}
        given = {(FieldTarget.HOUSEHOLD, k) for k in household_answers} | {
            (FieldTarget.PERSON, k) for _person, _status, given_answers in cleaned_checks for k in given_answers
        }
        if health & given:
            raise NotAllowed(_("您的职责不能登记健康信息（如体温），请由网格员或社区工作者登记。"))
    at = at or timezone.now()
    day = timezone.localdate(at)
    visit = Visit.objects.create(
        campaign=campaign,
        household_row=row,
        worker_id=actor.user_id,
        worker_name=actor.display_name or actor.username,
        idempotency_key=key,
        outcome=outcome,
        answers=household_answers,
        note=note.strip()[:300],
        visited_at=at,
    )
    newly_done = row.state not in DONE_STATES and outcome in DONE_STATES
    if row.state not in DONE_STATES:
        row.state = outcome
    if newly_done:
        row.done_on = day
    row.visit_count += 1
    row.last_visit_at = at
    row.save(update_fields=["state", "done_on", "visit_count", "last_visit_at"])
    newly_checked = 0
    for person, status, person_answers in cleaned_checks:
        PersonCheck.objects.create(visit=visit, person_row=person, status=status, answers=person_answers)
        if person.state not in CHECKED_STATES:
            if status in CHECKED_STATES:
                newly_checked += 1
                person.checked_on = day
            person.state = status
            person.save(update_fields=["state", "checked_on"])
    if newly_done or newly_checked:
        tally_path = CampaignGridTally.objects.filter(campaign=campaign, grid_id=row.grid_id).values_list(
            "org_path", flat=True
        )
        _bump(
            campaign.pk,
            row.grid_id,
            tally_path.first() or row.org_path,
            day,
            households=int(newly_done),
            persons=newly_checked,
        )
    return visit


def _same_visit(existing: Visit, row: CampaignHousehold) -> Visit:
    if existing.household_row_id != row.pk:
        raise DomainError(_("提交编号已用于另一户的走访，请刷新页面后重试。"), field="idempotency_key")
    return existing


@transaction.atomic
def person_found(
    *, actor: Actor, row: CampaignHousehold, data: PersonData, relation: str = Relation.OTHER
) -> CampaignPerson:
    """A person living here who is not in the registry: registered by the registry's own service, then counted."""
    row = CampaignHousehold.objects.select_for_update().select_related("campaign", "household").get(pk=row.pk)
    if row.campaign.status != CampaignStatus.OPEN:
        raise DomainError(_("走访任务未在进行中，不能新增人员。"))
    if relation not in Relation.values or relation == Relation.HEAD:
        raise DomainError(_("请选择与户主的关系（不能是户主）。"), field="relation")
    person = person_register(actor=actor, data=data, household=row.household, relation=relation)
    person_row = CampaignPerson.objects.create(
        campaign=row.campaign, person=person, household_row=row, grid_id=row.grid_id, is_found=True
    )
    CampaignGridTally.objects.filter(campaign=row.campaign, grid_id=row.grid_id).update(
        persons_total=F("persons_total") + 1
    )
    return person_row


@transaction.atomic
def grid_reassign(
    *, actor: Actor, campaign: Campaign, grid: Grid, workers: Sequence[User], reason: str = ""
) -> list[GridAssignment]:
    """Make ``workers`` the grid's walkers for this campaign; the others' rows end (kept as history)."""
    if not can_manage_at(actor, path=grid.org_path):
        raise NotAllowed(_("您没有调整这个网格走访人员的权限。"))
    if campaign.status == CampaignStatus.CLOSED:
        raise DomainError(_("走访任务已结束，不能再调整人员。"))
    if not CampaignGridTally.objects.filter(campaign=campaign, grid=grid).exists():
        raise DomainError(_("该网格不在本次走访范围内。"), field="grid")
    if not workers:
        raise DomainError(_("请至少选择一名走访人员。"), field="workers")
    now = timezone.now()
    wanted = {w.pk for w in workers}
    current = GridAssignment.objects.select_for_update().filter(campaign=campaign, grid=grid, ended_at__isnull=True)
    kept = set()
    for assignment in current:
        if assignment.worker_id in wanted:
            kept.add(assignment.worker_id)
        else:
            assignment.ended_at = now
            assignment.save(update_fields=["ended_at"])
    created = [
        GridAssignment.objects.create(
            campaign=campaign,
            grid=grid,
            worker_id=pk,
            assigned_by=actor.username,
            reason=reason.strip()[:200],
            assigned_at=now,
        )
        for pk in sorted(wanted - kept)
    ]
    audit_record(
        actor=actor,
        action="campaigns.grid_reassign",
        target=campaign,
        label=grid.name,
        after={"grid": grid.pk, "workers": sorted(wanted)},
    )
    return created


def tallies_mismatch(campaign: Campaign) -> dict[int, tuple[list[int], list[int]]]:
    """Grids whose tally differs from a fresh count of the snapshot rows: grid → (tally, counted)."""
    counts = _count_rows(campaign)
    found: dict[int, tuple[list[int], list[int]]] = {}
    tallies = {
        t.grid_id: [t.households_total, t.households_reached, t.persons_total, t.persons_checked]
        for t in CampaignGridTally.objects.filter(campaign=campaign)
    }
    for grid_id in set(tallies) | set(counts):
        have, want = tallies.get(grid_id, [0, 0, 0, 0]), counts.get(grid_id, [0, 0, 0, 0])
        if have != want:
            found[grid_id] = (have, want)
    return found


@transaction.atomic
def recount(*, campaign: Campaign) -> int:
    """Rebuild the grid and day tallies from the snapshot rows. Returns the number of grids corrected."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    mismatched = len(tallies_mismatch(campaign))
    behind = {t.grid_id: (t.behind_since, t.escalated_on) for t in CampaignGridTally.objects.filter(campaign=campaign)}
    CampaignGridTally.objects.filter(campaign=campaign).delete()
    _write_tallies(campaign)
    for grid_id, (since, escalated) in behind.items():
        if since or escalated:
            CampaignGridTally.objects.filter(campaign=campaign, grid_id=grid_id).update(
                behind_since=since, escalated_on=escalated
            )
    CampaignDayTally.objects.filter(campaign=campaign).delete()
    day_counts: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for grid_id, day, n in (
        CampaignHousehold.objects.filter(campaign=campaign, done_on__isnull=False)
        .values_list("grid_id", "done_on")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        day_counts[(grid_id, day)][0] = n
    for grid_id, day, n in (
        CampaignPerson.objects.filter(campaign=campaign, checked_on__isnull=False)
        .values_list("grid_id", "checked_on")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        day_counts[(grid_id, day)][1] = n
    paths = _grid_paths({g for g, _d in day_counts})
    CampaignDayTally.objects.bulk_create(
        CampaignDayTally(
            campaign=campaign, grid_id=g, org_path=paths[g], day=d, households_reached=c[0], persons_checked=c[1]
        )
        for (g, d), c in sorted(day_counts.items())
    )
    return mismatched


@transaction.atomic
def purge_expired(*, today: dt.date | None = None) -> int:
    """Blank the personal answers of campaigns past their retention end date; counts and states stay."""
    today = today or timezone.localdate()
    due = list(Campaign.objects.filter(retention_ends_on__lt=today, purged_at__isnull=True).select_for_update())
    for campaign in due:
        Visit.objects.filter(campaign=campaign).update(answers={}, note="")
        PersonCheck.objects.filter(visit__campaign=campaign).update(answers={})
        campaign.purged_at = timezone.now()
        campaign.save(update_fields=["purged_at", "updated_at"])
        audit_record(
            actor=Actor.system("campaigns-retention"),
            action="campaigns.purge",
            target=campaign,
            label=campaign.title,
            after={"retention_ends_on": campaign.retention_ends_on.isoformat()},
        )
    return len(due)
