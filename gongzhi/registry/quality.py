"""数据质量: the registry rows that fall outside the territory, so that a campaign's 不漏一户 can be kept.

Five checks, each counted per community and listed for the one chosen:
- buildings in no grid (their households go to the community's 未划网格 bucket of every campaign);
- dwellings whose building has no grid (the same gap seen from the homes);
- active households with no dwelling (imported from a paper ledger by compound, say);
- residents in no active household;
- people registered twice: the same name and birth date in one community where at least one of them has
  no identity number. Two people with the same identity number cannot exist: the blind index of the
  number is unique (a 15-digit number is stored as the 18-digit number it became), so the registry
  refuses the second at entry; what slips through is the record made without a number.

Scope: the staff who see the registry below a node (subdistrict officers, community workers, 包保 cadres);
grid workers see only their grids, which these rows by definition are not in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q, subtree_q
from gongzhi.core.audit import access_record
from gongzhi.core.pinyin import mask_name
from gongzhi.core.xlsx import Column, xlsx_response
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Dwelling, Household, Person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.selectors import place_labels

QUALITY_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER, Role.LEAD_CADRE, Role.RESPONSIBLE_CADRE)
# subdistrict → community: a community's path is the first two steps of every path below it.
COMMUNITY_PATH_LENGTH = 2 * Node.steplen


@dataclass(frozen=True)
class Check:
    key: str
    label: Any
    fix: Any


CHECKS = (
    Check("buildings", gettext_lazy("未划入网格的楼栋"), gettext_lazy("划入网格")),
    Check("dwellings", gettext_lazy("所在楼栋无网格的房屋"), gettext_lazy("把楼栋划入网格")),
    Check("households", gettext_lazy("未关联房屋的住户"), gettext_lazy("关联房屋")),
    Check("people", gettext_lazy("不在任何在册住户中的人员"), gettext_lazy("加入住户或办理迁出")),
    Check("duplicates", gettext_lazy("疑似重复登记的人员"), gettext_lazy("核对后合并或更正")),
)
CHECK_KEYS = tuple(c.key for c in CHECKS)


def may_see_quality(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(*QUALITY_ROLES)


def _scope_q(actor: Actor, field_name: str) -> Q:
    if actor.is_system:
        return Q()
    paths = actor.paths(*QUALITY_ROLES)
    if not paths:
        return Q(pk__in=[])
    return any_subtree_q(field_name, paths)


def _rows(actor: Actor, key: str) -> tuple[QuerySet[Any], str]:
    """The rows of one check in the actor's scope, and the name of their path field."""
    if key == "buildings":
        return Node.objects.filter(_scope_q(actor, "path"), kind=NodeKind.BUILDING, grid__isnull=True), "path"
    if key == "dwellings":
        return Dwelling.objects.filter(_scope_q(actor, "org_path"), grid__isnull=True), "org_path"
    if key == "households":
        return Household.objects.filter(_scope_q(actor, "org_path"), is_active=True, dwelling__isnull=True), "org_path"
    if key == "people":
        homeless = Q(household__isnull=True) | Q(household__is_active=False)
        return Person.objects.filter(_scope_q(actor, "org_path"), homeless, status=PersonStatus.RESIDENT), "org_path"
    if key == "duplicates":
        return _duplicates(actor), "org_path"
    raise Http404


# More groups than this is not a list anyone works through; the page says the count of the first ones.
MAX_DUPLICATE_GROUPS = 2000


def _duplicates(actor: Actor) -> QuerySet[Person]:
    """Residents who share name, birth date and community with another, one of them without an ID number.

    One GROUP BY finds the groups (a correlated subquery per resident took half a minute at tier S);
    the rows are then those of the groups found.
    """
    residents = Person.objects.filter(_scope_q(actor, "org_path"), status=PersonStatus.RESIDENT, born_on__isnull=False)
    groups = (
        residents.annotate(community=Substr("org_path", 1, COMMUNITY_PATH_LENGTH))
        .values_list("community", "name", "born_on")
        .annotate(n=Count("pk"), numberless=Count("pk", filter=Q(id_bidx__isnull=True)))
        .filter(n__gt=1, numberless__gte=1)
        .order_by("community", "name", "born_on")[:MAX_DUPLICATE_GROUPS]
    )
    match = Q(pk__in=[])
    for community, name, born_on, _n, _numberless in groups:
        match |= Q(org_path__startswith=community, name=name, born_on=born_on)
    return residents.filter(match)


@dataclass
class CommunityCounts:
    node: Node
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[tuple[str, int]]:
        return [(key, self.counts.get(key, 0)) for key in CHECK_KEYS]

    def labelled(self) -> list[tuple[Check, int]]:
        return [(check, self.counts.get(check.key, 0)) for check in CHECKS]


def quality_counts(*, actor: Actor) -> list[CommunityCounts]:
    """One row per community in scope (with a row for anything above a community), each check's count."""
    by_prefix: dict[str, dict[str, int]] = defaultdict(dict)
    for key in CHECK_KEYS:
        rows, path_field = _rows(actor, key)
        grouped = (
            rows.annotate(bucket=Substr(path_field, 1, COMMUNITY_PATH_LENGTH))
            .values_list("bucket")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for prefix, n in grouped:
            by_prefix[prefix][key] = n
    wanted = set(by_prefix)
    if actor.is_system:
        communities = Node.objects.filter(Q(kind=NodeKind.COMMUNITY) | Q(path__in=wanted))
    else:
        paths = actor.paths(*QUALITY_ROLES)
        wanted |= {p[:COMMUNITY_PATH_LENGTH] for p in paths if len(p) >= COMMUNITY_PATH_LENGTH}
        communities = Node.objects.filter(
            Q(path__in=wanted) | Q(kind=NodeKind.COMMUNITY) & any_subtree_q("path", paths)
        )
    return [CommunityCounts(node=n, counts=by_prefix.get(n.path, {})) for n in communities.distinct().order_by("path")]


@dataclass(frozen=True)
class QualityLine:
    pk: int
    label: str
    detail: str
    path: str
    grid_choices: Sequence[tuple[int, str]] = ()
    dwelling_choices: Sequence[tuple[int, str]] = ()
    related: Sequence[tuple[int, str]] = ()
    building_id: int | None = None


def check_get(key: str) -> Check:
    for check in CHECKS:
        if check.key == key:
            return check
    raise Http404


def quality_rows(*, actor: Actor, key: str, community: Node | None) -> QuerySet[Any]:
    """The rows of one check, for one community (or all in scope), in the order of their paths."""
    rows, path_field = _rows(actor, key)
    if community is not None:
        rows = rows.filter(subtree_q(path_field, community.path))
    return rows.order_by(path_field, "pk")


def _community_grids(paths: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    prefixes = {p[:COMMUNITY_PATH_LENGTH] for p in paths}
    grids: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, org_path, name, code in (
        Grid.objects.filter(org_path__in=prefixes, is_holding=False, is_active=True)
        .order_by("code")
        .values_list("pk", "org_path", "name", "code")
    ):
        grids[org_path].append((pk, f"{name}（{code[-3:]}）"))
    return grids


def _free_dwellings(paths: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    """Up to 50 dwellings with no active household under each place, for attaching a household to one."""
    out: dict[str, list[tuple[int, str]]] = {}
    for path in set(paths):
        rows = list(
            Dwelling.objects.filter(subtree_q("org_path", path))
            .exclude(households__is_active=True)
            .order_by("org_path", "floor", "room")
            .values_list("pk", "org_path", "room")[:50]
        )
        labels = place_labels(paths=[r[1] for r in rows])
        out[path] = [(pk, f"{labels.get(org_path, '')} {room}".strip()) for pk, org_path, room in rows]
    return out


def quality_lines(*, key: str, rows: Sequence[Any]) -> list[QualityLine]:
    """What the list shows of a page of rows: place, masked names, and what the fix may choose from."""
    if key == "buildings":
        labels = place_labels(paths=[b.path for b in rows])
        grids = _community_grids([b.path for b in rows])
        households = dict(
            Household.objects.filter(any_subtree_q("org_path", [b.path for b in rows]), is_active=True)
            .annotate(building=Substr("org_path", 1, 5 * Node.steplen))
            .values_list("building")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return [
            QualityLine(
                pk=b.pk,
                label=labels.get(b.path, b.name),
                detail=_("在册 %(n)d 户") % {"n": households.get(b.path, 0)},
                path=b.path,
                grid_choices=grids.get(b.path[:COMMUNITY_PATH_LENGTH], []),
                building_id=b.pk,
            )
            for b in rows
        ]
    if key == "dwellings":
        labels = place_labels(paths=[d.org_path for d in rows])
        grids = _community_grids([d.org_path for d in rows])
        buildings = dict(
            Node.objects.filter(path__in={d.org_path[: 5 * Node.steplen] for d in rows}).values_list("path", "pk")
        )
        return [
            QualityLine(
                pk=d.pk,
                label=f"{labels.get(d.org_path, '')} {d.room}".strip(),
                detail=d.get_kind_display(),
                path=d.org_path,
                grid_choices=grids.get(d.org_path[:COMMUNITY_PATH_LENGTH], []),
                building_id=buildings.get(d.org_path[: 5 * Node.steplen]),
            )
            for d in rows
        ]
    if key == "households":
        labels = place_labels(paths=[h.org_path for h in rows])
        free = _free_dwellings([h.org_path for h in rows])
        heads = dict(Person.objects.filter(pk__in=[h.head_id for h in rows if h.head_id]).values_list("pk", "name"))
        return [
            QualityLine(
                pk=h.pk,
                label=_("户号 %(n)s") % {"n": h.number},
                detail=" · ".join(
                    x for x in (mask_name(heads[h.head_id]) if h.head_id in heads else "", labels.get(h.org_path)) if x
                ),
                path=h.org_path,
                dwelling_choices=free.get(h.org_path, []),
            )
            for h in rows
        ]
    labels = place_labels(paths=[p.org_path for p in rows])
    if key == "people":
        return [
            QualityLine(
                pk=p.pk,
                label=mask_name(p.name),
                detail=_("最后所在：%(place)s") % {"place": labels.get(p.org_path) or "—"},
                path=p.org_path,
            )
            for p in rows
        ]
    twins: dict[tuple[str, Any], list[tuple[int, str]]] = defaultdict(list)
    for p in rows:
        twins[(p.name, p.born_on)].append((p.pk, p.id_masked or _("无证件号码")))
    return [
        QualityLine(
            pk=p.pk,
            label=f"{mask_name(p.name)} · {p.born_on:%Y-%m-%d}",
            detail=p.id_masked or _("无证件号码"),
            path=p.org_path,
            related=[t for t in twins[(p.name, p.born_on)] if t[0] != p.pk],
        )
        for p in rows
    ]


EXPORT_COLUMNS = [Column(_("社区"), 14), Column(_("对象"), 30), Column(_("说明"), 30), Column(_("整改"), 18)]
EXPORT_LIMIT = 100_000


def quality_export(*, actor: Actor, key: str, community: Node | None) -> FileResponse:
    """One check's list as Excel, masked like the page, with an access-log row."""
    check = check_get(key)
    rows = list(quality_rows(actor=actor, key=key, community=community)[:EXPORT_LIMIT])
    lines = quality_lines(key=key, rows=rows)
    names = dict(
        Node.objects.filter(path__in={line.path[:COMMUNITY_PATH_LENGTH] for line in lines}).values_list("path", "name")
    )
    access_record(
        actor=actor,
        action="export",
        subject_type=f"registry.quality.{key}",
        subject_id=str(community.pk) if community else "",
        subject_label=community.name if community else _("全部"),
        fields="masked",
        reason=_("数据质量整改清单"),
        row_count=len(lines),
    )

    def cells() -> Iterator[Sequence[Any]]:
        for line in lines:
            yield (names.get(line.path[:COMMUNITY_PATH_LENGTH], ""), line.label, line.detail, str(check.fix))

    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    place = community.name if community else _("全部社区")
    return xlsx_response(
        filename=f"数据质量-{check.label}-{place}.xlsx",
        title=str(check.label),
        columns=EXPORT_COLUMNS,
        rows=cells(),
        notice=_("%(who)s 于 %(at)s 导出；仅用于数据整改，不得公开或挪作他用。") % {"who": actor.username, "at": stamp},
    )
