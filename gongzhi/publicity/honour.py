"""Honour campaigns' writes: create → nominate → review → vote (through the votes engine) → score →
decide → cite → publish. Keyword-only, permission first, atomic, an audit row for each step.

The public vote is an ordinary votes.Poll with ``source="publicity.honour:<id>"``: the engine freezes the
roll when the vote opens, keeps one ballot per voter in the database and counts only at closing, so no
page of this app can show a count before then: there is none.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.photos import CleanPhoto
from gongzhi.publicity.choices_honour import (
    CAMPAIGN_TRANSITIONS,
    PERSONAL_KINDS,
    CampaignPhase,
    CategoryKind,
    NominationStatus,
)
from gongzhi.publicity.honour_permissions import (
    can_create_campaign_at,
    can_manage_campaign,
    can_nominate,
    can_score,
)
from gongzhi.publicity.honour_rules import Finalist, fraction_text, rank_category
from gongzhi.publicity.models_honour import (
    HonourCampaign,
    HonourCategory,
    HonourJudge,
    HonourNomination,
    HonourPhoto,
    HonourResult,
    HonourRubricItem,
    HonourScore,
)
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Household, Person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.territory.selectors import place_labels
from gongzhi.volunteering.choices import VolunteerStatus
from gongzhi.volunteering.models import Volunteer
from gongzhi.votes import services as votes
from gongzhi.votes.choices import Electorate, PollStatus, TallyRule
from gongzhi.votes.models import Ballot, Poll
from gongzhi.votes.services import QuestionSpec

MIN_REASON = 10
MAX_PHOTOS = 3
MAX_CATEGORIES = 8
SCOPE_KINDS = (NodeKind.COMMUNITY, NodeKind.COMPOUND)
BUILDING_DEPTH = 5  # subdistrict / community / area / compound / building


@dataclass(frozen=True)
class CategorySpec:
    kind: str
    name: str
    winners: int = 1
    max_choices: int = 1


@dataclass(frozen=True)
class RubricSpec:
    name: str
    max_points: int


def _transition(campaign: HonourCampaign, target: str) -> None:
    if target not in CAMPAIGN_TRANSITIONS[campaign.phase]:
        raise InvalidTransition(
            _("评选活动当前为“%(from)s”，不能变为“%(to)s”。")
            % {"from": CampaignPhase(campaign.phase).label, "to": CampaignPhase(target).label}
        )


def _lock(campaign: HonourCampaign) -> HonourCampaign:
    return HonourCampaign.objects.select_for_update(of=("self",)).select_related("scope", "poll").get(pk=campaign.pk)


def _ensure_manage(actor: Actor, campaign: HonourCampaign) -> None:
    if not can_manage_campaign(actor, campaign):
        raise NotAllowed(_("您不能管理这次评选活动。"))


def _source(campaign: HonourCampaign) -> str:
    return f"publicity.honour:{campaign.pk}"


# --- setting up ------------------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: Actor,
    scope: Node,
    title: str,
    categories: Sequence[CategorySpec],
    rubric: Sequence[RubricSpec] = (),
    judges: Sequence[User] = (),
    description: str = "",
    electorate: str = Electorate.RESIDENTS,
    vote_weight_percent: int = 60,
    allows_self_nomination: bool = False,
) -> HonourCampaign:
    if scope.kind not in SCOPE_KINDS:
        raise DomainError(_("评选范围应为一个社区或小区。"), field="scope")
    if not can_create_campaign_at(actor, scope):
        raise NotAllowed(_("您不能在该范围发起评选活动。"))
    title = " ".join(title.split())
    if not title:
        raise DomainError(_("请填写活动名称。"), field="title")
    if electorate not in {Electorate.RESIDENTS, Electorate.HOUSEHOLDS}:
        raise DomainError(_("投票人只能是范围内的居民或住户。"), field="electorate")
    if not 0 <= vote_weight_percent <= 100:
        raise DomainError(_("群众投票权重应在0至100之间。"), field="vote_weight_percent")
    if not categories:
        raise DomainError(_("至少需要一个评选类别。"), field="categories")
    if len(categories) > MAX_CATEGORIES:
        raise DomainError(_("评选类别最多%(n)d个。") % {"n": MAX_CATEGORIES}, field="categories")
    names = [" ".join(c.name.split()) for c in categories]
    if len(set(names)) != len(names):
        raise DomainError(_("评选类别的名称不能重复。"), field="categories")
    for spec, name in zip(categories, names, strict=True):
        if spec.kind not in CategoryKind.values or not name:
            raise DomainError(_("请为每个评选类别选择评选对象并填写名称。"), field="categories")
        if spec.winners < 1 or spec.max_choices < 1:
            raise DomainError(_("“%(c)s”的评选名额和每人最多可选项数应为正整数。") % {"c": name}, field="categories")
    if vote_weight_percent < 100:
        if not rubric:
            raise DomainError(_("有评委评分时（群众投票权重低于100%），请设置评分细则。"), field="rubric")
        if not judges:
            raise DomainError(_("有评委评分时（群众投票权重低于100%），请指定评委。"), field="judges")
    for item in rubric:
        if not item.name.strip() or item.max_points < 1:
            raise DomainError(_("每个评分项需要名称和正整数的满分。"), field="rubric")
    campaign = HonourCampaign.objects.create(
        title=title[:120],
        description=description.strip(),
        scope=scope,
        scope_path=scope.path,
        electorate=electorate,
        vote_weight_percent=vote_weight_percent,
        allows_self_nomination=allows_self_nomination,
        created_by_id=actor.user_id,
    )
    HonourCategory.objects.bulk_create(
        HonourCategory(
            campaign=campaign,
            position=i,
            kind=spec.kind,
            name=name[:40],
            winners=spec.winners,
            max_choices=spec.max_choices,
        )
        for i, (spec, name) in enumerate(zip(categories, names, strict=True), start=1)
    )
    HonourRubricItem.objects.bulk_create(
        HonourRubricItem(campaign=campaign, position=i, name=item.name.strip()[:60], max_points=item.max_points)
        for i, item in enumerate(rubric, start=1)
    )
    HonourJudge.objects.bulk_create(
        HonourJudge(campaign=campaign, user=user) for user in {u.pk: u for u in judges}.values()
    )
    audit_record(
        actor=actor,
        action="publicity.honour_create",
        target=campaign,
        label=campaign.title,
        after={"scope": scope.pk, "categories": names, "weight": vote_weight_percent, "judges": len(judges)},
    )
    return campaign


def _phase(actor: Actor, campaign: HonourCampaign, target: str, *, stamp: str = "") -> HonourCampaign:
    campaign = _lock(campaign)
    _ensure_manage(actor, campaign)
    _transition(campaign, target)
    before = campaign.phase
    campaign.phase = target
    fields = ["phase", "updated_at"]
    if stamp:
        setattr(campaign, stamp, timezone.now())
        fields.append(stamp)
    campaign.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="publicity.honour_phase",
        target=campaign,
        label=campaign.title,
        before={"phase": before},
        after={"phase": target},
    )
    return campaign


@transaction.atomic
def campaign_nominations_open(*, actor: Actor, campaign: HonourCampaign) -> HonourCampaign:
    return _phase(actor, campaign, CampaignPhase.NOMINATING, stamp="nominating_at")


@transaction.atomic
def campaign_nominations_close(*, actor: Actor, campaign: HonourCampaign) -> HonourCampaign:
    return _phase(actor, campaign, CampaignPhase.REVIEWING)


@transaction.atomic
def campaign_cancel(*, actor: Actor, campaign: HonourCampaign, reason: str) -> HonourCampaign:
    reason = " ".join(reason.split())
    if len(reason) < 4:
        raise DomainError(_("请写明取消原因（至少4个字）。"), field="reason")
    campaign = _phase(actor, campaign, CampaignPhase.CANCELLED, stamp="cancelled_at")
    poll = campaign.poll
    if poll is not None and poll.status == PollStatus.OPEN:
        # A cancelled campaign's vote is closed and counted, as the engine never drops ballots cast.
        votes.poll_close(actor=actor, poll=poll)
    campaign.cancel_reason = reason[:300]
    campaign.save(update_fields=["cancel_reason"])
    return campaign


# --- nominating ------------------------------------------------------------------------------------------


def _building_path(path: str) -> str:
    return path[: BUILDING_DEPTH * Node.steplen]


def _nominee(
    category: HonourCategory,
    *,
    building: Node | None,
    person: Person | None,
    household: Household | None,
    volunteer: Volunteer | None,
) -> tuple[str, str, str, int | None, int | None]:
    """(key, label, path, person id, household id) of the nominee the category's kind asks for."""
    kind = category.kind
    given = {
        k: v
        for k, v in (("building", building), ("person", person), ("household", household), ("volunteer", volunteer))
        if v is not None
    }
    if list(given) != [kind]:
        raise DomainError(
            _("“%(c)s”评选的是%(k)s，请选择被提名的%(k)s。") % {"c": category.name, "k": CategoryKind(kind).label},
            field="nominee",
        )
    if building is not None:
        if building.kind != NodeKind.BUILDING:
            raise DomainError(_("请选择一栋楼。"), field="nominee")
        return f"building:{building.pk}", building.name, building.path, None, None
    if household is not None:
        if not household.is_active:
            raise DomainError(_("该住户已迁出，不能被提名。"), field="nominee")
        head = household.head.name if household.head is not None else household.number
        return f"household:{household.pk}", _("%(n)s家庭") % {"n": head}, household.org_path, None, household.pk
    if volunteer is not None:
        if volunteer.status != VolunteerStatus.ACTIVE:
            raise DomainError(_("该志愿者不在册，不能被提名。"), field="nominee")
        person = volunteer.person
    if person is None:
        raise DomainError(_("请选择被提名人。"), field="nominee")
    if person.status != PersonStatus.RESIDENT:
        raise DomainError(_("被提名人不是本范围的在住居民。"), field="nominee")
    key = f"volunteer:{volunteer.pk}" if volunteer is not None else f"person:{person.pk}"
    return key, person.name, person.org_path, person.pk, person.household_id


@transaction.atomic
def nomination_create(
    *,
    actor: Actor,
    category: HonourCategory,
    reason: str,
    building: Node | None = None,
    person: Person | None = None,
    household: Household | None = None,
    volunteer: Volunteer | None = None,
    has_consent: bool = False,
    photos: Sequence[CleanPhoto] = (),
) -> HonourNomination:
    campaign = HonourCampaign.objects.select_for_update().get(pk=category.campaign_id)
    if campaign.phase != CampaignPhase.NOMINATING:
        raise DomainError(_("评选活动不在提名阶段。"), field="category")
    if not can_nominate(actor, campaign):
        raise NotAllowed(_("只有居住在评选范围内的居民和社区工作人员可以提名。"))
    nominator = actor.user_id
    if nominator is None:
        raise NotAllowed(_("提名须由登录的用户提交。"))
    key, label, path, person_id, household_id = _nominee(
        category, building=building, person=person, household=household, volunteer=volunteer
    )
    if not path.startswith(campaign.scope_path):
        raise DomainError(
            _("被提名对象不在“%(s)s”范围内。") % {"s": campaign.scope.name if campaign.scope_id else ""},
            field="nominee",
        )
    is_self = (person_id is not None and person_id == actor.person_id) or (
        category.kind == CategoryKind.HOUSEHOLD and household_id is not None and household_id == actor.household_id
    )
    if is_self and not campaign.allows_self_nomination:
        raise DomainError(_("本次评选不接受自荐，请由他人提名。"), field="nominee")
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise DomainError(_("推荐理由至少%(n)d个字。") % {"n": MIN_REASON}, field="reason")
    if len(reason) > 1000:
        raise DomainError(_("推荐理由最多1000个字。"), field="reason")
    if category.kind in PERSONAL_KINDS and not has_consent:
        raise DomainError(_("请确认被提名人已知情并同意入选后公示姓名和所在楼栋。"), field="has_consent")
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("照片最多%(n)d张。") % {"n": MAX_PHOTOS}, field="photos")
    place = place_labels(paths=[_building_path(path)]).get(_building_path(path), "")
    try:
        with transaction.atomic():
            nomination = HonourNomination.objects.create(
                campaign=campaign,
                category=category,
                nominee_key=key,
                building=building,
                person=person if volunteer is None else None,
                household=household,
                volunteer=volunteer,
                label=label[:100],
                place=place[:120],
                nominee_path=path,
                reason=reason,
                nominated_by_id=nominator,
                is_self=is_self,
                has_consent=has_consent or category.kind == CategoryKind.BUILDING,
            )
    except IntegrityError as exc:
        raise DomainError(
            _("“%(n)s”已被提名为“%(c)s”，不能重复提名；如需补充，请联系社区工作人员。")
            % {"n": label, "c": category.name},
            field="nominee",
        ) from exc
    for photo in photos:
        HonourPhoto.objects.create(nomination=nomination, image=photo.content, width=photo.width, height=photo.height)
    audit_record(
        actor=actor,
        action="publicity.honour_nominate",
        target=nomination,
        label=nomination.label,
        after={"category": category.pk, "nominee": key, "photos": len(photos)},
    )
    return nomination


@transaction.atomic
def nomination_review(
    *, actor: Actor, nomination: HonourNomination, approve: bool, reason: str = ""
) -> HonourNomination:
    nomination = HonourNomination.objects.select_for_update().select_related("campaign").get(pk=nomination.pk)
    campaign = nomination.campaign
    _ensure_manage(actor, campaign)
    if campaign.phase not in {CampaignPhase.NOMINATING, CampaignPhase.REVIEWING}:
        raise DomainError(_("投票开始后不能再审核提名。"), field="status")
    reason = " ".join(reason.split())
    if not approve and len(reason) < 4:
        raise DomainError(_("不通过时请写明理由（至少4个字）。"), field="reason")
    before = nomination.status
    nomination.status = NominationStatus.APPROVED if approve else NominationStatus.REJECTED
    nomination.review_reason = reason[:300]
    nomination.reviewed_by_id = actor.user_id
    nomination.reviewed_at = timezone.now()
    nomination.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="publicity.honour_review",
        target=nomination,
        label=nomination.label,
        before={"status": before},
        after={"status": nomination.status, "reason": nomination.review_reason},
    )
    return nomination


# --- the public vote -------------------------------------------------------------------------------------


def _finalists(campaign: HonourCampaign) -> dict[int, list[HonourNomination]]:
    by_category: dict[int, list[HonourNomination]] = defaultdict(list)
    for nomination in HonourNomination.objects.filter(campaign=campaign, status=NominationStatus.APPROVED).order_by(
        "category__position", "id"
    ):
        by_category[nomination.category_id].append(nomination)
    return by_category


def _option_labels(finalists: list[HonourNomination]) -> list[str]:
    labels = [f"{n.label}（{n.place}）" if n.place and n.place != n.label else n.label for n in finalists]
    # Two finalists of the same name in the same building stay apart on the ballot.
    return [
        f"{label} #{n.pk}" if labels.count(label) > 1 else label for label, n in zip(labels, finalists, strict=True)
    ]


@transaction.atomic
def campaign_vote_open(
    *, actor: Actor, campaign: HonourCampaign, closes_at: dt.datetime, now: dt.datetime | None = None
) -> HonourCampaign:
    """Put the finalists to the residents: one approval question per category, at most k choices."""
    campaign = _lock(campaign)
    _ensure_manage(actor, campaign)
    _transition(campaign, CampaignPhase.VOTING)
    now = now or timezone.now()
    categories = list(campaign.categories.order_by("position"))
    finalists = _finalists(campaign)
    if HonourNomination.objects.filter(campaign=campaign, status=NominationStatus.PENDING).exists():
        raise DomainError(_("还有待审核的提名，请先审核完毕。"), field="phase")
    specs = []
    for category in categories:
        names = finalists.get(category.pk, [])
        if len(names) < 2:
            raise DomainError(
                _("“%(c)s”至少需要两名入围者才能投票（现有%(n)d名）。") % {"c": category.name, "n": len(names)},
                field="phase",
            )
        specs.append(
            QuestionSpec(
                text=category.name,
                rule=TallyRule.APPROVAL,
                options=_option_labels(names),
                config={
                    "max_choices": min(category.max_choices, len(names)),
                    "seats": min(category.winners, len(names)),
                },
            )
        )
    poll = votes.poll_create(
        actor=actor,
        scope=campaign.scope,
        title=_("%(t)s · 群众投票") % {"t": campaign.title},
        description=campaign.description,
        questions=specs,
        electorate=campaign.electorate,
        notice_days=0,
        opens_at=now,
        closes_at=closes_at,
        source=_source(campaign),
        now=now,
    )
    poll = votes.poll_open(actor=actor, poll=poll, now=now)
    for category, question in zip(categories, poll.questions.order_by("position"), strict=True):
        category.question = question
        category.save(update_fields=["question"])
        for nomination, option in zip(finalists[category.pk], question.options.order_by("position"), strict=True):
            nomination.option = option
            nomination.save(update_fields=["option"])
    campaign.poll = poll
    campaign.phase = CampaignPhase.VOTING
    campaign.voting_at = now
    campaign.save(update_fields=["poll", "phase", "voting_at", "updated_at"])
    audit_record(
        actor=actor,
        action="publicity.honour_vote_open",
        target=campaign,
        label=campaign.title,
        after={"poll": poll.pk, "roll_size": poll.roll_size},
    )
    return campaign


def honour_ballot_cast(
    *,
    actor: Actor,
    campaign: HonourCampaign,
    choices: Mapping[int, Sequence[int]],
    now: dt.datetime | None = None,
) -> Ballot:
    """A voter's choices by category id → nomination ids, checked against k, then cast through the engine."""
    if campaign.phase != CampaignPhase.VOTING or campaign.poll is None:
        raise DomainError(_("评选活动不在投票阶段。"), field="choices")
    finalists = _finalists(campaign)
    ballot: dict[str, list[int]] = {}
    for category in campaign.categories.order_by("position"):
        chosen = list(dict.fromkeys(int(c) for c in choices.get(category.pk, ())))
        names = {n.pk: n for n in finalists.get(category.pk, [])}
        limit = min(category.max_choices, len(names))
        if not chosen:
            raise DomainError(_("请在“%(c)s”中至少选择一项。") % {"c": category.name}, field=f"category_{category.pk}")
        if len(chosen) > limit:
            raise DomainError(
                _("“%(c)s”每人最多选择%(k)d项，您选了%(n)d项。") % {"c": category.name, "k": limit, "n": len(chosen)},
                field=f"category_{category.pk}",
            )
        if any(c not in names or names[c].option_id is None for c in chosen):
            raise DomainError(
                _("“%(c)s”中有不是入围者的选项。") % {"c": category.name}, field=f"category_{category.pk}"
            )
        ballot[str(category.question_id)] = [int(names[c].option_id or 0) for c in chosen]
    return votes.ballot_cast(actor=actor, poll=campaign.poll, choices=ballot, now=now)


@transaction.atomic
def campaign_vote_close(*, actor: Actor, campaign: HonourCampaign, now: dt.datetime | None = None) -> HonourCampaign:
    """Close the vote (the engine counts once) and publish its count; then the judges score."""
    campaign = _lock(campaign)
    _ensure_manage(actor, campaign)
    _transition(campaign, CampaignPhase.JUDGING)
    poll = Poll.objects.get(pk=campaign.poll_id or 0)
    if poll.status == PollStatus.OPEN:
        votes.poll_close(actor=actor, poll=poll, now=now)
        poll.refresh_from_db()
    if poll.status == PollStatus.CLOSED:
        votes.poll_publish(actor=actor, poll=poll)
    campaign.phase = CampaignPhase.JUDGING
    campaign.save(update_fields=["phase", "updated_at"])
    audit_record(actor=actor, action="publicity.honour_vote_close", target=campaign, label=campaign.title)
    return campaign


# --- judges ----------------------------------------------------------------------------------------------


@transaction.atomic
def scores_record(*, actor: Actor, campaign: HonourCampaign, points: Mapping[tuple[int, int], int]) -> int:
    """A judge's scores, (nomination id, rubric item id) → points from 0 to the item's maximum."""
    campaign = HonourCampaign.objects.select_for_update().get(pk=campaign.pk)
    if not can_score(actor, campaign):
        raise NotAllowed(_("您不是本次评选的评委，或评分阶段已结束。"))
    judge = HonourJudge.objects.get(campaign=campaign, user_id=actor.user_id or 0)
    items = {i.pk: i for i in campaign.rubric.all()}
    finalists = {n.pk: n for names in _finalists(campaign).values() for n in names}
    for (nomination_id, item_id), value in points.items():
        if nomination_id not in finalists or item_id not in items:
            raise DomainError(_("评分中有不属于本次评选的入围者或评分项。"), field="points")
        item = items[item_id]
        if not isinstance(value, int) or not 0 <= value <= item.max_points:
            raise DomainError(
                _("“%(n)s”的“%(i)s”应为0至%(m)d的整数。")
                % {"n": finalists[nomination_id].label, "i": item.name, "m": item.max_points},
                field="points",
            )
    for (nomination_id, item_id), value in points.items():
        HonourScore.objects.update_or_create(
            judge=judge, nomination_id=nomination_id, item_id=item_id, defaults={"points": value}
        )
    audit_record(
        actor=actor,
        action="publicity.honour_score",
        target=campaign,
        label=campaign.title,
        after={"scores": len(points)},
    )
    return len(points)


def scoring_complete(campaign: HonourCampaign) -> bool:
    """Every judge has scored every finalist on every item: only then does anyone see the panel's scores."""
    judges = HonourJudge.objects.filter(campaign=campaign).count()
    items = HonourRubricItem.objects.filter(campaign=campaign).count()
    finalists = HonourNomination.objects.filter(campaign=campaign, status=NominationStatus.APPROVED).count()
    expected = judges * items * finalists
    return expected > 0 and HonourScore.objects.filter(judge__campaign=campaign).count() == expected


# --- result ----------------------------------------------------------------------------------------------


@transaction.atomic
def campaign_decide(*, actor: Actor, campaign: HonourCampaign) -> HonourCampaign:
    """Combine the public vote and the judges' scores, exactly, and rank each category."""
    campaign = _lock(campaign)
    _ensure_manage(actor, campaign)
    _transition(campaign, CampaignPhase.DECIDED)
    weight = Fraction(campaign.vote_weight_percent, 100)
    if weight < 1 and not scoring_complete(campaign):
        raise DomainError(_("评委尚未全部完成评分。"), field="phase")
    poll = Poll.objects.select_related("result").get(pk=campaign.poll_id or 0)
    counts: dict[str, int] = {}
    for question in poll.result.questions:
        counts.update(question["tally"]["counts"])
    judges = HonourJudge.objects.filter(campaign=campaign).count()
    rubric_max = sum(campaign.rubric.values_list("max_points", flat=True)) if weight < 1 else 0
    sums: dict[int, int] = defaultdict(int)
    for nomination_id, value in HonourScore.objects.filter(judge__campaign=campaign).values_list(
        "nomination_id", "points"
    ):
        sums[nomination_id] += value
    finalists = _finalists(campaign)
    rows = []
    for category in campaign.categories.order_by("position"):
        names = finalists.get(category.pk, [])
        ranked = rank_category(
            [
                Finalist(
                    key=n.pk,
                    votes=counts.get(str(n.option_id), 0),
                    judges_mean=Fraction(sums[n.pk], judges) if judges and rubric_max else Fraction(0),
                )
                for n in names
            ],
            weight=weight,
            rubric_max=rubric_max,
            winners=category.winners,
        )
        rows += [
            HonourResult(
                nomination_id=r.key,
                category=category,
                votes=r.votes,
                max_votes=r.max_votes,
                judges_mean=fraction_text(r.judges_mean),
                rubric_max=rubric_max,
                total=fraction_text(r.total),
                rank=r.rank,
                is_winner=r.is_winner,
                needs_decision=r.needs_decision,
            )
            for r in ranked
        ]
    HonourResult.objects.bulk_create(rows)
    campaign.phase = CampaignPhase.DECIDED
    campaign.decided_at = timezone.now()
    campaign.save(update_fields=["phase", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="publicity.honour_decide",
        target=campaign,
        label=campaign.title,
        after={"winners": sum(r.is_winner for r in rows), "undecided": sum(r.needs_decision for r in rows)},
    )
    return campaign


def _seats(category: HonourCategory) -> int:
    return min(category.winners, HonourResult.objects.filter(category=category).count())


@transaction.atomic
def tie_resolve(*, actor: Actor, result: HonourResult, note: str) -> HonourResult:
    """Staff decide a tie at the last winning place that votes and judges left level."""
    result = HonourResult.objects.select_for_update().select_related("category__campaign").get(pk=result.pk)
    campaign = result.category.campaign
    _ensure_manage(actor, campaign)
    if campaign.phase != CampaignPhase.DECIDED:
        raise DomainError(_("只有在结果待公布阶段才能决定并列名次。"), field="phase")
    if not result.needs_decision or result.is_winner:
        raise DomainError(_("该入围者不在待决定的并列名次中。"), field="result")
    note = " ".join(note.split())
    if len(note) < 4:
        raise DomainError(_("请写明决定理由（至少4个字）。"), field="note")
    winners = HonourResult.objects.filter(category=result.category, is_winner=True).count()
    if winners >= _seats(result.category):
        raise DomainError(_("“%(c)s”的名额已满。") % {"c": result.category.name}, field="result")
    result.is_winner = True
    result.decision_note = note[:300]
    result.save(update_fields=["is_winner", "decision_note"])
    audit_record(
        actor=actor,
        action="publicity.honour_tie_resolve",
        target=result,
        label=result.nomination.label,
        after={"note": result.decision_note},
    )
    return result


@transaction.atomic
def citation_write(*, actor: Actor, result: HonourResult, text: str) -> HonourResult:
    result = (
        HonourResult.objects.select_for_update().select_related("category__campaign", "nomination").get(pk=result.pk)
    )
    campaign = result.category.campaign
    _ensure_manage(actor, campaign)
    if campaign.phase != CampaignPhase.DECIDED:
        raise DomainError(_("颁奖词在结果公布前撰写。"), field="citation")
    if not result.is_winner:
        raise DomainError(_("只为获评者撰写颁奖词。"), field="citation")
    text = text.strip()
    if not 10 <= len(text) <= 300:
        raise DomainError(_("颁奖词应为10至300个字。"), field="citation")
    result.citation = text
    result.save(update_fields=["citation"])
    audit_record(actor=actor, action="publicity.honour_citation", target=result, label=result.nomination.label)
    return result


@transaction.atomic
def campaign_publish(*, actor: Actor, campaign: HonourCampaign) -> HonourCampaign:
    campaign = _lock(campaign)
    _ensure_manage(actor, campaign)
    _transition(campaign, CampaignPhase.PUBLISHED)
    for category in campaign.categories.order_by("position"):
        winners = HonourResult.objects.filter(category=category, is_winner=True)
        if winners.count() < _seats(category):
            raise DomainError(_("“%(c)s”有并列名次尚待决定。") % {"c": category.name}, field="phase")
        if winners.filter(citation="").exists():
            raise DomainError(_("请为“%(c)s”的每位获评者撰写颁奖词。") % {"c": category.name}, field="phase")
    campaign.phase = CampaignPhase.PUBLISHED
    campaign.published_at = timezone.now()
    campaign.save(update_fields=["phase", "published_at", "updated_at"])
    audit_record(actor=actor, action="publicity.honour_publish", target=campaign, label=campaign.title)
    return campaign
