"""Pages of 广言亭 and 议事角 at HTTP level: wiring, 404 outside scope, form errors, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.consultation.choices import TopicStatus
from gongzhi.consultation.models import Suggestion, Topic
from gongzhi.consultation.tests.helpers import promoted, promoted_decided, resident, suggestion, threshold

pytestmark = pytest.mark.django_db


def test_a_resident_posts_and_a_neighbour_supports_on_the_pages(world, client_of):
    threshold(world.compound_x, 1)
    form = client_of("jumin").get(reverse("consultation:suggestion-create")).content.decode()
    assert "X小区" in form and "第一社区" in form
    response = client_of("jumin").post(
        reverse("consultation:suggestion-create"),
        {"scope": str(world.compound_x.pk), "title": "垃圾分类点加盖", "body": "夏天异味大"},
    )
    item = Suggestion.objects.get(title="垃圾分类点加盖")
    assert response.status_code == 302
    resident(world, "linju")
    client = client_of("linju")
    assert "垃圾分类点加盖" in client.get(reverse("consultation:suggestion-list")).content.decode()
    client.post(reverse("consultation:suggestion-support", args=[item.pk]))
    topic = Topic.objects.get(suggestion=item)
    page = client.get(reverse("consultation:suggestion-detail", args=[item.pk])).content.decode()
    assert "已转为议题" in page and reverse("consultation:topic-detail", args=[topic.pk]) in page


def test_a_suggestion_form_error_names_the_field(world, client_of):
    response = client_of("jumin").post(
        reverse("consultation:suggestion-create"), {"scope": str(world.compound_x.pk), "title": "", "body": "x"}
    )
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()


def test_a_user_without_a_place_is_told_why_they_cannot_suggest(world, client_of):
    page = client_of("outsider").get(reverse("consultation:suggestion-create")).content.decode()
    assert "没有登记居住的小区" in page


def test_suggestions_and_topics_outside_scope_answer_404(world, client_of):
    topic = promoted(world)
    for persona in ("wuye", "zhiyuan", "outsider"):
        client = client_of(persona)
        assert client.get(reverse("consultation:topic-detail", args=[topic.pk])).status_code == 404, persona
        assert client.get(reverse("consultation:suggestion-detail", args=[topic.suggestion_id])).status_code == 404
    resident(world, "ding")
    assert client_of("ding").get(reverse("consultation:topic-detail", args=[topic.pk])).status_code == 404


def test_the_topic_page_shows_the_whole_path(world, actor_of, client_of):
    topic = promoted_decided(world)
    page = client_of("jumin").get(reverse("consultation:topic-detail", args=[topic.pk])).content.decode()
    for step in ("居民建议", "讨论", "议事会议", "表决", "跟进落实", "结果公示"):
        assert step in page
    assert "增设电动车充电桩" in page and "结果正在核对" in page  # closed, not yet published


def test_staff_walk_a_topic_through_its_steps_on_the_pages(world, actor_of, client_of):
    topic = promoted(world)
    shequ = client_of("shequ")
    starts = (timezone.localtime() - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    response = shequ.post(
        reverse("consultation:meeting-convene", args=[topic.pk]),
        {"starts_at": starts, "place": "社区议事厅", "invited": ["residents_committee", "property_company"]},
    )
    assert response.status_code == 302
    meeting = topic.meetings.get()
    bad = shequ.post(reverse("consultation:meeting-minutes", args=[meeting.pk]), {"attendees": "王芳", "minutes": "m"})
    assert "第1行应为“姓名 代表方”" in bad.content.decode()
    shequ.post(
        reverse("consultation:meeting-minutes", args=[meeting.pk]),
        {"attendees": "王芳 社区居委会\n李强 物业服务企业", "minutes": "同意加装。"},
    )
    closes = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    shequ.post(
        reverse("consultation:resolution-propose", args=[topic.pk]),
        {"text": "同意加装雨棚", "electorate": "households", "closes_at": closes},
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.VOTING
    shequ.post(reverse("consultation:resolution-close", args=[topic.pk]))
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    shequ.post(
        reverse("consultation:follow-up-add", args=[topic.pk]),
        {"description": "采购雨棚", "owner_name": "李强", "owner_party": "property_company", "due_on": due},
    )
    shequ.post(reverse("consultation:topic-publish", args=[topic.pk]), {"body": "表决结果见上；物业十日内采购。"})
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED
    follow_up = topic.follow_ups.get()
    shequ.post(reverse("consultation:follow-up-done", args=[follow_up.pk]), {"note": "已安装"})
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DONE
    page = client_of("jumin").get(reverse("consultation:topic-detail", args=[topic.pk])).content.decode()
    assert "王芳（社区居委会）" in page and "物业十日内采购" in page and 'id="poll-result"' in page


def test_residents_cannot_run_a_topic(world, client_of):
    topic = promoted(world)
    client = client_of("jumin")
    assert client.get(reverse("consultation:meeting-convene", args=[topic.pk])).status_code == 404
    assert client.post(reverse("consultation:topic-drop", args=[topic.pk]), {"reason": "不想讨论了"}).status_code == 404
    assert client.get(reverse("consultation:topic-create")).status_code == 404


def test_discussion_report_and_moderation_on_the_page(world, client_of):
    topic = promoted(world)
    client_of("linju").post(reverse("consultation:post-add", args=[topic.pk]), {"body": "加微信买便宜货"})
    post = topic.posts.get()
    client_of("jumin").post(reverse("consultation:post-report", args=[post.pk]), {"reason": "广告内容"})
    queue = client_of("shequ").get(reverse("consultation:moderation")).content.decode()
    assert "广告内容" in queue
    client_of("shequ").post(
        reverse("consultation:post-moderate", args=[post.pk]), {"kind": "hide", "reason": "商业广告"}
    )
    page = client_of("jumin").get(reverse("consultation:topic-detail", args=[topic.pk])).content.decode()
    assert "该发言已被隐藏，原因：商业广告" in page and "加微信买便宜货" not in page
    log = client_of("jumin").get(reverse("consultation:moderation")).content.decode()
    assert "商业广告" in log and "待处理的举报" not in log


def test_the_suggestion_list_does_not_grow_queries(world, client_of, django_assert_max_num_queries):
    for n in range(10):
        suggestion(world, title=f"建议{n}")
    client = client_of("jumin")
    client.get(reverse("consultation:suggestion-list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("consultation:suggestion-list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("consultation:topic-list"))
