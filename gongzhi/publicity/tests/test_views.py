"""Notice pages at HTTP level: compose → count → publish, the inbox and the read, the read rate, the grid
worker's unread list and 'told in person', the unread export, and refusals."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.publicity.choices import NoticeStatus
from gongzhi.publicity.models import Notice, NoticeTally, Recipient
from gongzhi.publicity.targets import Target
from gongzhi.publicity.tests.helpers import publish
from gongzhi.registry.models import CareTag, PersonCareTag

pytestmark = pytest.mark.django_db


def _form(world, **changes):  # type: ignore[no-untyped-def]
    data = {
        "title": "高温天气防暑提醒",
        "body": "请减少午间外出。\n多饮水，有不适请拨打网格员电话。",
        "node": world.community.pk,
        "grids": [world.grid_a.pk],
        "residents": "on",
        "care_tags": ["elderly_alone"],
    }
    return data | changes


def test_shequ_composes_sees_the_count_publishes_and_follows_reads(world, client_of):  # type: ignore[no-untyped-def]
    PersonCareTag.objects.create(person=world.people["jumin"], tag=CareTag.objects.get(code="elderly_alone"))
    shequ = client_of("shequ")
    response = shequ.post(reverse("publicity:notice-create"), _form(world))
    notice = Notice.objects.get()
    assert response["Location"] == reverse("publicity:notice-detail", args=[notice.pk])
    assert notice.body == "<p>请减少午间外出。</p><p>多饮水，有不适请拨打网格员电话。</p>"
    draft = shequ.get(response["Location"]).content.decode()
    assert 'id="notice-counts"' in draft and "将立即发给1人" in draft
    shequ.post(reverse("publicity:notice-publish", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED and notice.recipient_count == 1
    # jumin opens it twice: one read.
    jumin = client_of("jumin")
    assert "高温天气防暑提醒" in jumin.get(reverse("publicity:inbox")).content.decode()
    for _ in range(2):
        assert jumin.get(reverse("publicity:notice-read", args=[notice.pk])).status_code == 200
    assert NoticeTally.objects.get(notice=notice).read == 1
    page = shequ.get(reverse("publicity:notice-detail", args=[notice.pk])).content.decode()
    assert "100.0%" in page


def test_a_bad_form_keeps_the_input_and_writes_nothing(world, client_of):  # type: ignore[no-untyped-def]
    response = client_of("shequ").post(reverse("publicity:notice-create"), _form(world, title="通知", care_tags=[]))
    body = response.content.decode()
    assert response.status_code == 200 and "标题至少4个字" in body and "请减少午间外出" in body
    assert not Notice.objects.exists()


def test_grid_worker_sees_their_unread_and_marks_one_told(world, client_of):  # type: ignore[no-untyped-def]
    notice = publish(world, Target(nodes=(world.compound_x.pk,)))
    wangge = client_of("wangge_a")
    assert "停水通知" in wangge.get(reverse("publicity:manage")).content.decode()
    detail = wangge.get(reverse("publicity:notice-detail", args=[notice.pk])).content.decode()
    assert "A网格" in detail and "B网格" not in detail  # only their grid's row
    url = reverse("publicity:recipient-list", args=[notice.pk]) + f"?grid={world.grid_a.pk}&state=unread"
    listing = wangge.get(url).content.decode()
    assert "曾小红" in listing and "居民甲" in listing and "住户丙" not in listing
    assert AccessLog.objects.filter(subject_type="publicity.recipient", action="reveal").count() == 1
    spouse = Recipient.objects.get(notice=notice, person=world.people["jumin_spouse"])
    response = wangge.post(reverse("publicity:recipient-tell", args=[spouse.pk]), {"back": url})
    assert response["Location"] == url
    spouse.refresh_from_db()
    assert spouse.told_at is not None
    # Someone else's grid: their residents are out of sight.
    other = Recipient.objects.get(notice=notice, person=world.people["grid_b"])
    assert wangge.post(reverse("publicity:recipient-tell", args=[other.pk])).status_code == 404


def test_unread_export_reads_back_and_is_logged(world, client_of):  # type: ignore[no-untyped-def]
    notice = publish(world, Target(nodes=(world.compound_x.pk,)))
    response = client_of("shequ").get(reverse("publicity:unread-export", args=[notice.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[0] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert {"居民甲", "曾小红", "邻居乙", "住户丙"} <= names
    assert AccessLog.objects.get(subject_type="publicity.recipient", action="export").row_count == 4


def test_notices_are_out_of_sight_for_everyone_else(world, client_of):  # type: ignore[no-untyped-def]
    notice = publish(world, Target(nodes=(world.compound_x.pk,)))
    for username in ("louzhang", "dangzhibu", "outsider"):
        client = client_of(username)
        assert client.get(reverse("publicity:notice-detail", args=[notice.pk])).status_code == 404
        assert client.get(reverse("publicity:recipient-list", args=[notice.pk])).status_code == 404
    # 住户丁 lives in 第二社区: the notice is not in their inbox and does not open.
    assert client_of("wangge_b").get(reverse("publicity:notice-detail", args=[notice.pk])).status_code == 200
    assert client_of("jiedao").get(reverse("publicity:notice-detail", args=[notice.pk])).status_code == 200


def test_the_public_board_shows_public_notices_only_and_needs_no_login(world, client):  # type: ignore[no-untyped-def]
    public = publish(world, Target(nodes=(world.compound_x.pk,)), is_public=True, title="业主大会表决结果公示")
    publish(world, Target(nodes=(world.compound_x.pk,)), title="内部工作通知")
    body = client.get(reverse("publicity:board", args=[world.compound_x.pk])).content.decode()
    assert "业主大会表决结果公示" in body and "内部工作通知" not in body
    assert client.get(reverse("publicity:board-notice", args=[world.compound_x.pk, public.pk])).status_code == 200
    assert client.get(reverse("publicity:board", args=[world.compound_z.pk])).content.decode().count("公示") <= 2


def test_read_rate_page_reads_tallies_with_a_bounded_number_of_queries(world, client_of, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    notice = publish(world, Target(nodes=(world.subdistrict.pk,)))
    client = client_of("jiedao")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("publicity:notice-detail", args=[notice.pk]))
    assert response.status_code == 200 and 'id="rate-table"' in response.content.decode()
