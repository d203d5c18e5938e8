"""Demo honour campaigns, through the services and the votes engine:

- a finished one over the personas' compound (文明楼栋, 好婆婆, 好媳妇, 文明家庭, 最美志愿者): nominated,
  reviewed, a public vote of a few hundred paper ballots entered in batches at different hours (one bulk
  insert per batch, the engine's paper_ballots_enter), scored by two judges, decided, cited, published;
  its winners are on the honour roll with a photo and certificates can be printed;
- one in its public vote in the same compound (jumin has not voted yet, so the ballot page can be tried);
- one over the community open for nomination, with a few nominations pending review.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.core.actors import Actor, subtree_q
from gongzhi.core.exceptions import DomainError
from gongzhi.core.identity import Sex
from gongzhi.core.photos import CleanPhoto, photo_clean
from gongzhi.publicity import honour
from gongzhi.publicity.choices_honour import CategoryKind
from gongzhi.publicity.honour import CategorySpec, RubricSpec
from gongzhi.publicity.models_honour import HonourCampaign, HonourCategory, HonourNomination, HonourResult
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Household, Person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.volunteering.choices import VolunteerStatus
from gongzhi.volunteering.models import Volunteer
from gongzhi.votes import services as votes
from gongzhi.votes.demo import personas_compound
from gongzhi.votes.models import RollEntry

VOTE_SHARE = 0.12  # of the roll, in paper ballots
BATCHES = 8
REASONS = {
    CategoryKind.BUILDING: [
        "楼道常年干净整洁，没有堆放杂物，邻里互帮互助，楼栋长带头做好垃圾分类。",
        "全楼居民自发筹资修缮楼道照明，电动车统一停放，从未发生飞线充电。",
        "楼里组建了互助小组，轮流照顾独居老人，节假日还一起打扫公共区域。",
    ],
    CategoryKind.PERSON: [
        "照顾卧床的老人十余年如一日，端水喂饭从不抱怨，是全楼公认的孝顺儿媳。",
        "待儿媳如亲闺女，帮忙照看孙辈，家庭和睦，还常常调解邻里小矛盾。",
        "热心社区公益，每周参加楼道清扫，邻居有困难总是第一个伸出援手。",
    ],
    CategoryKind.HOUSEHOLD: [
        "三代同堂，尊老爱幼，家风淳朴，积极参加社区文明创建活动。",
        "夫妻和睦，教子有方，孩子品学兼优，家里主动认领了楼前的绿地养护。",
    ],
    CategoryKind.VOLUNTEER: [
        "参加志愿服务超过三百小时，疫情期间坚守卡口，平时为老人代购送药。",
        "长期义务为居民理发、修理小家电，风雨无阻，深受老人们喜爱。",
    ],
}
CITATIONS = {
    CategoryKind.BUILDING: "邻里守望，整洁有序，全楼同心共建文明家园。",
    CategoryKind.PERSON: "孝老爱亲，默默付出，用真情温暖了一个家，也感动了一栋楼。",
    CategoryKind.HOUSEHOLD: "家风正，家庭和，传承美德，带动邻里向善向上。",
    CategoryKind.VOLUNTEER: "志愿服务，久久为功，哪里需要就出现在哪里。",
}
COLOURS = [(192, 57, 43), (211, 84, 0), (39, 174, 96), (41, 128, 185), (142, 68, 173), (22, 160, 133)]


def _photo(rng: random.Random) -> CleanPhoto:
    """A plain picture (a sun over a house) in a random colour: the demo has no photographs."""
    colour = rng.choice(COLOURS)
    image = Image.new("RGB", (320, 240), (250, 246, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 110, 240, 220), fill=colour)
    draw.polygon([(60, 115), (160, 40), (260, 115)], fill=(120, 80, 60))
    draw.rectangle((145, 160, 175, 220), fill=(250, 246, 240))
    draw.ellipse((250, 20, 300, 70), fill=(241, 196, 15))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    data = out.getvalue()
    return photo_clean(SimpleUploadedFile("demo.jpg", data, content_type="image/jpeg"), size=len(data))


def _staff(username: str) -> Actor | None:
    user = User.objects.filter(username=username).first()
    return actor_for_user(user) if user is not None else None


def _candidates(scope: Node, kind: str, rng: random.Random, count: int, *, women: str = "") -> list[dict[str, Any]]:
    if kind == CategoryKind.BUILDING:
        rows = list(Node.objects.filter(subtree_q("path", scope.path), kind=NodeKind.BUILDING).order_by("path")[:200])
        return [{"building": b} for b in rng.sample(rows, min(count, len(rows)))]
    if kind == CategoryKind.HOUSEHOLD:
        ids = list(
            Household.objects.filter(subtree_q("org_path", scope.path), is_active=True, head__isnull=False)
            .order_by("id")
            .values_list("pk", flat=True)[:3000]
        )
        chosen = rng.sample(ids, min(count, len(ids)))
        return [{"household": h} for h in Household.objects.filter(pk__in=chosen).select_related("head").order_by("id")]
    if kind == CategoryKind.VOLUNTEER:
        volunteers = list(
            Volunteer.objects.filter(
                subtree_q("person__org_path", scope.path),
                status=VolunteerStatus.ACTIVE,
                person__status=PersonStatus.RESIDENT,
            )
            .select_related("person")
            .order_by("id")[:500]
        )
        return [{"volunteer": v} for v in rng.sample(volunteers, min(count, len(volunteers)))]
    today = timezone.localdate()
    people = Person.objects.filter(
        subtree_q("org_path", scope.path), status=PersonStatus.RESIDENT, household__isnull=False, sex=Sex.FEMALE
    )
    if women == "elder":
        people = people.filter(born_on__lte=today.replace(year=today.year - 58))
    elif women == "younger":
        people = people.filter(
            born_on__gte=today.replace(year=today.year - 50), born_on__lte=today.replace(year=today.year - 25)
        )
    rows = list(people.order_by("id")[:3000])
    return [{"person": p} for p in rng.sample(rows, min(count, len(rows)))]


def _categories(with_volunteers: bool) -> list[CategorySpec]:
    specs = [
        CategorySpec(kind=CategoryKind.BUILDING, name="文明楼栋", winners=2, max_choices=2),
        CategorySpec(kind=CategoryKind.PERSON, name="好婆婆", winners=1, max_choices=1),
        CategorySpec(kind=CategoryKind.PERSON, name="好媳妇", winners=1, max_choices=1),
        CategorySpec(kind=CategoryKind.HOUSEHOLD, name="文明家庭", winners=2, max_choices=2),
    ]
    if with_volunteers:
        specs.append(CategorySpec(kind=CategoryKind.VOLUNTEER, name="最美志愿者", winners=1, max_choices=1))
    return specs


WOMEN = {"好婆婆": "elder", "好媳妇": "younger"}


def _plan(
    scope: Node, specs: list[CategorySpec], rng: random.Random, *, per_category: int, minimum: int = 3
) -> list[tuple[CategorySpec, list[dict[str, Any]]]]:
    """Candidates for each category, keeping only categories with enough of them for a vote (a small
    tier may have no elderly women in a compound, or no volunteers)."""
    planned = []
    for spec in specs:
        found = _candidates(scope, spec.kind, rng, per_category, women=WOMEN.get(spec.name, ""))
        if len(found) >= minimum:
            planned.append((spec, found))
    return planned


def _nominate(
    campaign: HonourCampaign,
    planned: list[tuple[CategorySpec, list[dict[str, Any]]]],
    nominators: list[Actor],
    rng: random.Random,
    *,
    photos: bool,
) -> list[HonourNomination]:
    made = []
    for category, (_spec, nominees) in zip(campaign.categories.order_by("position"), planned, strict=True):
        for i, nominee in enumerate(nominees):
            try:
                made.append(
                    honour.nomination_create(
                        actor=nominators[i % len(nominators)],
                        category=category,
                        reason=rng.choice(REASONS[CategoryKind(category.kind)]),
                        has_consent=True,
                        photos=[_photo(rng)] if photos else [],
                        **nominee,
                    )
                )
            except DomainError:
                continue  # the nominator is the nominee (no self-nomination here): the others will do
    return made


def _ballots(
    rng: random.Random, campaign: HonourCampaign, *, skip_user: int | None
) -> list[tuple[str, dict[str, list[int]]]]:
    poll = campaign.poll
    assert poll is not None  # noqa: S101 - opened just before
    keys = list(RollEntry.objects.filter(poll=poll).order_by("id").values_list("voter_key", flat=True))
    if skip_user is not None:
        skipped = set(
            RollEntry.objects.filter(poll=poll, persons__user_id=skip_user).values_list("voter_key", flat=True)
        )
        keys = [k for k in keys if k not in skipped]
    chosen = rng.sample(keys, k=min(len(keys), max(50, round(len(keys) * VOTE_SHARE))))
    questions = []
    for category in campaign.categories.order_by("position"):
        options = (
            list(category.question.options.order_by("position").values_list("pk", flat=True))
            if category.question
            else []
        )
        # Some finalists are better known than others: the vote is not uniform.
        weights = [rng.randint(1, 6) for _o in options]
        questions.append((str(category.question_id), options, weights, min(category.max_choices, len(options))))
    stack = []
    for key in chosen:
        ballot = {}
        for question_id, options, weights, k in questions:
            picks: list[int] = []
            for _i in range(rng.randint(1, k)):
                pick = rng.choices(options, weights=weights)[0]
                if pick not in picks:
                    picks.append(pick)
            ballot[question_id] = picks
        stack.append((key, ballot))
    return stack


def _finish(
    campaign: HonourCampaign, staff: Actor, judges: list[Actor], rng: random.Random, *, closes: dt.datetime
) -> None:
    honour.campaign_vote_close(actor=staff, campaign=campaign, now=closes)
    items = list(campaign.rubric.all())
    finalists = list(campaign.nominations.filter(status="approved"))
    for judge in judges:
        honour.scores_record(
            actor=judge,
            campaign=campaign,
            points={(n.pk, i.pk): rng.randint(i.max_points * 6 // 10, i.max_points) for n in finalists for i in items},
        )
    honour.campaign_decide(actor=staff, campaign=campaign)
    for category in campaign.categories.order_by("position"):
        for result in HonourResult.objects.filter(category=category, needs_decision=True, is_winner=False).order_by(
            "id"
        ):
            if HonourResult.objects.filter(category=category, is_winner=True).count() < category.winners:
                honour.tie_resolve(actor=staff, result=result, note="评审小组会议讨论决定")
        for result in HonourResult.objects.filter(category=category, is_winner=True):
            honour.citation_write(actor=staff, result=result, text=CITATIONS[CategoryKind(category.kind)])
    honour.campaign_publish(actor=staff, campaign=campaign)


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    shequ, jiedao = _staff("shequ"), _staff("jiedao")
    if shequ is None or jiedao is None:
        return "publicity.honour: 无演示工作人员，跳过"
    compound = personas_compound()
    step = Node.steplen
    above = [compound.path[: i * step] for i in range(1, len(compound.path) // step)]
    community = Node.objects.filter(path__in=above, kind=NodeKind.COMMUNITY).first()
    jumin_user = User.objects.filter(username="jumin").first()
    jumin = actor_for_user(jumin_user) if jumin_user is not None else None
    nominators = [a for a in (jumin, shequ) if a is not None]
    judges = [User.objects.get(username="shequ"), User.objects.get(username="jiedao")]
    has_volunteers = Volunteer.objects.filter(subtree_q("person__org_path", compound.path)).count() >= 2
    now = timezone.now()
    day = dt.timedelta(days=1)
    made = []

    # 1. Finished and published.
    planned = _plan(compound, _categories(has_volunteers), rng, per_category=4)
    if not planned:
        return "publicity.honour: 范围内没有足够的候选对象，跳过"
    done = honour.campaign_create(
        actor=shequ,
        scope=compound,
        title=f"{compound.name}{today.year}年度“文明楼栋·好婆婆·好媳妇”评选",
        description="由居民推荐、社区审核，经群众投票和评委评审产生，结果在光荣榜公示。",
        categories=[spec for spec, _found in planned],
        rubric=[
            RubricSpec(name="事迹真实感人", max_points=40),
            RubricSpec(name="群众认可度", max_points=30),
            RubricSpec(name="示范带动作用", max_points=30),
        ],
        judges=judges,
        vote_weight_percent=60,
    )
    honour.campaign_nominations_open(actor=shequ, campaign=done)
    for n in _nominate(done, planned, nominators, rng, photos=True):
        honour.nomination_review(actor=shequ, nomination=n, approve=True)
    honour.campaign_nominations_close(actor=shequ, campaign=done)
    opened = now - 20 * day
    closes = now - 10 * day
    done = honour.campaign_vote_open(actor=shequ, campaign=done, closes_at=closes, now=opened)
    stack = _ballots(rng, done, skip_user=None)
    size = max(1, len(stack) // BATCHES)
    assert done.poll is not None  # noqa: S101
    for i in range(0, len(stack), size):
        # Evenings and weekend mornings, when residents are home: the audit's hours are not flat.
        at = opened + dt.timedelta(
            days=1 + i // size, hours=rng.choice([9, 10, 19, 20, 21]), minutes=rng.randint(0, 50)
        )
        votes.paper_ballots_enter(
            actor=shequ, poll=done.poll, ballots=stack[i : i + size], now=min(at, closes - dt.timedelta(hours=1))
        )
    _finish(done, shequ, [jiedao, shequ], rng, closes=closes)
    made.append(f"已公布（{len(stack)}张选票）")

    # 2. In its public vote: jumin may still vote.
    planned = _plan(
        compound,
        [CategorySpec(kind=CategoryKind.BUILDING, name="最美楼道", winners=2, max_choices=2)],
        rng,
        per_category=4,
    )
    if planned:
        voting = honour.campaign_create(
            actor=shequ,
            scope=compound,
            title=f"{compound.name}“最美楼道”评选",
            categories=[spec for spec, _found in planned],
            rubric=[RubricSpec(name="整洁美观", max_points=10)],
            judges=judges,
            vote_weight_percent=70,
        )
        honour.campaign_nominations_open(actor=shequ, campaign=voting)
        for n in _nominate(voting, planned, nominators, rng, photos=False):
            honour.nomination_review(actor=shequ, nomination=n, approve=True)
        honour.campaign_nominations_close(actor=shequ, campaign=voting)
        voting = honour.campaign_vote_open(actor=shequ, campaign=voting, closes_at=now + 6 * day, now=now - day)
        stack = _ballots(rng, voting, skip_user=jumin_user.pk if jumin_user else None)[:120]
        assert voting.poll is not None  # noqa: S101
        votes.paper_ballots_enter(actor=shequ, poll=voting.poll, ballots=stack, now=now - dt.timedelta(hours=3))
        made.append(f"投票中（{len(stack)}张选票）")

    # 3. Open for nomination over the community.
    planned = _plan(community, _categories(False)[1:], rng, per_category=2, minimum=1) if community is not None else []
    if community is not None and planned:
        open_ = honour.campaign_create(
            actor=shequ,
            scope=community,
            title=f"{community.name}{today.year}年度文明家庭评选",
            categories=[spec for spec, _found in planned],
            rubric=[RubricSpec(name="家风家教", max_points=50), RubricSpec(name="邻里口碑", max_points=50)],
            judges=judges,
            vote_weight_percent=60,
            allows_self_nomination=True,
        )
        honour.campaign_nominations_open(actor=shequ, campaign=open_)
        nominations = _nominate(open_, planned, [shequ], rng, photos=False)
        for n in nominations[:2]:
            honour.nomination_review(actor=shequ, nomination=n, approve=True)
        made.append(f"提名中（{len(nominations)}个提名）")
    categories = HonourCategory.objects.count()
    return f"publicity.honour: {compound.name}：" + "；".join(made) + f"；{categories}个类别"
