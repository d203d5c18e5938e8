"""Reads of notices: a reader's inbox, the public board of a compound, the keeper's list, the read rate per
grid (from the tallies, never a count over the recipients) and the recipients a worker may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.campaigns.choices import CampaignKind
from gongzhi.campaigns.models import Campaign
from gongzhi.campaigns.permissions import visible_campaigns
from gongzhi.core.actors import Actor, subtree_q
from gongzhi.publicity.choices import ActivityKind, NoticeStatus
from gongzhi.publicity.models import (
    NO_GRID,
    STAFF_BUCKET,
    ActivityPhoto,
    Notice,
    NoticeTally,
    PublicityActivity,
    Recipient,
)
from gongzhi.publicity.permissions import (
    GRID_ROLES,
    activity_paths,
    can_manage_notice,
    composer_paths,
    followed_notices,
    inbox_q,
    visible_activities,
    visible_notices,
    visible_recipients,
)
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node


def _live_q(now: dt.datetime) -> Q:
    """Published and not expired."""
    return Q(status=NoticeStatus.PUBLISHED) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def inbox_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notice]:
    """The notices addressed to the actor that are out, pinned first, with when they read each."""
    mine = Recipient.objects.filter(inbox_q(actor), notice_id=OuterRef("pk"))
    rows = (
        Notice.objects.filter(_live_q(timezone.now()))
        .filter(Exists(mine))
        .annotate(my_read_at=Subquery(mine.filter(read_at__isnull=False).values("read_at")[:1]))
        .select_related("node")
    )
    if unread_only:
        rows = rows.filter(my_read_at__isnull=True)
    return rows.order_by("-is_pinned", "-published_at", "-pk")


def inbox_unread_count(*, actor: Actor) -> int:
    return inbox_list(actor=actor, unread_only=True).count()


def notice_for_reader(*, actor: Actor, notice_id: int) -> Notice:
    """A notice the actor may open: one addressed to them and out, or one they keep or follow. A public
    notice is read by everyone else on its compound's board (board_list)."""
    now = timezone.now()
    mine = Recipient.objects.filter(inbox_q(actor), notice_id=OuterRef("pk"))
    allowed = (
        Q(_live_q(now), Exists(mine))
        | Q(pk__in=visible_notices(actor).values("pk"))
        | Q(pk__in=followed_notices(actor).values("pk"))
    )
    return get_object_or_404(
        Notice.objects.filter(allowed).select_related("node").prefetch_related("attachments"), pk=notice_id
    )


def board_list(*, compound: Node) -> QuerySet[Notice]:
    """The public board of a compound: public notices that are out, published from it or from above it."""
    above = [compound.path[:i] for i in range(Node.steplen, len(compound.path) + 1, Node.steplen)]
    return (
        Notice.objects.filter(_live_q(timezone.now()), is_public=True, node__path__in=above)
        .select_related("node")
        .order_by("-is_pinned", "-published_at", "-pk")
    )


def board_compound_get(*, compound_id: int) -> Node:
    return get_object_or_404(Node, pk=compound_id, kind=NodeKind.COMPOUND)


def notice_list(*, actor: Actor, status: str = "", search: str = "") -> QuerySet[Notice]:
    rows = visible_notices(actor).select_related("node")
    if status in NoticeStatus.values:
        rows = rows.filter(status=status)
    search = search.strip()
    if search:
        rows = rows.filter(title__contains=search)
    return rows.order_by("-created_at", "-pk")


def followed_list(*, actor: Actor) -> QuerySet[Notice]:
    """For a grid worker: the notices that went to residents of their grids, newest first."""
    return (
        followed_notices(actor).filter(status=NoticeStatus.PUBLISHED).select_related("node").order_by("-published_at")
    )


def notice_get(*, actor: Actor, notice_id: int) -> Notice:
    """A notice the actor keeps or follows (its read rate); anything else is 404."""
    rows = Notice.objects.filter(
        Q(pk__in=visible_notices(actor).values("pk")) | Q(pk__in=followed_notices(actor).values("pk"))
    )
    return get_object_or_404(rows.select_related("node").prefetch_related("attachments"), pk=notice_id)


@dataclass
class TallyRow:
    label: str
    grid_key: int
    community_path: str
    recipients: int
    read: int
    told: int

    @property
    def reached(self) -> int:
        return self.read + self.told

    @property
    def unread(self) -> int:
        return self.recipients - self.reached

    @property
    def permille(self) -> int:
        return (self.reached * 1000 + self.recipients // 2) // self.recipients if self.recipients else 0

    @property
    def percent(self) -> str:
        """Reached ÷ recipients to one decimal, in integers."""
        if not self.recipients:
            return "—"
        permille = (self.reached * 1000 + self.recipients // 2) // self.recipients
        return f"{permille // 10}.{permille % 10}%"


@dataclass
class ReadRate:
    """Rows per community (``level`` "community", each opening its grids) when a notice spans several and
    none is chosen; otherwise rows per grid. ``total`` is over everything the actor may see."""

    rows: list[TallyRow] = field(default_factory=list)
    total: TallyRow = field(default_factory=lambda: TallyRow("", 0, "", 0, 0, 0))
    level: str = "grid"
    community_name: str = ""


def _sum(label: str, grid_key: int, community_path: str, tallies: list[NoticeTally]) -> TallyRow:
    return TallyRow(
        label,
        grid_key,
        community_path,
        sum(t.recipients for t in tallies),
        sum(t.read for t in tallies),
        sum(t.told for t in tallies),
    )


def read_rate(*, actor: Actor, notice: Notice, community_path: str = "") -> ReadRate:
    """Read, told and unread as far as the actor may see (the keeper every row, a grid worker their grids):
    per community when the notice spans several (a subdistrict's hundreds of grids do not fit a phone),
    per grid within one community (residents in no grid as one row of it; staff as one row)."""
    tallies = list(NoticeTally.objects.filter(notice=notice))
    if not can_manage_notice(actor, notice):
        mine = actor.grid_ids(*GRID_ROLES)
        tallies = [t for t in tallies if t.grid_key in mine]
    paths = {t.community_path for t in tallies if t.community_path}
    names = dict(Node.objects.filter(path__in=paths).values_list("path", "name"))
    rate = ReadRate(total=_sum("", 0, "", tallies))
    if len(paths) > 1 and community_path not in paths:
        rate.level = "community"
        for path in sorted(paths):
            rate.rows.append(_sum(names.get(path, ""), 0, path, [t for t in tallies if t.community_path == path]))
        staff = [t for t in tallies if t.grid_key == STAFF_BUCKET]
        if staff:
            rate.rows.append(_sum(_("工作人员"), STAFF_BUCKET, "", staff))
        return rate
    if community_path in paths:
        tallies = [t for t in tallies if t.community_path == community_path]
        rate.community_name = names.get(community_path, "")
    grids = {g.pk: g for g in Grid.objects.filter(pk__in=[t.grid_key for t in tallies if t.grid_key > 0])}
    ordered = []
    for t in tallies:
        if t.grid_key == STAFF_BUCKET:
            label, order = _("工作人员"), "~"
        elif t.grid_key == NO_GRID:
            label, order = _("未划网格"), f"{t.community_path}~"
        else:
            grid = grids.get(t.grid_key)
            label, order = (grid.name if grid else ""), f"{t.community_path}{grid.code if grid else ''}"
        ordered.append((order, TallyRow(label, t.grid_key, t.community_path, t.recipients, t.read, t.told)))
    ordered.sort(key=lambda pair: pair[0])
    rate.rows = [row for _order, row in ordered]
    return rate


def recipient_list(
    *, actor: Actor, notice: Notice, grid_key: int | None = None, community_path: str = "", state: str = ""
) -> QuerySet[Recipient]:
    """The recipients the actor may see, of one grid (or of a community's residents in no grid), by state:
    unread (neither read nor told), read, told."""
    rows = visible_recipients(actor, notice)
    if grid_key == STAFF_BUCKET:
        rows = rows.filter(person__isnull=True)
    elif grid_key == NO_GRID:
        rows = rows.filter(person__isnull=False, grid__isnull=True)
        if community_path:
            rows = rows.filter(subtree_q("org_path", community_path))
    elif grid_key is not None:
        rows = rows.filter(grid_id=grid_key)
    if state == "unread":
        rows = rows.filter(read_at__isnull=True, told_at__isnull=True)
    elif state == "read":
        rows = rows.filter(read_at__isnull=False)
    elif state == "told":
        rows = rows.filter(told_at__isnull=False, read_at__isnull=True)
    return rows.select_related("person", "person__household__dwelling", "user").order_by("org_path", "pk")


def recipient_get(*, actor: Actor, recipient_id: int) -> Recipient:
    recipient = get_object_or_404(Recipient.objects.select_related("notice", "notice__node"), pk=recipient_id)
    if not visible_recipients(actor, recipient.notice).filter(pk=recipient.pk).exists():
        raise Http404
    return recipient


def composer_nodes(*, actor: Actor) -> list[Node]:
    """Nodes the actor may publish from and target: their territory down to the buildings."""
    paths = composer_paths(actor)
    if actor.is_system:
        return list(Node.objects.exclude(kind=NodeKind.UNIT).order_by("path"))
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q("path", path)
    return list(Node.objects.filter(q).exclude(kind=NodeKind.UNIT).order_by("path"))


def composer_grids(*, actor: Actor) -> list[Grid]:
    paths = composer_paths(actor)
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q("org_path", path)
    return list(Grid.objects.filter(q, is_active=True).order_by("org_path", "sequence"))


# --- Offline publicity activities ----------------------------------------------------------------------


def activity_list(*, actor: Actor, kind: str = "", year: int | None = None) -> QuerySet[PublicityActivity]:
    rows = visible_activities(actor).select_related("node", "campaign").prefetch_related("photos")
    if kind in ActivityKind.values:
        rows = rows.filter(kind=kind)
    if year is not None:
        rows = rows.filter(held_on__year=year)
    return rows.order_by("-held_on", "-pk")


@dataclass(frozen=True)
class ActivityCounts:
    activities: int
    reach: int
    by_kind: dict[str, int]


def activity_counts(*, actor: Actor, since: dt.date, until: dt.date) -> ActivityCounts:
    """How many offline publicity activities, and how many people they reached, between two dates: the
    cockpit's figure, over the actor's territory."""
    rows = visible_activities(actor).filter(held_on__gte=since, held_on__lte=until)
    by_kind = dict(rows.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    total = rows.aggregate(n=Count("pk"), reach=Sum("reach"))
    return ActivityCounts(activities=int(total["n"] or 0), reach=int(total["reach"] or 0), by_kind=by_kind)


def activity_get(*, actor: Actor, activity_id: int) -> PublicityActivity:
    return get_object_or_404(
        visible_activities(actor).select_related("node", "campaign").prefetch_related("photos"), pk=activity_id
    )


def activity_photo_get(*, actor: Actor, photo_id: int) -> ActivityPhoto:
    return get_object_or_404(ActivityPhoto.objects.filter(activity__in=visible_activities(actor)), pk=photo_id)


def activity_nodes(*, actor: Actor) -> list[Node]:
    """Where the actor may record: the communities, areas and compounds of their territory."""
    paths = activity_paths(actor)
    if actor.is_system:
        q = Q()
    else:
        q = Q(pk__in=[])
        for path in paths:
            q |= subtree_q("path", path)
    kinds = (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.AREA, NodeKind.COMPOUND)
    return list(Node.objects.filter(q, kind__in=kinds).order_by("path"))


def activity_campaigns(*, actor: Actor) -> list[Campaign]:
    """Door-to-door campaigns a leaflet round may be part of: publicity campaigns the actor sees."""
    return list(visible_campaigns(actor).filter(kind=CampaignKind.PUBLICITY).order_by("-starts_on")[:50])


# --- the cockpit's figures (dashboards.sources.publicity) ---------------------------------------------
# By the day a notice was published (Asia/Shanghai), withdrawn ones included: they were published.


def _published_day(field_name: str) -> TruncDate:
    return TruncDate(field_name, tzinfo=timezone.get_default_timezone())


def cockpit_day_notices(*, since: dt.date, until: dt.date, prefix: int) -> list[tuple[dt.date, str, int]]:
    """Notices published per (day, place): a notice counts once, at the node that published it."""
    rows = (
        _published_notices(since, until)
        .values_list(_published_day("published_at"), Substr("node__path", 1, prefix))
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(rows)


def cockpit_day_tallies(*, since: dt.date, until: dt.date, prefix: int) -> list[tuple[dt.date, int, str, int, int]]:
    """Residents a notice was sent to and reached (read, or told in person), per (publication day, grid key,
    place) from the notices' tallies: a grid's at its compound (its community when it lies in no compound),
    residents in no grid (grid key 0) at their community. Staff recipients are not counted."""
    grid_place = Grid.objects.filter(pk=OuterRef("grid_key")).values_list(
        Substr(Coalesce("compound__path", "community__path"), 1, prefix)
    )[:1]
    rows = (
        NoticeTally.objects.filter(notice__in=_published_notices(since, until), grid_key__gte=NO_GRID)
        .annotate(
            day=_published_day("notice__published_at"),
            place=Case(
                When(grid_key=NO_GRID, then=Substr("community_path", 1, prefix)),
                default=Subquery(grid_place),
            ),
        )
        .values_list("day", "grid_key", "place")
        .annotate(recipients=Sum("recipients"), reached=Sum(F("read") + F("told")))
        .order_by()
    )
    return [(day, grid, place or "", int(n or 0), int(r or 0)) for day, grid, place, n, r in rows]


def _published_notices(since: dt.date, until: dt.date) -> QuerySet[Notice]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return Notice.objects.filter(published_at__gte=start, published_at__lt=end)


def cockpit_day_activities(*, since: dt.date, until: dt.date, prefix: int) -> list[tuple[dt.date, str, int]]:
    """Offline publicity activities per (day held, place of the node they were held for)."""
    rows = (
        PublicityActivity.objects.filter(held_on__gte=since, held_on__lte=until)
        .values_list("held_on", Substr("node__path", 1, prefix))
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(rows)


def cockpit_mark() -> int:
    """Changes to notices and activities, and every read or in-person tell counted on a tally: tallies are
    counted up in place, so their sum moves whenever someone reads."""
    notices = Notice.objects.aggregate(n=Max("pk"), at=Max("updated_at"))
    activities = PublicityActivity.objects.aggregate(n=Max("pk"), at=Max("updated_at"))
    reached = NoticeTally.objects.aggregate(n=Sum(F("read") + F("told")))["n"] or 0
    stamps = [int(x["at"].timestamp()) for x in (notices, activities) if x["at"] is not None]
    return (notices["n"] or 0) + (activities["n"] or 0) + int(reached) + sum(stamps)


def cockpit_first_day() -> dt.date | None:
    first = Notice.objects.filter(published_at__isnull=False).aggregate(at=Min("published_at"))["at"]
    held = PublicityActivity.objects.aggregate(day=Min("held_on"))["day"]
    days = [d for d in (first.astimezone(timezone.get_default_timezone()).date() if first else None, held) if d]
    return min(days, default=None)
