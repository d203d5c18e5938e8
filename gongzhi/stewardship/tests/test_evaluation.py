"""The monthly evaluation: open, rate, residents' satisfaction, review, publish, appeal, decide."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.stewardship import evaluation as ev
from gongzhi.stewardship import scoring, standings
from gongzhi.stewardship.choices import AppealStatus, MonthStatus, RaterKind, SubjectKind
from gongzhi.stewardship.models import Evaluation, EvaluationMonth, RubricItem, Score
from gongzhi.stewardship.permissions import visible_evaluations
from gongzhi.stewardship.tests.helpers import rows_for_routes
from gongzhi.votes import services as votes
from gongzhi.votes.models import Poll

pytestmark = pytest.mark.django_db


def _month() -> dt.date:
    return timezone.localdate().replace(day=1)


def _rated_item(e: Evaluation, section: str) -> RubricItem:
    return e.rubric.items.filter(indicator="", section=section).first() or e.rubric.items.filter(indicator="")[0]


def open_month(world, actor_of):  # type: ignore[no-untyped-def]
    rows_for_routes(world)
    return ev.month_open(actor=actor_of("jiedao"), month=_month())


def test_opening_draws_every_subject_and_one_poll_per_compound(world, actor_of):  # type: ignore[no-untyped-def]
    month = open_month(world, actor_of)
    kinds = sorted(month.evaluations.values_list("subject_kind", flat=True))
    assert kinds == [SubjectKind.COMMITTEE, SubjectKind.PROPERTY_COMPANY]
    polls = Poll.objects.filter(source="stewardship")
    assert polls.count() == 1
    poll = polls.get()
    assert poll.status == "open" and poll.is_secret and poll.electorate == "households"
    assert poll.questions.count() == 2
    with pytest.raises(DomainError):
        ev.month_open(actor=actor_of("jiedao"), month=_month())
    with pytest.raises(NotAllowed):
        ev.month_open(actor=actor_of("shequ"), month=_month() - dt.timedelta(days=40))


def test_a_month_from_rating_to_appeal(world, actor_of):  # type: ignore[no-untyped-def]
    month = open_month(world, actor_of)
    company = month.evaluations.get(subject_kind=SubjectKind.PROPERTY_COMPANY)
    item = _rated_item(company, "环境卫生")

    # shequ rates with a deduction and its evidence; the committee rates the company; jiedao rates nothing
    shequ = actor_of("shequ")
    with pytest.raises(DomainError, match="依据"):
        ev.rating_save(
            actor=shequ, evaluation=company, rater_kind=RaterKind.COMMUNITY, deductions=[ev.DeductionSpec(item.pk, 20)]
        )
    ev.rating_save(
        actor=shequ,
        evaluation=company,
        rater_kind=RaterKind.COMMUNITY,
        deductions=[ev.DeductionSpec(item.pk, 20, "3号楼下垃圾未清运")],
    )
    with pytest.raises(NotAllowed):
        ev.rating_save(actor=shequ, evaluation=company, rater_kind=RaterKind.SUBDISTRICT, deductions=[])
    ev.rating_save(actor=actor_of("yeweihui"), evaluation=company, rater_kind=RaterKind.COMMITTEE, deductions=[])
    with pytest.raises(NotAllowed):
        ev.rating_save(actor=actor_of("wuye"), evaluation=company, rater_kind=RaterKind.COMMITTEE, deductions=[])

    # a resident answers 满意 (4) for the company and 非常满意 (5) for the committee, on one ballot
    poll = company.satisfaction_question.poll
    question = company.satisfaction_question
    satisfied = question.options.order_by("position")[1]
    other = poll.questions.exclude(pk=question.pk).get()
    votes.ballot_cast(
        actor=actor_of("jumin"),
        poll=poll,
        choices={question.pk: [satisfied.pk], other.pk: [other.options.order_by("position")[0].pk]},
    )

    # nothing of it reaches wuye before publication
    assert not visible_evaluations(actor_of("wuye")).exists()
    assert visible_evaluations(actor_of("shequ")).count() == 2

    jiedao = actor_of("jiedao")
    with pytest.raises(InvalidTransition):
        ev.month_publish(actor=jiedao, month=month)
    ev.month_review(actor=jiedao, month=month)
    poll.refresh_from_db()
    assert poll.status == "closed"
    ev.month_publish(actor=jiedao, month=month)
    month.refresh_from_db()
    assert month.status == MonthStatus.PUBLISHED
    assert month.appeals_until == month.published_at + dt.timedelta(days=7)

    score = Score.objects.get(evaluation=company, is_current=True)
    company.refresh_from_db()
    rubric = company.rubric
    items = list(rubric.items.all())
    rules = [scoring.ItemRule(i.pk, i.max_points, i.indicator, i.target, i.deduction_step) for i in items]
    community = scoring.rater_score(rules, company.indicators, {item.pk: 20})
    committee = scoring.rater_score(rules, company.indicators, {})
    assert score.parts[RaterKind.COMMUNITY] == community
    assert score.parts[RaterKind.COMMITTEE] == committee
    assert score.parts[RaterKind.RESIDENTS] == 800
    expected = (30 * community + 20 * committee + 20 * 800) * 2 // 70
    assert score.total == (expected + 1) // 2
    assert visible_evaluations(actor_of("wuye")).get() == company

    # wuye appeals the deduction; jiedao upholds it: a new score row, the old one kept
    deduction = company.ratings.get(rater_kind=RaterKind.COMMUNITY).deductions.get()
    appeal = ev.appeal_file(
        actor=actor_of("wuye"),
        evaluation=company,
        text="当日垃圾已按时清运，照片为清运前所拍。",
        deduction_ids=[deduction.pk],
    )
    with pytest.raises(DomainError, match="待裁定"):
        ev.appeal_file(actor=actor_of("wuye"), evaluation=company, text="再次申诉，理由同上，请复核。")
    with pytest.raises(NotAllowed):
        ev.appeal_decide(actor=shequ, appeal=appeal, upheld=True, reason="核实属实", withdraw_ids=[deduction.pk])
    ev.appeal_decide(actor=jiedao, appeal=appeal, upheld=True, reason="经核实清运记录属实", withdraw_ids=[deduction.pk])
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    new = Score.objects.get(evaluation=company, is_current=True)
    assert new.replaces_id == score.pk and new.appeal_id == appeal.pk
    assert new.total > score.total and new.parts[RaterKind.COMMUNITY] == committee
    assert Score.objects.filter(evaluation=company).count() == 2


def test_appeals_close_after_seven_days(world, actor_of):  # type: ignore[no-untyped-def]
    month = open_month(world, actor_of)
    jiedao = actor_of("jiedao")
    ev.month_review(actor=jiedao, month=month)
    ev.month_publish(actor=jiedao, month=month)
    company = month.evaluations.get(subject_kind=SubjectKind.PROPERTY_COMPANY)
    late = timezone.now() + dt.timedelta(days=7, minutes=1)
    with pytest.raises(DomainError, match="申诉期"):
        ev.appeal_file(actor=actor_of("wuye"), evaluation=company, text="申诉理由写得足够长了吧。", now=late)
    with pytest.raises(NotAllowed):
        ev.appeal_file(actor=actor_of("shequ"), evaluation=company, text="申诉理由写得足够长了吧。")


def test_an_unrated_month_scores_indicators_and_full_marks(world, actor_of):  # type: ignore[no-untyped-def]
    month = open_month(world, actor_of)
    results = standings.month_results(EvaluationMonth.objects.get(pk=month.pk))
    assert len(results) == 2
    for r in results:
        assert r.unrated and 0 < r.total <= 1000 and r.place == 1
