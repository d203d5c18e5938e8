"""Demo notices: a year of them from the subdistrict and the communities, published through the services
(recipients frozen as they would be), with most residents having read them, some told in person by their
grid worker, and a few pinned, scheduled, public or still drafts.

Reads are set in bulk (a share of each notice's recipients, spread over the days after publishing) and the
tallies rebuilt from them, as an operator would after a bulk correction. jumin has read and unread ones."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor
from gongzhi.publicity import services
from gongzhi.publicity.models import Notice, Recipient
from gongzhi.publicity.targets import Target
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node

SUBDISTRICT_NOTICES = [
    (
        "关于开展冬季消防安全大排查的通知",
        "<p>各小区、各网格：</p><p>即日起至月底开展冬季消防安全大排查，重点检查楼道堆物、电动车入户充电和消防通道占用。</p>",
        {},
    ),
    (
        "防范电信网络诈骗告居民书",
        "<p>近期冒充客服、公检法的诈骗多发。<strong>不转账、不透露验证码</strong>，有疑问拨打96110。</p>",
        {"is_pinned": True},
    ),
]
COMMUNITY_NOTICES = [
    ("高温天气防暑提醒", "<p>连日高温，请减少午间外出，多饮水；独居老人如有不适请联系网格员。</p>", "elderly"),
    ("二次供水设施清洗停水通知", "<p>本周三9:00至12:00清洗二次供水设施，届时停水，请提前储水。</p>", "compound"),
    ("业主大会表决结果公示", "<p>本次业主大会表决事项已获通过，详细结果见公告栏。</p>", "public"),
    ("网格员例会通知", "<p>本周五下午3点在社区会议室召开网格员例会，请准时参加。</p>", "staff"),
    ("垃圾分类桶站调整告知", "<p>为方便居民投放，部分桶站位置调整，请按新标识投放。</p>", "community"),
    ("老年人免费体检预约", "<p>社区卫生服务中心为65岁以上老人提供免费体检，请到社区登记预约。</p>", "elderly"),
]


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    subdistrict = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("path").first()
    if subdistrict is None:
        return "publicity: 0 条通知"
    system = Actor.system("seed_demo")
    now = timezone.now()
    made: list[Notice] = []

    def out(node: Node, title: str, body: str, target: Target, days_ago: int, **extra: object) -> Notice:
        notice = services.notice_create(
            actor=system,
            data=services.NoticeData(title=title, body=body, node=node, target=target, **extra),  # type: ignore[arg-type]
        )
        notice = services.notice_publish(actor=system, notice=notice, now=now - dt.timedelta(days=days_ago))
        made.append(notice)
        return notice

    for i, (title, body, extra) in enumerate(SUBDISTRICT_NOTICES):
        out(subdistrict, title, body, Target(), days_ago=20 + 150 * i, **extra)
    communities = list(Node.objects.filter(kind=NodeKind.COMMUNITY).order_by("path"))
    for c_index, community in enumerate(communities):
        compounds = list(Node.objects.filter(kind=NodeKind.COMPOUND, path__startswith=community.path).order_by("path"))
        grids = list(Grid.objects.filter(community=community, is_active=True, sequence__gt=0).order_by("sequence"))
        for n_index, (title, body, kind) in enumerate(COMMUNITY_NOTICES):
            days_ago = 5 + (n_index * 53 + c_index * 11) % 340
            compound = compounds[(n_index + c_index) % len(compounds)] if compounds else community
            if kind == "elderly" and grids:
                target = Target(grids=(grids[n_index % len(grids)].pk,), care_tags=("elderly_alone",))
            elif kind in ("compound", "public"):
                target = Target(nodes=(compound.pk,))
            elif kind == "staff":
                target = Target(residents=False, roles=(Role.GRID_HEAD, Role.GRID_WORKER, Role.BUILDING_HEAD))
            else:
                target = Target()
            out(community, title, body, target, days_ago=days_ago, is_public=kind == "public")
    _reads(made, rng)
    # Something still to do: a draft and a scheduled notice of the first community.
    if communities:
        services.notice_create(
            actor=system,
            data=services.NoticeData(
                title="春节前安全检查安排（草稿）", body="<p>待定。</p>", node=communities[0], target=Target()
            ),
        )
        scheduled = services.notice_create(
            actor=system,
            data=services.NoticeData(
                title="元旦文艺汇演邀请",
                body="<p>欢迎居民到社区广场观看元旦文艺汇演。</p>",
                node=communities[0],
                target=Target(),
                publish_at=now + dt.timedelta(days=3),
            ),
        )
        services.notice_publish(actor=system, notice=scheduled)
    recipients = Recipient.objects.count()
    return f"publicity: {len(made) + 2} 条通知, {recipients} 个收件人"


def _reads(notices: list[Notice], rng: random.Random) -> None:
    """Most recipients read within days; an older notice more of them. A share of the unread in each grid
    was told in person. The most recent notices keep more unread, so the pages have work to show."""
    for notice in notices:
        assert notice.published_at is not None  # noqa: S101 - published above
        age = (timezone.now() - notice.published_at).days
        share = 4 if age < 10 else rng.randint(6, 9)  # tenths read
        told = 1 if age >= 10 else 0
        rows = Recipient.objects.filter(notice=notice)
        # Deterministic, spread selection by id (a modulus), written with one UPDATE each.
        rows.filter(pk__in=_pick(rows, share)).update(read_at=notice.published_at + dt.timedelta(hours=age % 20 + 1))
        if told:
            unread = rows.filter(read_at__isnull=True, person__isnull=False)
            unread.filter(pk__in=_pick(unread, told * 3, digit=1)).update(
                told_at=notice.published_at + dt.timedelta(days=2)
            )
        services.tallies_rebuild(notice)


def _pick(rows: QuerySet[Recipient], tenths: int, *, digit: int = 0) -> list[int]:
    """The rows whose id's ``digit``-th decimal digit is below ``tenths``: a spread, repeatable share."""
    return [pk for pk in rows.values_list("pk", flat=True) if (pk // 10**digit) % 10 < tenths]
