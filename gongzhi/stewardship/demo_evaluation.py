"""Demo monthly evaluations: the five months before this one rated, counted and published, and this month
open for rating, so every page of the evaluation has something true to show.

It runs after the cases demo, so the indicators (on-time closure, rework, complaints) read real cases, and
after the ledgers. Each subject has a steady quality of its own: a better subject draws fewer deductions
and happier residents, so rankings are stable from month to month and the weakest lands on the black list.
Sheets are written by the community workers and the officer, satisfaction by paper ballots of a sample
of households, a month published through the same services the pages call (``now`` replays the dates).
One upheld appeal stands in the month before last; the last month's appeal window is still open.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import Actor
from gongzhi.core.exceptions import DomainError
from gongzhi.stewardship import evaluation as ev
from gongzhi.stewardship.choices import RaterKind, SubjectKind
from gongzhi.stewardship.models import Evaluation, EvaluationMonth
from gongzhi.stewardship.selectors import month_last_day
from gongzhi.stewardship.standings import previous_months
from gongzhi.votes import services as votes
from gongzhi.votes.models import Poll, RollEntry

MONTHS = {"T": 3, "S": 6, "M": 2}  # this month included
BALLOTS_PER_COMPOUND = 40
EVIDENCE = (
    "3号楼道堆放杂物未清理",
    "垃圾房周边有积存垃圾",
    "消防通道被车辆占用",
    "绿化带黄土裸露",
    "门岗无人值守",
    "公示栏收费标准未更新",
    "业委会未按时公示收支",
)


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    jiedao = User.objects.filter(username="jiedao").first()
    if jiedao is None:
        return "stewardship evaluation: no jiedao persona, skipped"
    officer = actor_for_user(jiedao)
    zone = ZoneInfo(settings.TIME_ZONE)
    real_now = timezone.now()
    this_month = today.replace(day=1)
    months = sorted(previous_months(this_month, MONTHS.get(tier, 2) - 1))
    quality: dict[tuple[str, int], float] = {}
    published = 0
    for first in months:
        last = month_last_day(first)
        opened = dt.datetime.combine(last, dt.time(18, 0), tzinfo=zone)
        reviewed = min(dt.datetime.combine(last + dt.timedelta(days=8), dt.time(9, 0), tzinfo=zone), real_now)
        month = ev.month_open(actor=officer, month=first, now=opened)
        _rate(rng, month, quality)
        _satisfaction(rng, month, quality, now=opened)
        ev.month_review(actor=officer, month=month, now=reviewed)
        ev.month_publish(actor=officer, month=month, now=reviewed + dt.timedelta(minutes=30))
        published += 1
    appeals = _appeal(officer, months[-2]) if len(months) >= 2 else 0
    current = ev.month_open(actor=officer, month=this_month, now=real_now)
    _rate(rng, current, quality, share=0.5)
    return (
        f"stewardship evaluation: {published} 个月已公示, 本月 {current.evaluations.count()} 个对象评分中, "
        f"{appeals} 项申诉"
    )


def _quality(rng: random.Random, quality: dict[tuple[str, int], float], e: Evaluation) -> float:
    key = (e.subject_kind, e.manager_id or e.committee_id or 0)
    if key not in quality:
        quality[key] = rng.uniform(0.35, 0.97)
    return quality[key]


def _raters(compound_path: str) -> list[Actor]:
    """The community workers over a compound, as actors (the sheets are theirs)."""
    duties = Duty.objects.filter(Duty.current_q(timezone.localdate()), role=Role.COMMUNITY_WORKER).select_related(
        "node", "user"
    )
    return [actor_for_user(d.user) for d in duties if d.node is not None and compound_path.startswith(d.node.path)][:1]


def _rate(
    rng: random.Random, month: EvaluationMonth, quality: dict[tuple[str, int], float], share: float = 1.0
) -> None:
    officer = actor_for_user(User.objects.get(username="jiedao"))
    committee_users = {
        d.node_id: d.user
        for d in Duty.objects.filter(Duty.current_q(timezone.localdate()), role=Role.COMMITTEE_MEMBER).select_related(
            "user"
        )
    }
    for e in month.evaluations.select_related("rubric", "compound"):
        if rng.random() > share:
            continue
        q = _quality(rng, quality, e)
        items = list(e.rubric.items.filter(indicator=""))
        sheets: list[tuple[Actor, str]] = [(a, RaterKind.COMMUNITY) for a in _raters(e.compound.path)]
        if rng.random() < 0.6:
            sheets.append((officer, RaterKind.SUBDISTRICT))
        member = committee_users.get(e.compound_id)
        if member is not None and e.subject_kind != SubjectKind.COMMITTEE:
            sheets.append((actor_for_user(member), RaterKind.COMMITTEE))
        for actor, kind in sheets:
            found = [i for i in items if rng.random() > q + 0.1]
            deductions = [
                ev.DeductionSpec(i.pk, min(i.max_points, i.deduction_step * rng.randint(1, 3)), rng.choice(EVIDENCE))
                for i in found
            ]
            try:
                ev.rating_save(actor=actor, evaluation=e, rater_kind=kind, deductions=deductions)
            except DomainError:
                continue  # the demo's personas do not cover every compound; a sheet they may not fill is skipped


def _satisfaction(
    rng: random.Random, month: EvaluationMonth, quality: dict[tuple[str, int], float], *, now: dt.datetime
) -> None:
    """A sample of each compound's households answer on paper (entered by the system, as a count sheet)."""
    system = Actor.system("demo")
    by_poll: dict[int, list[Evaluation]] = {}
    for e in month.evaluations.filter(satisfaction_question__isnull=False).select_related("satisfaction_question"):
        if e.satisfaction_question is not None:
            by_poll.setdefault(e.satisfaction_question.poll_id, []).append(e)
    for poll_id, subjects in by_poll.items():
        poll = Poll.objects.get(pk=poll_id)
        options = {
            e.satisfaction_question_id: list(
                e.satisfaction_question.options.order_by("position").values_list("pk", flat=True)  # type: ignore[union-attr]
            )
            for e in subjects
        }
        keys = list(RollEntry.objects.filter(poll=poll).values_list("voter_key", flat=True)[:500])
        sample = rng.sample(keys, min(BALLOTS_PER_COMPOUND, len(keys)))
        ballots = []
        for key in sample:
            choices = {}
            for e in subjects:
                q = _quality(rng, quality, e)
                # 0 = 非常满意 … 4 = 非常不满意, centred by the subject's quality
                answer = max(0, min(4, round(rng.gauss((1 - q) * 4, 0.9))))
                choices[e.satisfaction_question_id] = [options[e.satisfaction_question_id][answer]]
            ballots.append((key, choices))
        if ballots:
            votes.paper_ballots_enter(actor=system, poll=poll, ballots=ballots, now=now)


def _appeal(officer: Actor, first: dt.date) -> int:
    """wuye appealed a deduction of the month before last; the officer upheld it two days later."""
    wuye = User.objects.filter(username="wuye").first()
    month = EvaluationMonth.objects.filter(month=first).first()
    if wuye is None or month is None or month.published_at is None:
        return 0
    actor = actor_for_user(wuye)
    for e in month.evaluations.exclude(subject_kind=SubjectKind.COMMITTEE):
        deduction = (
            e.ratings.filter(rater_kind=RaterKind.COMMUNITY)
            .values_list("deductions", flat=True)
            .exclude(deductions=None)
        ).first()
        if deduction is None:
            continue
        try:
            appeal = ev.appeal_file(
                actor=actor,
                evaluation=e,
                text="检查当日楼道杂物系住户搬家临时堆放，已于当日清理，附清理前后照片。",
                deduction_ids=[deduction],
                now=month.published_at + dt.timedelta(days=1),
            )
        except DomainError:
            continue  # not wuye's subject
        ev.appeal_decide(
            actor=officer,
            appeal=appeal,
            upheld=True,
            reason="经社区核实，堆物为住户临时放置且已及时清理，撤销该项扣分。",
            withdraw_ids=[deduction],
            now=month.published_at + dt.timedelta(days=3),
        )
        return 1
    return 0
