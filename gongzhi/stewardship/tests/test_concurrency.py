"""Both adults of a household answer the month's satisfaction poll at the same moment, each on their own
PostgreSQL connection and their own account: the household has one ballot, the other is told it voted."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.registry.models import Person
from gongzhi.stewardship import evaluation as ev
from gongzhi.stewardship.tests.helpers import rows_for_routes
from gongzhi.votes import services as votes
from gongzhi.votes.exceptions import AlreadyVoted
from gongzhi.votes.models import Ballot, Participation

ROUNDS = 5  # the race is run this many times (a fresh month each), so a lucky ordering does not pass it


@pytest.mark.django_db(transaction=True)
def test_two_members_of_one_household_leave_one_satisfaction_ballot(world, actor_of):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite runs one write transaction at a time, so there is no race")
    rows_for_routes(world)
    spouse = User.objects.create_user(username="jumin_spouse", password="x", full_name="曾小红")
    Person.objects.filter(pk=world.people["jumin_spouse"].pk).update(user=spouse)
    voters = [actor_of("jumin"), actor_for_user(spouse)]
    jiedao = actor_of("jiedao")
    first = timezone.localdate().replace(day=1)
    for _round in range(ROUNDS):
        month = ev.month_open(actor=jiedao, month=first)
        poll = month.evaluations.exclude(satisfaction_question=None).first().satisfaction_question.poll
        choices = {q.pk: [q.options.order_by("position")[0].pk] for q in poll.questions.all()}
        barrier = threading.Barrier(len(voters))
        outcomes: list[str] = []
        lock = threading.Lock()

        def submit(voter, poll=poll, choices=choices, barrier=barrier, outcomes=outcomes, lock=lock):  # type: ignore[no-untyped-def]
            connections["default"].ensure_connection()
            barrier.wait()
            try:
                votes.ballot_cast(actor=voter, poll=poll, choices=choices)
                outcome = "recorded"
            except AlreadyVoted:
                outcome = "already"
            except Exception as exc:  # anything else fails the test
                outcome = f"error: {exc!r}"
            finally:
                connections["default"].close()
            with lock:
                outcomes.append(outcome)

        workers = [threading.Thread(target=submit, args=(v,)) for v in voters]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert sorted(outcomes) == ["already", "recorded"], outcomes
        assert Participation.objects.filter(poll=poll).count() == 1
        assert Ballot.objects.filter(poll=poll).count() == 1
        month.evaluations.all().delete()
        month.delete()
