"""广言亭 and 议事角: suggestion → supports → topic → meeting → resolution vote → follow-up → notice."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.consultation import selectors, services
from gongzhi.consultation.choices import FollowUpStatus, ModerationKind, SuggestionStatus, TopicStatus
from gongzhi.consultation.models import ModerationAction, Support, Topic
from gongzhi.consultation.tests.helpers import promoted, promoted_decided, resident, suggestion, threshold
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.models import Notification
from gongzhi.votes import services as votes
from gongzhi.votes.choices import PollStatus
from gongzhi.votes.models import Poll
from gongzhi.votes.tests.helpers import YES, option

pytestmark = pytest.mark.django_db


def test_a_resident_posts_a_suggestion_about_their_compound(world, actor_of):
    item = suggestion(world)
    assert item.author_label == "居**" and item.scope == world.compound_x
    assert item.status == SuggestionStatus.OPEN and item.support_count == 0


def test_nobody_posts_about_a_place_they_do_not_live_or_work_in(world, actor_of):
    with pytest.raises(NotAllowed):
        services.suggestion_post(actor=actor_of("jumin"), scope=world.compound_z, title="t", body="b")
    with pytest.raises(NotAllowed):
        services.suggestion_post(actor=actor_of("outsider"), scope=world.compound_x, title="t", body="b")


def test_empty_fields_are_refused_by_name(world, actor_of):
    with pytest.raises(DomainError) as caught:
        services.suggestion_post(actor=actor_of("jumin"), scope=world.compound_x, title=" ", body="b")
    assert caught.value.field == "title" and "标题" in caught.value.message


def test_supports_reach_the_threshold_and_the_suggestion_becomes_a_topic(
    world, actor_of, django_capture_on_commit_callbacks
):
    threshold(world.compound_x, 2)
    item = suggestion(world)
    with pytest.raises(DomainError, match="自己的建议"):
        services.suggestion_support(actor=actor_of("jumin"), suggestion=item)
    linju, zhuhu = resident(world, "linju"), resident(world, "zhuhu")
    services.suggestion_support(actor=actor_of("linju"), suggestion=item)
    with pytest.raises(DomainError, match="已经支持过"):
        services.suggestion_support(actor=actor_of("linju"), suggestion=item)
    assert not Topic.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        item = services.suggestion_support(actor=actor_of("zhuhu"), suggestion=item)
    assert item.status == SuggestionStatus.PROMOTED and item.support_count == 2
    topic = Topic.objects.get(suggestion=item)
    assert topic.status == TopicStatus.OPEN and topic.title == item.title
    told = set(Notification.objects.filter(kind="consultation.topic").values_list("recipient__username", flat=True))
    assert {"shequ", "jiedao", "jumin", "linju", "zhuhu"} <= told
    assert Support.objects.filter(suggestion=item).count() == 2 and linju and zhuhu


def test_the_platform_default_threshold_applies_without_a_rule(world, settings):
    settings.GONGZHI_SUGGESTION_SUPPORT_THRESHOLD = 3
    item = suggestion(world)
    assert selectors.suggestion_threshold(suggestion=item) == 3
    threshold(world.community, 5)
    assert selectors.suggestion_threshold(suggestion=item) == 5
    threshold(world.compound_x, 4)  # the nearest rule wins
    assert selectors.suggestion_threshold(suggestion=item) == 4


def test_only_residents_of_the_place_support(world, actor_of):
    item = suggestion(world)
    resident(world, "ding")  # lives in compound Z
    for persona in ("ding", "shequ", "outsider"):
        with pytest.raises(NotAllowed):
            services.suggestion_support(actor=actor_of(persona), suggestion=item)


def test_moderation_hides_with_a_public_reason_and_keeps_a_log(world, actor_of):
    item = suggestion(world)
    linju = resident(world, "linju")
    services.report_add(actor=actor_of("linju"), suggestion=item, reason="内容与小区无关")
    with pytest.raises(DomainError, match="举报过"):
        services.report_add(actor=actor_of("linju"), suggestion=item, reason="再举报一次")
    assert [r.reason for r in selectors.report_queue(actor=actor_of("shequ"))] == ["内容与小区无关"]
    assert not selectors.report_queue(actor=actor_of("jumin")).exists()  # reporters are not shown to residents
    with pytest.raises(NotAllowed):
        services.suggestion_moderate(
            actor=actor_of("baobao"), suggestion=item, kind=ModerationKind.HIDE, reason="无关内容"
        )
    services.suggestion_moderate(
        actor=actor_of("shequ"), suggestion=item, kind=ModerationKind.HIDE, reason="与小区事务无关"
    )
    item.refresh_from_db()
    assert item.is_hidden and item.hidden_reason == "与小区事务无关"
    assert not selectors.report_queue(actor=actor_of("shequ")).exists()
    # hidden from neighbours, still shown to its author (with the reason) and to moderators
    assert not selectors.suggestion_list(actor=actor_of("linju")).filter(pk=item.pk).exists()
    assert selectors.suggestion_list(actor=actor_of("jumin")).filter(pk=item.pk).exists()
    assert selectors.suggestion_list(actor=actor_of("shequ")).filter(pk=item.pk).exists()
    log = list(selectors.moderation_log(actor=actor_of("linju")))
    assert [(a.kind, a.subject, a.reason) for a in log] == [("hide", "小区东门加装雨棚", "与小区事务无关")]
    services.suggestion_moderate(
        actor=actor_of("shequ"), suggestion=item, kind=ModerationKind.RESTORE, reason="经核实属于小区事务"
    )
    assert ModerationAction.objects.count() == 2 and linju


def test_a_hidden_post_shows_its_reason_in_place(world, actor_of):
    topic = promoted(world)
    post = services.post_add(actor=actor_of("linju"), topic=topic, body="广告：低价装修")
    services.post_moderate(actor=actor_of("shequ"), post=post, kind=ModerationKind.HIDE, reason="广告内容")
    post.refresh_from_db()
    assert post.is_hidden and ModerationAction.objects.get().subject.startswith("“小区东门加装雨棚”")


def test_the_whole_path_from_topic_to_done(world, actor_of, django_capture_on_commit_callbacks):
    shequ = actor_of("shequ")
    topic = promoted(world)
    services.post_add(actor=actor_of("jumin"), topic=topic, body="雨棚选透明材质，不挡光。")
    with pytest.raises(NotAllowed):
        services.meeting_convene(
            actor=actor_of("jumin"), topic=topic, starts_at=timezone.now(), place="x", invited=["residents"]
        )
    with pytest.raises(DomainError, match="邀请"):
        services.meeting_convene(actor=shequ, topic=topic, starts_at=timezone.now(), place="议事厅", invited=[])
    meeting = services.meeting_convene(
        actor=shequ,
        topic=topic,
        starts_at=timezone.now() + dt.timedelta(days=2),
        place="社区议事厅",
        invited=["residents_committee", "owners_committee", "property_company", "residents"],
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.MEETING
    with pytest.raises(DomainError, match="尚未开始"):
        services.meeting_minutes_record(
            actor=shequ, meeting=meeting, minutes="m", attendees=[("王芳", "residents_committee")]
        )
    meeting.starts_at = timezone.now() - dt.timedelta(hours=1)
    meeting.save()
    held = services.meeting_minutes_record(
        actor=shequ,
        meeting=meeting,
        minutes="各方同意加装透明雨棚，费用由公共收益列支。",
        attendees=[("王芳", "residents_committee"), ("李强", "property_company"), ("居民甲", "residents")],
    )
    assert held.attendees.count() == 3 and held.minutes_by_id == world.user("shequ").pk

    resolution = services.resolution_propose(
        actor=shequ, topic=topic, text="同意在东门加装透明雨棚", closes_at=timezone.now() + dt.timedelta(days=7)
    )
    poll = Poll.objects.get(pk=resolution.poll_id)
    assert poll.status == PollStatus.OPEN and poll.source == "consultation" and poll.roll_size == 3
    votes.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    votes.ballot_cast(actor=actor_of("linju"), poll=poll, choices=option(poll, YES))
    path = selectors.topic_path(actor=actor_of("jumin"), topic=topic)
    assert path.result is None and "截止前" in path.sealed_reason

    with pytest.raises(DomainError, match="表决之后"):
        services.follow_up_add(
            actor=shequ, topic=topic, description="d", owner_name="o", owner_party="grid", due_on=timezone.localdate()
        )
    resolution = services.resolution_close(actor=shequ, topic=topic)
    assert resolution.adopted is True
    follow_up = services.follow_up_add(
        actor=shequ,
        topic=topic,
        description="物业采购并安装雨棚",
        owner_name="李强",
        owner_party="property_company",
        due_on=timezone.localdate() + dt.timedelta(days=30),
        owner_user_id=world.user("wuye").pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.topic_publish(actor=shequ, topic=topic, body="表决通过。物业30天内安装雨棚。")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED and notice.body.startswith("表决通过")
    poll.refresh_from_db()
    assert poll.status == PollStatus.PUBLISHED
    assert selectors.topic_path(actor=actor_of("jumin"), topic=topic).result["questions"][0]["tally"]["passed"]
    assert Notification.objects.filter(recipient=world.user("jumin"), kind="consultation.published").exists()

    with pytest.raises(NotAllowed):
        services.follow_up_done(actor=actor_of("jumin"), follow_up=follow_up, note="已完成")
    services.follow_up_done(actor=actor_of("wuye"), follow_up=follow_up, note="已安装，已验收")
    topic.refresh_from_db()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE and topic.status == TopicStatus.DONE


def test_a_topic_without_follow_ups_is_done_when_published(world, actor_of):
    topic = promoted_decided(world)
    services.topic_publish(actor=actor_of("shequ"), topic=topic, body="表决未形成决定，暂不实施。")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DONE


def test_steps_follow_the_path(world, actor_of):
    shequ = actor_of("shequ")
    topic = promoted(world)
    with pytest.raises(InvalidTransition):
        services.resolution_close(actor=shequ, topic=topic)
    with pytest.raises(InvalidTransition):
        services.topic_publish(actor=shequ, topic=topic, body="x")
    services.topic_drop(actor=shequ, topic=topic, reason="业委会已另行处理")
    topic.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.post_add(actor=actor_of("jumin"), topic=topic, body="还能说吗")
    with pytest.raises(InvalidTransition):
        services.meeting_convene(actor=shequ, topic=topic, starts_at=timezone.now(), place="p", invited=["residents"])


def test_overdue_follow_ups_are_reminded_once_a_day(world, actor_of):
    topic = promoted_decided(world)
    follow_up = services.follow_up_add(
        actor=actor_of("shequ"),
        topic=topic,
        description="修补东门地砖",
        owner_name="网格员A",
        owner_party="grid",
        due_on=timezone.localdate(),
        owner_user_id=world.user("wangge_a").pk,
    )
    later = timezone.localdate() + dt.timedelta(days=3)
    assert services.follow_ups_remind(today=later) == 1
    assert services.follow_ups_remind(today=later) == 0
    assert Notification.objects.get(kind="consultation.overdue").recipient == world.user("wangge_a")
    assert follow_up.status == FollowUpStatus.OPEN
