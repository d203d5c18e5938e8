"""Reads of 广言亭 and 议事角; every one starts from a visible_* scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.consultation.choices import FollowUpStatus, SuggestionStatus
from gongzhi.consultation.models import (
    Attendance,
    FollowUp,
    Meeting,
    ModerationAction,
    Post,
    Report,
    Resolution,
    ResultNotice,
    Suggestion,
    Topic,
)
from gongzhi.consultation.permissions import (
    can_moderate,
    suggestion_places,
    visible_moderation_log,
    visible_reports,
    visible_suggestions,
    visible_topics,
)
from gongzhi.consultation.services import support_threshold
from gongzhi.core.actors import Actor
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.votes import selectors as vote_selectors
from gongzhi.votes.exceptions import ResultsSealed
from gongzhi.votes.models import Poll


def suggestion_list(
    *, actor: Actor, order: str = "supports", status: str = SuggestionStatus.OPEN
) -> QuerySet[Suggestion]:
    suggestions = visible_suggestions(actor).select_related("scope")
    if status:
        suggestions = suggestions.filter(status=status)
    ordering = ["-support_count", "-created_at"] if order == "supports" else ["-created_at", "-id"]
    return suggestions.order_by(*ordering)


def suggestion_get(*, actor: Actor, suggestion_id: int) -> Suggestion:
    return get_object_or_404(visible_suggestions(actor).select_related("scope"), pk=suggestion_id)


def suggestion_supported(*, actor: Actor, suggestion: Suggestion) -> bool:
    return actor.user_id is not None and suggestion.supports.filter(user_id=actor.user_id).exists()


def suggestion_threshold(*, suggestion: Suggestion) -> int:
    return support_threshold(suggestion.scope)


def suggestion_topic(*, actor: Actor, suggestion: Suggestion) -> Topic | None:
    return visible_topics(actor).filter(suggestion=suggestion).first()


def suggestion_scopes(*, actor: Actor) -> QuerySet[Node]:
    """Compounds and communities the actor may post about: covering their home, or their place of work."""
    step = Node.steplen
    paths = suggestion_places(actor)
    covering = {p[: i * step] for p in paths for i in range(1, len(p) // step + 1)}
    return Node.objects.filter(
        Q(path__in=covering) | Q(pk__in=Node.objects.filter(path__in=paths).values("pk")),
        kind__in=[NodeKind.COMMUNITY, NodeKind.COMPOUND],
    ).order_by("-depth", "path")


def topic_list(*, actor: Actor, status: str = "") -> QuerySet[Topic]:
    topics = visible_topics(actor).select_related("scope").annotate(post_count=Count("posts"))
    if status:
        topics = topics.filter(status=status)
    return topics.order_by("-updated_at", "-id")


def topic_get(*, actor: Actor, topic_id: int) -> Topic:
    return get_object_or_404(visible_topics(actor).select_related("scope", "suggestion"), pk=topic_id)


@dataclass(frozen=True)
class TopicPath:
    """Everything on a topic's page, from the suggestion to the result notice."""

    topic: Topic
    posts: list[Post]
    meetings: list[Meeting]
    resolution: Resolution | None
    poll: Poll | None
    result: dict[str, Any] | None
    sealed_reason: str
    follow_ups: list[FollowUp]
    open_follow_ups: int
    notice: ResultNotice | None


def topic_path(*, actor: Actor, topic: Topic) -> TopicPath:
    meetings = list(
        topic.meetings.prefetch_related(Prefetch("attendees", queryset=Attendance.objects.order_by("party", "id")))
        .select_related("convened_by")
        .order_by("starts_at", "id")
    )
    resolution = Resolution.objects.filter(topic=topic).first()
    poll = result = None
    sealed = ""
    if resolution is not None:
        poll = vote_selectors.poll_list(actor=actor).filter(pk=resolution.poll_id).first()
        if poll is not None:
            try:
                result = vote_selectors.poll_result(actor=actor, poll=poll)
            except ResultsSealed as exc:
                sealed = exc.message
    follow_ups = list(topic.follow_ups.order_by("due_on", "id"))
    return TopicPath(
        topic=topic,
        posts=list(topic.posts.order_by("created_at", "id")),
        meetings=meetings,
        resolution=resolution,
        poll=poll,
        result=result,
        sealed_reason=sealed,
        follow_ups=follow_ups,
        open_follow_ups=sum(1 for f in follow_ups if f.status == FollowUpStatus.OPEN),
        notice=ResultNotice.objects.filter(topic=topic).first(),
    )


def post_get(*, actor: Actor, post_id: int) -> Post:
    return get_object_or_404(Post.objects.filter(topic__in=visible_topics(actor)).select_related("topic"), pk=post_id)


def meeting_get(*, actor: Actor, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.filter(topic__in=visible_topics(actor)).select_related("topic"), pk=meeting_id
    )


def follow_up_get(*, actor: Actor, follow_up_id: int) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.filter(topic__in=visible_topics(actor)).select_related("topic"), pk=follow_up_id
    )


def report_queue(*, actor: Actor) -> QuerySet[Report]:
    return (
        visible_reports(actor)
        .filter(handled_at__isnull=True)
        .select_related("suggestion", "post__topic", "reporter")
        .order_by("-created_at")
    )


def report_get(*, actor: Actor, report_id: int) -> Report:
    return get_object_or_404(visible_reports(actor).select_related("suggestion", "post__topic"), pk=report_id)


def moderation_log(*, actor: Actor) -> QuerySet[ModerationAction]:
    return visible_moderation_log(actor).select_related("moderator").order_by("-at", "-id")


def ensure_moderator(*, actor: Actor, scope_path: str) -> None:
    if not can_moderate(actor, scope_path):
        raise Http404


# --- the cockpit's figures (dashboards.sources.consultation) -----------------------------------------
# Suggestions and topics are placed at their scope node (the community or compound they are about), in no
# grid; a follow-up at its topic's scope.


def _local_day(field_name: str) -> TruncDate:
    return TruncDate(field_name, tzinfo=timezone.get_default_timezone())


def _created_between(since: dt.date, until: dt.date) -> Q:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return Q(created_at__gte=start, created_at__lt=end)


def cockpit_day_suggestions(*, since: dt.date, until: dt.date, prefix: int) -> list[tuple[dt.date, str, int]]:
    """Suggestions submitted per (day, place), those hidden by a moderator excepted."""
    rows = (
        Suggestion.objects.filter(_created_between(since, until), hidden_at__isnull=True)
        .values_list(_local_day("created_at"), Substr("scope__path", 1, prefix))
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(rows)


def cockpit_day_topics(*, since: dt.date, until: dt.date, prefix: int) -> list[tuple[dt.date, str, int]]:
    """Topics opened (立项) per (day, place)."""
    rows = (
        Topic.objects.filter(_created_between(since, until))
        .values_list(_local_day("created_at"), Substr("scope__path", 1, prefix))
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(rows)


def cockpit_follow_ups(*, today: dt.date, prefix: int) -> list[tuple[str, int, int]]:
    """Follow-ups not done per place, and how many of them are past their deadline (due before today)."""
    rows = (
        FollowUp.objects.filter(status=FollowUpStatus.OPEN)
        .values_list(Substr("topic__scope__path", 1, prefix))
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
        .order_by()
    )
    return list(rows)


def cockpit_mark() -> int:
    """New suggestions and topics, and every moderation (hiding one changes a past day's count)."""
    last = [
        Suggestion.objects.aggregate(n=Max("pk"))["n"],
        Topic.objects.aggregate(n=Max("pk"))["n"],
        ModerationAction.objects.aggregate(n=Max("pk"))["n"],
        FollowUp.objects.aggregate(n=Max("pk"))["n"],
    ]
    return sum(n or 0 for n in last)


def cockpit_first_day() -> dt.date | None:
    first = [
        Suggestion.objects.aggregate(at=Min("created_at"))["at"],
        Topic.objects.aggregate(at=Min("created_at"))["at"],
    ]
    tz = timezone.get_default_timezone()
    return min((at.astimezone(tz).date() for at in first if at is not None), default=None)
