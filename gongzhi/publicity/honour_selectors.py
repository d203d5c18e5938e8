"""Reads of honour campaigns; every one starts from visible_campaigns (or the honour roll's scope).

No read here touches a ballot. The public vote's figures come from the engine's count (PollResult), which
exists only once the poll has closed; the staff's audit while voting runs reads who took part and when,
never what anyone chose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from statistics import median
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.actors import Actor, any_subtree_q, subtree_q
from gongzhi.core.exceptions import DomainError
from gongzhi.publicity.choices_honour import COUNTED_PHASES, CampaignPhase, CategoryKind, NominationStatus
from gongzhi.publicity.honour import scoring_complete
from gongzhi.publicity.honour_permissions import (
    HONOUR_MANAGER_ROLES,
    can_manage_campaign,
    can_see_nomination,
    honour_roll_roots,
    is_judge,
    visible_campaigns,
    visible_honour_roll,
)
from gongzhi.publicity.honour_rules import fraction_parse
from gongzhi.publicity.models_honour import (
    HonourCampaign,
    HonourCategory,
    HonourJudge,
    HonourNomination,
    HonourPhoto,
    HonourResult,
    HonourScore,
)
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Dwelling, Household, Person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.territory.permissions import visible_nodes
from gongzhi.territory.selectors import place_labels
from gongzhi.volunteering.models import Volunteer
from gongzhi.votes.models import Participation, RollEntry
from gongzhi.votes.selectors import VoterSeat, my_seats

UNUSUAL_VOTERS_PER_DWELLING = 4  # more adults voting from one flat than a family usually has
BURST_MINUTES = 10
BURST_BALLOTS = 3  # this many ballots from one flat within BURST_MINUTES
HOUR_FACTOR = 3  # an hour with three times the median hourly ballots (and at least HOUR_FLOOR)
HOUR_FLOOR = 10


def campaign_list(*, actor: Actor) -> QuerySet[HonourCampaign]:
    return visible_campaigns(actor).select_related("scope").order_by("-created_at", "-id")


def campaign_get(*, actor: Actor, campaign_id: int) -> HonourCampaign:
    return get_object_or_404(visible_campaigns(actor).select_related("scope", "poll"), pk=campaign_id)


def categories_of(campaign: HonourCampaign) -> list[HonourCategory]:
    """Read once per campaign object: a page's finalists, vote and results each ask for them."""
    prefetch_related_objects([campaign], _by_position())
    return list(campaign.categories.all())


def _by_position() -> Prefetch[Any]:
    return Prefetch("categories", queryset=HonourCategory.objects.order_by("position"))


def managed_campaign_get(*, actor: Actor, campaign_id: int) -> HonourCampaign:
    """A campaign the actor runs; seen but not run is 404 too: the staff pages show pending nominations."""
    campaign = campaign_get(actor=actor, campaign_id=campaign_id)
    if not can_manage_campaign(actor, campaign):
        raise Http404
    return campaign


def nomination_get(*, actor: Actor, nomination_id: int) -> HonourNomination:
    nomination = get_object_or_404(
        HonourNomination.objects.filter(campaign__in=visible_campaigns(actor)).select_related("campaign", "category"),
        pk=nomination_id,
    )
    if not can_see_nomination(actor, nomination):
        raise Http404
    return nomination


def photo_get(*, actor: Actor, photo_id: int) -> HonourPhoto:
    photo = HonourPhoto.objects.filter(pk=photo_id).select_related("nomination__campaign").first()
    if photo is None:
        raise Http404
    nomination = photo.nomination
    if nomination.campaign.phase == CampaignPhase.PUBLISHED and _on_roll(actor, nomination):
        return photo
    if not visible_campaigns(actor).filter(pk=nomination.campaign_id).exists():
        raise Http404
    if not can_see_nomination(actor, nomination):
        raise Http404
    return photo


def _on_roll(actor: Actor, nomination: HonourNomination) -> bool:
    return (
        HonourResult.objects.filter(nomination=nomination, is_winner=True).exists()
        and visible_honour_roll(actor).filter(pk=nomination.campaign_id).exists()
    )


def _with_photos() -> Prefetch[Any]:
    return Prefetch("photos", queryset=HonourPhoto.objects.order_by("id"))


def finalists_by_category(campaign: HonourCampaign) -> list[tuple[HonourCategory, list[HonourNomination]]]:
    """Read once per campaign object (the detail page shows them and counts their votes)."""
    if "_finalists" not in campaign.__dict__:
        campaign.__dict__["_finalists"] = _finalists(campaign)
    found: list[tuple[HonourCategory, list[HonourNomination]]] = campaign.__dict__["_finalists"]
    return found


def _finalists(campaign: HonourCampaign) -> list[tuple[HonourCategory, list[HonourNomination]]]:
    nominations = defaultdict(list)
    for n in (
        HonourNomination.objects.filter(campaign=campaign, status=NominationStatus.APPROVED)
        .prefetch_related(_with_photos())
        .order_by("id")
    ):
        nominations[n.category_id].append(n)
    return [(c, nominations.get(c.pk, [])) for c in categories_of(campaign)]


def my_nominations(*, actor: Actor, campaign: HonourCampaign) -> QuerySet[HonourNomination]:
    return (
        HonourNomination.objects.filter(campaign=campaign, nominated_by_id=actor.user_id)
        .select_related("category")
        .order_by("-id")
    )


def review_queue(*, actor: Actor, campaign: HonourCampaign) -> QuerySet[HonourNomination]:
    if not can_manage_campaign(actor, campaign):
        raise Http404
    return (
        HonourNomination.objects.filter(campaign=campaign)
        .select_related("category", "nominated_by", "reviewed_by")
        .prefetch_related(_with_photos())
        .order_by("status", "category__position", "id")
    )


def nomination_counts(*, campaign: HonourCampaign) -> dict[str, int]:
    counts = Counter(HonourNomination.objects.filter(campaign=campaign).values_list("status", flat=True))
    return {s.value: counts.get(s.value, 0) for s in NominationStatus}


def voter_seats(*, actor: Actor, campaign: HonourCampaign) -> list[VoterSeat]:
    if campaign.poll is None:
        return []
    return my_seats(actor=actor, poll=campaign.poll)


# --- the vote's count, once there is one ---------------------------------------------------------------


@dataclass(frozen=True)
class VoteRow:
    nomination: HonourNomination
    votes: int


def public_votes(*, campaign: HonourCampaign) -> list[tuple[HonourCategory, list[VoteRow]]] | None:
    """Votes per finalist from the engine's count; None until the vote has closed (there is no count)."""
    poll = campaign.poll
    if campaign.phase not in COUNTED_PHASES or poll is None or poll.results_sealed:
        return None
    counts: dict[str, int] = {}
    for question in poll.result.questions:
        counts.update(question["tally"]["counts"])
    shown = []
    for category, names in finalists_by_category(campaign):
        rows = [VoteRow(nomination=n, votes=counts.get(str(n.option_id), 0)) for n in names]
        shown.append((category, sorted(rows, key=lambda r: (-r.votes, r.nomination.pk))))
    return shown


@dataclass(frozen=True)
class ResultRow:
    result: HonourResult
    total: Fraction
    vote_share: Fraction
    judge_share: Fraction

    @property
    def total_percent(self) -> str:
        return _percent(self.total)

    @property
    def vote_percent(self) -> str:
        return _percent(self.vote_share)

    @property
    def judge_percent(self) -> str:
        return _percent(self.judge_share)

    @property
    def judges_mean(self) -> str:
        mean = fraction_parse(self.result.judges_mean)
        return f"{float(mean):.2f}" if mean.denominator != 1 else str(mean.numerator)


def _percent(value: Fraction) -> str:
    hundredths = (value.numerator * 20000 + value.denominator) // (value.denominator * 2)
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def honour_results(*, actor: Actor, campaign: HonourCampaign) -> list[tuple[HonourCategory, list[ResultRow]]]:
    """The combined result: staff from deciding on, everyone who sees the campaign once published."""
    if campaign.phase not in {CampaignPhase.DECIDED, CampaignPhase.PUBLISHED}:
        return []
    if campaign.phase == CampaignPhase.DECIDED and not can_manage_campaign(actor, campaign):
        return []
    by_category = defaultdict(list)
    for r in (
        HonourResult.objects.filter(category__campaign=campaign).select_related("nomination").order_by("rank", "id")
    ):
        share = Fraction(r.votes, r.max_votes) if r.max_votes else Fraction(0)
        judge = fraction_parse(r.judges_mean) / r.rubric_max if r.rubric_max else Fraction(0)
        by_category[r.category_id].append(
            ResultRow(result=r, total=fraction_parse(r.total), vote_share=share, judge_share=judge)
        )
    return [(c, by_category.get(c.pk, [])) for c in categories_of(campaign)]


def result_get(*, actor: Actor, result_id: int) -> HonourResult:
    """A winner's result (certificate, citation): staff of the campaign; the honour roll's readers once published."""
    result = get_object_or_404(
        HonourResult.objects.select_related("nomination", "category__campaign__scope"), pk=result_id
    )
    campaign = result.category.campaign
    if can_manage_campaign(actor, campaign) and visible_campaigns(actor).filter(pk=campaign.pk).exists():
        return result
    raise Http404


# --- the staff's audit while voting runs: who took part, never what they chose ------------------------


@dataclass
class DwellingTurnout:
    label: str
    roll: int
    voted: int
    flags: list[str] = field(default_factory=list)


@dataclass
class VoteAudit:
    roll: int
    voted: int
    dwellings: list[DwellingTurnout]
    flagged: int
    hours: list[tuple[str, int, bool]]
    unplaced: int
    # (voters from one dwelling, how many dwellings): the usual picture is 1s and 2s.
    distribution: list[tuple[int, int]]


def vote_audit(*, actor: Actor, campaign: HonourCampaign) -> VoteAudit | None:
    """Participation per dwelling (flats with unusually many voters or a burst of ballots) and per hour."""
    if not can_manage_campaign(actor, campaign):
        raise Http404
    poll = campaign.poll
    if poll is None:
        return None
    keys = list(RollEntry.objects.filter(poll=poll).values_list("voter_key", flat=True))
    person_ids = [int(k.split(":")[1]) for k in keys if k.startswith("person:")]
    household_ids = [int(k.split(":")[1]) for k in keys if k.startswith("household:")]
    dwelling_of: dict[str, int | None] = {}
    for pk, dwelling_id in Person.objects.filter(pk__in=person_ids).values_list("pk", "household__dwelling_id"):
        dwelling_of[f"person:{pk}"] = dwelling_id
    for pk, dwelling_id in Household.objects.filter(pk__in=household_ids).values_list("pk", "dwelling_id"):
        dwelling_of[f"household:{pk}"] = dwelling_id
    roll: Counter[int] = Counter(d for d in (dwelling_of.get(k) for k in keys) if d is not None)
    times: dict[int, list[dt.datetime]] = defaultdict(list)
    hours: Counter[dt.datetime] = Counter()
    voted = unplaced = 0
    for key, at in Participation.objects.filter(poll=poll).values_list("voter_key", "at"):
        voted += 1
        dwelling = dwelling_of.get(key)
        if at is not None:
            hours[timezone.localtime(at).replace(minute=0, second=0, microsecond=0)] += 1
        if dwelling is None:
            unplaced += 1
            continue
        times[dwelling].append(at or poll.opens_at)
    dwellings = {d.pk: d for d in Dwelling.objects.filter(pk__in=list(times)).only("pk", "room", "org_path")}
    labels = place_labels(paths=[d.org_path for d in dwellings.values()])
    rows = []
    for dwelling_id, stamps in times.items():
        d = dwellings[dwelling_id]
        row = DwellingTurnout(
            label=f"{labels.get(d.org_path, '')} {d.room}".strip(), roll=roll[dwelling_id], voted=len(stamps)
        )
        if row.voted >= UNUSUAL_VOTERS_PER_DWELLING:
            row.flags.append(_("一户%(n)d人投票") % {"n": row.voted})
        stamps.sort()
        window = dt.timedelta(minutes=BURST_MINUTES)
        if any(stamps[i + BURST_BALLOTS - 1] - stamps[i] <= window for i in range(len(stamps) - BURST_BALLOTS + 1)):
            row.flags.append(_("%(m)d分钟内%(n)d张选票") % {"m": BURST_MINUTES, "n": BURST_BALLOTS})
        rows.append(row)
    rows.sort(key=lambda r: (not r.flags, -r.voted, r.label))
    typical = median(hours.values()) if hours else 0
    hour_rows = [
        (
            f"{hour:%m-%d %H}:00",
            n,
            n >= max(HOUR_FLOOR, HOUR_FACTOR * typical),
        )
        for hour, n in sorted(hours.items())
    ]
    spread = Counter(r.voted for r in rows)
    return VoteAudit(
        roll=poll.roll_size,
        voted=voted,
        dwellings=[r for r in rows if r.flags][:100],
        flagged=sum(1 for r in rows if r.flags),
        hours=hour_rows,
        unplaced=unplaced,
        distribution=sorted(spread.items()),
    )


# --- judges ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreProgress:
    judges: int
    done: int
    complete: bool


def score_progress(*, campaign: HonourCampaign) -> ScoreProgress:
    """Judges done and whether the panel is complete — honour.scoring_complete's rule, from the same
    counts (every judge × item × finalist scored), without counting twice."""
    items = campaign.rubric.count()
    finalists = HonourNomination.objects.filter(campaign=campaign, status=NominationStatus.APPROVED).count()
    per_judge = dict(
        HonourJudge.objects.filter(campaign=campaign).annotate(n=Count("scores")).values_list("pk", "n").order_by()
    )
    expected = items * finalists
    done = sum(1 for n in per_judge.values() if n == expected and expected)
    complete = expected * len(per_judge) > 0 and sum(per_judge.values()) == expected * len(per_judge)
    return ScoreProgress(judges=len(per_judge), done=done, complete=complete)


def my_scores(*, actor: Actor, campaign: HonourCampaign) -> dict[tuple[int, int], int]:
    """The judge's own scores: what each judge sees of the panel while the panel is scoring."""
    if not is_judge(actor, campaign):
        raise Http404
    return {
        (nomination_id, item_id): points
        for nomination_id, item_id, points in HonourScore.objects.filter(
            judge__campaign=campaign, judge__user_id=actor.user_id or 0
        ).values_list("nomination_id", "item_id", "points")
    }


def panel_scores(
    *, actor: Actor, campaign: HonourCampaign, progress: ScoreProgress | None = None
) -> list[tuple[str, dict[int, int]]] | None:
    """Every judge's totals per finalist, for the panel and the staff, only once all have scored
    (``progress``: score_progress's, when the page has it)."""
    if not (is_judge(actor, campaign) or can_manage_campaign(actor, campaign)):
        raise Http404
    if not (progress.complete if progress is not None else scoring_complete(campaign)):
        return None
    totals: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for judge_id, nomination_id, points in HonourScore.objects.filter(judge__campaign=campaign).values_list(
        "judge_id", "nomination_id", "points"
    ):
        totals[judge_id][nomination_id] += points
    return [
        (j.user.full_name or j.user.username, dict(totals[j.pk]))
        for j in HonourJudge.objects.filter(campaign=campaign).select_related("user").order_by("id")
    ]


# --- the honour roll -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollEntryRow:
    result: HonourResult
    photo: HonourPhoto | None


def honour_roll(
    *, actor: Actor, node: Node | None = None, roots: list[str] | None = None
) -> list[tuple[HonourCampaign, list[tuple[HonourCategory, list[RollEntryRow]]]]]:
    """``roots``: honour_roll_roots(actor), when the page has read them already."""
    campaigns = visible_honour_roll(actor, roots).select_related("scope").order_by("-published_at", "-id")
    if node is not None:
        campaigns = campaigns.filter(Q(scope_path__startswith=node.path) | Q(scope_path__in=_ancestors(node.path)))
    campaigns_list = list(campaigns[:20])
    prefetch_related_objects(campaigns_list, _by_position())  # categories_of each, in one query
    winners = defaultdict(list)
    for r in (
        HonourResult.objects.filter(category__campaign__in=campaigns_list, is_winner=True)
        .select_related("nomination", "category")
        .prefetch_related(Prefetch("nomination__photos", queryset=HonourPhoto.objects.order_by("id")))
        .order_by("category__position", "rank", "id")
    ):
        photos = list(r.nomination.photos.all())
        winners[r.category_id].append(RollEntryRow(result=r, photo=photos[0] if photos else None))
    return [(c, [(cat, winners.get(cat.pk, [])) for cat in categories_of(c)]) for c in campaigns_list]


def _ancestors(path: str) -> list[str]:
    step = Node.steplen
    return [path[: i * step] for i in range(1, len(path) // step)]


def roll_node_get(*, actor: Actor, node_id: int, roots: list[str] | None = None) -> Node:
    roots = honour_roll_roots(actor) if roots is None else roots
    return get_object_or_404(
        Node.objects.filter(any_subtree_q("path", roots), kind__in=[NodeKind.COMMUNITY, NodeKind.COMPOUND]),
        pk=node_id,
    )


def roll_places(*, actor: Actor, roots: list[str] | None = None) -> list[Node]:
    """The communities and compounds that have a published campaign, for the honour roll's filter."""
    paths = set(visible_honour_roll(actor, roots).values_list("scope_path", flat=True))
    return list(Node.objects.filter(path__in=paths).order_by("path"))


# --- forms' choices and the nominee lookup ---------------------------------------------------------------


def scope_choices(*, actor: Actor) -> list[Node]:
    paths = actor.paths(*HONOUR_MANAGER_ROLES)
    if not paths and not actor.is_system:
        return []
    nodes = visible_nodes(actor).filter(kind__in=[NodeKind.COMMUNITY, NodeKind.COMPOUND])
    if not actor.is_system:
        nodes = nodes.filter(any_subtree_q("path", paths))
    return list(nodes.order_by("path")[:500])


def scope_get(*, actor: Actor, node_id: int) -> Node:
    for node in scope_choices(actor=actor):
        if node.pk == node_id:
            return node
    raise Http404


def judge_users(usernames: list[str]) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    missing = [n for n in usernames if n not in found]
    if missing:
        raise DomainError(_("找不到这些用户：%(n)s。") % {"n": "、".join(missing)}, field="judges")
    return [found[n] for n in usernames]


def campaign_buildings(*, campaign: HonourCampaign) -> list[tuple[int, str]]:
    """Buildings in the scope (names of places are not personal data): the nomination form's list."""
    buildings = list(
        Node.objects.filter(subtree_q("path", campaign.scope_path), kind=NodeKind.BUILDING)
        .only("pk", "path", "name")
        .order_by("path")[:2000]
    )
    labels = place_labels(paths=[b.path for b in buildings])
    return [(b.pk, labels.get(b.path, b.name)) for b in buildings]


ROOM_RE = re.compile(r"^\s*(?:(\d+)\s*(?:单元|-|—|/|\s)\s*)?(\S+?)\s*(?:室|号)?\s*$")


def nominee_resolve(
    *, campaign: HonourCampaign, category: HonourCategory, building_id: int, room: str = "", name: str = ""
) -> dict[str, Any]:
    """The registry row a nomination form names: a building; or a flat (unit-room) and, for people, the name.

    The form offers buildings only; people are found by exact name in the named flat, so that nobody can
    browse the registry through it. The messages do not say whether a name lives elsewhere.
    """
    building = Node.objects.filter(
        subtree_q("path", campaign.scope_path), kind=NodeKind.BUILDING, pk=building_id
    ).first()
    if building is None:
        raise DomainError(_("请选择评选范围内的楼栋。"), field="building")
    if category.kind == CategoryKind.BUILDING:
        return {"building": building}
    match = ROOM_RE.match(room or "")
    if not match:
        raise DomainError(_("请填写房号，例如“1-101”（1单元101室）。"), field="room")
    unit_code, number = match.groups()
    flats = Dwelling.objects.filter(subtree_q("org_path", building.path), room=number)
    if unit_code:
        flats = flats.filter(unit__code=unit_code)
    found = list(flats[:2])
    if len(found) != 1:
        raise DomainError(
            _("在%(b)s没有找到房号“%(r)s”；有多个单元时请写成“单元-房号”。") % {"b": building.name, "r": room},
            field="room",
        )
    dwelling = found[0]
    if category.kind == CategoryKind.HOUSEHOLD:
        household = Household.objects.filter(dwelling=dwelling, is_active=True).select_related("head").first()
        if household is None:
            raise DomainError(_("该房屋没有登记在住的住户。"), field="room")
        return {"household": household}
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("请填写被提名人的姓名。"), field="name")
    person = Person.objects.filter(household__dwelling=dwelling, name=name, status=PersonStatus.RESIDENT).first()
    if person is None:
        raise DomainError(_("该房屋没有登记名为“%(n)s”的在住居民，请核对姓名和房号。") % {"n": name}, field="name")
    if category.kind == CategoryKind.VOLUNTEER:
        volunteer = Volunteer.objects.filter(person=person).first()
        if volunteer is None:
            raise DomainError(_("“%(n)s”尚未注册为志愿者。") % {"n": name}, field="name")
        return {"volunteer": volunteer}
    return {"person": person}
