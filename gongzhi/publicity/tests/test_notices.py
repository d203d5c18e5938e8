"""Notices: the target rule against an independent count, freezing, reads counted once, told in person,
reminders and SMS deliveries once per person."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import Duty
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.models import Notification
from gongzhi.publicity import services, sms
from gongzhi.publicity.choices import DeliveryStatus, NoticeStatus
from gongzhi.publicity.models import NO_GRID, STAFF_BUCKET, Delivery, Notice, NoticeTally, Recipient
from gongzhi.publicity.targets import Target
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import CareTag, Ownership, Person, PersonCareTag
from gongzhi.territory.models import Grid, Node
from gongzhi.testing.world import SYSTEM, add_orphans

pytestmark = pytest.mark.django_db


def _data(node, target: Target, **changes):  # type: ignore[no-untyped-def]
    values = {
        "title": "高温天气防暑提醒",
        "body": "<p>请减少午间外出，<b>多饮水</b>。</p>",
        "node": node,
        "target": target,
    }
    return services.NoticeData(**(values | changes))


def _publish(actor, node, target: Target, **changes) -> Notice:  # type: ignore[no-untyped-def]
    notice = services.notice_create(actor=actor, data=_data(node, target, **changes))
    return services.notice_publish(actor=actor, notice=notice)


def _tag(person: Person, code: str = "elderly_alone") -> None:
    PersonCareTag.objects.create(person=person, tag=CareTag.objects.get(code=code))


def _independent(world, target: Target) -> set[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """The rule applied by hand, person by person: what the querysets must agree with."""
    nodes = list(Node.objects.filter(pk__in=target.nodes))
    grids = set(target.grids)
    paths = [n.path for n in nodes]
    found: set[tuple[str, int]] = set()
    for person in Person.objects.all():
        here = any(person.org_path.startswith(p) for p in paths) or person.grid_id in grids
        tags = {t.code for t in person.care_tags.all()}
        wanted = not target.care_tags or tags & set(target.care_tags)
        if target.residents and here and person.status == PersonStatus.RESIDENT and wanted:
            found.add(("person", person.pk))
    compounds = [Node.objects.get(pk=pk).path for pk in target.owners_of]
    for ownership in Ownership.objects.filter(person__isnull=False, ended_on__isnull=True):
        owns_here = any(ownership.dwelling.org_path.startswith(p) for p in compounds)
        if owns_here and ownership.person.status != PersonStatus.DECEASED:
            found.add(("person", ownership.person_id))
    for duty in Duty.objects.filter(role__in=target.roles, revoked_at__isnull=True):
        grid = Grid.objects.filter(pk=duty.grid_id).first()
        inside = (duty.node is not None and any(duty.node.path.startswith(p) for p in paths)) or (
            grid is not None
            and (
                grid.pk in grids
                or any(grid.org_path.startswith(p) for p in paths)
                or (grid.compound is not None and any(grid.compound.path.startswith(p) for p in paths))
            )
        )
        person = Person.objects.filter(user_id=duty.user_id).first()
        if inside and not (person is not None and ("person", person.pk) in found):
            found.add(("user", duty.user_id))
    return found


def _frozen(notice: Notice) -> set[tuple[str, int]]:
    return {
        ("person", r.person_id) if r.person_id else ("user", r.user_id)  # type: ignore[misc]
        for r in Recipient.objects.filter(notice=notice)
    }


@pytest.mark.parametrize(
    "make_target",
    [
        lambda w: Target(nodes=(w.community.pk,)),
        lambda w: Target(grids=(w.grid_a.pk,), care_tags=("elderly_alone",)),
        lambda w: Target(nodes=(w.compound_y.pk,)),
        lambda w: Target(nodes=(w.compound_x.pk,), residents=False, owners_of=(w.compound_x.pk,)),
        lambda w: Target(nodes=(w.subdistrict.pk,), residents=False, roles=("grid_head", "property_staff")),
        lambda w: Target(nodes=(w.compound_x.pk,), roles=("grid_head", "building_head")),
        lambda w: Target(grids=(w.grid_b.pk,), owners_of=(w.compound_z.pk,), roles=("grid_head",)),
    ],
    ids=["community", "elderly-in-grid-a", "gridless-compound", "owners", "roles", "mixed", "grid-owners-roles"],
)
def test_recipients_match_an_independent_count(world, make_target):  # type: ignore[no-untyped-def]
    add_orphans(world)
    _tag(world.people["jumin_spouse"])
    _tag(world.people["grid_b"])  # elderly living alone, but in grid B
    target = make_target(world)
    expected = _independent(world, target)
    counts = services.target_count(actor=SYSTEM, node=world.subdistrict, target=target)
    notice = _publish(SYSTEM, world.subdistrict, target)
    assert _frozen(notice) == expected
    assert counts["total"] == notice.recipient_count == len(expected) > 0
    tallies = NoticeTally.objects.filter(notice=notice)
    assert sum(t.recipients for t in tallies) == len(expected)


def test_households_in_no_grid_are_reached_by_node_and_tallied_by_community(world):  # type: ignore[no-untyped-def]
    add_orphans(world)
    notice = _publish(SYSTEM, world.community, Target(nodes=(world.compound_y.pk,)))
    names = set(Recipient.objects.filter(notice=notice).values_list("person__name", flat=True))
    assert names == {"无网格甲", "无网格乙", "无房屋丙"}
    bucket = NoticeTally.objects.get(notice=notice)
    assert (bucket.grid_key, bucket.community_path, bucket.recipients) == (NO_GRID, world.community.path, 3)


def test_elderly_alone_in_grid_a_is_exactly_the_tagged_residents_there(world):  # type: ignore[no-untyped-def]
    _tag(world.people["jumin_spouse"])
    _tag(world.people["grid_b"])
    shequ = actor_for_user(world.user("shequ"))
    notice = _publish(shequ, world.community, Target(grids=(world.grid_a.pk,), care_tags=("elderly_alone",)))
    assert list(Recipient.objects.filter(notice=notice).values_list("person__name", flat=True)) == ["曾小红"]
    assert "独居老人" in notice.target_label and "A网格" in notice.target_label


def test_a_target_outside_the_composers_territory_is_refused_and_nothing_written(world):  # type: ignore[no-untyped-def]
    shequ = actor_for_user(world.user("shequ"))
    with pytest.raises(NotAllowed):
        services.notice_create(actor=shequ, data=_data(world.community, Target(grids=(world.grid_c.pk,))))
    with pytest.raises(NotAllowed):
        services.notice_create(actor=shequ, data=_data(world.other_community, Target()))
    with pytest.raises(NotAllowed):
        services.notice_create(actor=actor_for_user(world.user("wangge_a")), data=_data(world.community, Target()))
    assert not Notice.objects.exists()


def test_bad_rules_name_their_field(world):  # type: ignore[no-untyped-def]
    cases = [
        (Target(care_tags=("no_such_tag",)), "care_tags"),
        (Target(owners_of=(world.buildings["1"].pk,)), "owners_of"),
        (Target(roles=("platform_admin",)), "roles"),
        (Target(residents=False), "residents"),
    ]
    for target, field in cases:
        with pytest.raises(DomainError) as caught:
            services.notice_create(actor=SYSTEM, data=_data(world.community, target))
        assert caught.value.field == field
    with pytest.raises(DomainError) as caught:
        services.notice_create(actor=SYSTEM, data=_data(world.community, Target(), title="通知"))
    assert caught.value.field == "title"


def test_the_body_is_sanitised(world):  # type: ignore[no-untyped-def]
    body = '<p onclick="steal()">停水通知<script>alert(1)</script><a href="javascript:x()">详情</a></p>'
    notice = services.notice_create(actor=SYSTEM, data=_data(world.community, Target(), body=body))
    assert "script" not in notice.body and "onclick" not in notice.body and "javascript" not in notice.body
    assert "停水通知" in notice.body


def test_a_reader_is_counted_once_however_often_they_open_it(world):  # type: ignore[no-untyped-def]
    notice = _publish(SYSTEM, world.community, Target(nodes=(world.compound_x.pk,)))
    jumin = actor_for_user(world.user("jumin"))
    assert services.notice_read(actor=jumin, notice=notice) is True
    for _ in range(3):
        assert services.notice_read(actor=jumin, notice=notice) is False
    tally = NoticeTally.objects.get(notice=notice, grid_key=world.grid_a.pk)
    assert (tally.recipients, tally.read) == (3, 1)  # jumin, spouse, neighbour live in grid A
    assert Recipient.objects.filter(notice=notice, read_at__isnull=False).count() == 1
    # Someone the notice was not meant for reads nothing into the counts.
    assert services.notice_read(actor=actor_for_user(world.user("outsider")), notice=notice) is False
    assert NoticeTally.objects.filter(notice=notice).values_list("read", flat=True).get(grid_key=world.grid_a.pk) == 1


def test_staff_recipients_read_through_their_account(world):  # type: ignore[no-untyped-def]
    notice = _publish(SYSTEM, world.community, Target(residents=False, roles=("grid_head",)))
    assert _frozen(notice) == {("user", world.user("wangge_a").pk), ("user", world.user("wangge_b").pk)}
    assert services.notice_read(actor=actor_for_user(world.user("wangge_a")), notice=notice) is True
    assert NoticeTally.objects.get(notice=notice, grid_key=STAFF_BUCKET).read == 1


def test_told_in_person_by_the_grid_worker_then_read_moves_to_read(world):  # type: ignore[no-untyped-def]
    notice = _publish(SYSTEM, world.community, Target(nodes=(world.compound_x.pk,)))
    spouse = Recipient.objects.get(notice=notice, person=world.people["jumin_spouse"])
    grid_b = Recipient.objects.get(notice=notice, person=world.people["grid_b"])
    wangge_a = actor_for_user(world.user("wangge_a"))
    with pytest.raises(NotAllowed):
        services.recipient_tell(actor=wangge_a, recipient=grid_b)  # grid B is not theirs
    services.recipient_tell(actor=wangge_a, recipient=spouse)
    with pytest.raises(DomainError, match="已登记"):
        services.recipient_tell(actor=wangge_a, recipient=spouse)
    tally = NoticeTally.objects.get(notice=notice, grid_key=world.grid_a.pk)
    assert (tally.read, tally.told) == (0, 1)
    jumin = actor_for_user(world.user("jumin"))
    services.notice_read(actor=jumin, notice=notice)
    services.recipient_tell(actor=actor_for_user(world.user("shequ")), recipient=grid_b)
    tally.refresh_from_db()
    assert (tally.read, tally.told) == (1, 1)


def test_scheduled_notices_go_out_when_due_and_not_before(world):  # type: ignore[no-untyped-def]
    at = timezone.now() + dt.timedelta(hours=2)
    notice = services.notice_create(actor=SYSTEM, data=_data(world.community, Target(), publish_at=at))
    notice = services.notice_publish(actor=SYSTEM, notice=notice)
    assert notice.status == NoticeStatus.SCHEDULED and not Recipient.objects.exists()
    assert services.notices_due(now=at - dt.timedelta(minutes=1))["published"] == 0
    assert services.notices_due(now=at + dt.timedelta(minutes=1))["published"] == 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED and notice.recipient_count == Recipient.objects.count() > 0


def test_the_reminder_goes_once_to_the_unread_with_accounts(world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    notice = _publish(
        SYSTEM, world.community, Target(nodes=(world.compound_x.pk,), roles=("grid_head",)), remind_after_hours=24
    )
    services.notice_read(actor=actor_for_user(world.user("wangge_b")), notice=notice)
    published = notice.published_at
    assert services.notices_due(now=published + dt.timedelta(hours=23))["reminded"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notices_due(now=published + dt.timedelta(hours=25))["reminded"] == 2
    assert services.notices_due(now=published + dt.timedelta(hours=49))["reminded"] == 0
    reminded = set(Notification.objects.filter(kind="publicity.remind").values_list("recipient__username", flat=True))
    assert reminded == {"jumin", "wangge_a"}


class RefusingBackend:
    """A provider that is down."""

    def send(self, phone: str, text: str) -> str:
        raise sms.SmsError("provider unavailable")


def test_sms_reaches_each_person_once(world):  # type: ignore[no-untyped-def]
    notice = _publish(SYSTEM, world.community, Target(nodes=(world.compound_x.pk,)), channels=("sms",))
    # jumin, spouse and the neighbour have phones; 住户丙 has none.
    assert Delivery.objects.filter(notice=notice).count() == 3
    services._sms_queue(notice, reminder=False)
    assert Delivery.objects.filter(notice=notice).count() == 3
    assert services.deliver_due() == 3
    assert services.deliver_due() == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_refused_sms_is_retried_later_then_marked_failed(world, settings):  # type: ignore[no-untyped-def]
    settings.GONGZHI_SMS_BACKEND = f"{__name__}.RefusingBackend"
    sms.backend.cache_clear()
    try:
        notice = _publish(SYSTEM, world.community, Target(nodes=(world.buildings["1"].pk,)), channels=("sms",))
        now = timezone.now()
        assert services.deliver_due(now=now) == 0
        first = Delivery.objects.filter(notice=notice).first()
        assert first is not None and first.attempts == 1 and first.next_try_at > now
        assert services.deliver_due(now=now) == 0  # not due yet: no second attempt
        assert Delivery.objects.get(pk=first.pk).attempts == 1
        for delay in services.SMS_RETRY_DELAYS:
            now += delay + dt.timedelta(seconds=1)
            services.deliver_due(now=now)
        failed = Delivery.objects.get(pk=first.pk)
        assert failed.status == DeliveryStatus.FAILED and failed.attempts == services.SMS_MAX_ATTEMPTS
        assert failed.last_error == "provider unavailable"
    finally:
        sms.backend.cache_clear()


def test_withdrawn_notice_keeps_its_record(world):  # type: ignore[no-untyped-def]
    notice = _publish(SYSTEM, world.community, Target(nodes=(world.compound_x.pk,)))
    with pytest.raises(DomainError):
        services.notice_withdraw(actor=SYSTEM, notice=notice, reason="错")
    notice = services.notice_withdraw(actor=SYSTEM, notice=notice, reason="内容有误，重新发布")
    assert notice.status == NoticeStatus.WITHDRAWN and Recipient.objects.filter(notice=notice).count() == 4


def test_attachments_must_be_what_they_say(world):  # type: ignore[no-untyped-def]
    fake = services.Upload(name="通知.pdf", content_type="application/pdf", size=10, file=io.BytesIO(b"MZ\x90\x00exe"))
    with pytest.raises(DomainError) as caught:
        services.notice_create(actor=SYSTEM, data=_data(world.community, Target()), uploads=[fake])
    assert caught.value.field == "attachments" and not Notice.objects.exists()
    real = services.Upload(name="通知.pdf", content_type="application/pdf", size=12, file=io.BytesIO(b"%PDF-1.4 test"))
    notice = services.notice_create(actor=SYSTEM, data=_data(world.community, Target()), uploads=[real])
    assert notice.attachments.get().name == "通知.pdf"


def test_rebuilt_tallies_equal_the_counts_kept_as_reads_happen(world):  # type: ignore[no-untyped-def]
    notice = _publish(SYSTEM, world.subdistrict, Target(nodes=(world.subdistrict.pk,), roles=("grid_head",)))
    services.notice_read(actor=actor_for_user(world.user("jumin")), notice=notice)
    services.notice_read(actor=actor_for_user(world.user("wangge_a")), notice=notice)
    spouse = Recipient.objects.get(notice=notice, person=world.people["jumin_spouse"])
    services.recipient_tell(actor=actor_for_user(world.user("wangge_a")), recipient=spouse)
    kept = set(
        NoticeTally.objects.filter(notice=notice).values_list(
            "grid_key", "community_path", "recipients", "read", "told"
        )
    )
    services.tallies_rebuild(notice)
    rebuilt = set(
        NoticeTally.objects.filter(notice=notice).values_list(
            "grid_key", "community_path", "recipients", "read", "told"
        )
    )
    assert kept == rebuilt
    assert sum(row[3] for row in rebuilt) == 2 and sum(row[4] for row in rebuilt) == 1
