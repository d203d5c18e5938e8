"""Honour campaigns' services: nominating, reviewing, the public vote through the engine, judges, result."""

from __future__ import annotations

import subprocess
from fractions import Fraction

import pytest

from gongzhi.accounts.models import User
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.publicity import honour
from gongzhi.publicity.certificates import honour_certificate_pdf
from gongzhi.publicity.choices_honour import CampaignPhase, NominationStatus
from gongzhi.publicity.honour_selectors import my_scores, panel_scores, public_votes
from gongzhi.publicity.models_honour import HonourNomination, HonourResult
from gongzhi.publicity.tests.honour_helpers import (
    REASON,
    actor,
    build_campaign,
    nominate_all,
    open_vote,
    published_campaign,
    voting_campaign,
)
from gongzhi.registry.models import Person
from gongzhi.votes.choices import Electorate, PollStatus, TallyRule
from gongzhi.votes.exceptions import AlreadyVoted
from gongzhi.votes.models import Participation, PollResult, RollEntry

pytestmark = pytest.mark.django_db


def test_a_nominee_outside_the_scope_is_refused(world):  # type: ignore[no-untyped-def]
    h = build_campaign(world)
    jumin = actor(world, "jumin")
    with pytest.raises(DomainError, match="不在“X小区”范围内"):
        honour.nomination_create(actor=jumin, category=h.buildings, building=world.buildings["9"], reason=REASON)
    with pytest.raises(DomainError, match="不在“X小区”范围内"):
        honour.nomination_create(
            actor=jumin, category=h.persons, person=world.people["community2"], reason=REASON, has_consent=True
        )
    # Building 3 is in Y小区, the same grid as building 1 but another compound.
    with pytest.raises(DomainError):
        honour.nomination_create(actor=jumin, category=h.buildings, building=world.buildings["3"], reason=REASON)
    assert not HonourNomination.objects.exists()


def test_a_duplicate_nomination_is_refused_in_chinese_and_nothing_is_written(world):  # type: ignore[no-untyped-def]
    h = build_campaign(world)
    honour.nomination_create(
        actor=actor(world, "jumin"), category=h.buildings, building=world.buildings["1"], reason=REASON
    )
    with pytest.raises(DomainError, match="“1号楼”已被提名为“文明楼栋”，不能重复提名") as caught:
        honour.nomination_create(
            actor=actor(world, "shequ"), category=h.buildings, building=world.buildings["1"], reason=REASON + "再次"
        )
    assert caught.value.field == "nominee"
    assert HonourNomination.objects.count() == 1
    assert HonourNomination.objects.get().reason == REASON


def test_the_same_nominee_may_stand_in_two_categories(world):  # type: ignore[no-untyped-def]
    h = build_campaign(world)
    jumin = actor(world, "jumin")
    honour.nomination_create(
        actor=jumin, category=h.persons, person=world.people["neighbour"], reason=REASON, has_consent=True
    )
    other = h.campaign.categories.create(position=3, kind="person", name="好邻居", winners=1, max_choices=1)
    honour.nomination_create(
        actor=jumin, category=other, person=world.people["neighbour"], reason=REASON, has_consent=True
    )
    assert HonourNomination.objects.count() == 2


def test_self_nomination_is_refused_unless_the_campaign_allows_it(world):  # type: ignore[no-untyped-def]
    jumin = actor(world, "jumin")
    closed = build_campaign(world)
    with pytest.raises(DomainError, match="不接受自荐"):
        honour.nomination_create(
            actor=jumin, category=closed.persons, person=world.people["jumin"], reason=REASON, has_consent=True
        )
    assert not HonourNomination.objects.exists()
    allowing = build_campaign(world, allows_self_nomination=True)
    nomination = honour.nomination_create(
        actor=jumin, category=allowing.persons, person=world.people["jumin"], reason=REASON, has_consent=True
    )
    assert nomination.is_self


def test_a_short_reason_and_a_person_without_consent_are_refused(world):  # type: ignore[no-untyped-def]
    h = build_campaign(world)
    jumin = actor(world, "jumin")
    with pytest.raises(DomainError, match="至少10个字"):
        honour.nomination_create(actor=jumin, category=h.buildings, building=world.buildings["1"], reason="很好很好")
    with pytest.raises(DomainError, match="同意"):
        honour.nomination_create(actor=jumin, category=h.persons, person=world.people["neighbour"], reason=REASON)


def test_only_residents_in_scope_and_its_staff_nominate(world):  # type: ignore[no-untyped-def]
    h = build_campaign(world)
    for username in ("wangge_a", "outsider", "zhiyuan"):
        with pytest.raises(NotAllowed):
            honour.nomination_create(
                actor=actor(world, username), category=h.buildings, building=world.buildings["1"], reason=REASON
            )
    draft = build_campaign(world, open_nominations=False)
    with pytest.raises(DomainError, match="不在提名阶段"):
        honour.nomination_create(
            actor=actor(world, "jumin"), category=draft.buildings, building=world.buildings["1"], reason=REASON
        )


def test_a_rejection_needs_a_reason_and_only_approved_nominations_become_options(world):  # type: ignore[no-untyped-def]
    h = nominate_all(world, build_campaign(world))
    shequ = actor(world, "shequ")
    with pytest.raises(DomainError, match="理由"):
        honour.nomination_review(actor=shequ, nomination=h.nominations["b2"], approve=False)
    with pytest.raises(NotAllowed):
        honour.nomination_review(actor=actor(world, "jumin"), nomination=h.nominations["b2"], approve=True)
    honour.nomination_review(actor=shequ, nomination=h.nominations["b1"], approve=True)
    honour.nomination_review(actor=shequ, nomination=h.nominations["b2"], approve=True)
    honour.nomination_review(actor=shequ, nomination=h.nominations["spouse"], approve=True)
    honour.nomination_review(actor=shequ, nomination=h.nominations["neighbour"], approve=False, reason="事迹不够具体")
    honour.campaign_nominations_close(actor=shequ, campaign=h.campaign)
    with pytest.raises(DomainError, match="“好媳妇”至少需要两名入围者"):
        honour.campaign_vote_open(actor=shequ, campaign=h.campaign, closes_at=_week())
    assert h.refresh().phase == CampaignPhase.REVIEWING and h.campaign.poll is None


def _week():  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    return timezone.now() + dt.timedelta(days=7)


def test_opening_the_vote_puts_a_poll_through_the_engine(world):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    poll = h.campaign.poll
    assert poll is not None
    assert poll.source == f"publicity.honour:{h.campaign.pk}"
    assert poll.status == PollStatus.OPEN and poll.electorate == Electorate.RESIDENTS
    questions = list(poll.questions.order_by("position"))
    assert [q.text for q in questions] == ["文明楼栋", "好媳妇"]
    assert all(q.rule == TallyRule.APPROVAL and q.config == {"max_choices": 1, "seats": 1} for q in questions)
    assert [o.label for o in questions[1].options.order_by("position")] == [
        "曾小红（X小区 1号楼）",
        "邻居乙（X小区 1号楼）",
    ]
    # The roll is frozen at opening: the four residents of X, nobody of Z.
    assert poll.roll_size == 4
    names = set(RollEntry.objects.filter(poll=poll).values_list("persons__name", flat=True))
    assert "住户丁" not in names and len(names) == 4


def test_a_voter_outside_the_scope_is_not_on_the_roll_and_is_refused(world):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    outside = User.objects.create_user(username="dingding", password="x-Pass-2026", full_name="住户丁")
    Person.objects.filter(pk=world.people["community2"].pk).update(user=outside)
    from gongzhi.accounts.actors import actor_for_user

    n = h.nominations
    with pytest.raises(NotAllowed, match="不在这次投票的投票人名册中"):
        honour.honour_ballot_cast(
            actor=actor_for_user(outside),
            campaign=h.campaign,
            choices={h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["spouse"].pk]},
        )
    assert not Participation.objects.exists()


def test_more_than_k_choices_are_refused(world):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    n = h.nominations
    with pytest.raises(DomainError, match="“文明楼栋”每人最多选择1项，您选了2项"):
        honour.honour_ballot_cast(
            actor=actor(world, "jumin"),
            campaign=h.campaign,
            choices={h.buildings.pk: [n["b1"].pk, n["b2"].pk], h.persons.pk: [n["spouse"].pk]},
        )
    assert not Participation.objects.exists()


def test_one_ballot_per_voter(world):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    n = h.nominations
    choices = {h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["spouse"].pk]}
    honour.honour_ballot_cast(actor=actor(world, "jumin"), campaign=h.campaign, choices=choices)
    with pytest.raises(AlreadyVoted):
        honour.honour_ballot_cast(actor=actor(world, "jumin"), campaign=h.campaign, choices=choices)
    assert Participation.objects.filter(poll=h.campaign.poll).count() == 1


def test_no_count_exists_while_the_vote_is_open(world):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    n = h.nominations
    honour.honour_ballot_cast(
        actor=actor(world, "jumin"),
        campaign=h.campaign,
        choices={h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["spouse"].pk]},
    )
    assert public_votes(campaign=h.refresh()) is None
    assert not PollResult.objects.exists()
    honour.campaign_vote_close(actor=actor(world, "shequ"), campaign=h.campaign)
    shown = public_votes(campaign=h.refresh())
    assert shown is not None
    assert [(r.nomination.label, r.votes) for r in shown[0][1]] == [("1号楼", 1), ("2号楼", 0)]


def test_judges_cannot_see_each_others_scores_before_all_have_scored(world):  # type: ignore[no-untyped-def]
    h = voting_campaign(world)
    shequ, jiedao = actor(world, "shequ"), actor(world, "jiedao")
    honour.campaign_vote_close(actor=shequ, campaign=h.campaign)
    item = h.campaign.rubric.get()
    with pytest.raises(NotAllowed):
        honour.scores_record(actor=actor(world, "jumin"), campaign=h.campaign, points={})
    with pytest.raises(DomainError, match="0至10"):
        honour.scores_record(actor=shequ, campaign=h.campaign, points={(h.nominations["b1"].pk, item.pk): 11})
    honour.scores_record(actor=shequ, campaign=h.campaign, points={(x.pk, item.pk): 7 for x in h.nominations.values()})
    assert my_scores(actor=jiedao, campaign=h.campaign) == {}
    assert panel_scores(actor=jiedao, campaign=h.campaign) is None
    assert panel_scores(actor=shequ, campaign=h.campaign) is None
    with pytest.raises(DomainError, match="评委尚未全部完成评分"):
        honour.campaign_decide(actor=shequ, campaign=h.campaign)
    honour.scores_record(actor=jiedao, campaign=h.campaign, points={(x.pk, item.pk): 9 for x in h.nominations.values()})
    panel = panel_scores(actor=jiedao, campaign=h.campaign)
    assert panel is not None and [totals[h.nominations["b1"].pk] for _name, totals in panel] == [7, 9]


def test_the_result_combines_votes_and_judges_exactly_and_flags_a_tie_for_staff(world):  # type: ignore[no-untyped-def]
    """By hand, w = 60 %, rubric max 10, two judges:
    1号楼: 1 vote of max 1, judges 5 and 5 → 3/5 × 1 + 2/5 × 5/10 = 4/5
    2号楼: 0 votes, judges 10 and 10 → 0 + 2/5 × 1 = 2/5            → 1号楼 wins
    曾小红 and 邻居乙: 1 vote each, judges 6 and 8 each → 3/5 + 2/5 × 7/10 = 22/25, level on all three → staff decide.
    """
    h = voting_campaign(world)
    n = h.nominations
    honour.honour_ballot_cast(
        actor=actor(world, "jumin"),
        campaign=h.campaign,
        choices={h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["spouse"].pk]},
    )
    honour.honour_ballot_cast(
        actor=actor_for_person(world, "neighbour"),
        campaign=h.campaign,
        choices={h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["neighbour"].pk]},
    )
    shequ, jiedao = actor(world, "shequ"), actor(world, "jiedao")
    honour.campaign_vote_close(actor=shequ, campaign=h.campaign)
    item = h.campaign.rubric.get()
    honour.scores_record(
        actor=shequ,
        campaign=h.campaign,
        points={
            (n["b1"].pk, item.pk): 5,
            (n["b2"].pk, item.pk): 10,
            (n["spouse"].pk, item.pk): 6,
            (n["neighbour"].pk, item.pk): 8,
        },
    )
    honour.scores_record(
        actor=jiedao,
        campaign=h.campaign,
        points={
            (n["b1"].pk, item.pk): 5,
            (n["b2"].pk, item.pk): 10,
            (n["spouse"].pk, item.pk): 8,
            (n["neighbour"].pk, item.pk): 6,
        },
    )
    honour.campaign_decide(actor=shequ, campaign=h.campaign)
    results = {r.nomination_id: r for r in HonourResult.objects.filter(category__campaign=h.campaign)}
    b1, b2 = results[n["b1"].pk], results[n["b2"].pk]
    assert (b1.votes, b1.max_votes, b1.judges_mean, b1.total) == (2, 2, "5/1", "4/5")
    assert (b2.total, b2.is_winner, b1.is_winner, b1.rank, b2.rank) == ("2/5", False, True, 1, 2)
    spouse, neighbour = results[n["spouse"].pk], results[n["neighbour"].pk]
    assert Fraction(spouse.total) == Fraction(3, 5) + Fraction(2, 5) * Fraction(7, 10) == Fraction(22, 25)
    assert spouse.total == neighbour.total == "22/25"
    assert spouse.needs_decision and neighbour.needs_decision and not spouse.is_winner and not neighbour.is_winner
    honour.citation_write(actor=shequ, result=b1, text="楼道整洁，邻里和睦，榜样力量。")
    with pytest.raises(DomainError, match="并列名次尚待决定"):
        honour.campaign_publish(actor=shequ, campaign=h.campaign)
    honour.tie_resolve(actor=shequ, result=spouse, note="评审会议讨论决定")
    with pytest.raises(DomainError, match="名额已满"):
        honour.tie_resolve(actor=shequ, result=neighbour, note="评审会议讨论决定")
    with pytest.raises(DomainError, match="颁奖词"):
        honour.campaign_publish(actor=shequ, campaign=h.campaign)
    spouse.refresh_from_db()
    honour.citation_write(actor=shequ, result=spouse, text="孝老爱亲，邻里和睦，榜样力量。")
    assert honour.campaign_publish(actor=shequ, campaign=h.campaign).phase == CampaignPhase.PUBLISHED


def actor_for_person(world, key):  # type: ignore[no-untyped-def]
    from gongzhi.accounts.actors import actor_for_user

    user = User.objects.create_user(username=f"u-{key}", password="x-Pass-2026", full_name=key)
    Person.objects.filter(pk=world.people[key].pk).update(user=user)
    return actor_for_user(user)


def test_the_certificate_pdf_names_the_winner(world, tmp_path):  # type: ignore[no-untyped-def]
    h = published_campaign(world)
    result = (
        HonourResult.objects.filter(category=h.persons, is_winner=True)
        .select_related("nomination", "category__campaign__scope")
        .get()
    )
    pdf = honour_certificate_pdf(actor=actor(world, "shequ"), result=result)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603 - a fixed program on a file the test wrote
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "曾小红" in text and "荣誉证书" in text.replace(" ", "")
    with pytest.raises(NotAllowed):
        honour_certificate_pdf(actor=actor(world, "jumin"), result=result)


def test_the_phases_go_one_way(world):  # type: ignore[no-untyped-def]
    h = build_campaign(world)
    shequ = actor(world, "shequ")
    from gongzhi.core.exceptions import InvalidTransition

    with pytest.raises(InvalidTransition):
        honour.campaign_decide(actor=shequ, campaign=h.campaign)
    with pytest.raises(InvalidTransition):
        honour.campaign_nominations_open(actor=shequ, campaign=h.campaign)
    honour.campaign_cancel(actor=shequ, campaign=h.campaign, reason="疫情原因推迟")
    assert h.refresh().phase == CampaignPhase.CANCELLED
    assert HonourNomination.objects.filter(status=NominationStatus.APPROVED).count() == 0


def test_opening_the_vote_after_review_requires_no_pending_nominations(world):  # type: ignore[no-untyped-def]
    h = nominate_all(world, build_campaign(world))
    shequ = actor(world, "shequ")
    honour.campaign_nominations_close(actor=shequ, campaign=h.campaign)
    with pytest.raises(DomainError, match="待审核"):
        honour.campaign_vote_open(actor=shequ, campaign=h.campaign, closes_at=_week())
    open_vote(world, h)
    assert h.refresh().phase == CampaignPhase.VOTING


def test_households_and_volunteers_are_found_by_flat_and_name_in_scope(world):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from gongzhi.publicity.honour_selectors import nominee_resolve
    from gongzhi.volunteering.models import Volunteer

    h = build_campaign(world)
    campaign = h.campaign
    families = campaign.categories.create(position=3, kind="household", name="文明家庭", winners=1, max_choices=1)
    helpers = campaign.categories.create(position=4, kind="volunteer", name="最美志愿者", winners=1, max_choices=1)
    b1 = world.buildings["1"].pk
    assert nominee_resolve(campaign=campaign, category=families, building_id=b1, room="1-102") == {
        "household": world.households["neighbour"]
    }
    with pytest.raises(DomainError, match="尚未注册为志愿者"):
        nominee_resolve(campaign=campaign, category=helpers, building_id=b1, room="102", name="邻居乙")
    volunteer = Volunteer.objects.create(
        person=world.people["neighbour"], consent_version="v1", consented_at=timezone.now()
    )
    found = nominee_resolve(campaign=campaign, category=helpers, building_id=b1, room="102", name="邻居乙")
    assert found == {"volunteer": volunteer}
    nomination = honour.nomination_create(
        actor=actor(world, "jumin"), category=helpers, reason=REASON, has_consent=True, **found
    )
    assert (nomination.nominee_key, nomination.label) == (f"volunteer:{volunteer.pk}", "邻居乙")
    family = honour.nomination_create(
        actor=actor(world, "jumin"),
        category=families,
        reason=REASON,
        has_consent=True,
        household=world.households["neighbour"],
    )
    assert family.label == "邻居乙家庭"
    with pytest.raises(DomainError, match="不接受自荐"):
        honour.nomination_create(
            actor=actor(world, "jumin"),
            category=families,
            reason=REASON,
            has_consent=True,
            household=world.households["jumin"],
        )
    with pytest.raises(DomainError, match="范围内的楼栋"):
        nominee_resolve(campaign=campaign, category=families, building_id=world.buildings["9"].pk, room="101")
