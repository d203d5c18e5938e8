"""Who sees and does what in 广言亭 and 议事角. The only module that reads roles for consultation.

Suggestions and topics are seen where polls are (votes.permissions.actor_places): by staff below their
place and by everyone living in, owning in or working at the place a suggestion is about. Residents
post, support and discuss where they live; community workers and the subdistrict officer moderate and
run topics (convene, minutes, resolution, follow-up, result notice).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.consultation.choices import SuggestionStatus, TopicStatus
from gongzhi.consultation.models import ModerationAction, Report, Suggestion, Topic
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.votes.permissions import POLL_VIEWER_ROLES, actor_places, prefixes

RUNNER_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)
CLOSED_TOPICS = (TopicStatus.DONE, TopicStatus.DROPPED)


def _scope_q(actor: Actor) -> Q:
    places = actor_places(actor, staff_roles=POLL_VIEWER_ROLES)
    return any_subtree_q("scope_path", places.staff) | Q(scope_path__in=prefixes([*places.staff, *places.homes]))


def _runs(actor: Actor, scope_path: str) -> bool:
    return actor.is_system or any(scope_path.startswith(p) for p in actor.paths(*RUNNER_ROLES))


def visible_suggestions(actor: Actor) -> QuerySet[Suggestion]:
    """Hidden suggestions stay visible to their author and to moderators (who may restore them)."""
    if actor.is_system:
        return Suggestion.objects.all()
    if not actor.is_authenticated:
        return Suggestion.objects.none()
    shown = (
        Q(hidden_at__isnull=True) | Q(author_id=actor.user_id) | any_subtree_q("scope_path", actor.paths(*RUNNER_ROLES))
    )
    return Suggestion.objects.filter(_scope_q(actor) & shown)


def visible_topics(actor: Actor) -> QuerySet[Topic]:
    if actor.is_system:
        return Topic.objects.all()
    if not actor.is_authenticated:
        return Topic.objects.none()
    return Topic.objects.filter(_scope_q(actor))


def visible_moderation_log(actor: Actor) -> QuerySet[ModerationAction]:
    if actor.is_system:
        return ModerationAction.objects.all()
    if not actor.is_authenticated:
        return ModerationAction.objects.none()
    return ModerationAction.objects.filter(_scope_q(actor))


def visible_reports(actor: Actor) -> QuerySet[Report]:
    """Reports name who reported: moderators only."""
    paths = actor.paths(*RUNNER_ROLES)
    if actor.is_system:
        return Report.objects.all()
    if not paths:
        return Report.objects.none()
    return Report.objects.filter(
        any_subtree_q("suggestion__scope_path", paths) | any_subtree_q("post__topic__scope_path", paths)
    )


def suggestion_places(actor: Actor) -> list[str]:
    """Paths of places the actor may post a suggestion about: where they live, and where they work."""
    places = actor_places(actor, staff_roles=RUNNER_ROLES)
    return [*places.homes, *places.staff]


def can_post_suggestion(actor: Actor, *, scope_path: str) -> bool:
    """A scope covering one's home, or one's place as community staff."""
    if actor.is_system:
        return True
    return any(place.startswith(scope_path) or scope_path.startswith(place) for place in suggestion_places(actor))


def _lives_under(actor: Actor, scope_path: str) -> bool:
    places = actor_places(actor, staff_roles=())
    return any(home.startswith(scope_path) for home in places.homes)


def can_support(actor: Actor, suggestion: Suggestion) -> bool:
    """Residents (and owners) of the place support; not the author, not a hidden or promoted suggestion."""
    return (
        actor.user_id is not None
        and suggestion.author_id != actor.user_id
        and suggestion.status == SuggestionStatus.OPEN
        and not suggestion.is_hidden
        and _lives_under(actor, suggestion.scope_path)
    )


def can_discuss(actor: Actor, topic: Topic) -> bool:
    if topic.status in CLOSED_TOPICS or actor.user_id is None:
        return False
    return _lives_under(actor, topic.scope_path) or _runs(actor, topic.scope_path)


def can_moderate(actor: Actor, scope_path: str) -> bool:
    return _runs(actor, scope_path)


def can_run_topic(actor: Actor, topic: Topic) -> bool:
    """Convene meetings, record minutes, put the resolution to the vote, track follow-ups, publish."""
    return _runs(actor, topic.scope_path)


def may_run_topics(actor: Actor) -> bool:
    return actor.has_role(*RUNNER_ROLES)
