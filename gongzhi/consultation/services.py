"""Writes of 广言亭 and 议事角. Keyword-only, actor first, permission first, atomic, audited.

A resolution is voted through the ballot engine (votes.services): this module never counts anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Duty
from gongzhi.consultation.choices import (
    TOPIC_TRANSITIONS,
    FollowUpStatus,
    MeetingStatus,
    ModerationKind,
    Party,
    SuggestionStatus,
    TopicStatus,
)
from gongzhi.consultation.models import (
    Attendance,
    ConsultationRules,
    FollowUp,
    Meeting,
    ModerationAction,
    Post,
    Report,
    Resolution,
    ResultNotice,
    Suggestion,
    Support,
    Topic,
)
from gongzhi.consultation.permissions import (
    RUNNER_ROLES,
    can_discuss,
    can_moderate,
    can_post_suggestion,
    can_run_topic,
    can_support,
)
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.notifications import notify
from gongzhi.core.pinyin import mask_name
from gongzhi.registry.models import Person
from gongzhi.territory.models import Node
from gongzhi.votes import services as votes
from gongzhi.votes.choices import Electorate, TallyRule
from gongzhi.votes.models import Poll

MIN_REASON = 4


def _text(value: str, *, field: str, label: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise DomainError(_("请填写%(f)s。") % {"f": label}, field=field)
    if len(value) > limit:
        raise DomainError(_("%(f)s最多%(n)d个字。") % {"f": label, "n": limit}, field=field)
    return value


def _uid(actor: Actor) -> int:
    """Contributions and steps are signed by a person: a command or job cannot post or convene."""
    if actor.user_id is None:
        raise NotAllowed(_("请先登录。"))
    return actor.user_id


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise DomainError(_("请填写原因（至少%(n)d个字）。") % {"n": MIN_REASON}, field="reason")
    return reason[:300]


def _author_label(actor: Actor) -> str:
    """How a contributor is shown to neighbours: surname and stars, never the full name."""
    person = Person.objects.filter(pk=actor.person_id).only("name").first() if actor.person_id else None
    return mask_name(person.name) if person is not None else actor.display_name[:60]


def _transition(topic: Topic, target: str) -> None:
    if target not in TOPIC_TRANSITIONS[topic.status]:
        raise InvalidTransition(
            _("议题当前为“%(from)s”，不能变为“%(to)s”。")
            % {"from": TopicStatus(topic.status).label, "to": TopicStatus(target).label}
        )


def _ensure_run(actor: Actor, topic: Topic) -> None:
    if not can_run_topic(actor, topic):
        raise NotAllowed(_("只有社区工作人员可以推进议题。"))


def _topic_url(topic: Topic) -> str:
    return reverse("consultation:topic-detail", kwargs={"topic_id": topic.pk})


def _participants(topic: Topic) -> set[int]:
    """Who followed the topic: the suggestion's author and supporters, and everyone who spoke."""
    users = set(topic.posts.values_list("author_id", flat=True))
    if topic.suggestion_id is not None:
        users.add(topic.suggestion.author_id)  # type: ignore[union-attr]
        users |= set(Support.objects.filter(suggestion_id=topic.suggestion_id).values_list("user_id", flat=True))
    return users


def _tell(topic: Topic, *, users: set[int], kind: str, title: str, body: str = "", key: str) -> None:
    url = _topic_url(topic)
    transaction.on_commit(
        lambda: notify(recipient_ids=users, kind=kind, title=title, body=body, url=url, dedupe_key=key)
    )


def support_threshold(scope: Node) -> int:
    """The nearest rule on the way up from the suggestion's place, else the platform default."""
    step = Node.steplen
    paths = [scope.path[: i * step] for i in range(len(scope.path) // step, 0, -1)]
    rules = {
        r.node.path: r.support_threshold
        for r in ConsultationRules.objects.filter(node__path__in=paths).select_related("node")
    }
    for path in paths:
        if path in rules:
            return rules[path]
    return int(settings.GONGZHI_SUGGESTION_SUPPORT_THRESHOLD)


@transaction.atomic
def support_threshold_set(*, actor: Actor, node: Node, supports: int) -> ConsultationRules:
    """A community or compound sets its own number of supports that makes a suggestion a topic."""
    if not can_moderate(actor, node.path):
        raise NotAllowed(_("只有社区工作人员可以设置议事规则。"))
    if supports < 1 or supports > 10000:
        raise DomainError(_("支持数应为1至10000。"), field="supports")
    rules, _created = ConsultationRules.objects.update_or_create(
        node=node, defaults={"support_threshold": supports, "updated_by_id": actor.user_id}
    )
    audit_record(
        actor=actor, action="consultation.threshold_set", target=rules, label=node.name, after={"supports": supports}
    )
    return rules


# --- 广言亭 -----------------------------------------------------------------------------------------------


@transaction.atomic
def suggestion_post(*, actor: Actor, scope: Node, title: str, body: str) -> Suggestion:
    if not can_post_suggestion(actor, scope_path=scope.path):
        raise NotAllowed(_("您只能就自己居住或工作的小区、社区提出建议。"))
    suggestion = Suggestion.objects.create(
        author_id=_uid(actor),
        author_label=_author_label(actor),
        scope=scope,
        scope_path=scope.path,
        title=_text(title, field="title", label=_("标题"), limit=100),
        body=_text(body, field="body", label=_("内容"), limit=2000),
    )
    audit_record(actor=actor, action="consultation.suggestion_post", target=suggestion, label=suggestion.title)
    return suggestion


@transaction.atomic
def suggestion_support(*, actor: Actor, suggestion: Suggestion) -> Suggestion:
    """Add the actor's support; at the place's threshold the suggestion becomes a 议事角 topic."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.author_id == actor.user_id:
        raise DomainError(_("不能支持自己的建议。"), field="suggestion")
    if not can_support(actor, suggestion):
        raise NotAllowed(_("只有该范围内的居民可以支持这条建议，且建议须在征集中。"))
    try:
        with transaction.atomic():
            Support.objects.create(suggestion=suggestion, user_id=_uid(actor))
    except IntegrityError as exc:
        raise DomainError(_("您已经支持过这条建议。"), field="suggestion") from exc
    Suggestion.objects.filter(pk=suggestion.pk).update(support_count=F("support_count") + 1)
    suggestion.refresh_from_db()
    if suggestion.support_count >= support_threshold(suggestion.scope):
        _promote(suggestion)
    return suggestion


def _promote(suggestion: Suggestion) -> Topic:
    now = timezone.now()
    suggestion.status = SuggestionStatus.PROMOTED
    suggestion.promoted_at = now
    suggestion.save(update_fields=["status", "promoted_at", "updated_at"])
    topic = Topic.objects.create(
        suggestion=suggestion,
        scope_id=suggestion.scope_id,
        scope_path=suggestion.scope_path,
        title=suggestion.title,
        body=suggestion.body,
    )
    audit_record(
        actor=Actor.system("consultation"),
        action="consultation.topic_from_suggestion",
        target=topic,
        label=topic.title,
        after={"suggestion": suggestion.pk, "supports": suggestion.support_count},
    )
    runners = set(_runner_ids(suggestion.scope_path))
    _tell(
        topic,
        users=runners | _participants(topic),
        kind="consultation.topic",
        title=_("建议已获足够支持，转入议事角：%(t)s") % {"t": topic.title},
        key=f"consultation.topic:{topic.pk}",
    )
    return topic


def _runner_ids(scope_path: str) -> list[int]:
    """Community workers and officers whose place contains the scope: they convene the topic."""
    step = Node.steplen
    above = [scope_path[: i * step] for i in range(1, len(scope_path) // step + 1)]
    return list(
        Duty.objects.filter(Duty.current_q(timezone.localdate()), role__in=RUNNER_ROLES, node__path__in=above)
        .values_list("user_id", flat=True)
        .distinct()
    )


@transaction.atomic
def report_add(*, actor: Actor, reason: str, suggestion: Suggestion | None = None, post: Post | None = None) -> Report:
    """Anyone who can see an item may report it once; moderators decide."""
    if actor.user_id is None:
        raise NotAllowed(_("请先登录。"))
    reason = _reason(reason)
    try:
        with transaction.atomic():
            report = Report.objects.create(suggestion=suggestion, post=post, reporter_id=_uid(actor), reason=reason)
    except IntegrityError as exc:
        raise DomainError(_("您已经举报过这条内容，管理员会尽快处理。"), field="reason") from exc
    return report


def _moderate(
    *,
    actor: Actor,
    kind: str,
    reason: str,
    scope_path: str,
    subject: str,
    suggestion: Suggestion | None,
    post: Post | None,
) -> ModerationAction:
    if not can_moderate(actor, scope_path):
        raise NotAllowed(_("只有社区工作人员可以管理内容。"))
    reason = _reason(reason)
    item: Suggestion | Post = suggestion if suggestion is not None else post  # type: ignore[assignment]
    if (kind == ModerationKind.HIDE) == item.is_hidden:
        raise DomainError(_("内容已是该状态。"), field="kind")
    item.hidden_at = timezone.now() if kind == ModerationKind.HIDE else None
    item.hidden_reason = reason if kind == ModerationKind.HIDE else ""
    item.save(update_fields=["hidden_at", "hidden_reason"])
    reports = (
        Report.objects.filter(suggestion=suggestion) if suggestion is not None else Report.objects.filter(post=post)
    )
    reports.filter(handled_at__isnull=True).update(handled_at=timezone.now())
    action = ModerationAction.objects.create(
        moderator_id=_uid(actor),
        kind=kind,
        suggestion=suggestion,
        post=post,
        scope_path=scope_path,
        subject=subject[:120],
        reason=reason,
    )
    audit_record(actor=actor, action=f"consultation.{kind}", target=item, label=subject, after={"reason": reason})
    return action


@transaction.atomic
def suggestion_moderate(*, actor: Actor, suggestion: Suggestion, kind: str, reason: str) -> ModerationAction:
    return _moderate(
        actor=actor,
        kind=kind,
        reason=reason,
        scope_path=suggestion.scope_path,
        subject=suggestion.title,
        suggestion=suggestion,
        post=None,
    )


@transaction.atomic
def post_moderate(*, actor: Actor, post: Post, kind: str, reason: str) -> ModerationAction:
    return _moderate(
        actor=actor,
        kind=kind,
        reason=reason,
        scope_path=post.topic.scope_path,
        subject=_("“%(t)s”中的发言") % {"t": post.topic.title},
        suggestion=None,
        post=post,
    )


@transaction.atomic
def report_dismiss(*, actor: Actor, report: Report) -> Report:
    """A moderator looked and kept the item: the report is marked handled, the item stays."""
    scope_path = report.suggestion.scope_path if report.suggestion else report.post.topic.scope_path  # type: ignore[union-attr]
    if not can_moderate(actor, scope_path):
        raise NotAllowed(_("只有社区工作人员可以管理内容。"))
    report.handled_at = timezone.now()
    report.save(update_fields=["handled_at"])
    return report


# --- 议事角 -----------------------------------------------------------------------------------------------


@transaction.atomic
def topic_open(*, actor: Actor, scope: Node, title: str, body: str = "") -> Topic:
    """Staff put a matter on the table directly, without a suggestion."""
    if not can_moderate(actor, scope.path):
        raise NotAllowed(_("只有社区工作人员可以直接发起议题。"))
    topic = Topic.objects.create(
        scope=scope,
        scope_path=scope.path,
        title=_text(title, field="title", label=_("议题"), limit=100),
        body=body.strip()[:4000],
        opened_by_id=actor.user_id,
    )
    audit_record(actor=actor, action="consultation.topic_open", target=topic, label=topic.title)
    return topic


@transaction.atomic
def post_add(*, actor: Actor, topic: Topic, body: str) -> Post:
    topic = Topic.objects.get(pk=topic.pk)
    if not can_discuss(actor, topic):
        raise NotAllowed(_("只有该范围内的居民和社区工作人员可以参与讨论，已办结的议题不再讨论。"))
    return Post.objects.create(
        topic=topic,
        author_id=_uid(actor),
        author_label=_author_label(actor),
        body=_text(body, field="body", label=_("发言"), limit=2000),
    )


@transaction.atomic
def meeting_convene(
    *, actor: Actor, topic: Topic, starts_at: dt.datetime, place: str, invited: Sequence[str]
) -> Meeting:
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    _ensure_run(actor, topic)
    if topic.status not in (TopicStatus.OPEN, TopicStatus.MEETING):
        raise InvalidTransition(_("议题已进入表决，不能再召集会议。"))
    parties = [p for p in dict.fromkeys(invited) if p in Party.values]
    if not parties:
        raise DomainError(_("请选择邀请参加的各方。"), field="invited")
    meeting = Meeting.objects.create(
        topic=topic,
        starts_at=starts_at,
        place=_text(place, field="place", label=_("地点"), limit=120),
        invited=parties,
        convened_by_id=_uid(actor),
    )
    if topic.status == TopicStatus.OPEN:
        _transition(topic, TopicStatus.MEETING)
        topic.status = TopicStatus.MEETING
        topic.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="consultation.meeting_convene",
        target=meeting,
        label=topic.title,
        after={"starts_at": starts_at.isoformat(), "place": meeting.place, "invited": parties},
    )
    _tell(
        topic,
        users=_participants(topic),
        kind="consultation.meeting",
        title=_("议事会议：%(t)s") % {"t": topic.title},
        body=_("时间：%(when)s；地点：%(where)s")
        % {"when": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"), "where": meeting.place},
        key=f"consultation.meeting:{meeting.pk}",
    )
    return meeting


@transaction.atomic
def meeting_minutes_record(
    *, actor: Actor, meeting: Meeting, minutes: str, attendees: Sequence[tuple[str, str]]
) -> Meeting:
    """Record who came (name and whom they spoke for) and the minutes, once the meeting has started."""
    meeting = Meeting.objects.select_for_update().select_related("topic").get(pk=meeting.pk)
    _ensure_run(actor, meeting.topic)
    if meeting.status == MeetingStatus.HELD:
        raise DomainError(_("这次会议的纪要已经记录。"), field="minutes")
    if meeting.starts_at > timezone.now():
        raise DomainError(_("会议尚未开始，开始后才能记录纪要。"), field="minutes")
    people = []
    for index, (name, party) in enumerate(attendees, start=1):
        name = " ".join(name.split())
        if not name:
            continue
        if party not in Party.values:
            raise DomainError(_("第%(n)d位参会人员的代表方无效。") % {"n": index}, field="attendees")
        people.append(Attendance(meeting=meeting, name=name[:50], party=party))
    if not people:
        raise DomainError(_("请填写参会人员（每行：姓名 代表方）。"), field="attendees")
    Attendance.objects.bulk_create(people)
    meeting.minutes = _text(minutes, field="minutes", label=_("会议纪要"), limit=10000)
    meeting.minutes_by_id = actor.user_id
    meeting.minutes_at = timezone.now()
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["minutes", "minutes_by", "minutes_at", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="consultation.meeting_minutes",
        target=meeting,
        label=meeting.topic.title,
        after={"attendees": len(people)},
    )
    return meeting


@transaction.atomic
def resolution_propose(
    *,
    actor: Actor,
    topic: Topic,
    text: str,
    closes_at: dt.datetime,
    electorate: str = Electorate.HOUSEHOLDS,
    is_secret: bool = False,
    threshold: str = "1/2",
) -> Resolution:
    """Put the resolution to the residents through the vote engine: a yes/no poll that opens now."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    _ensure_run(actor, topic)
    _transition(topic, TopicStatus.VOTING)
    if electorate not in (Electorate.RESIDENTS, Electorate.HOUSEHOLDS):
        raise DomainError(_("议事表决由居民或住户投票；业主共同决定请通过业主表决发起。"), field="electorate")
    text = _text(text, field="text", label=_("表决事项"), limit=500)
    poll = votes.poll_create(
        actor=actor,
        scope=topic.scope,
        title=_("议事表决：%(t)s") % {"t": topic.title},
        description=text,
        electorate=electorate,
        is_secret=is_secret,
        notice_days=0,
        closes_at=closes_at,
        source="consultation",
        questions=[votes.QuestionSpec(text=text, rule=TallyRule.YES_NO, config={"threshold": threshold})],
    )
    votes.poll_open(actor=actor, poll=poll)
    resolution = Resolution.objects.create(topic=topic, text=text, poll=poll, proposed_by_id=_uid(actor))
    topic.status = TopicStatus.VOTING
    topic.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="consultation.resolution_propose",
        target=resolution,
        label=topic.title,
        after={"poll": poll.pk},
    )
    return resolution


@transaction.atomic
def resolution_close(*, actor: Actor, topic: Topic) -> Resolution:
    """Close the vote (the engine counts it) and record whether the resolution was adopted."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    _ensure_run(actor, topic)
    _transition(topic, TopicStatus.DECIDED)
    resolution = Resolution.objects.select_related("poll").get(topic=topic)
    result = votes.poll_close(actor=actor, poll=resolution.poll)
    resolution.adopted = bool(result.questions[0]["tally"]["passed"])
    resolution.save(update_fields=["adopted", "updated_at"])
    topic.status = TopicStatus.DECIDED
    topic.decided_at = timezone.now()
    topic.save(update_fields=["status", "decided_at", "updated_at"])
    audit_record(actor=actor, action="consultation.resolution_close", target=resolution, label=topic.title)
    return resolution


@transaction.atomic
def follow_up_add(
    *,
    actor: Actor,
    topic: Topic,
    description: str,
    owner_name: str,
    owner_party: str,
    due_on: dt.date,
    owner_user_id: int | None = None,
) -> FollowUp:
    topic = Topic.objects.get(pk=topic.pk)
    _ensure_run(actor, topic)
    if topic.status not in (TopicStatus.DECIDED, TopicStatus.PUBLISHED):
        raise DomainError(_("表决之后才能安排跟进事项。"), field="description")
    if owner_party not in Party.values:
        raise DomainError(_("请选择责任单位。"), field="owner_party")
    if due_on < timezone.localdate():
        raise DomainError(_("完成期限不能早于今天。"), field="due_on")
    follow_up = FollowUp.objects.create(
        topic=topic,
        description=_text(description, field="description", label=_("事项"), limit=300),
        owner_name=_text(owner_name, field="owner_name", label=_("责任人"), limit=50),
        owner_party=owner_party,
        owner_user_id=owner_user_id,
        due_on=due_on,
    )
    audit_record(
        actor=actor,
        action="consultation.follow_up_add",
        target=follow_up,
        label=topic.title,
        after={"due_on": due_on.isoformat()},
    )
    if owner_user_id is not None:
        _tell(
            topic,
            users={owner_user_id},
            kind="consultation.follow_up",
            title=_("请跟进：%(d)s") % {"d": follow_up.description},
            body=_("期限：%(d)s") % {"d": due_on},
            key=f"consultation.follow_up:{follow_up.pk}",
        )
    return follow_up


@transaction.atomic
def follow_up_done(*, actor: Actor, follow_up: FollowUp, note: str) -> FollowUp:
    """Mark an action done; when the last one of a published topic is done, the topic is done."""
    follow_up = FollowUp.objects.select_for_update().select_related("topic").get(pk=follow_up.pk)
    topic = follow_up.topic
    if not (can_run_topic(actor, topic) or (actor.user_id is not None and follow_up.owner_user_id == actor.user_id)):
        raise NotAllowed(_("只有责任人或社区工作人员可以确认完成。"))
    if follow_up.status == FollowUpStatus.DONE:
        raise DomainError(_("该事项已完成。"), field="note")
    follow_up.status = FollowUpStatus.DONE
    follow_up.done_at = timezone.now()
    follow_up.done_note = _text(note, field="note", label=_("完成情况"), limit=300)
    follow_up.done_by_id = actor.user_id
    follow_up.save(update_fields=["status", "done_at", "done_note", "done_by", "updated_at"])
    audit_record(actor=actor, action="consultation.follow_up_done", target=follow_up, label=topic.title)
    _finish_if_done(Topic.objects.select_for_update().get(pk=topic.pk))
    return follow_up


def _finish_if_done(topic: Topic) -> None:
    if topic.status == TopicStatus.PUBLISHED and not topic.follow_ups.filter(status=FollowUpStatus.OPEN).exists():
        topic.status = TopicStatus.DONE
        topic.done_at = timezone.now()
        topic.save(update_fields=["status", "done_at", "updated_at"])
        _tell(
            topic,
            users=_participants(topic),
            kind="consultation.done",
            title=_("议题已办结：%(t)s") % {"t": topic.title},
            key=f"consultation.done:{topic.pk}",
        )


@transaction.atomic
def topic_publish(*, actor: Actor, topic: Topic, body: str) -> ResultNotice:
    """Publish the result notice: the vote's result (published in the engine too) and the follow-up plan."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    _ensure_run(actor, topic)
    _transition(topic, TopicStatus.PUBLISHED)
    resolution = Resolution.objects.select_related("poll").get(topic=topic)
    poll = Poll.objects.get(pk=resolution.poll_id)
    if poll.published_at is None:
        votes.poll_publish(actor=actor, poll=poll)
    notice = ResultNotice.objects.create(
        topic=topic, body=_text(body, field="body", label=_("公示内容"), limit=4000), published_by_id=_uid(actor)
    )
    topic.status = TopicStatus.PUBLISHED
    topic.published_at = notice.published_at
    topic.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="consultation.topic_publish", target=notice, label=topic.title)
    _tell(
        topic,
        users=_participants(topic),
        kind="consultation.published",
        title=_("议事结果公示：%(t)s") % {"t": topic.title},
        body=notice.body[:300],
        key=f"consultation.published:{topic.pk}",
    )
    _finish_if_done(topic)
    return notice


@transaction.atomic
def topic_drop(*, actor: Actor, topic: Topic, reason: str) -> Topic:
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    _ensure_run(actor, topic)
    _transition(topic, TopicStatus.DROPPED)
    topic.status = TopicStatus.DROPPED
    topic.dropped_reason = _reason(reason)
    topic.done_at = timezone.now()
    topic.save(update_fields=["status", "dropped_reason", "done_at", "updated_at"])
    audit_record(
        actor=actor,
        action="consultation.topic_drop",
        target=topic,
        label=topic.title,
        after={"reason": topic.dropped_reason},
    )
    return topic


def follow_ups_remind(*, today: dt.date | None = None) -> int:
    """The daily job: tell each overdue action's owner (or the topic's runners) once a day until done."""
    today = today or timezone.localdate()
    sent = 0
    for follow_up in FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_on__lt=today).select_related("topic"):
        users = {follow_up.owner_user_id} if follow_up.owner_user_id else set(_runner_ids(follow_up.topic.scope_path))
        sent += notify(
            recipient_ids={u for u in users if u is not None},
            kind="consultation.overdue",
            title=_("跟进事项已逾期：%(d)s") % {"d": follow_up.description},
            body=_("议题：%(t)s；期限：%(due)s") % {"t": follow_up.topic.title, "due": follow_up.due_on},
            url=_topic_url(follow_up.topic),
            dedupe_key=f"consultation.overdue:{follow_up.pk}:{today.isoformat()}",
        )
    return sent
