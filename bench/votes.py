"""Vote figures: the owners' assembly count over 5,000 dwellings, and 200 simultaneous ballots by one voter.

    python -m bench.votes --json --only tally|race      (the harness sets the database)

tally — in a transaction rolled back afterwards: a compound of 50 buildings × 100 owned flats is added, an
        Art. 278 poll is announced and opened (the roll of 5,000 owners frozen with their areas), 4,000 paper
        ballots are entered as a stack, and the count the close runs (services._count: exact integers and
        Fractions) is timed. Limit: the same sums by hand — one SELECT of roll entries joined to ballots,
        added up in plain integers.
race  — PostgreSQL only: 200 threads (or as many as the server has connections for; the figure says how
        many), each on its own connection, cast the same voter's ballot at once
        through ballot_cast. Exactly one ballot must stand; the figure is the wall time of the race. The
        poll is closed afterwards (ballots are never deleted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import threading
import time
from collections import Counter
from typing import Any

from bench.common import Figure, emit, log, median_ms, setup_django, smoke, timed

DWELLINGS = 500 if smoke() else 5_000
VOTED = DWELLINGS * 4 // 5
RACE_THREADS = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", choices=["tally", "race"], required=True)
    return parser.parse_args()


class Rollback(Exception):
    pass


def owned_compound() -> Any:
    """A compound of 5,000 flats, each with one owner who does not live there."""
    from gongzhi.core.actors import Actor
    from gongzhi.registry.choices import PersonStatus
    from gongzhi.registry.models import Dwelling, Ownership
    from gongzhi.registry.services import PersonData, person_build
    from gongzhi.territory.choices import NodeKind
    from gongzhi.territory.models import Node
    from gongzhi.territory.services import node_add

    system = Actor.system("bench")
    area = Node.objects.filter(kind=NodeKind.AREA).order_by("path").first()
    assert area is not None
    compound = node_add(actor=system, parent=area, kind=NodeKind.COMPOUND, name="基准花园", code="999")
    dwellings = []
    for b in range(1, DWELLINGS // 100 + 1):
        building = node_add(
            actor=system, parent=Node.objects.get(pk=compound.pk), kind=NodeKind.BUILDING, name=f"{b}号楼", code=str(b)
        )
        unit = node_add(actor=system, parent=Node.objects.get(pk=building.pk), kind=NodeKind.UNIT, name="1单元")
        for floor in range(1, 21):
            for position in range(1, 6):
                area_dm2 = 6_000 + (b * 37 + floor * 11 + position * 7) % 9_000  # 60–150 m²
                dwellings.append(
                    Dwelling(
                        unit=unit,
                        room=f"{floor}{position:02d}",
                        floor=floor,
                        exclusive_area_dm2=area_dm2,
                        org_path=unit.path,
                    )
                )
    Dwelling.objects.bulk_create(dwellings, batch_size=1000)
    dwellings = list(Dwelling.objects.filter(org_path__startswith=compound.path).order_by("id"))
    people = []
    for dwelling in dwellings:
        person = person_build(PersonData(name=f"业主{dwelling.pk}"))
        person.org_path = dwelling.org_path
        person.status = PersonStatus.MOVED_OUT
        people.append(person)
    from gongzhi.registry.models import Person

    Person.objects.bulk_create(people, batch_size=1000)
    owners = list(Person.objects.filter(org_path__startswith=compound.path).order_by("id"))
    Ownership.objects.bulk_create(
        [
            Ownership(dwelling=d, person=p, share_numerator=1, share_denominator=1)
            for d, p in zip(dwellings, owners, strict=True)
        ],
        batch_size=1000,
    )
    return Node.objects.get(pk=compound.pk)


def measure_tally() -> list[Figure]:
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.core.actors import Actor
    from gongzhi.votes import services
    from gongzhi.votes.choices import Electorate, TallyRule
    from gongzhi.votes.models import RollEntry

    figures: list[Figure] = []
    try:
        with transaction.atomic():
            log(f"building a compound of {DWELLINGS:,} owned flats …")
            compound = owned_compound()
            system = Actor.system("bench")
            now = timezone.now()
            poll = services.poll_create(
                actor=system,
                scope=compound,
                title="基准：续聘物业服务企业",
                electorate=Electorate.OWNERS,
                closes_at=now + dt.timedelta(days=5),
                questions=[
                    services.QuestionSpec(text="是否续聘？", rule=TallyRule.ART278, config={"matter": "manager"})
                ],
                now=now - dt.timedelta(days=16),
            )
            open_ms, poll = timed(lambda: services.poll_open(actor=system, poll=poll, now=poll.opens_at))
            question = poll.questions.get()
            options = {o.value: o.pk for o in question.options.all()}
            keys = list(RollEntry.objects.filter(poll=poll).order_by("id").values_list("voter_key", flat=True))
            assert len(keys) == DWELLINGS, len(keys)
            opinions = ["yes", "yes", "yes", "no", "abstain"]
            stack = [(key, {str(question.pk): [options[opinions[i % 5]]]}) for i, key in enumerate(keys[:VOTED])]
            enter_ms, _ = timed(lambda: services.paper_ballots_enter(actor=system, poll=poll, ballots=stack))
            with connection.cursor() as cursor:  # fresh statistics for both plans, ours and the hand-written one
                cursor.execute("ANALYZE votes_rollentry")
                cursor.execute("ANALYZE votes_ballot")

            def count() -> Any:
                with transaction.atomic():
                    result = services._count(poll)
                    transaction.set_rollback(True)
                return result

            result = count()
            tally = result.questions[0]["tally"]
            ours = median_ms(count, runs=5)

            def by_hand() -> tuple[int, int, Counter[int]]:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT SUM(area_dm2), SUM(heads) FROM votes_rollentry WHERE poll_id = %s", [poll.pk]
                    )
                    total_area, total_heads = cursor.fetchone()
                    cursor.execute(
                        "SELECT r.area_dm2, r.heads, b.choices FROM votes_rollentry r JOIN votes_ballot b"
                        " ON b.poll_id = r.poll_id AND b.voter_key = r.voter_key WHERE r.poll_id = %s",
                        [poll.pk],
                    )
                    areas: Counter[int] = Counter()
                    for area_dm2, _heads, choices in cursor.fetchall():
                        areas[str(choices).count(str(options["yes"]))] += area_dm2
                return int(total_area), int(total_heads), areas

            hand = median_ms(by_hand, runs=5)
            log(f"tally: {tally.get('passed', tally.get('adopted'))!s}; ours {ours:.1f} ms, by hand {hand:.1f} ms")
            figures = [
                Figure(
                    f"owners' assembly count, {DWELLINGS:,} flats, {VOTED:,} ballots",
                    round(ours, 1),
                    "ms",
                    round(hand, 1),
                    goal="< 1000 ms",
                    passed=ours < 1000,
                    note=f"exact Art. 278 count; the stack of ballots entered in {enter_ms:.0f} ms",
                ),
                Figure(f"open an owners' poll: freeze a roll of {DWELLINGS:,}", round(open_ms, 1), "ms", goal=""),
            ]
            raise Rollback
    except Rollback:
        pass
    return figures


def threads_that_fit() -> int:
    """200 threads need 200 connections; a server with fewer free takes as many as leave room for others."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
            " - (SELECT count(*) FROM pg_stat_activity)"
        )
        free = int(cursor.fetchone()[0]) - 10  # headroom for the server's other clients
    return max(2, min(RACE_THREADS, free))


def measure_race() -> list[Figure]:
    from django.db import connection, connections
    from django.utils import timezone

    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.accounts.models import User
    from gongzhi.core.actors import Actor
    from gongzhi.registry.models import Household
    from gongzhi.territory.models import Node
    from gongzhi.votes import services
    from gongzhi.votes.choices import Electorate, TallyRule
    from gongzhi.votes.exceptions import AlreadyVoted
    from gongzhi.votes.models import Ballot, Participation

    if connection.vendor != "postgresql":
        return [
            Figure(
                f"{RACE_THREADS} simultaneous ballots by one voter",
                None,
                "ms",
                note="PostgreSQL only: SQLite has one writer at a time, so there is no race to run",
            )
        ]
    threads = threads_that_fit()
    user = User.objects.get(username="jumin")
    voter = actor_for_user(user)
    assert voter.household_id is not None, "the demo resident jumin has a household"
    household = Household.objects.get(pk=voter.household_id)
    # subdistrict / community / area / compound: the compound is the fourth step of the path
    compound = Node.objects.get(path=household.org_path[: 4 * Node.steplen])
    system = Actor.system("bench")
    now = timezone.now()
    poll = services.poll_create(
        actor=system,
        scope=compound,
        title=f"基准：同时投票 {now:%Y%m%d%H%M%S}",
        electorate=Electorate.HOUSEHOLDS,
        opens_at=now,
        closes_at=now + dt.timedelta(days=1),
        notice_days=0,
        questions=[services.QuestionSpec(text="是否同意？", rule=TallyRule.YES_NO)],
    )
    poll = services.poll_open(actor=system, poll=poll)
    question = poll.questions.get()
    yes = question.options.get(value="yes")
    choices = {str(question.pk): [yes.pk]}
    barrier = threading.Barrier(threads + 1)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        connections["default"].ensure_connection()
        barrier.wait()
        try:
            services.ballot_cast(actor=voter, poll=poll, choices=choices)
            outcome = "recorded"
        except AlreadyVoted:
            outcome = "already"
        except Exception as exc:
            outcome = f"error: {exc!r}"
        finally:
            connections["default"].close()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=submit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    wall = 1000 * (time.perf_counter() - started)
    ballots = Ballot.objects.filter(poll=poll).count()
    participations = Participation.objects.filter(poll=poll).count()
    correct = outcomes.count("recorded") == 1 and ballots == 1 and participations == 1
    services.poll_close(actor=system, poll=poll)
    errors = [o for o in outcomes if o.startswith("error")]
    return [
        Figure(
            f"{threads} simultaneous ballots by one voter",
            round(wall),
            "ms",
            goal="exactly one ballot",
            passed=correct,
            note=f"recorded {outcomes.count('recorded')}, refused {outcomes.count('already')}, "
            f"ballots {ballots}, errors {len(errors)} {errors[:1]}"
            + ("" if threads == RACE_THREADS else f"; {RACE_THREADS} wanted, the server had room for {threads}"),
        )
    ]


def main() -> None:
    args = parse_args()
    setup_django()
    emit({"tally": measure_tally, "race": measure_race}[args.only]())


if __name__ == "__main__":
    main()
