"""Demo 广言亭 and 议事角 in the personas' compound, made through the consultation services.

- a topic that went the whole way: jumin's suggestion, supports, discussion, a meeting with minutes, a
  resolution voted by the households, a published result notice and follow-up actions (one done);
- a topic whose resolution vote is open (jumin has not voted yet);
- a topic in discussion;
- suggestions still gathering supports, one hidden by a moderator (in the public log) and one reported.

Supporting needs a login: a few adult residents of the compound get one (with no usable password;
they exist so that supports and posts have authors). The support threshold of the compound is set low
enough for the demo's residents to reach it.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.consultation import services
from gongzhi.consultation.choices import ModerationKind, Party
from gongzhi.consultation.models import Topic
from gongzhi.core.actors import subtree_q
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Person
from gongzhi.votes import services as votes
from gongzhi.votes.demo import personas_compound
from gongzhi.votes.models import Option, RollEntry

SUGGESTIONS = [
    ("东门加装雨棚", "下雨天东门进出没有遮挡，老人孩子容易淋雨滑倒，建议加装透明雨棚。"),
    ("增设电动车充电桩", "楼道里充电太危险，建议在自行车棚增设带计费的充电桩。"),
    ("楼道照明改造", "3号楼楼道灯经常坏，建议换成声控LED灯。"),
    ("小区健身器材维修", "中心花园的漫步机坏了两个月了。"),
    ("垃圾分类点加盖", "夏天异味大，蚊蝇多。"),
    ("增加儿童游乐设施", "小区孩子多，只有一个滑梯。"),
]
POSTS = [
    "支持，希望尽快落实。",
    "建议先征求同楼栋邻居的意见。",
    "费用怎么出？希望公开预算。",
    "可以用公共收益列支，业委会可以先出个方案。",
]
RESIDENT_LOGINS = 12


def _resident_logins(compound_path: str, rng: random.Random, today: dt.date) -> list[User]:
    """Logins for some adult residents of the compound (unusable passwords), so supports have authors."""
    adult = today.replace(year=today.year - 18)
    people = list(
        Person.objects.filter(
            subtree_q("org_path", compound_path),
            status=PersonStatus.RESIDENT,
            household__isnull=False,
            born_on__lte=adult,
        ).order_by("id")[:400]
    )
    with_login = [p for p in people if p.user_id is not None]
    without = [p for p in people if p.user_id is None]
    users = list(User.objects.filter(pk__in=[p.user_id for p in with_login]))
    for person in rng.sample(without, k=min(RESIDENT_LOGINS, len(without))):
        user = User.objects.create_user(username=f"resident{person.pk}", password=None, full_name=person.name)
        Person.objects.filter(pk=person.pk).update(user=user)
        users.append(user)
    return users


def _households_stack(
    rng: random.Random, poll_id: int, share: float, skip_user: int | None
) -> list[tuple[str, dict[str, list[int]]]]:
    entries = RollEntry.objects.filter(poll_id=poll_id).order_by("id")
    if skip_user is not None:  # leave the demo resident's household to vote by hand
        entries = entries.exclude(persons__user_id=skip_user)
    keys = list(entries.values_list("voter_key", flat=True))
    options = dict(Option.objects.filter(question__poll_id=poll_id).values_list("value", "pk"))
    question_id = str(Option.objects.filter(question__poll_id=poll_id).values_list("question_id", flat=True).first())
    chosen = rng.sample(keys, k=round(len(keys) * share))
    values = rng.choices(["yes", "no", "abstain"], weights=[70, 20, 10], k=len(chosen))
    return [(key, {question_id: [options[v]]}) for key, v in zip(chosen, values, strict=True)]


@transaction.atomic
def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    compound = personas_compound()
    jumin_user = User.objects.filter(username="jumin").first()
    shequ_user = User.objects.filter(username="shequ").first()
    if jumin_user is None or shequ_user is None:
        return "consultation: 缺少 jumin 或 shequ，未生成议事数据"
    jumin, shequ = actor_for_user(jumin_user), actor_for_user(shequ_user)
    residents = [u for u in _resident_logins(compound.path, rng, today) if u.pk != jumin_user.pk]
    if len(residents) < 2:
        return "consultation: 小区居民太少，未生成议事数据"
    actors = [actor_for_user(u) for u in residents]
    threshold = max(2, min(8, len(actors) * 2 // 3))
    services.support_threshold_set(actor=shequ, node=compound, supports=threshold)
    # Past moments for the meeting: before the seed's day and before the clock, whichever is earlier.
    past = min(dt.datetime.combine(today, dt.time(19, 0), tzinfo=ZoneInfo(settings.TIME_ZONE)), timezone.now())

    posted = [
        services.suggestion_post(actor=jumin if i < 3 else rng.choice(actors), scope=compound, title=title, body=body)
        for i, (title, body) in enumerate(SUGGESTIONS)
    ]
    for suggestion in posted[:3]:
        for supporter in actors[:threshold]:
            services.suggestion_support(actor=supporter, suggestion=suggestion)
    for suggestion in posted[3:]:
        for supporter in rng.sample(actors, k=rng.randint(0, threshold - 1)):
            if supporter.user_id != suggestion.author_id:
                services.suggestion_support(actor=supporter, suggestion=suggestion)
    done, voting, talking = (Topic.objects.get(suggestion=s) for s in posted[:3])

    for topic in (done, voting, talking):
        for text in rng.sample(POSTS, k=3):
            services.post_add(actor=rng.choice([*actors, jumin]), topic=topic, body=text)
    spam = services.post_add(actor=rng.choice(actors), topic=talking, body="低价装修，加微信咨询。")
    services.post_moderate(actor=shequ, post=spam, kind=ModerationKind.HIDE, reason="商业广告，与议题无关")

    for days, topic in ((12, done), (3, voting)):
        meeting = services.meeting_convene(
            actor=shequ,
            topic=topic,
            starts_at=past - dt.timedelta(days=days),
            place="社区党群服务中心议事厅",
            invited=[Party.RESIDENTS_COMMITTEE, Party.OWNERS_COMMITTEE, Party.PROPERTY_COMPANY, Party.RESIDENTS],
        )
        services.meeting_minutes_record(
            actor=shequ,
            meeting=meeting,
            minutes=f"围绕“{topic.title}”听取居民意见。物业介绍了方案和费用，业委会同意提交居民表决。",
            attendees=[
                ("王芳", Party.RESIDENTS_COMMITTEE),
                ("赵建国", Party.OWNERS_COMMITTEE),
                ("李强", Party.PROPERTY_COMPANY),
                ("张桂兰", Party.RESIDENTS),
                ("刘洋", Party.RESIDENTS),
            ],
        )

    now = timezone.now()
    resolution = services.resolution_propose(
        actor=shequ, topic=done, text="同意在东门加装透明雨棚，费用由公共收益列支", closes_at=now + dt.timedelta(days=7)
    )
    votes.paper_ballots_enter(
        actor=shequ, poll=resolution.poll, ballots=_households_stack(rng, resolution.poll_id, 0.6, None)
    )
    services.resolution_close(actor=shequ, topic=done)
    first = services.follow_up_add(
        actor=shequ,
        topic=done,
        description="物业提交雨棚设计和报价",
        owner_name="李强",
        owner_party=Party.PROPERTY_COMPANY,
        due_on=today + dt.timedelta(days=10),
    )
    services.follow_up_add(
        actor=shequ,
        topic=done,
        description="完成雨棚安装并组织验收",
        owner_name="赵建国",
        owner_party=Party.OWNERS_COMMITTEE,
        due_on=today + dt.timedelta(days=45),
    )
    services.topic_publish(
        actor=shequ,
        topic=done,
        body="经居民表决，同意在东门加装透明雨棚，费用由公共收益列支。物业10日内提交设计和报价，业委会组织安装验收。",
    )
    services.follow_up_done(actor=shequ, follow_up=first, note="设计和报价已在公告栏公示")

    open_vote = services.resolution_propose(
        actor=shequ, topic=voting, text="同意在自行车棚增设电动车充电桩", closes_at=now + dt.timedelta(days=10)
    )
    votes.paper_ballots_enter(
        actor=shequ, poll=open_vote.poll, ballots=_households_stack(rng, open_vote.poll_id, 0.3, jumin_user.pk)
    )

    hidden = services.suggestion_post(actor=rng.choice(actors), scope=compound, title="出售车位", body="有意者电联。")
    services.suggestion_moderate(
        actor=shequ, suggestion=hidden, kind=ModerationKind.HIDE, reason="个人买卖信息，不属于小区公共事务"
    )
    services.report_add(actor=rng.choice(actors), suggestion=posted[4], reason="与之前的建议重复")
    return (
        f"consultation: {compound.name}：{len(posted) + 1} 条建议（支持门槛 {threshold}），"
        f"3 个议题（已公示、表决中、讨论中），{len(residents)} 位居民账号"
    )
