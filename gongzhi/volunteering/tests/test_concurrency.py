"""Real threads against PostgreSQL: nobody goes below zero points, no item below zero stock, no double spend.

Each thread has its own database connection and its own transactions, as gunicorn workers would. The
server here allows 100 connections shared with other test runs, so 100 redemptions run on 50 threads (two
each), all released together by a barrier and all fighting over the same item row.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum

from gongzhi.core.exceptions import DomainError
from gongzhi.registry.models import Person
from gongzhi.testing.world import SYSTEM
from gongzhi.volunteering import ledger
from gongzhi.volunteering.choices import EntryKind
from gongzhi.volunteering.models import Order, PointsEntry, ShopItem, StockMovement, Volunteer
from gongzhi.volunteering.services import volunteer_number
from gongzhi.volunteering.testing import ensure_default_rule

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL"),
]
THREADS = 50


def volunteers_with_points(world, count: int, points: int) -> list[Volunteer]:
    """``count`` volunteers living in compound X, each credited ``points`` through the ledger."""
    unit = world.units["1"]
    people = Person.objects.bulk_create(
        Person(name=f"志愿者{i:03d}", name_pinyin=f"zyz{i:03d}", name_initials="zyz", org_path=unit.path)
        for i in range(count)
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(person=p, consent_version="t", consented_at="2026-01-01T00:00:00Z") for p in people
    )
    for volunteer in volunteers:
        Volunteer.objects.filter(pk=volunteer.pk).update(number=volunteer_number(volunteer.pk))
        with transaction.atomic():
            locked = ledger.volunteer_lock(volunteer.pk)
            ledger.entry_post(
                volunteer=locked,
                kind=EntryKind.ADJUSTED,
                amount=points,
                occurred_on=locked.created_at.date(),
                actor=SYSTEM,
                source=locked,
                key=f"seed:{locked.pk}",
            )
    return list(Volunteer.objects.filter(pk__in=[v.pk for v in volunteers]).select_related("person"))


def run_together(jobs: list, threads: int = THREADS) -> list:  # type: ignore[type-arg]
    """Run the callables on ``threads`` threads, all starting at once; returns each job's result or error."""
    results: list = [None] * len(jobs)  # type: ignore[type-arg]
    barrier = threading.Barrier(threads)

    def worker(indexes: list[int]) -> None:
        try:
            barrier.wait()
            for index in indexes:
                try:
                    results[index] = jobs[index]()
                except DomainError as exc:
                    results[index] = exc
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker, args=(list(range(t, len(jobs), threads)),)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def assert_ledgers_add_up() -> None:
    report = ledger.ledger_check()
    assert report.ok, report.drifts
    assert not Volunteer.objects.filter(points_balance__lt=0).exists()
    assert not PointsEntry.objects.filter(balance_after__lt=0).exists()
    assert not ShopItem.objects.filter(stock__lt=0).exists()


def test_a_hundred_redemptions_of_the_last_ten_items_exactly_ten_succeed(world):
    ensure_default_rule()
    volunteers = volunteers_with_points(world, 100, 50)
    item = ledger.shop_item_create(
        actor=SYSTEM, node=world.subdistrict, data=ledger.ItemData(name="最后十桶油", points_price=30), stock=10
    )
    jobs = [
        (lambda v=v: ledger.points_redeem(actor=SYSTEM, volunteer=v, item=item, client_key=f"last-ten-{v.pk}"))
        for v in volunteers
    ]
    results = run_together(jobs)
    created = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 10 and len(refused) == 90
    assert all("库存不足" in e.message for e in refused)
    item.refresh_from_db()
    assert item.stock == 0
    assert Order.objects.filter(item=item).count() == 10
    assert StockMovement.objects.filter(item=item).aggregate(s=Sum("delta"))["s"] == 0
    assert PointsEntry.objects.filter(kind=EntryKind.REDEEMED).aggregate(s=Sum("amount"))["s"] == -300
    assert_ledgers_add_up()


def test_one_volunteer_racing_for_more_than_their_points_never_goes_below_zero(world):
    ensure_default_rule()
    (volunteer,) = volunteers_with_points(world, 1, 35)
    item = ledger.shop_item_create(
        actor=SYSTEM, node=world.subdistrict, data=ledger.ItemData(name="牙膏", points_price=10), stock=100
    )
    jobs = [
        (lambda i=i: ledger.points_redeem(actor=SYSTEM, volunteer=volunteer, item=item, client_key=f"race-{i:04d}"))
        for i in range(20)
    ]
    results = run_together(jobs, threads=20)
    assert Counter(type(r).__name__ for r in results) == {"tuple": 3, "DomainError": 17}
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 5
    assert_ledgers_add_up()


def test_a_retried_request_under_concurrency_spends_once(world):
    ensure_default_rule()
    (volunteer,) = volunteers_with_points(world, 1, 100)
    item = ledger.shop_item_create(
        actor=SYSTEM, node=world.subdistrict, data=ledger.ItemData(name="雨伞", points_price=10), stock=100
    )
    jobs = [
        lambda: ledger.points_redeem(actor=SYSTEM, volunteer=volunteer, item=item, client_key="tap-tap-tap-01")
    ] * 10
    results = run_together(jobs, threads=10)
    assert len({order.pk for order, _created in results}) == 1
    assert sum(created for _order, created in results) == 1
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 90
    assert_ledgers_add_up()


def test_cancellations_racing_with_pickups_refund_at_most_once(world):
    ensure_default_rule()
    volunteers = volunteers_with_points(world, 20, 10)
    item = ledger.shop_item_create(
        actor=SYSTEM, node=world.subdistrict, data=ledger.ItemData(name="毛巾", points_price=10), stock=20
    )
    orders = [
        ledger.points_redeem(actor=SYSTEM, volunteer=v, item=item, client_key=f"order-{v.pk}")[0] for v in volunteers
    ]
    jobs = []
    for order in orders:
        jobs.append(lambda o=order: ledger.order_cancel(actor=SYSTEM, order=o))
        jobs.append(lambda o=order: ledger.order_cancel(actor=SYSTEM, order=o))
        jobs.append(lambda o=order: ledger.order_hand_over(actor=SYSTEM, order=o))
    run_together(jobs, threads=30)
    refunds = PointsEntry.objects.filter(kind=EntryKind.REFUNDED)
    cancelled = Order.objects.filter(status="cancelled").count()
    assert refunds.count() == cancelled
    assert cancelled + Order.objects.filter(status="picked_up").count() == 20
    item.refresh_from_db()
    assert item.stock == cancelled
    assert_ledgers_add_up()
