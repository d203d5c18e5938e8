"""Retention purges run as scheduled tasks: the logs (kept at least 180 days, whatever the setting says) and the
personal answers of campaigns past their retention date. Each test calls the task the scheduler fires."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.campaigns import services as campaigns
from gongzhi.campaigns.choices import CampaignKind, FieldKind, FieldTarget, HouseholdState
from gongzhi.campaigns.models import Campaign, CampaignHousehold, Visit
from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.chain import chains_verify
from gongzhi.core.models import AccessLog
from gongzhi.core.scheduler import jobs

pytestmark = pytest.mark.django_db


def scheduled_task(name: str):  # type: ignore[no-untyped-def]
    """The task the scheduler enqueues for job ``name``, which must run every day."""
    job = next(j for j in jobs() if j.name == name)
    assert job.cron.endswith(" * * *") and job.cron.split()[2] == "*", job.cron
    return import_string(job.task)


def reveal_days_ago(days: int, reason: str) -> AccessLog:
    with time_machine.travel(timezone.now() - dt.timedelta(days=days), tick=True):
        return access_record(actor=Actor.system("test"), action="reveal", subject_type="registry.person", reason=reason)


@override_settings(GONGZHI_ACCESS_LOG_RETENTION_DAYS=30)
def test_scheduled_log_purge_keeps_every_row_younger_than_180_days_even_when_set_to_fewer():
    reveal_days_ago(400, "一年多前")
    reveal_days_ago(200, "两百天前")
    reveal_days_ago(100, "一百天前")
    reveal_days_ago(31, "一个月前")
    reveal_days_ago(0, "今天")
    scheduled_task("prune-logs").enqueue()
    assert list(AccessLog.objects.order_by("id").values_list("reason", flat=True)) == ["一百天前", "一个月前", "今天"]
    assert [r.ok for r in chains_verify()] == [True, True]


@override_settings(GONGZHI_ACCESS_LOG_RETENTION_DAYS=365)
def test_scheduled_log_purge_keeps_longer_when_set_longer():
    reveal_days_ago(400, "一年多前")
    reveal_days_ago(200, "两百天前")
    scheduled_task("prune-logs").enqueue()
    assert list(AccessLog.objects.values_list("reason", flat=True)) == ["两百天前"]


def campaign_with_answers(world, actor_of, *, title: str, retention_ends_on: dt.date) -> Campaign:  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    campaign = campaigns.campaign_create(
        actor=jiedao,
        title=title,
        kind=CampaignKind.SCREENING,
        purpose="入户排查（街道通知）",
        scope=[world.compound_x],
        starts_on=retention_ends_on - dt.timedelta(days=30),
        ends_on=retention_ends_on - dt.timedelta(days=20),
        retention_ends_on=retention_ends_on,
        fields=[campaigns.FieldSpec(FieldTarget.HOUSEHOLD, "是否出租", FieldKind.YES_NO, key="rented")],
    )
    campaigns.campaign_open(actor=jiedao, campaign=campaign)
    row = CampaignHousehold.objects.filter(campaign=campaign, grid=world.grid_a).order_by("walk_key").first()
    assert row is not None
    campaigns.visit_record(
        actor=actor_of("wangge_a"),
        row=row,
        outcome=HouseholdState.REACHED,
        idempotency_key=f"k-{title}",
        answers={"rented": "是"},
    )
    return campaign


def test_scheduled_campaign_purge_blanks_answers_only_after_the_retention_date(world, actor_of):
    today = timezone.localdate()
    expired = campaign_with_answers(world, actor_of, title="已过保存期", retention_ends_on=today - dt.timedelta(days=1))
    due_today = campaign_with_answers(world, actor_of, title="今天到期", retention_ends_on=today)
    kept = campaign_with_answers(world, actor_of, title="仍在保存期", retention_ends_on=today + dt.timedelta(days=30))

    scheduled_task("campaigns-retention").enqueue()

    answers = dict(Visit.objects.values_list("campaign__title", "answers"))
    assert answers == {expired.title: {}, due_today.title: {"rented": True}, kept.title: {"rented": True}}
    assert list(Campaign.objects.filter(purged_at__isnull=False).values_list("pk", flat=True)) == [expired.pk]
    assert [r.ok for r in chains_verify()] == [True, True]
