"""Writes of the monthly evaluation (月度评比): open a month, rate, review, publish, appeal and decide.

    month_open (subjects drawn, satisfaction polls opened) → rating_save by each rater →
    month_review (polls closed and counted, indicators frozen) ⇄ month_reopen →
    month_publish (Score rows written, 7-day appeal window, notices) → appeal_file → appeal_decide
    (an upheld appeal withdraws deductions and writes a new Score row; the old row stays).

Keyword-only, actor first, atomic, audited. The arithmetic is scoring.py's, the reading standings.py's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.notifications import notify
from gongzhi.core.photos import CleanPhoto
from gongzhi.core.signals import result_published
from gongzhi.robots.choices import Topic
from gongzhi.robots.selectors import communities_subscribed
from gongzhi.robots.services import robot_post
from gongzhi.stewardship import standings
from gongzhi.stewardship.choices import (
    MONTH_TRANSITIONS,
    AppealStatus,
    ManagerKind,
    MonthStatus,
    RaterKind,
    SubjectKind,
)
from gongzhi.stewardship.models import (
    Appeal,
    Committee,
    Deduction,
    Evaluation,
    EvaluationMonth,
    ManagerStaff,
    Rating,
    RubricItem,
    Score,
)
from gongzhi.stewardship.permissions import may_appeal, may_run_evaluation, rater_kinds_of
from gongzhi.stewardship.rubrics import active_rubric
from gongzhi.stewardship.selectors import month_last_day
from gongzhi.stewardship.services import current_contracts
from gongzhi.territory.models import Node
from gongzhi.votes import services as votes
from gongzhi.votes.choices import Electorate, PollStatus, TallyRule
from gongzhi.votes.models import Poll

APPEAL_DAYS = 7
SATISFACTION_DAYS = 10  # residents rate until ten days into the next month (or ten days from opening)
SATISFACTION_OPTIONS = ("非常满意", "满意", "一般", "不满意", "非常不满意")  # 5 … 1 (standings)
MIN_REASON = 4
COMMUNITY_PATH_LENGTH = 2 * Node.steplen
SUBJECT_OF_MANAGER = {
    ManagerKind.PROPERTY_COMPANY: SubjectKind.PROPERTY_COMPANY,
    ManagerKind.THIRD_PARTY: SubjectKind.THIRD_PARTY,
}


def _ensure_run(actor: Actor) -> None:
    if not may_run_evaluation(actor):
        raise NotAllowed(_("只有街道干部可以组织月度评比。"))


def _transition(month: EvaluationMonth, target: str) -> None:
    if target not in MONTH_TRANSITIONS[month.status]:
        raise InvalidTransition(
            _("本月评比当前为“%(from)s”，不能变为“%(to)s”。")
            % {"from": MonthStatus(month.status).label, "to": MonthStatus(target).label}
        )


def _lock(month: EvaluationMonth) -> EvaluationMonth:
    return EvaluationMonth.objects.select_for_update().get(pk=month.pk)


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise DomainError(_("请写明理由（至少%(n)d个字）。") % {"n": MIN_REASON}, field="reason")
    return reason


# --- opening a month ---------------------------------------------------------------------------------------


def _subjects(first: dt.date, on: dt.date) -> list[Evaluation]:
    """Unsaved evaluations: each manager at each compound under contract on the day, each committee with a
    term in the month."""
    rows = []
    for contract in current_contracts(on=on).select_related("manager", "compound"):
        kind = SUBJECT_OF_MANAGER[ManagerKind(contract.manager.kind)]
        rows.append(
            Evaluation(
                subject_kind=kind,
                manager=contract.manager,
                compound=contract.compound,
                subject_name=f"{contract.manager.name}（{contract.compound.name}）",
            )
        )
    committees = (
        Committee.objects.filter(terms__starts_on__lte=on, terms__ends_on__gte=first)
        .select_related("compound")
        .distinct()
    )
    for committee in committees:
        rows.append(
            Evaluation(
                subject_kind=SubjectKind.COMMITTEE,
                committee=committee,
                compound=committee.compound,
                subject_name=committee.name,
            )
        )
    return rows


def _satisfaction_poll(
    *, actor: Actor, compound: Node, first: dt.date, subjects: Sequence[Evaluation], now: dt.datetime
) -> Poll | None:
    """One secret poll per compound, one question per subject: each household answers once (the roll's rule).
    None when the compound has no household to ask."""
    next_month = month_last_day(first) + dt.timedelta(days=1)
    zone = timezone.get_current_timezone()
    closes = max(dt.datetime.combine(next_month, dt.time.min, tzinfo=zone), now) + dt.timedelta(days=SATISFACTION_DAYS)
    specs = [
        votes.QuestionSpec(
            text=_("您对%(who)s本月的工作满意吗？") % {"who": e.subject_name.split("（")[0]},
            rule=TallyRule.PLURALITY,
            options=SATISFACTION_OPTIONS,
        )
        for e in subjects
    ]
    poll = votes.poll_create(
        actor=actor,
        scope=compound,
        title=_("%(m)s %(c)s 满意度测评") % {"m": f"{first:%Y年%m月}", "c": compound.name},
        description=_("每户一票，匿名。结果计入月度评比的居民满意度。"),
        questions=specs,
        electorate=Electorate.HOUSEHOLDS,
        closes_at=closes,
        opens_at=now,
        is_secret=True,
        notice_days=0,
        source="stewardship",
        now=now,
    )
    try:
        with transaction.atomic():
            votes.poll_open(actor=actor, poll=poll, now=now)
    except DomainError:
        votes.poll_cancel(actor=actor, poll=poll, reason=_("小区没有登记的住户，不开展满意度测评。"))
        return None
    return poll


@transaction.atomic
def month_open(*, actor: Actor, month: dt.date, now: dt.datetime | None = None) -> EvaluationMonth:
    """Start a month's evaluation: its subjects with the rubrics in use, and the residents' polls."""
    _ensure_run(actor)
    now = now or timezone.now()
    first = month.replace(day=1)
    today = timezone.localdate(now)
    if first > today:
        raise DomainError(_("不能评比尚未开始的月份。"), field="month")
    if EvaluationMonth.objects.filter(month=first).exists():
        raise DomainError(_("%(m)s 的评比已经开始。") % {"m": f"{first:%Y-%m}"}, field="month")
    on = min(month_last_day(first), today)
    subjects = _subjects(first, on)
    if not subjects:
        raise DomainError(_("没有可评比的物业服务单位或业委会：请先登记服务合同或业委会届次。"), field="month")
    evaluation_month = EvaluationMonth.objects.create(month=first, opened_by_id=actor.user_id)
    communities = {
        n.path: n for n in Node.objects.filter(path__in={e.compound.path[:COMMUNITY_PATH_LENGTH] for e in subjects})
    }
    rubrics = {kind: active_rubric(kind) for kind in {e.subject_kind for e in subjects}}
    for e in subjects:
        e.month = evaluation_month
        e.community = communities[e.compound.path[:COMMUNITY_PATH_LENGTH]]
        e.rubric = rubrics[e.subject_kind]
    by_compound: dict[int, list[Evaluation]] = {}
    for e in subjects:
        by_compound.setdefault(e.compound_id, []).append(e)
    for group in by_compound.values():
        poll = _satisfaction_poll(actor=actor, compound=group[0].compound, first=first, subjects=group, now=now)
        if poll is not None:
            for e, question in zip(group, poll.questions.order_by("position"), strict=True):
                e.satisfaction_question = question
    Evaluation.objects.bulk_create(subjects)
    audit_record(
        actor=actor, action="stewardship.month_open", target=evaluation_month, after={"subjects": len(subjects)}
    )
    return evaluation_month


# --- rating ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeductionSpec:
    item_id: int
    points: int  # tenths
    evidence: str = ""
    photo: CleanPhoto | None = None


def _checked(evaluation: Evaluation, specs: Sequence[DeductionSpec]) -> list[tuple[RubricItem, DeductionSpec]]:
    items = {i.pk: i for i in evaluation.rubric.items.all()}
    taken: dict[int, int] = {}
    checked = []
    for spec in specs:
        item = items.get(spec.item_id)
        if item is None:
            raise DomainError(_("扣分条目不属于本对象的评比细则。"), field="item")
        if item.indicator:
            raise DomainError(_("“%(t)s”由系统按数据自动计分，不能人工扣分。") % {"t": item.text}, field="item")
        if spec.points <= 0:
            raise DomainError(_("扣分应大于0。"), field="points")
        taken[item.pk] = taken.get(item.pk, 0) + spec.points
        if taken[item.pk] > item.max_points:
            raise DomainError(
                _("“%(t)s”扣分合计不能超过该条分值%(m)s分。")
                % {"t": item.text, "m": standings.points_text(item.max_points)},
                field="points",
            )
        evidence = " ".join(spec.evidence.split())
        if len(evidence) > 500:
            raise DomainError(_("扣分依据最多500个字。"), field="evidence")
        if item.evidence_required and not evidence and spec.photo is None:
            raise DomainError(_("“%(t)s”的扣分须附依据（文字说明或照片）。") % {"t": item.text}, field="evidence")
        checked.append((item, DeductionSpec(item.pk, spec.points, evidence, spec.photo)))
    return checked


@transaction.atomic
def rating_save(
    *,
    actor: Actor,
    evaluation: Evaluation,
    rater_kind: str,
    deductions: Sequence[DeductionSpec],
    note: str = "",
    submit: bool = True,
) -> Rating:
    """Write the rater's sheet for a subject (replacing what it held) while the month is being rated."""
    month = _lock(evaluation.month)
    if month.status != MonthStatus.RATING:
        raise DomainError(_("本月评比已进入%(s)s，不能再修改评分。") % {"s": month.get_status_display()})
    if rater_kind == RaterKind.RESIDENTS or rater_kind not in rater_kinds_of(actor, evaluation):
        raise NotAllowed(_("您不能为该对象评分。"))
    checked = _checked(evaluation, deductions)
    note = " ".join(note.split())[:500]
    rating, _created = Rating.objects.update_or_create(
        evaluation=evaluation,
        rater_kind=rater_kind,
        defaults={"rater_id": actor.user_id, "rater_name": actor.display_name or actor.username, "note": note},
    )
    rating.deductions.all().delete()
    for item, spec in checked:
        Deduction.objects.create(
            rating=rating,
            item=item,
            points=spec.points,
            evidence=spec.evidence,
            photo=spec.photo.content if spec.photo is not None else "",
        )
    if submit:
        rating.submitted_at = timezone.now()
        rating.save(update_fields=["submitted_at"])
    audit_record(
        actor=actor,
        action="stewardship.rating_save",
        target=rating,
        label=evaluation.subject_name,
        after={"deductions": sum(s.points for _i, s in checked), "submitted": submit},
    )
    return rating


# --- review and publication ----------------------------------------------------------------------------------


def _polls_of(month: EvaluationMonth) -> list[Poll]:
    ids = Evaluation.objects.filter(month=month, satisfaction_question__isnull=False).values_list(
        "satisfaction_question__poll_id", flat=True
    )
    return list(Poll.objects.filter(pk__in=set(ids)))


@transaction.atomic
def month_review(*, actor: Actor, month: EvaluationMonth, now: dt.datetime | None = None) -> EvaluationMonth:
    """Close rating: the residents' polls are counted once, each subject's indicators frozen as they stand."""
    _ensure_run(actor)
    month = _lock(month)
    _transition(month, MonthStatus.REVIEW)
    now = now or timezone.now()
    for poll in _polls_of(month):
        if poll.status == PollStatus.OPEN:
            votes.poll_close(actor=actor, poll=poll, now=now)
    live = standings.live_figures(month.month)
    evaluations = list(Evaluation.objects.filter(month=month).select_related("month"))
    for e in evaluations:
        e.indicators = standings.figures_of(e, live)
    Evaluation.objects.bulk_update(evaluations, ["indicators"])
    month.status = MonthStatus.REVIEW
    month.reviewed_at = now
    month.reviewed_by_id = actor.user_id
    month.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
    audit_record(actor=actor, action="stewardship.month_review", target=month)
    return month


@transaction.atomic
def month_reopen(*, actor: Actor, month: EvaluationMonth, reason: str) -> EvaluationMonth:
    """Back to rating to correct sheets; the residents' count stays as counted."""
    _ensure_run(actor)
    reason = _reason(reason)
    month = _lock(month)
    _transition(month, MonthStatus.RATING)
    month.status = MonthStatus.RATING
    month.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="stewardship.month_reopen", target=month, after={"reason": reason})
    return month


def _score_row(result: standings.Result, *, appeal: Appeal | None = None, replaces: Score | None = None) -> Score:
    parts: dict[str, int] = dict(result.parts)
    parts["ledger_permille"] = result.ledger_permille
    return Score(
        evaluation=result.evaluation,
        total=result.total,
        grade=result.grade,
        parts=parts,
        deducted=result.deducted,
        appeal=appeal,
        replaces=replaces,
    )


def _subject_user_ids(evaluations: Sequence[Evaluation]) -> dict[int, set[int]]:
    """evaluation id → the users told about it: the manager's staff at the compound, or the committee."""
    duties = Duty.objects.filter(
        Duty.current_q(timezone.localdate()),
        node_id__in={e.compound_id for e in evaluations},
        role__in=[Role.PROPERTY_STAFF, Role.COMMITTEE_MEMBER],
    )
    staff: dict[tuple[int, str], set[int]] = {}
    for node_id, role, user_id in duties.values_list("node_id", "role", "user_id"):
        staff.setdefault((node_id, role), set()).add(user_id)
    employer = dict(
        ManagerStaff.objects.filter(
            ends_on__isnull=True, user_id__in={u for s in staff.values() for u in s}
        ).values_list("user_id", "manager_id")
    )
    told = {}
    for e in evaluations:
        if e.subject_kind == SubjectKind.COMMITTEE:
            told[e.pk] = staff.get((e.compound_id, Role.COMMITTEE_MEMBER), set())
        else:
            told[e.pk] = {
                u for u in staff.get((e.compound_id, Role.PROPERTY_STAFF), set()) if employer.get(u) == e.manager_id
            }
    return told


@transaction.atomic
def month_publish(*, actor: Actor, month: EvaluationMonth, now: dt.datetime | None = None) -> EvaluationMonth:
    """Publish (公示): each subject's score stored as reviewed, the 7-day appeal window opens, all are told."""
    _ensure_run(actor)
    month = _lock(month)
    _transition(month, MonthStatus.PUBLISHED)
    now = now or timezone.now()
    evaluations = list(Evaluation.objects.filter(month=month).select_related("month", "rubric"))
    results = standings.compute(evaluations)
    Score.objects.bulk_create(_score_row(results[e.pk]) for e in evaluations)
    month.status = MonthStatus.PUBLISHED
    month.published_at = now
    month.published_by_id = actor.user_id
    month.appeals_until = now + dt.timedelta(days=APPEAL_DAYS)
    month.save(update_fields=["status", "published_at", "published_by", "appeals_until", "updated_at"])
    audit_record(actor=actor, action="stewardship.month_publish", target=month, after={"scores": len(evaluations)})
    url = reverse("stewardship:month", kwargs={"month": f"{month.month:%Y-%m}"})
    for e in evaluations:
        r = results[e.pk]
        notify(
            recipient_ids=_subject_user_ids([e]).get(e.pk, set()),
            kind="stewardship.published",
            title=_("%(m)s 月度评比已公示：%(who)s %(s)s分（%(g)s）")
            % {"m": f"{month.month:%Y-%m}", "who": e.subject_name, "s": standings.points_text(r.total), "g": r.grade},
            body=_("对结果有异议的，可在 %(t)s 前提出申诉。")
            % {"t": timezone.localtime(month.appeals_until).strftime("%Y-%m-%d %H:%M")},
            url=url,
            dedupe_key=f"stewardship.published:{e.pk}",
        )
    _post_ranking(month, community_ids={e.community_id for e in evaluations})
    return month


def _site_link(path: str, label: str) -> str:
    """A markdown link for the group robots, which need an absolute address; none without GONGZHI_SITE_URL."""
    return f"[{label}]({settings.GONGZHI_SITE_URL}{path})" if settings.GONGZHI_SITE_URL else ""


def _ranking_text(rows: Sequence[standings.Result], of_kind: dict[str, int], month: EvaluationMonth) -> str:
    lines = [_("本社区参评对象%(n)d个。") % {"n": len(rows)}]
    for kind in SubjectKind:
        group = sorted((r for r in rows if r.evaluation.subject_kind == kind), key=lambda r: r.community_place)
        if not group:
            continue
        shown = [(_("最高"), group[0])] + ([(_("末位"), group[-1])] if len(group) > 1 else [])
        for which, r in shown:
            lines.append(
                _("**%(kind)s**%(which)s：%(who)s %(s)s分（%(g)s，全街道第%(p)d/%(n)d名）")
                % {
                    "kind": kind.label,
                    "which": which,
                    "who": r.evaluation.subject_name,
                    "s": standings.points_text(r.total),
                    "g": r.grade,
                    "p": r.place,
                    "n": of_kind[kind],
                }
            )
    red = [r.evaluation.subject_name for r in rows if r.red]
    black = [f"{r.evaluation.subject_name}（{r.black_reason}）" for r in rows if r.black]
    lines.append(_("红榜：%(names)s") % {"names": "、".join(red) or _("无")})
    lines.append(_("黑榜：%(names)s") % {"names": "、".join(black) or _("无")})
    if month.appeals_until is not None:
        lines.append(
            _("对结果有异议的，可在 %(t)s 前提出申诉。")
            % {"t": timezone.localtime(month.appeals_until).strftime("%Y-%m-%d %H:%M")}
        )
    link = _site_link(reverse("stewardship:month", kwargs={"month": f"{month.month:%Y-%m}"}), _("查看评比结果"))
    return "\n".join([*lines, link] if link else lines)


def _post_ranking(month: EvaluationMonth, *, community_ids: set[int]) -> None:
    """Each community with subjects this month gets its own subjects' results: on the public board of its
    compounds (core.signals.result_published, through the publicity app) and in the group robots that
    subscribed to the ranking."""
    listening = communities_subscribed(topic=Topic.STEWARDSHIP_RANKING, community_ids=community_ids)
    of_kind: dict[str, int] = {}
    by_community: dict[int, list[standings.Result]] = {}
    for r in standings.month_results(month):
        of_kind[r.evaluation.subject_kind] = of_kind.get(r.evaluation.subject_kind, 0) + 1
        by_community.setdefault(r.evaluation.community_id, []).append(r)
    title = _("%(m)s 月度评比结果公示") % {"m": f"{month.month:%Y年%m月}"}
    communities = {c.pk: c for c in Node.objects.filter(pk__in=list(by_community))}
    for community_id, rows in by_community.items():
        text = _ranking_text(rows, of_kind, month)
        result_published.send_robust(
            sender=EvaluationMonth,
            node=communities[community_id],
            title=title,
            text=_plain(text),
            source=f"stewardship.ranking:{month.pk}:{community_id}",
            origin="",
        )
        if community_id in listening:
            robot_post(
                community_id=community_id,
                topic=Topic.STEWARDSHIP_RANKING,
                title=title,
                text=text,
                dedupe_key=f"stewardship.ranking:{month.pk}",
            )


def _plain(markdown: str) -> str:
    """The robots' markdown as plain lines for the board: no bold marks, no links."""
    return "\n".join(line.replace("**", "") for line in markdown.splitlines() if not line.startswith("["))


@transaction.atomic
def appeal_file(
    *,
    actor: Actor,
    evaluation: Evaluation,
    text: str,
    deduction_ids: Sequence[int] = (),
    now: dt.datetime | None = None,
) -> Appeal:
    """The rated subject disputes its published score within the window; one pending appeal at a time."""
    if actor.user_id is None or not may_appeal(actor, evaluation):
        raise NotAllowed(_("只有被评比单位可以申诉。"))
    month = _lock(evaluation.month)
    now = now or timezone.now()
    if month.status != MonthStatus.PUBLISHED or month.appeals_until is None:
        raise DomainError(_("结果公示后才能申诉。"))
    if now > month.appeals_until:
        raise DomainError(
            _("申诉期已于 %(t)s 结束。") % {"t": timezone.localtime(month.appeals_until).strftime("%Y-%m-%d %H:%M")}
        )
    text = text.strip()
    if len(text) < 10:
        raise DomainError(_("请写明申诉理由（至少10个字）。"), field="text")
    disputed = list(Deduction.objects.filter(pk__in=deduction_ids, rating__evaluation=evaluation))
    if len(disputed) != len(set(deduction_ids)):
        raise DomainError(_("所选扣分不属于本次评比。"), field="deductions")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                evaluation=evaluation,
                text=text[:2000],
                filed_by_id=actor.user_id,  # checked above
                filed_by_name=actor.display_name or actor.username,
            )
    except IntegrityError as exc:
        raise DomainError(_("已有一项申诉待裁定，请等候结果。")) from exc
    appeal.deductions.set(disputed)
    audit_record(actor=actor, action="stewardship.appeal_file", target=appeal, label=evaluation.subject_name)
    officers = Duty.objects.filter(Duty.current_q(timezone.localdate()), role=Role.SUBDISTRICT_OFFICER).values_list(
        "user_id", flat=True
    )
    notify(
        recipient_ids=officers.values_list("user_id", flat=True),
        kind="stewardship.appeal",
        title=_("月度评比申诉：%(who)s") % {"who": evaluation.subject_name},
        url=reverse("stewardship:evaluation", kwargs={"evaluation_id": evaluation.pk}),
        dedupe_key=f"stewardship.appeal:{appeal.pk}",
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    actor: Actor,
    appeal: Appeal,
    upheld: bool,
    reason: str,
    withdraw_ids: Sequence[int] = (),
    now: dt.datetime | None = None,
) -> Appeal:
    """Decide with a reason. Upheld: the deductions named are withdrawn and a new Score row replaces the
    current one (kept, no longer current); rejected: the score stands."""
    _ensure_run(actor)
    appeal = Appeal.objects.select_for_update().select_related("evaluation__month").get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise InvalidTransition(_("该申诉已经裁定。"))
    reason = _reason(reason)
    evaluation = appeal.evaluation
    withdrawn = list(
        Deduction.objects.filter(
            pk__in=withdraw_ids, rating__evaluation=evaluation, withdrawn_by__isnull=True
        ).select_for_update()
    )
    if len(withdrawn) != len(set(withdraw_ids)):
        raise DomainError(_("所选扣分不属于本次评比或已撤销。"), field="withdraw")
    if upheld and not withdrawn:
        raise DomainError(_("申诉成立时请选择要撤销的扣分。"), field="withdraw")
    if not upheld and withdrawn:
        raise DomainError(_("申诉不成立时不能撤销扣分。"), field="withdraw")
    now = now or timezone.now()
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.reason = reason
    appeal.decided_by_id = actor.user_id
    appeal.decided_at = now
    appeal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    change = ""
    if upheld:
        Deduction.objects.filter(pk__in=[d.pk for d in withdrawn]).update(withdrawn_by=appeal)
        old = Score.objects.select_for_update().get(evaluation=evaluation, is_current=True)
        Score.objects.filter(pk=old.pk).update(is_current=False)
        result = standings.compute([_as_rated(evaluation)])[evaluation.pk]
        new = _score_row(result, appeal=appeal, replaces=old)
        new.save()
        change = _("得分由%(a)s分改为%(b)s分。") % {
            "a": standings.points_text(old.total),
            "b": standings.points_text(new.total),
        }
    audit_record(
        actor=actor,
        action="stewardship.appeal_decide",
        target=appeal,
        label=evaluation.subject_name,
        after={"status": appeal.status, "withdrawn": [d.pk for d in withdrawn]},
    )
    notify(
        recipient_ids=[appeal.filed_by_id],
        kind="stewardship.appeal_decided",
        title=_("申诉已裁定：%(s)s") % {"s": appeal.get_status_display()},
        body=f"{reason} {change}".strip(),
        url=reverse("stewardship:evaluation", kwargs={"evaluation_id": evaluation.pk}),
        dedupe_key=f"stewardship.appeal_decided:{appeal.pk}",
    )
    lines = [
        _("评比月份：%(m)s") % {"m": f"{evaluation.month.month:%Y年%m月}"},
        _("申诉对象：%(who)s") % {"who": evaluation.subject_name},
        _("裁定结果：**%(s)s**") % {"s": appeal.get_status_display()},
        _("理由：%(r)s") % {"r": reason},
    ]
    if change:
        lines.append(change)
    link = _site_link(reverse("stewardship:evaluation", kwargs={"evaluation_id": evaluation.pk}), _("查看详情"))
    robot_post(
        community_id=evaluation.community_id,
        topic=Topic.STEWARDSHIP_APPEAL,
        title=_("评比申诉已裁定：%(who)s") % {"who": evaluation.subject_name},
        text="\n".join([*lines, link] if link else lines),
        dedupe_key=f"stewardship.appeal_decided:{appeal.pk}",
    )
    return appeal


def _as_rated(evaluation: Evaluation) -> Evaluation:
    """The evaluation as compute() reads it: the frozen indicators of its (published) month."""
    return Evaluation.objects.select_related("month", "rubric").get(pk=evaluation.pk)
