import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.models import Notification, ScheduledRun
from gongzhi.core.notifications import notify, unread_count
from gongzhi.core.scheduler import Job, latest_slot, scheduler_tick
from gongzhi.core.xlsx import Column, write_xlsx

pytestmark = pytest.mark.django_db


def test_xlsx_keeps_id_numbers_as_text_and_writes_the_notice():
    out = io.BytesIO()
    count = write_xlsx(
        out,
        title="人员",
        columns=[Column("姓名"), Column("证件号码", text=True), Column("面积")],
        rows=[("张三", "340303199001011233", 89.5), ("李四", "", 0)],
        notice="导出人 jiedao",
    )
    assert count == 2
    out.seek(0)
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "导出人 jiedao"
    assert [c.value for c in sheet[2]] == ["姓名", "证件号码", "面积"]
    assert sheet["B3"].value == "340303199001011233"
    assert sheet["B3"].number_format == "@"


def test_notify_sends_once_per_dedupe_key(world):
    ids = [world.user("wangge_a").pk, world.user("baobao").pk]
    assert notify(recipient_ids=ids, kind="test", title="网格覆盖率偏低", dedupe_key="grid-1:2026-11-27") == 2
    assert notify(recipient_ids=ids, kind="test", title="网格覆盖率偏低", dedupe_key="grid-1:2026-11-27") == 0
    assert Notification.objects.count() == 2


def test_inbox_shows_only_ones_own_notices_and_marks_them_read(world, client_of, actor_of):
    notify(recipient_ids=[world.user("wangge_a").pk], kind="test", title="给A的通知", url="/registry/people/")
    notify(recipient_ids=[world.user("wangge_b").pk], kind="test", title="给B的通知")
    page = client_of("wangge_a").get(reverse("core:inbox")).content.decode()
    assert "给A的通知" in page
    assert "给B的通知" not in page
    other = Notification.objects.get(title="给B的通知")
    assert client_of("wangge_a").post(reverse("core:inbox-read", args=[other.pk])).status_code == 404
    mine = Notification.objects.get(title="给A的通知")
    response = client_of("wangge_a").post(reverse("core:inbox-read", args=[mine.pk]), {"next": mine.url})
    assert response["Location"] == "/registry/people/"
    assert unread_count(actor=actor_of("wangge_a")) == 0


def test_latest_slot_is_in_shanghai_time():
    job = Job("daily", "30 8 * * *", "x")
    now = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    slot = latest_slot(job, now)
    assert slot is not None
    assert slot.astimezone(dt.UTC) == dt.datetime(2026, 11, 27, 0, 30, tzinfo=dt.UTC)


def test_scheduler_fires_each_slot_once(settings):
    settings.GONGZHI_SCHEDULE = [("prune", "*/5 * * * *", "gongzhi.core.tasks.prune_logs")]
    now = timezone.now()
    assert scheduler_tick(now=now) == ["prune"]
    assert scheduler_tick(now=now) == []  # a second scheduler, or a restart, does not fire it again
    assert ScheduledRun.objects.count() == 1
    assert scheduler_tick(now=now + dt.timedelta(minutes=5)) == ["prune"]
