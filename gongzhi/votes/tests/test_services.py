"""The engine's lifecycle: announce, notice period, frozen roll, every channel under one key, count once."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.models import AuditEntry, Notification
from gongzhi.registry.choices import Relation
from gongzhi.registry.models import Person
from gongzhi.registry.services import PersonData, person_register
from gongzhi.testing.world import SYSTEM, add_user
from gongzhi.votes import selectors, services
from gongzhi.votes.choices import Channel, Electorate, PollStatus, TallyRule
from gongzhi.votes.exceptions import AlreadyVoted, ResultsSealed
from gongzhi.votes.models import Ballot, Participation, RollEntry
from gongzhi.votes.services import QuestionSpec
from gongzhi.votes.tests.helpers import NO, YES, announce, opened, option

pytestmark = pytest.mark.django_db


def test_a_poll_is_announced_with_its_rules_checked(world, actor_of):
    poll = announce(
        actor_of("shequ"),
        world.compound_x,
        questions=[
            QuestionSpec(text="换哪家物业", rule=TallyRule.PLURALITY, options=["甲公司", "乙公司"]),
            QuestionSpec(text="同意加装电梯", rule=TallyRule.YES_NO, config={"threshold": "2/3"}),
        ],
    )
    assert poll.status == PollStatus.ANNOUNCED
    first, second = poll.questions.order_by("position")
    assert [o.label for o in first.options.all()] == ["甲公司", "乙公司"]
    assert [o.value for o in second.options.all()] == ["yes", "no", "abstain"]
    assert second.config["threshold"] == "2/3"
    assert AuditEntry.objects.filter(action="votes.poll_create", target_id=str(poll.pk)).exists()


def test_a_bad_question_is_refused_with_its_number(world, actor_of):
    with pytest.raises(DomainError, match="第2题：至少需要两个选项"):
        announce(
            actor_of("shequ"),
            world.compound_x,
            questions=[
                QuestionSpec(text="一", rule=TallyRule.YES_NO),
                QuestionSpec(text="二", rule=TallyRule.PLURALITY, options=["甲"]),
            ],
        )


def test_only_managers_of_the_place_announce_polls(world, actor_of):
    for persona in ("jumin", "wangge_a", "baobao", "wuye"):
        with pytest.raises(NotAllowed):
            announce(actor_of(persona), world.compound_x)
    with pytest.raises(NotAllowed):
        announce(actor_of("shequ"), world.compound_z)  # another community
    # the owners' committee runs owners' votes in its compound, not residents' polls
    with pytest.raises(NotAllowed):
        announce(actor_of("yeweihui"), world.compound_x)


def test_an_owners_vote_keeps_the_fifteen_day_notice_period(world, actor_of):
    actor = actor_of("yeweihui")
    now = timezone.now()
    with pytest.raises(DomainError, match="公告期不能少于议事规则规定的15天"):
        services.poll_create(
            actor=actor,
            scope=world.compound_x,
            title="t",
            electorate=Electorate.OWNERS,
            notice_days=3,
            closes_at=now + dt.timedelta(days=30),
            questions=[QuestionSpec(text="q", rule=TallyRule.ART278, config={"matter": "manager"})],
        )
    with pytest.raises(DomainError, match="开始时间须在公告15天之后"):
        services.poll_create(
            actor=actor,
            scope=world.compound_x,
            title="t",
            electorate=Electorate.OWNERS,
            opens_at=now + dt.timedelta(days=2),
            closes_at=now + dt.timedelta(days=30),
            questions=[QuestionSpec(text="q", rule=TallyRule.ART278, config={"matter": "manager"})],
        )
    poll = services.poll_create(
        actor=actor,
        scope=world.compound_x,
        title="t",
        electorate=Electorate.OWNERS,
        closes_at=now + dt.timedelta(days=30),
        questions=[QuestionSpec(text="q", rule=TallyRule.ART278, config={"matter": "manager"})],
    )
    assert poll.notice_days == 15
    with pytest.raises(DomainError, match="公告期未满"):
        services.poll_open(actor=actor, poll=poll, now=now + dt.timedelta(days=14))
    opened_poll = services.poll_open(actor=actor, poll=poll, now=now + dt.timedelta(days=15, minutes=1))
    assert opened_poll.status == PollStatus.OPEN


def test_a_compound_can_set_a_longer_notice_period(world, actor_of):
    services.owners_rules_set(
        actor=actor_of("yeweihui"), compound=world.compound_x, notice_days=20, follow_majority=False
    )
    with pytest.raises(DomainError, match="20天"):
        services.poll_create(
            actor=actor_of("yeweihui"),
            scope=world.compound_x,
            title="t",
            electorate=Electorate.OWNERS,
            notice_days=15,
            closes_at=timezone.now() + dt.timedelta(days=40),
            questions=[QuestionSpec(text="q", rule=TallyRule.ART278, config={"matter": "manager"})],
        )


def test_opening_freezes_the_roll(world, actor_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.RESIDENTS)
    names = {e.label.split(" ")[0] for e in RollEntry.objects.filter(poll=poll)}
    assert names == {"居**", "曾**", "邻**", "住**"}
    person_register(
        actor=SYSTEM,
        household=world.households["jumin"],
        relation=Relation.CHILD,
        data=PersonData(name="新来的", born_on=dt.date(1990, 1, 1)),
    )
    assert RollEntry.objects.filter(poll=poll).count() == 4  # the newcomer is not on a frozen roll
    assert poll.roll_size == 4


def test_a_minor_is_not_on_a_residents_roll(world, actor_of):
    person_register(
        actor=SYSTEM,
        household=world.households["jumin"],
        relation=Relation.CHILD,
        data=PersonData(name="小孩", born_on=timezone.localdate() - dt.timedelta(days=365 * 10)),
    )
    poll = opened(actor_of("shequ"), world.compound_x, electorate=Electorate.RESIDENTS)
    assert poll.roll_size == 4


def test_a_household_votes_once_whichever_adult_votes(world, actor_of):
    poll = opened(actor_of("shequ"), world.compound_x, electorate=Electorate.HOUSEHOLDS)
    assert poll.roll_size == 3
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    spouse = add_user("zeng", "曾小红")
    Person.objects.filter(name="曾小红").update(user=spouse)
    with pytest.raises(AlreadyVoted):
        services.ballot_cast(actor=actor_for_user(spouse), poll=poll, choices=option(poll, NO))
    assert Participation.objects.filter(poll=poll).count() == 1


def test_one_key_per_voter_across_online_paper_and_proxy(world, actor_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS)
    key = RollEntry.objects.get(poll=poll, persons=world.people["jumin"]).voter_key
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    with pytest.raises(AlreadyVoted):
        services.paper_ballot_enter(actor=shequ, poll=poll, voter_key=key, choices=option(poll, NO))
    with pytest.raises(AlreadyVoted):
        services.proxy_register(actor=shequ, poll=poll, voter_key=key, agent_name="王五", document_no="W-1")
    neighbour = RollEntry.objects.get(poll=poll, persons=world.people["neighbour"]).voter_key
    services.paper_ballot_enter(actor=shequ, poll=poll, voter_key=neighbour, choices=option(poll, NO))
    with pytest.raises(AlreadyVoted):
        services.paper_ballot_enter(actor=shequ, poll=poll, voter_key=neighbour, choices=option(poll, YES))
    assert Participation.objects.filter(poll=poll).count() == Ballot.objects.filter(poll=poll).count() == 2


def test_a_written_proxy_votes_online_for_the_voter(world, actor_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS)
    neighbour = RollEntry.objects.get(poll=poll, persons=world.people["neighbour"]).voter_key
    services.proxy_register(
        actor=shequ,
        poll=poll,
        voter_key=neighbour,
        agent_name="居民甲",
        document_no="WT-001",
        agent_user=world.user("jumin"),
    )
    jumin = actor_of("jumin")
    with pytest.raises(DomainError, match="代表谁"):
        services.ballot_cast(actor=jumin, poll=poll, choices=option(poll, YES))
    services.ballot_cast(actor=jumin, poll=poll, choices=option(poll, NO), voter_key=neighbour)
    services.ballot_cast(actor=jumin, poll=poll, choices=option(poll, YES))
    proxied = Participation.objects.get(poll=poll, voter_key=neighbour)
    assert (
        proxied.channel == Channel.PROXY and proxied.proxy is not None and proxied.cast_by_id == world.user("jumin").pk
    )


def test_a_paper_ballot_is_corrected_by_a_new_row_that_keeps_the_old(world, actor_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS)
    key = RollEntry.objects.get(poll=poll, persons=world.people["neighbour"]).voter_key
    first = services.paper_ballot_enter(actor=shequ, poll=poll, voter_key=key, choices=option(poll, YES))
    with pytest.raises(DomainError, match="原因"):
        services.paper_ballot_correct(actor=shequ, poll=poll, voter_key=key, choices=option(poll, NO), reason="错")
    second = services.paper_ballot_correct(
        actor=actor_of("jiedao"), poll=poll, voter_key=key, choices=option(poll, NO), reason="录入时看错了选项"
    )
    assert second.replaces_id == first.pk and second.entered_by_id == world.user("jiedao").pk
    assert Ballot.objects.filter(poll=poll).count() == 2  # nothing deleted
    result = services.poll_close(actor=shequ, poll=poll)
    assert result.questions[0]["tally"]["counts"] == {"yes": 0, "no": 1, "abstain": 0}


def test_an_online_ballot_cannot_be_corrected_by_staff(world, actor_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS)
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    key = RollEntry.objects.get(poll=poll, persons=world.people["jumin"]).voter_key
    with pytest.raises(NotAllowed):
        services.paper_ballot_correct(
            actor=shequ, poll=poll, voter_key=key, choices=option(poll, NO), reason="居民说投错了"
        )


def test_someone_not_on_the_roll_cannot_vote(world, actor_of):
    poll = opened(actor_of("shequ"), world.compound_x, electorate=Electorate.HOUSEHOLDS)
    for persona in ("outsider", "wangge_a", "jiedao"):
        with pytest.raises(NotAllowed):
            services.ballot_cast(actor=actor_of(persona), poll=poll, choices=option(poll, YES))


def test_a_ballot_must_answer_every_question_by_its_rule(world, actor_of):
    poll = opened(
        actor_of("shequ"),
        world.compound_x,
        questions=[
            QuestionSpec(text="一", rule=TallyRule.YES_NO),
            QuestionSpec(text="二", rule=TallyRule.APPROVAL, options=["甲", "乙", "丙"], config={"max_choices": 2}),
        ],
    )
    first = option(poll, YES)
    with pytest.raises(DomainError, match="第2题"):
        services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=first)
    second = poll.questions.get(position=2)
    all_three = [o.pk for o in second.options.all()]
    with pytest.raises(DomainError, match="最多选择2项"):
        services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices={**first, str(second.pk): all_three})
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices={**first, str(second.pk): all_three[:2]})
    assert Participation.objects.filter(poll=poll).count() == 1


def test_closing_counts_once_and_nothing_is_counted_before(world, actor_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS)
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    with pytest.raises(ResultsSealed):
        selectors.poll_result(actor=shequ, poll=poll)
    assert not hasattr(poll, "result") or poll.results_sealed
    result = services.poll_close(actor=shequ, poll=poll)
    assert result.ballots_counted == 1
    tally = result.questions[0]["tally"]
    assert tally["counts"]["yes"] == 1 and tally["passed"] and tally["roll"] == 3
    with pytest.raises(DomainError, match="不在投票期"):
        services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, NO))
    with pytest.raises(InvalidTransition):
        services.poll_close(actor=shequ, poll=poll)


def test_after_close_managers_check_and_after_publication_everyone_reads(
    world, actor_of, django_capture_on_commit_callbacks
):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS)
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    services.poll_close(actor=shequ, poll=poll)
    poll.refresh_from_db()
    assert selectors.poll_result(actor=shequ, poll=poll)["ballots"] == 1
    with pytest.raises(ResultsSealed, match="公布后"):
        selectors.poll_result(actor=actor_of("jumin"), poll=poll)
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_publish(actor=shequ, poll=poll)
    poll.refresh_from_db()
    assert selectors.poll_result(actor=actor_of("jumin"), poll=poll)["questions"][0]["tally"]["passed"]
    notice = Notification.objects.get(recipient=world.user("jumin"), kind="votes.published")
    assert "同意 1票" in notice.body and "通过" in notice.body


def test_an_owners_vote_runs_its_announced_period(world, actor_of):
    from gongzhi.votes.tests.helpers import owners_poll

    poll = owners_poll(actor_of("yeweihui"), world.compound_x)
    with pytest.raises(DomainError, match="截止时间"):
        services.poll_close(actor=actor_of("yeweihui"), poll=poll)
    services.poll_close(actor=actor_of("yeweihui"), poll=poll, now=poll.closes_at)
    poll.refresh_from_db()
    assert poll.status == PollStatus.CLOSED


def test_a_poll_is_cancelled_only_before_it_opens(world, actor_of):
    shequ = actor_of("shequ")
    poll = announce(shequ, world.compound_x, notice_days=3)
    with pytest.raises(DomainError, match="原因"):
        services.poll_cancel(actor=shequ, poll=poll, reason="")
    services.poll_cancel(actor=shequ, poll=poll, reason="议题已由业委会另行处理")
    other = opened(shequ, world.compound_x)
    with pytest.raises(InvalidTransition):
        services.poll_cancel(actor=shequ, poll=other, reason="不想投了不想投了")


def test_the_schedule_opens_and_closes_polls_on_time(world, actor_of):
    shequ = actor_of("shequ")
    poll = announce(shequ, world.compound_x, notice_days=2, days=5)
    assert services.polls_advance(now=timezone.now()) == (0, 0)
    assert services.polls_advance(now=poll.opens_at + dt.timedelta(minutes=1)) == (1, 0)
    poll.refresh_from_db()
    assert poll.status == PollStatus.OPEN and poll.roll_size == 3
    assert services.polls_advance(now=poll.closes_at) == (0, 1)
    poll.refresh_from_db()
    assert poll.status == PollStatus.CLOSED and poll.result.ballots_counted == 0


def test_a_members_poll_puts_the_duty_holders_on_the_roll(world, actor_of):
    poll = opened(
        actor_of("shequ"), world.compound_x, electorate=Electorate.MEMBERS, config={"role": "committee_member"}
    )
    assert [e.user_id for e in RollEntry.objects.filter(poll=poll)] == [world.user("yeweihui").pk]
    services.ballot_cast(actor=actor_of("yeweihui"), poll=poll, choices=option(poll, YES))
    with pytest.raises(NotAllowed):
        services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))


def test_an_empty_roll_does_not_open(world, actor_of):
    poll = announce(actor_of("shequ"), world.compound_y, electorate=Electorate.HOUSEHOLDS)
    with pytest.raises(DomainError, match="名册为空"):
        services.poll_open(actor=actor_of("shequ"), poll=poll, now=poll.opens_at)


def test_notices_go_to_the_electorate_without_any_count(world, actor_of, django_capture_on_commit_callbacks):
    shequ = actor_of("shequ")
    with django_capture_on_commit_callbacks(execute=True):
        poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS)
        services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
        services.poll_close(actor=shequ, poll=poll)
    kinds = set(Notification.objects.filter(recipient=world.user("jumin")).values_list("kind", flat=True))
    assert {"votes.announced", "votes.opened", "votes.receipt"} <= kinds
    assert Notification.objects.filter(recipient=world.user("shequ"), kind="votes.closed").exists()
    for notice in Notification.objects.all():
        assert "票" not in notice.body.replace("投票", ""), notice.body


def test_a_stack_of_paper_ballots_is_entered_all_or_none(world, actor_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS, is_secret=True)
    keys = {
        k: RollEntry.objects.get(poll=poll, persons=world.people[k]).voter_key for k in ("jumin", "neighbour", "grid_b")
    }
    yes, no = option(poll, YES), option(poll, NO)
    with pytest.raises(AlreadyVoted, match="两次"):
        services.paper_ballots_enter(
            actor=shequ, poll=poll, ballots=[(keys["neighbour"], yes), (keys["neighbour"], no)]
        )
    with pytest.raises(DomainError, match="不属于投票人名册"):
        services.paper_ballots_enter(actor=shequ, poll=poll, ballots=[("household:0", yes)])
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=yes)
    with pytest.raises(AlreadyVoted, match="1位投票人已经投过票"):
        services.paper_ballots_enter(
            actor=shequ, poll=poll, ballots=[(keys["jumin"], no), (keys["neighbour"], no), (keys["grid_b"], no)]
        )
    assert Participation.objects.filter(poll=poll).count() == 1  # all or none
    with pytest.raises(NotAllowed):
        services.paper_ballots_enter(actor=actor_of("baobao"), poll=poll, ballots=[(keys["neighbour"], no)])
    assert (
        services.paper_ballots_enter(actor=shequ, poll=poll, ballots=[(keys["neighbour"], no), (keys["grid_b"], no)])
        == 2
    )
    assert not Ballot.objects.filter(poll=poll, voter_key__isnull=False).exists()  # secret: no voter on the box
    tally = services.poll_close(actor=shequ, poll=poll).questions[0]["tally"]
    assert tally["counts"] == {"yes": 1, "no": 2, "abstain": 0} and not tally["passed"]


def test_nobody_votes_before_the_announced_start(world, actor_of):
    shequ = actor_of("shequ")
    poll = announce(shequ, world.compound_x, notice_days=2)
    services.poll_open(actor=shequ, poll=poll, now=poll.opens_at)  # the schedule ran early, say
    with pytest.raises(DomainError, match="尚未开始"):
        services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES), now=poll.opens_at)
