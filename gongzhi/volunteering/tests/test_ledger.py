"""The points ledger and the shop: redemption, refunds, pickup, four-eyes adjustments, the drift check."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.models import AuditEntry, Notification
from gongzhi.testing.world import SYSTEM
from gongzhi.volunteering import ledger
from gongzhi.volunteering.choices import AdjustmentStatus, EntryKind, OrderStatus, StockKind
from gongzhi.volunteering.models import Order, PointsAdjustment, PointsEntry, ShopItem, StockMovement, Volunteer

pytestmark = pytest.mark.django_db


def balance_of(volunteer):
    volunteer.refresh_from_db()
    return volunteer.points_balance


def test_redemption_takes_points_and_stock_together_and_gives_a_pickup_code(vworld, actor_of):
    volunteer, item = vworld.volunteer, vworld.item
    # The world's first order already spent 10 of the 30 points.
    assert balance_of(volunteer) == 20
    order, created = ledger.points_redeem(
        actor=actor_of("jumin"), volunteer=volunteer, item=item, quantity=2, client_key="k-redeem-2"
    )
    assert created and order.status == OrderStatus.PLACED and order.points == 20
    assert len(order.pickup_code) == 8 and set(order.pickup_code) <= set(ledger.PICKUP_ALPHABET)
    assert balance_of(volunteer) == 0
    item.refresh_from_db()
    assert item.stock == 17
    entry = PointsEntry.objects.get(key=f"order:{order.pk}:redeem")
    assert (entry.kind, entry.amount, entry.balance_after) == (EntryKind.REDEEMED, -20, 0)
    movement = StockMovement.objects.get(order=order)
    assert (movement.kind, movement.delta, movement.stock_after) == (StockKind.REDEEM, -2, 17)


def test_the_same_idempotency_key_returns_the_first_order(vworld, actor_of):
    jumin = actor_of("jumin")
    first, created = ledger.points_redeem(
        actor=jumin, volunteer=vworld.volunteer, item=vworld.item, client_key="same-key-1"
    )
    again, created_again = ledger.points_redeem(
        actor=jumin, volunteer=vworld.volunteer, item=vworld.item, client_key="same-key-1"
    )
    assert created and not created_again and first.pk == again.pk
    assert balance_of(vworld.volunteer) == 10
    with pytest.raises(DomainError) as exc:
        ledger.points_redeem(
            actor=jumin, volunteer=vworld.volunteer, item=vworld.item, quantity=2, client_key="same-key-1"
        )
    assert exc.value.field == "client_key"
    with pytest.raises(DomainError):
        ledger.points_redeem(actor=jumin, volunteer=vworld.volunteer, item=vworld.item, client_key="short")


def test_not_enough_points_or_stock_or_over_the_limit_writes_nothing(vworld, actor_of):
    jumin, item = actor_of("jumin"), vworld.item
    before = (PointsEntry.objects.count(), Order.objects.count(), StockMovement.objects.count())
    with pytest.raises(DomainError, match="积分不足"):
        ledger.points_redeem(actor=jumin, volunteer=vworld.volunteer, item=item, quantity=3, client_key="too-much-1")
    ShopItem.objects.filter(pk=item.pk).update(stock=1)
    StockMovement.objects.create(item=item, kind=StockKind.CORRECTION, delta=-19, stock_after=1, actor_name="t")
    before = (PointsEntry.objects.count(), Order.objects.count(), StockMovement.objects.count())
    with pytest.raises(DomainError, match="库存不足"):
        ledger.points_redeem(actor=jumin, volunteer=vworld.volunteer, item=item, quantity=2, client_key="no-stock-1")
    ShopItem.objects.filter(pk=item.pk).update(stock=5, limit_per_person=1)
    with pytest.raises(DomainError, match="每人限兑 1 件"):
        ledger.points_redeem(actor=jumin, volunteer=vworld.volunteer, item=item, client_key="over-limit")
    assert (PointsEntry.objects.count(), Order.objects.count(), StockMovement.objects.count()) == before
    assert balance_of(vworld.volunteer) == 20


def test_only_the_volunteer_or_guardian_redeems_and_only_in_their_shop(world, vworld, actor_of):
    with pytest.raises(NotAllowed):
        ledger.points_redeem(
            actor=actor_of("zhiyuan"), volunteer=vworld.volunteer, item=vworld.item, client_key="staff-key"
        )
    elsewhere = ledger.shop_item_create(
        actor=actor_of("zhiyuan"),
        node=world.other_community,
        data=ledger.ItemData(name="雨伞", points_price=5),
        stock=2,
    )
    with pytest.raises(NotAllowed):
        ledger.points_redeem(actor=actor_of("jumin"), volunteer=vworld.volunteer, item=elsewhere, client_key="far-away")


def test_cancelling_refunds_with_a_new_entry_and_returns_the_stock(vworld, actor_of):
    order = vworld.order
    ledger.order_cancel(actor=actor_of("jumin"), order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert balance_of(vworld.volunteer) == 30
    refund = PointsEntry.objects.get(key=f"order:{order.pk}:refund")
    assert (refund.kind, refund.amount) == (EntryKind.REFUNDED, 10)
    vworld.item.refresh_from_db()
    assert vworld.item.stock == 20
    with pytest.raises(InvalidTransition):
        ledger.order_cancel(actor=actor_of("jumin"), order=order)


def test_staff_cancel_with_a_reason_and_the_volunteer_is_told(
    vworld, actor_of, world, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError) as exc:
        ledger.order_cancel(actor=actor_of("zhiyuan"), order=vworld.order)
    assert exc.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        ledger.order_cancel(actor=actor_of("zhiyuan"), order=vworld.order, reason="商品过期下架")
    assert Notification.objects.filter(recipient=world.user("jumin"), kind="volunteering.order_cancelled").exists()


def test_pickup_hands_over_once_and_then_cannot_be_cancelled(vworld, actor_of):
    order = ledger.order_hand_over(actor=actor_of("zhiyuan"), order=vworld.order)
    assert order.status == OrderStatus.PICKED_UP and order.picked_up_by_id == actor_of("zhiyuan").user_id
    with pytest.raises(InvalidTransition):
        ledger.order_hand_over(actor=actor_of("zhiyuan"), order=order)
    with pytest.raises(InvalidTransition):
        ledger.order_cancel(actor=actor_of("jumin"), order=order)
    with pytest.raises(NotAllowed):
        ledger.order_hand_over(actor=actor_of("jumin"), order=order)


def test_restock_and_count_corrections_are_movements(vworld, actor_of):
    manager = actor_of("zhiyuan")
    ledger.shop_item_restock(actor=manager, item=vworld.item, delta=5)
    with pytest.raises(DomainError) as exc:
        ledger.shop_item_restock(actor=manager, item=vworld.item, delta=-2)
    assert exc.value.field == "reason"
    ledger.shop_item_restock(actor=manager, item=vworld.item, delta=-2, reason="盘点破损两件")
    with pytest.raises(DomainError, match="库存不足"):
        ledger.shop_item_restock(actor=manager, item=vworld.item, delta=-100, reason="盘点全部丢失")
    vworld.item.refresh_from_db()
    assert vworld.item.stock == 22
    assert StockMovement.objects.filter(item=vworld.item).aggregate(s=Sum("delta"))["s"] == 22


# --- adjustments --------------------------------------------------------------------------------------


def test_an_adjustment_needs_a_second_manager(vworld, actor_of, second_manager):
    adjustment = vworld.adjustment  # asked for by zhiyuan: +5
    with pytest.raises(NotAllowed, match="另一位管理员"):
        ledger.adjustment_decide(actor=actor_of("zhiyuan"), adjustment=adjustment, approve=True)
    with pytest.raises(NotAllowed):
        ledger.adjustment_decide(actor=actor_of("jiedao"), adjustment=adjustment, approve=True)
    approved = ledger.adjustment_decide(actor=actor_of("zhiyuan2"), adjustment=adjustment, approve=True)
    assert approved.status == AdjustmentStatus.APPROVED and approved.entry.amount == 5
    assert approved.entry.kind == EntryKind.ADJUSTED
    assert balance_of(vworld.volunteer) == 25
    with pytest.raises(InvalidTransition):
        ledger.adjustment_decide(actor=actor_of("zhiyuan2"), adjustment=adjustment, approve=False, note="重复复核")


def test_the_database_refuses_an_approver_who_asked(vworld):
    adjustment = vworld.adjustment
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAdjustment.objects.filter(pk=adjustment.pk).update(
            status=AdjustmentStatus.APPROVED, decided_by=adjustment.requested_by
        )


def test_rejection_needs_a_note_and_a_deduction_cannot_overdraw(vworld, actor_of, second_manager):
    with pytest.raises(DomainError) as exc:
        ledger.adjustment_decide(actor=actor_of("zhiyuan2"), adjustment=vworld.adjustment, approve=False)
    assert exc.value.field == "note"
    ledger.adjustment_decide(actor=actor_of("zhiyuan2"), adjustment=vworld.adjustment, approve=False, note="无线下记录")
    deduction = ledger.adjustment_request(
        actor=actor_of("zhiyuan"), volunteer=vworld.volunteer, amount=-50, reason="重复发放需扣回"
    )
    with pytest.raises(DomainError, match="积分不足"):
        ledger.adjustment_decide(actor=actor_of("zhiyuan2"), adjustment=deduction, approve=True)
    deduction.refresh_from_db()
    assert deduction.status == AdjustmentStatus.PENDING
    assert balance_of(vworld.volunteer) == 20


def test_adjustment_needs_a_reason(vworld, actor_of):
    with pytest.raises(DomainError) as exc:
        ledger.adjustment_request(actor=actor_of("zhiyuan"), volunteer=vworld.volunteer, amount=5, reason="补")
    assert exc.value.field == "reason"


# --- invariants -----------------------------------------------------------------------------------------


def test_the_database_refuses_a_negative_balance_or_stock(vworld):
    with pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.filter(pk=vworld.volunteer.pk).update(points_balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShopItem.objects.filter(pk=vworld.item.pk).update(stock=-1)


def test_ledger_rows_are_append_only(vworld):
    entry = PointsEntry.objects.first()
    with pytest.raises(TypeError):
        PointsEntry.objects.filter(pk=entry.pk).update(amount=999)
    with pytest.raises(TypeError):
        entry.delete()
    if connection.vendor == "postgresql":  # the database itself refuses too
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE volunteering_pointsentry SET amount = 999 WHERE id = %s", [entry.pk])


def test_sums_equal_the_cached_columns_after_everything(vworld, actor_of, second_manager):
    ledger.adjustment_decide(actor=actor_of("zhiyuan2"), adjustment=vworld.adjustment, approve=True)
    ledger.order_cancel(actor=actor_of("jumin"), order=vworld.order)
    report = ledger.ledger_check()
    assert report.ok, report.drifts
    assert report.volunteers == 1 and report.items == 1


def test_drift_is_found_and_repaired_from_the_ledger(vworld):
    Volunteer.objects.filter(pk=vworld.volunteer.pk).update(points_balance=999, certified_minutes=1)
    ShopItem.objects.filter(pk=vworld.item.pk).update(stock=3)
    report = ledger.ledger_check()
    assert {(d.what, d.cached, d.summed) for d in report.drifts} == {
        ("points", 999, 20),
        ("minutes", 1, 180),
        ("stock", 3, 19),
    }
    with pytest.raises(NotAllowed):
        ledger.ledger_repair(actor=ledger.Actor(user_id=1))
    repaired = ledger.ledger_repair(actor=SYSTEM)
    assert repaired.repaired == 3
    assert ledger.ledger_check().ok
    assert AuditEntry.objects.filter(action="volunteering.ledger_repair").count() == 3


def test_points_check_command_exits_non_zero_on_drift(vworld):
    out = io.StringIO()
    call_command("points_check", stdout=out)
    assert "没有发现差异" in out.getvalue()
    Volunteer.objects.filter(pk=vworld.volunteer.pk).update(points_balance=7)
    with pytest.raises(SystemExit) as exc:
        call_command("points_check", stdout=io.StringIO())
    assert exc.value.code == 1
    out = io.StringIO()
    call_command("points_check", "--repair", stdout=out)
    assert "已修复 1" in out.getvalue()
    assert balance_of(vworld.volunteer) == 20


def test_scheduled_check_tells_the_managers_about_drift(vworld, world):
    from gongzhi.volunteering.tasks import points_check

    points_check.call()
    assert not Notification.objects.filter(kind="volunteering.ledger_drift").exists()
    Volunteer.objects.filter(pk=vworld.volunteer.pk).update(points_balance=7)
    points_check.call()
    assert Notification.objects.filter(recipient=world.user("zhiyuan"), kind="volunteering.ledger_drift").exists()
