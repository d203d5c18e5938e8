"""Writes to the points ledger and the points shop: earning, redeeming, refunding, adjusting, checking.

Points are treated like money:
- every movement is an append-only PointsEntry with an integer amount and a unique key (idempotent posting);
- the balance is the sum of entries, cached on the Volunteer row in the same transaction;
- every posting holds the volunteer row locked (SELECT … FOR UPDATE on PostgreSQL; on SQLite every
  transaction is BEGIN IMMEDIATE, settings.DATABASES OPTIONS, which serialises writers), so two redemptions
  never both spend the same points, and ``balance_after`` is a true running balance;
- lock order is always volunteer, then order, then item, so concurrent redemptions and cancellations
  cannot deadlock;
- CheckConstraints (balance ≥ 0, stock ≥ 0) stand behind the checks here, and points_check finds any drift
  between the cached columns and the sums.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.notifications import notify
from gongzhi.territory.models import Node
from gongzhi.volunteering.choices import (
    ADJUSTMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
    AdjustmentStatus,
    EntryKind,
    OrderStatus,
    StockKind,
    VolunteerStatus,
    transition_check,
)
from gongzhi.volunteering.models import (
    Order,
    PointsAdjustment,
    PointsEntry,
    PointsRule,
    ServiceRecord,
    ShopItem,
    StockMovement,
    Volunteer,
)
from gongzhi.volunteering.permissions import (
    can_act_for_volunteer,
    can_cancel_order,
    can_decide_adjustment,
    can_hand_over_order,
    can_manage_rules,
    can_manage_shop,
    can_request_adjustment,
    manager_user_ids,
)

MAX_QUANTITY = 20
# No 0/O, 1/I: staff read pickup codes aloud and type them. 32 symbols, 8 of them: 40 bits.
PICKUP_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PICKUP_LENGTH = 8
CLIENT_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MIN_REASON = 4


def _actor_name(actor: Actor) -> str:
    return (actor.display_name or actor.username or "system")[:150]


def volunteer_recipients(volunteer: Volunteer) -> list[int]:
    """Who hears about a volunteer's points and hours: their account, and their guardian's for a minor."""
    ids = [volunteer.person.user_id]
    if volunteer.guardian is not None:
        ids.append(volunteer.guardian.user_id)
    return [i for i in ids if i is not None]


def _require_reason(reason: str, field_name: str = "reason") -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise DomainError(_("请写明原因（至少%(n)d个字）。") % {"n": MIN_REASON}, field=field_name)
    return reason[:200]


# --- posting ------------------------------------------------------------------------------------------


def volunteer_lock(volunteer_id: int) -> Volunteer:
    """The volunteer row, locked until the transaction ends. Every posting goes through here first."""
    return Volunteer.objects.select_for_update().get(pk=volunteer_id)


def entry_post(
    *,
    volunteer: Volunteer,
    kind: str,
    amount: int,
    occurred_on: dt.date,
    actor: Actor,
    source: models.Model,
    key: str,
    reason: str = "",
) -> PointsEntry:
    """Append one entry and move the cached balance with it. ``volunteer`` must come from volunteer_lock."""
    new_balance = volunteer.points_balance + amount
    if new_balance < 0:
        raise DomainError(
            _("积分不足：当前余额 %(balance)d，需要 %(need)d。")
            % {"balance": volunteer.points_balance, "need": -amount},
            field="points",
        )
    entry = PointsEntry.objects.create(
        volunteer=volunteer,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        occurred_on=occurred_on,
        actor_id=actor.user_id,
        actor_name=_actor_name(actor),
        source_type=source._meta.label_lower,
        source_id=source.pk,
        reason=reason[:200],
        key=key,
    )
    # F() rather than the value read: even a caller that forgot the lock cannot lose an update.
    Volunteer.objects.filter(pk=volunteer.pk).update(points_balance=F("points_balance") + amount)
    volunteer.points_balance = new_balance
    return entry


# --- points from certified hours ---------------------------------------------------------------------


def rule_in_force(on: dt.date) -> PointsRule:
    rule = PointsRule.objects.filter(starts_on__lte=on).order_by("-starts_on").first()
    if rule is None:
        raise DomainError(_("尚未设置积分规则，请志愿者协会管理员先在“积分规则”中设置。"))
    return rule


def _earned_between(volunteer: Volunteer, start: dt.date, end: dt.date) -> int:
    total = PointsEntry.objects.filter(
        volunteer=volunteer, kind=EntryKind.EARNED, occurred_on__gte=start, occurred_on__lte=end
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


@dataclass(frozen=True)
class Award:
    points: int
    raw: int  # what the hours were worth before the caps

    @property
    def capped(self) -> bool:
        return self.points < self.raw


def points_for_minutes(*, volunteer: Volunteer, minutes: int, on: dt.date) -> Award:
    """Points for ``minutes`` more certified service on ``on``: the rule's rate, floored to whole points, then cut
    to what is left under the day's and the month's caps."""
    rule = rule_in_force(on)
    raw = minutes * rule.points_per_hour // 60
    month_start = on.replace(day=1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    room = min(
        rule.daily_cap - _earned_between(volunteer, on, on),
        rule.monthly_cap - _earned_between(volunteer, month_start, month_end),
    )
    return Award(points=max(0, min(raw, room)), raw=raw)


def points_award_for_record(*, actor: Actor, volunteer: Volunteer, record: ServiceRecord) -> Award:
    """Post the points a certified record (or an upward correction) earns. ``volunteer`` is locked."""
    award = points_for_minutes(volunteer=volunteer, minutes=record.minutes, on=record.service_on)
    if award.points > 0:
        entry_post(
            volunteer=volunteer,
            kind=EntryKind.EARNED,
            amount=award.points,
            occurred_on=record.service_on,
            actor=actor,
            source=record,
            key=f"record:{record.pk}",
            reason=record.content,
        )
    return award


def points_take_back_for_correction(
    *, actor: Actor, volunteer: Volunteer, original: ServiceRecord, correction: ServiceRecord, new_minutes: int
) -> int:
    """After a downward correction, take back what the attendance earned beyond what its new time is worth.

    Only what is still in the balance can be taken back: points already spent in the shop stay spent (the
    balance never goes below zero), and the shortfall is visible in the entry's reason.
    """
    record_ids = [original.pk, *original.corrections.exclude(pk=correction.pk).values_list("pk", flat=True)]
    earned = int(
        PointsEntry.objects.filter(
            volunteer=volunteer,
            kind=EntryKind.EARNED,
            source_type="volunteering.servicerecord",
            source_id__in=record_ids,
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    worth = new_minutes * rule_in_force(original.service_on).points_per_hour // 60
    excess = max(0, earned - worth)
    taken = min(excess, volunteer.points_balance)
    if taken > 0:
        reason = correction.reason
        if taken < excess:
            reason = _("%(reason)s（应扣 %(excess)d，余额仅 %(taken)d）") % {
                "reason": reason,
                "excess": excess,
                "taken": taken,
            }
        entry_post(
            volunteer=volunteer,
            kind=EntryKind.EARNED,
            amount=-taken,
            occurred_on=original.service_on,
            actor=actor,
            source=correction,
            key=f"record:{correction.pk}",
            reason=reason,
        )
    return taken


@transaction.atomic
def points_rule_add(
    *, actor: Actor, starts_on: dt.date, points_per_hour: int, daily_cap: int, monthly_cap: int, note: str = ""
) -> PointsRule:
    """A new version of the rule from a date on; earlier certifications keep the points they earned."""
    if not can_manage_rules(actor):
        raise NotAllowed(_("只有街道志愿者协会管理员可以设置积分规则。"))
    if points_per_hour < 1:
        raise DomainError(_("每小时积分至少为1。"), field="points_per_hour")
    if daily_cap < 1:
        raise DomainError(_("每日上限至少为1。"), field="daily_cap")
    if monthly_cap < daily_cap:
        raise DomainError(_("每月上限不能小于每日上限。"), field="monthly_cap")
    if starts_on < timezone.localdate():
        raise DomainError(_("新规则只能从今天或以后生效，已认定的积分不受影响。"), field="starts_on")
    if PointsRule.objects.filter(starts_on=starts_on).exists():
        raise DomainError(_("该日期已有一条规则。"), field="starts_on")
    rule = PointsRule.objects.create(
        starts_on=starts_on,
        points_per_hour=points_per_hour,
        daily_cap=daily_cap,
        monthly_cap=monthly_cap,
        note=note.strip()[:200],
        created_by_id=actor.user_id,
    )
    audit_record(actor=actor, action="volunteering.points_rule_add", target=rule, after=snapshot(rule))
    return rule


# --- the shop -----------------------------------------------------------------------------------------


def _stock_move(
    *, item: ShopItem, delta: int, kind: str, actor: Actor, order: Order | None = None, reason: str = ""
) -> StockMovement:
    """Move the stock of a locked item and append the movement."""
    stock_after = item.stock + delta
    if stock_after < 0:
        raise DomainError(_("“%(item)s”库存不足。") % {"item": item.name}, field="quantity")
    ShopItem.objects.filter(pk=item.pk).update(stock=F("stock") + delta)
    item.stock = stock_after
    return StockMovement.objects.create(
        item=item,
        kind=kind,
        delta=delta,
        stock_after=stock_after,
        order=order,
        actor_id=actor.user_id,
        actor_name=_actor_name(actor),
        reason=reason[:200],
    )


@dataclass(frozen=True)
class ItemData:
    name: str
    points_price: int
    description: str = ""
    donor: str = ""
    limit_per_person: int | None = None
    is_active: bool = True


def _validate_item(data: ItemData) -> None:
    if not data.name.strip():
        raise DomainError(_("请填写商品名称。"), field="name")
    if data.points_price < 1:
        raise DomainError(_("所需积分至少为1。"), field="points_price")
    if data.limit_per_person is not None and data.limit_per_person < 1:
        raise DomainError(_("每人限兑至少为1，不限请留空。"), field="limit_per_person")


@transaction.atomic
def shop_item_create(*, actor: Actor, node: Node, data: ItemData, stock: int = 0) -> ShopItem:
    if not can_manage_shop(actor, node=node):
        raise NotAllowed(_("您不能在该区域上架商品。"))
    _validate_item(data)
    if stock < 0:
        raise DomainError(_("库存不能为负数。"), field="stock")
    item = ShopItem.objects.create(
        node=node,
        name=data.name.strip(),
        description=data.description.strip(),
        donor=data.donor.strip(),
        points_price=data.points_price,
        limit_per_person=data.limit_per_person,
        is_active=data.is_active,
        stock=0,
    )
    if stock:
        _stock_move(item=item, delta=stock, kind=StockKind.RESTOCK, actor=actor, reason=_("上架入库"))
    audit_record(
        actor=actor, action="volunteering.shop_item_create", target=item, after=snapshot(item), label=item.name
    )
    return item


@transaction.atomic
def shop_item_update(*, actor: Actor, item: ShopItem, data: ItemData) -> ShopItem:
    """Change what an item is and costs; the stock changes only through shop_item_restock."""
    if not can_manage_shop(actor, item):
        raise NotAllowed(_("您不能修改该商品。"))
    _validate_item(data)
    item = ShopItem.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item)
    item.name = data.name.strip()
    item.description = data.description.strip()
    item.donor = data.donor.strip()
    item.points_price = data.points_price
    item.limit_per_person = data.limit_per_person
    item.is_active = data.is_active
    item.save(
        update_fields=["name", "description", "donor", "points_price", "limit_per_person", "is_active", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="volunteering.shop_item_update",
        target=item,
        before=before,
        after=snapshot(item),
        label=item.name,
    )
    return item


@transaction.atomic
def shop_item_restock(*, actor: Actor, item: ShopItem, delta: int, reason: str = "") -> StockMovement:
    """Add stock (入库), or correct it after a count (盘点) with a reason when it goes down."""
    if not can_manage_shop(actor, item):
        raise NotAllowed(_("您不能调整该商品的库存。"))
    if delta == 0:
        raise DomainError(_("数量不能为0。"), field="delta")
    if delta < 0:
        reason = _require_reason(reason)
    item = ShopItem.objects.select_for_update().get(pk=item.pk)
    movement = _stock_move(
        item=item,
        delta=delta,
        kind=StockKind.RESTOCK if delta > 0 else StockKind.CORRECTION,
        actor=actor,
        reason=reason.strip() or _("入库"),
    )
    audit_record(
        actor=actor,
        action="volunteering.shop_item_restock",
        target=item,
        after={"delta": delta, "stock": item.stock, "reason": movement.reason},
        label=item.name,
    )
    return movement


def pickup_code_new() -> str:
    return "".join(secrets.choice(PICKUP_ALPHABET) for _i in range(PICKUP_LENGTH))


def pickup_code_normalise(text: str) -> str:
    """What staff typed or scanned, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s-]", "", text).upper()


def can_redeem_at(volunteer: Volunteer, item: ShopItem) -> bool:
    """A shop serves the people living under its node."""
    return volunteer.person.org_path.startswith(item.node.path)


@transaction.atomic
def points_redeem(
    *, actor: Actor, volunteer: Volunteer, item: ShopItem, quantity: int = 1, client_key: str
) -> tuple[Order, bool]:
    """Exchange points for an item: the order, the points and the stock in one transaction.

    Returns (order, created). The same ``client_key`` again — a double tap, a retried request — returns the
    first order instead of spending twice.
    """
    if not can_act_for_volunteer(actor, volunteer):
        raise NotAllowed(_("只能为本人或被监护人兑换。"))
    if not CLIENT_KEY_RE.match(client_key or ""):
        raise DomainError(_("请求缺少有效的幂等键，请刷新页面后重试。"), field="client_key")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(_("数量须在1到%(n)d之间。") % {"n": MAX_QUANTITY}, field="quantity")
    locked = volunteer_lock(volunteer.pk)
    existing = Order.objects.filter(volunteer=locked, client_key=client_key).first()
    if existing is not None:
        if existing.item_id != item.pk or existing.quantity != quantity:
            raise DomainError(_("该请求已用于另一笔兑换，请刷新页面后重试。"), field="client_key")
        return existing, False
    if locked.status != VolunteerStatus.ACTIVE:
        raise DomainError(_("志愿者状态为“%(s)s”，不能兑换。") % {"s": locked.get_status_display()})
    if not can_redeem_at(volunteer, item):
        raise NotAllowed(_("该商品不面向您所在的区域。"))
    # The item row is read here without a lock and locked only at the very end, so that a popular item is held
    # for the stock update and the commit alone, not for the whole redemption.
    item = ShopItem.objects.get(pk=item.pk)
    if not item.is_active:
        raise DomainError(_("“%(item)s”已下架。") % {"item": item.name}, field="item")
    if item.stock < quantity:
        raise DomainError(
            _("“%(item)s”库存不足，仅剩 %(n)d 件。") % {"item": item.name, "n": item.stock}, field="quantity"
        )
    if item.limit_per_person is not None:
        taken = (
            Order.objects.filter(volunteer=locked, item=item)
            .exclude(status=OrderStatus.CANCELLED)
            .aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        if taken + quantity > item.limit_per_person:
            raise DomainError(
                _("“%(item)s”每人限兑 %(limit)d 件，您已兑换 %(taken)d 件。")
                % {"item": item.name, "limit": item.limit_per_person, "taken": taken},
                field="quantity",
            )
    cost = item.points_price * quantity
    if locked.points_balance < cost:
        raise DomainError(
            _("积分不足：需要 %(cost)d，当前余额 %(balance)d。") % {"cost": cost, "balance": locked.points_balance},
            field="quantity",
        )
    order = _order_create(actor=actor, volunteer=locked, item=item, quantity=quantity, cost=cost, client_key=client_key)
    entry_post(
        volunteer=locked,
        kind=EntryKind.REDEEMED,
        amount=-cost,
        occurred_on=timezone.localdate(),
        actor=actor,
        source=order,
        key=f"order:{order.pk}:redeem",
        reason=f"{item.name} ×{quantity}",
    )
    held = ShopItem.objects.select_for_update().get(pk=item.pk)
    if held.points_price != item.points_price or not held.is_active:
        raise DomainError(_("“%(item)s”的兑换条件刚刚变化，请刷新后重试。") % {"item": item.name}, field="item")
    # Under the lock: the last units may have gone meanwhile; then everything above rolls back.
    _stock_move(item=held, delta=-quantity, kind=StockKind.REDEEM, actor=actor, order=order)
    volunteer.points_balance = locked.points_balance
    return order, True


def _order_create(
    *, actor: Actor, volunteer: Volunteer, item: ShopItem, quantity: int, cost: int, client_key: str
) -> Order:
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a clashing pickup code must not abort the redemption
                return Order.objects.create(
                    volunteer=volunteer,
                    item=item,
                    quantity=quantity,
                    points=cost,
                    pickup_code=pickup_code_new(),
                    client_key=client_key,
                    placed_by_id=actor.user_id,
                )
        except IntegrityError:
            continue
    raise DomainError(_("生成领取码失败，请重试。"))


def _order_transition(order: Order, target: str) -> None:
    transition_check(ORDER_TRANSITIONS, OrderStatus, what=_("订单"), current=order.status, target=target)


@transaction.atomic
def order_cancel(*, actor: Actor, order: Order, reason: str = "") -> Order:
    """Cancel an order not yet picked up: the points come back as a new entry and the stock returns."""
    if not can_cancel_order(actor, order):
        raise NotAllowed(_("您不能取消该订单。"))
    by_owner = can_act_for_volunteer(actor, order.volunteer)
    if not by_owner:
        reason = _require_reason(reason)
    locked = volunteer_lock(order.volunteer_id)
    order = Order.objects.select_for_update().get(pk=order.pk)
    _order_transition(order, OrderStatus.CANCELLED)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancelled_by_id = actor.user_id
    order.cancel_reason = reason.strip()[:200] or _("本人取消")
    order.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    entry_post(
        volunteer=locked,
        kind=EntryKind.REFUNDED,
        amount=order.points,
        occurred_on=timezone.localdate(),
        actor=actor,
        source=order,
        key=f"order:{order.pk}:refund",
        reason=order.cancel_reason,
    )
    item = ShopItem.objects.select_for_update().get(pk=order.item_id)
    _stock_move(item=item, delta=order.quantity, kind=StockKind.CANCEL, actor=actor, order=order)
    if not by_owner:
        recipients = volunteer_recipients(locked)
        title = _("您的兑换订单已被取消，%(n)d 积分已退还") % {"n": order.points}
        transaction.on_commit(
            lambda: notify(
                recipient_ids=recipients,
                kind="volunteering.order_cancelled",
                title=title,
                body=f"{item.name}：{order.cancel_reason}",
                url=reverse("volunteering:my-orders"),
            )
        )
    return order


@transaction.atomic
def order_hand_over(*, actor: Actor, order: Order) -> Order:
    """Staff hand the item over against the pickup code (核销)."""
    if not can_hand_over_order(actor, order):
        raise NotAllowed(_("您不能为该订单办理领取。"))
    order = Order.objects.select_for_update().get(pk=order.pk)
    _order_transition(order, OrderStatus.PICKED_UP)
    order.status = OrderStatus.PICKED_UP
    order.picked_up_at = timezone.now()
    order.picked_up_by_id = actor.user_id
    order.save(update_fields=["status", "picked_up_at", "picked_up_by", "updated_at"])
    return order


# --- adjustments (four eyes) --------------------------------------------------------------------------


@transaction.atomic
def adjustment_request(*, actor: Actor, volunteer: Volunteer, amount: int, reason: str) -> PointsAdjustment:
    if actor.user_id is None or not can_request_adjustment(actor, volunteer):
        raise NotAllowed(_("您不能为该志愿者申请积分调整。"))
    if amount == 0:
        raise DomainError(_("调整积分不能为0。"), field="amount")
    if abs(amount) > 100_000:
        raise DomainError(_("单次调整不能超过100000积分。"), field="amount")
    adjustment = PointsAdjustment.objects.create(
        volunteer=volunteer, amount=amount, reason=_require_reason(reason), requested_by_id=actor.user_id
    )
    audit_record(actor=actor, action="volunteering.adjustment_request", target=adjustment, after=snapshot(adjustment))
    return adjustment


@transaction.atomic
def adjustment_decide(*, actor: Actor, adjustment: PointsAdjustment, approve: bool, note: str = "") -> PointsAdjustment:
    """A second manager approves (the entry is posted now) or rejects (with a note)."""
    if adjustment.requested_by_id == actor.user_id:
        raise NotAllowed(_("积分调整须由另一位管理员复核，申请人不能复核自己的申请。"))
    if not can_decide_adjustment(actor, adjustment):
        raise NotAllowed(_("您不能复核该申请。"))
    if not approve:
        note = _require_reason(note, "note")
    adjustment = PointsAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    target = AdjustmentStatus.APPROVED if approve else AdjustmentStatus.REJECTED
    if target not in ADJUSTMENT_TRANSITIONS[adjustment.status]:
        raise InvalidTransition(_("该申请已复核（%(s)s）。") % {"s": adjustment.get_status_display()})
    if approve:
        locked = volunteer_lock(adjustment.volunteer_id)
        adjustment.entry = entry_post(
            volunteer=locked,
            kind=EntryKind.ADJUSTED,
            amount=adjustment.amount,
            occurred_on=timezone.localdate(),
            actor=actor,
            source=adjustment,
            key=f"adjustment:{adjustment.pk}",
            reason=adjustment.reason,
        )
    adjustment.status = target
    adjustment.decided_by_id = actor.user_id
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = note.strip()[:200]
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "entry", "updated_at"])
    audit_record(
        actor=actor,
        action="volunteering.adjustment_approve" if approve else "volunteering.adjustment_reject",
        target=adjustment,
        after=snapshot(adjustment, ["status", "decided_by", "decision_note", "entry"]),
    )
    if approve:
        volunteer = adjustment.volunteer
        recipients = volunteer_recipients(volunteer)
        title = _("积分调整 %(amount)+d") % {"amount": adjustment.amount}
        transaction.on_commit(
            lambda: notify(
                recipient_ids=recipients,
                kind="volunteering.adjustment",
                title=title,
                body=adjustment.reason,
                url=reverse("volunteering:my-points"),
            )
        )
    return adjustment


# --- the drift check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    what: str  # "points", "minutes" or "stock"
    object_id: int
    label: str
    cached: int
    summed: int


@dataclass
class LedgerReport:
    volunteers: int = 0
    items: int = 0
    drifts: list[Drift] = field(default_factory=list)
    repaired: int = 0

    @property
    def ok(self) -> bool:
        return not self.drifts


def _sums(model: type[models.Model], key: str, value: str) -> dict[int, int]:
    """One GROUP BY over a whole append-only table: {key: sum(value)}."""
    rows = model.objects.order_by().values_list(key).annotate(total=Sum(value))  # type: ignore[attr-defined]
    return {k: int(total) for k, total in rows}


def ledger_check() -> LedgerReport:
    """Recompute every balance, every volunteer's certified minutes and every item's stock from the
    append-only rows, and list where the cached columns differ.

    The sums and the cached columns are read from one snapshot (REPEATABLE READ on PostgreSQL; on SQLite the
    transaction itself is the snapshot), so a redemption committing halfway through is not reported as drift.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _ledger_compare()


def _ledger_compare() -> LedgerReport:
    report = LedgerReport()
    points = _sums(PointsEntry, "volunteer_id", "amount")
    minutes = _sums(ServiceRecord, "volunteer_id", "minutes")
    for pk, number, balance, cached_minutes in Volunteer.objects.order_by().values_list(
        "pk", "number", "points_balance", "certified_minutes"
    ):
        report.volunteers += 1
        if balance != points.get(pk, 0):
            report.drifts.append(Drift("points", pk, number or "", balance, points.get(pk, 0)))
        if cached_minutes != minutes.get(pk, 0):
            report.drifts.append(Drift("minutes", pk, number or "", cached_minutes, minutes.get(pk, 0)))
    stock = _sums(StockMovement, "item_id", "delta")
    for pk, name, cached_stock in ShopItem.objects.order_by().values_list("pk", "name", "stock"):
        report.items += 1
        if cached_stock != stock.get(pk, 0):
            report.drifts.append(Drift("stock", pk, name, cached_stock, stock.get(pk, 0)))
    return report


# What each kind of drift compares: the cached column and the rows it sums.
DRIFT_SOURCES: dict[str, tuple[type[models.Model], str, type[models.Model], str, str]] = {
    "points": (Volunteer, "points_balance", PointsEntry, "volunteer_id", "amount"),
    "minutes": (Volunteer, "certified_minutes", ServiceRecord, "volunteer_id", "minutes"),
    "stock": (ShopItem, "stock", StockMovement, "item_id", "delta"),
}


def ledger_repair(*, actor: Actor) -> LedgerReport:
    """Set every drifted cache to its sum (the append-only rows are the truth), each one re-checked under its
    row lock and audited."""
    if not actor.is_system:
        raise NotAllowed(_("只能由系统命令修复。"))
    report = ledger_check()
    for drift in report.drifts:
        model, column, rows, key, value = DRIFT_SOURCES[drift.what]
        with transaction.atomic():
            row = model.objects.select_for_update().get(pk=drift.object_id)  # type: ignore[attr-defined]
            summed = int(rows.objects.filter(**{key: drift.object_id}).aggregate(t=Sum(value))["t"] or 0)  # type: ignore[attr-defined]
            cached = getattr(row, column)
            if cached == summed:
                continue
            model.objects.filter(pk=drift.object_id).update(**{column: summed})  # type: ignore[attr-defined]
            audit_record(
                actor=actor,
                action="volunteering.ledger_repair",
                target=row,
                before={column: cached},
                after={column: summed},
                label=drift.label,
            )
            report.repaired += 1
    return report


def ledger_watch() -> LedgerReport:
    """The nightly check: if any cached column drifted from its sum, tell the managers (once a day)."""
    report = ledger_check()
    if report.drifts:
        lines = [f"{d.what} {d.label}: {d.cached} ≠ {d.summed}" for d in report.drifts[:20]]
        notify(
            recipient_ids=manager_user_ids(),
            kind="volunteering.ledger_drift",
            title=_("积分对账发现 %(n)d 处差异") % {"n": len(report.drifts)},
            body="\n".join(lines) + "\n" + _("请运行 python manage.py points_check 核对，确认后加 --repair 修复。"),
            url=reverse("volunteering:ledger"),
            dedupe_key=f"volunteering.ledger_drift:{timezone.localdate():%Y-%m-%d}",
        )
    return report
