"""Reads of polls; every one starts from visible_polls. ``poll_result`` is the only door to a count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.territory.permissions import visible_nodes
from gongzhi.votes.choices import PollStatus, TallyRule
from gongzhi.votes.exceptions import ResultsSealed
from gongzhi.votes.models import (
    Ballot,
    BallotQuerySet,
    Option,
    OwnersRules,
    Participation,
    Poll,
    Proxy,
    Question,
    RollEntry,
)
from gongzhi.votes.permissions import can_manage_owners_rules, can_manage_poll, can_read_result, visible_polls


def poll_list(*, actor: Actor, status: str = "", source: str = "") -> QuerySet[Poll]:
    polls = visible_polls(actor).select_related("scope")
    if status:
        polls = polls.filter(status=status)
    if source:
        polls = polls.filter(source=source)
    return polls.order_by("-opens_at", "-id")


def poll_get(*, actor: Actor, poll_id: int) -> Poll:
    return get_object_or_404(visible_polls(actor).select_related("scope", "created_by"), pk=poll_id)


def poll_questions(*, poll: Poll) -> list[Question]:
    return list(
        poll.questions.prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position"))).order_by(
            "position"
        )
    )


def voter_entries(*, actor: Actor, poll: Poll) -> list[tuple[RollEntry, Proxy | None]]:
    """The roll entries the actor may vote for: their own, and those who gave them a written proxy.

    Being on the roll is the permission to vote: a person listed for the entry (an adult of the
    household, a co-owner) or the member's login.
    """
    if actor.user_id is None or poll.status == PollStatus.ANNOUNCED:
        return []
    mine = Q(user_id=actor.user_id)
    if actor.person_id is not None:
        mine |= Q(persons=actor.person_id)
    own = RollEntry.objects.filter(mine, poll=poll).distinct().order_by("id")
    found: list[tuple[RollEntry, Proxy | None]] = [(entry, None) for entry in own]
    for proxy in Proxy.objects.filter(poll=poll, agent_user_id=actor.user_id).select_related("roll_entry"):
        found.append((proxy.roll_entry, proxy))
    return found


@dataclass(frozen=True)
class VoterSeat:
    """One roll entry the actor may vote for, and whether it has voted (and, in a named poll, how)."""

    entry: RollEntry
    proxy: Proxy | None
    participation: Participation | None
    # The voter's own named ballot as (question, chosen options); never for a secret poll.
    answers: list[tuple[str, str]]


def my_seats(*, actor: Actor, poll: Poll) -> list[VoterSeat]:
    seats = []
    for entry, proxy in voter_entries(actor=actor, poll=poll):
        participation = Participation.objects.filter(poll=poll, voter_key=entry.voter_key).first()
        answers: list[tuple[str, str]] = []
        if participation is not None and not poll.is_secret:
            ballot = Ballot.objects.filter(poll=poll, voter_key=entry.voter_key).standing().first()
            if ballot is not None:
                for question in poll_questions(poll=poll):
                    chosen = set(ballot.choices.get(str(question.pk), []))
                    answers.append(
                        (question.text, "、".join(o.label for o in question.options.all() if o.pk in chosen))
                    )
        seats.append(VoterSeat(entry=entry, proxy=proxy, participation=participation, answers=answers))
    return seats


def _ensure_manager(actor: Actor, poll: Poll) -> None:
    if not can_manage_poll(actor, poll):
        raise Http404


def roll_list(*, actor: Actor, poll: Poll, search: str = "", voted: bool | None = None) -> QuerySet[RollEntry]:
    """The frozen roll with who has voted: for those who run the poll only (others 404)."""
    _ensure_manager(actor, poll)
    voted_q = Participation.objects.filter(poll=poll, voter_key=OuterRef("voter_key"))
    entries = RollEntry.objects.filter(poll=poll).annotate(has_voted=Exists(voted_q))
    if search.strip():
        entries = entries.filter(label__icontains=search.strip())
    if voted is not None:
        entries = entries.filter(has_voted=voted)
    return entries.order_by("org_path", "id")


def roll_channels(*, actor: Actor, poll: Poll, voter_keys: list[str]) -> dict[str, Participation]:
    _ensure_manager(actor, poll)
    return {
        p.voter_key: p
        for p in Participation.objects.filter(poll=poll, voter_key__in=voter_keys).select_related(
            "entered_by", "cast_by"
        )
    }


def poll_proxies(*, actor: Actor, poll: Poll) -> QuerySet[Proxy]:
    _ensure_manager(actor, poll)
    return Proxy.objects.filter(poll=poll).select_related("roll_entry", "agent_user", "registered_by").order_by("id")


@dataclass(frozen=True)
class Turnout:
    """How many on the roll have voted: not a result (nothing about what was chosen). Managers see it
    while voting runs because chasing paper ballots is their job."""

    voted: int
    roll: int
    voted_area_dm2: int
    roll_area_dm2: int


def poll_turnout(*, actor: Actor, poll: Poll) -> Turnout:
    _ensure_manager(actor, poll)
    voted = Participation.objects.filter(poll=poll)
    area = RollEntry.objects.filter(poll=poll, voter_key__in=voted.values("voter_key")).aggregate(a=Sum("area_dm2"))
    return Turnout(
        voted=voted.count(), roll=poll.roll_size, voted_area_dm2=area["a"] or 0, roll_area_dm2=poll.roll_area_dm2
    )


def poll_result(*, actor: Actor, poll: Poll) -> dict[str, Any]:
    """The count, for whoever may read it now. Before close there is no count, for anyone."""
    if poll.results_sealed:
        raise ResultsSealed(_("投票截止前不公布任何结果。"))
    if not can_read_result(actor, poll):
        raise ResultsSealed(_("结果正在核对，公布后可查看。"))
    result = poll.result
    return {
        "closed_at": poll.closed_at,
        "counted_at": result.counted_at,
        "ballots": result.ballots_counted,
        "questions": _presented(result.questions),
    }


def _presented(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with option labels beside the counts, so that pages and the API show the same thing."""
    shown = []
    for question in questions:
        tally = question["tally"]
        rows: list[dict[str, Any]] = []
        if question["rule"] in {TallyRule.PLURALITY, TallyRule.APPROVAL}:
            labels = {o["id"]: o["label"] for o in question["options"]}
            winners = set(tally["winners"])
            rows = [
                {"label": labels[o], "votes": tally["counts"][str(o)], "winner": o in winners} for o in tally["ranking"]
            ]
        elif question["rule"] == TallyRule.YES_NO:
            rows = [{"label": o["label"], "votes": tally["counts"][o["value"]]} for o in question["options"]]
        shown.append({**question, "rows": rows})
    return shown


def ballot_entries(*, actor: Actor, poll: Poll) -> BallotQuerySet:
    """Every ballot of a named poll with its corrections, after close (the signed ballots are the record)."""
    _ensure_manager(actor, poll)
    if poll.results_sealed:
        raise ResultsSealed(_("投票截止前不公布任何结果。"))
    return Ballot.objects.filter(poll=poll).select_related("entered_by", "replaces").order_by("voter_key", "entered_at")


def owners_rules_get(*, actor: Actor, compound_id: int) -> OwnersRules:
    compound = get_object_or_404(visible_nodes(actor).filter(kind=NodeKind.COMPOUND), pk=compound_id)
    if not can_manage_owners_rules(actor, compound):
        raise Http404
    return OwnersRules.objects.filter(compound=compound).first() or OwnersRules(compound=compound)


def compound_of(node: Node) -> Node | None:
    """The compound a node lies in (itself if it is one); owners vote per property-management area."""
    if node.kind == NodeKind.COMPOUND:
        return node
    step = Node.steplen
    ancestors = [node.path[: i * step] for i in range(1, len(node.path) // step)]
    return Node.objects.filter(path__in=ancestors, kind=NodeKind.COMPOUND).first()


def poll_scopes(*, actor: Actor) -> QuerySet[Node]:
    """Places where the actor may start a poll (the create form offers these)."""
    return (
        visible_nodes(actor)
        .filter(kind__in=[NodeKind.COMMUNITY, NodeKind.COMPOUND, NodeKind.BUILDING])
        .order_by("path")
    )


def poll_status_counts(*, actor: Actor) -> dict[str, int]:
    counts = {s.value: 0 for s in PollStatus}
    for status in visible_polls(actor).values_list("status", flat=True):
        counts[status] += 1
    return counts
