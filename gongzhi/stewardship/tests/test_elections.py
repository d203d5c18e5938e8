"""Electing a committee through the vote engine: candidates are owners, each is an Art. 278 ordinary matter,
and the published result seats those elected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.registry.models import Ownership
from gongzhi.stewardship import elections, selectors, services
from gongzhi.stewardship.choices import Position
from gongzhi.stewardship.models import CommitteeCandidate, CommitteeMember
from gongzhi.votes import services as votes
from gongzhi.votes.choices import Electorate, PollStatus, TallyRule
from gongzhi.votes.models import RollEntry
from gongzhi.votes.tests.helpers import NO, YES

pytestmark = pytest.mark.django_db


def _next_term(world, jiedao):  # type: ignore[no-untyped-def]
    committee = services.committee_create(actor=jiedao, compound=world.compound_x)
    start = timezone.localdate() + dt.timedelta(days=30)
    return services.term_open(
        actor=jiedao, committee=committee, starts_on=start, ends_on=start.replace(year=start.year + 5)
    )


def _announced(world, jiedao, term, names=("jumin", "neighbour", "grid_b")):  # type: ignore[no-untyped-def]
    """The election announced fifteen days ago (the notice period over), closing in five days."""
    now = timezone.now()
    return elections.election_open(
        actor=jiedao,
        term=term,
        candidates=[world.people[n] for n in names],
        closes_at=now + dt.timedelta(days=5),
        now=now - dt.timedelta(days=15, minutes=1),
    )


def _ballots(poll, clerk, opinions):  # type: ignore[no-untyped-def]
    """Every owner on the roll hands in a paper ballot: opinions[i] is everyone's answer to candidate i."""
    choices = {}
    for question, opinion in zip(poll.questions.order_by("position"), opinions, strict=True):
        choices[str(question.pk)] = [question.options.get(value=opinion).pk]
    for entry in RollEntry.objects.filter(poll=poll):
        votes.paper_ballot_enter(actor=clerk, poll=poll, voter_key=entry.voter_key, choices=choices)


def test_the_election_is_an_owners_poll_with_one_art278_question_per_candidate(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _next_term(world, jiedao)
    poll = _announced(world, jiedao, term)
    term.refresh_from_db()
    assert term.election == poll
    assert poll.electorate == Electorate.OWNERS and poll.scope == world.compound_x and not poll.is_secret
    questions = list(poll.questions.order_by("position"))
    assert [q.rule for q in questions] == [TallyRule.ART278] * 3
    assert all(q.config == {"matter": "committee", "major": False} for q in questions)  # an ordinary matter
    assert "居民甲" in questions[0].text
    assert [c.person_id for c in CommitteeCandidate.objects.filter(term=term)] == [
        world.people[n].pk for n in ("jumin", "neighbour", "grid_b")
    ]
    with pytest.raises(DomainError, match="已发起选举"):
        _announced(world, jiedao, term)


def test_candidates_must_own_a_home_in_the_compound_and_nothing_is_written_otherwise(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _next_term(world, jiedao)
    with pytest.raises(DomainError, match="不是“X小区”任何房屋的产权人"):  # 住户丁 owns a flat in Z小区
        _announced(world, jiedao, term, names=("jumin", "community2"))
    term.refresh_from_db()
    assert term.election is None and not CommitteeCandidate.objects.exists()
    with pytest.raises(DomainError, match="至少提名"):
        _announced(world, jiedao, term, names=())
    with pytest.raises(NotAllowed):
        _announced(world, actor_of("shequ"), term)


def test_the_published_result_seats_those_elected_once(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _next_term(world, jiedao)
    poll = _announced(world, jiedao, term)
    poll = votes.poll_open(actor=jiedao, poll=poll, now=poll.opens_at)
    _ballots(poll, jiedao, [YES, NO, YES])
    votes.poll_close(actor=jiedao, poll=poll, now=poll.closes_at)
    with pytest.raises(DomainError, match="结果公布后"):
        elections.election_apply(actor=jiedao, term=term)
    votes.poll_publish(actor=jiedao, poll=poll)
    # 住户丙 sold the flat after the vote: elected, but no longer an owner, so not seated.
    Ownership.objects.filter(person=world.people["grid_b"]).update(ended_on=timezone.localdate())

    outcome = elections.election_apply(actor=jiedao, term=term)

    assert [m.person_id for m in outcome.members] == [world.people["jumin"].pk]
    assert outcome.not_elected == [world.people["neighbour"].name]
    assert outcome.not_seated == [world.people["grid_b"].name]
    assert list(CommitteeCandidate.objects.order_by("question__position").values_list("elected", flat=True)) == [
        True,
        False,
        True,
    ]
    term.refresh_from_db()
    assert term.elected_on == timezone.localdate(poll.closes_at)
    assert CommitteeMember.objects.get(term=term).position == Position.MEMBER
    with pytest.raises(DomainError, match="已按选举结果"):
        elections.election_apply(actor=jiedao, term=term)


def test_an_election_without_quorum_seats_nobody(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _next_term(world, jiedao)
    poll = _announced(world, jiedao, term, names=("jumin",))
    poll = votes.poll_open(actor=jiedao, poll=poll, now=poll.opens_at)
    entry = RollEntry.objects.get(poll=poll, persons=world.people["neighbour"])  # one owner of three takes part
    question = poll.questions.get()
    votes.paper_ballot_enter(
        actor=jiedao,
        poll=poll,
        voter_key=entry.voter_key,
        choices={str(question.pk): [question.options.get(value=YES).pk]},
    )
    votes.poll_close(actor=jiedao, poll=poll, now=poll.closes_at)
    votes.poll_publish(actor=jiedao, poll=poll)
    outcome = elections.election_apply(actor=jiedao, term=term)
    assert outcome.members == [] and outcome.not_elected == [world.people["jumin"].name]


def test_the_committee_chooses_its_director_among_its_members(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _next_term(world, jiedao)
    first = services.member_add(actor=jiedao, term=term, person=world.people["jumin"], position=Position.DIRECTOR)
    second = services.member_add(actor=jiedao, term=term, person=world.people["neighbour"], position=Position.MEMBER)
    with pytest.raises(DomainError, match="已有主任"):
        elections.member_position_set(actor=jiedao, member=second, position=Position.DIRECTOR)
    elections.member_position_set(actor=jiedao, member=first, position=Position.MEMBER)
    elections.member_position_set(actor=jiedao, member=second, position=Position.DIRECTOR)
    assert CommitteeMember.objects.get(pk=second.pk).position == Position.DIRECTOR


def test_the_compound_page_opens_the_election(world, actor_of, client_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _next_term(world, jiedao)
    client = client_of("jiedao")
    url = reverse("stewardship:election-open", args=[world.compound_x.pk, term.pk])
    page = client.get(reverse("stewardship:compound-detail", args=[world.compound_x.pk]))
    assert url in page.content.decode()
    closes = timezone.localtime() + dt.timedelta(days=30)
    refused = client.post(url, {"candidates": [world.people["jumin"].pk], "closes_at": "bad"}, follow=True)
    assert "截止时间" in refused.content.decode()
    term.refresh_from_db()
    assert term.election is None
    done = client.post(
        url,
        {
            "candidates": [world.people["jumin"].pk, world.people["neighbour"].pk],
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    term.refresh_from_db()
    assert term.election is not None and term.election.status == PollStatus.ANNOUNCED
    body = done.content.decode()
    assert reverse("votes:poll-detail", args=[term.election.pk]) in body and "居民甲" in body


def test_an_election_cancelled_can_be_held_again_with_other_candidates(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _next_term(world, jiedao)
    first = _announced(world, jiedao, term)
    votes.poll_cancel(actor=jiedao, poll=first, reason="候选人名单有误")
    again = _announced(world, jiedao, term, names=("neighbour",))
    term.refresh_from_db()
    assert term.election == again
    assert list(CommitteeCandidate.objects.filter(term=term).values_list("person_id", flat=True)) == [
        world.people["neighbour"].pk
    ]


def test_a_term_not_yet_begun_is_not_warned_of_as_an_empty_committee(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _next_term(world, jiedao)
    today = timezone.localdate()
    view = selectors.committee_view(compound=world.compound_x, on=today)
    assert view is not None and view.term == term
    assert view.warnings == [f"第{term.number}届将于 {term.starts_on} 开始任期，尚未发起换届选举。"]
    _announced(world, jiedao, term)
    assert selectors.committee_view(compound=world.compound_x, on=today).warnings == []
    # From its first day the term is held to the rules: nobody seated yet, no director, not filed.
    begun = selectors.committee_view(compound=world.compound_x, on=term.starts_on).warnings
    assert any("现有成员0人" in w for w in begun) and "没有主任。" in begun
