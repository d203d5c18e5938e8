"""The default rubrics of the monthly evaluation and their editing: one active template per subject kind.

The defaults follow the common sections of district field-inspection rubrics (domain-rules.md §6.3:
records, cleaning, greening, order and safety, facilities, response to repairs and complaints) and
the committee examples of §6.4 (meetings held, accounts published, supervising the company). Each adds
up to 100 points; the subdistrict edits them on the rubric page. A rubric a month has used is frozen:
editing it makes the next version, which months opened later use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.stewardship.choices import Indicator, SubjectKind
from gongzhi.stewardship.models import Evaluation, Rubric, RubricItem
from gongzhi.stewardship.permissions import may_run_evaluation
from gongzhi.stewardship.scoring import FULL


@dataclass(frozen=True)
class ItemSpec:
    section: str
    text: str
    max_points: int  # tenths
    indicator: str = ""
    deduction_rule: str = ""
    deduction_step: int = 10
    target: int = 1


MANAGER_ITEMS: Sequence[ItemSpec] = (
    ItemSpec("综合管理", "工作台账按要求每日记录", 100, Indicator.LEDGER, "按台账完整率计分"),
    ItemSpec("综合管理", "服务人员在岗在位、制度和收费标准公示上墙", 50, "", "每发现一处扣1分"),
    ItemSpec("环境卫生", "公共区域清洁，垃圾日产日清，无乱堆乱放", 150, "", "每发现一处扣2分", 20),
    ItemSpec("绿化养护", "绿地养护及时，无黄土裸露、毁绿种菜", 100, "", "每发现一处扣2分", 20),
    ItemSpec("秩序安全", "门岗值守、定时巡逻，消防通道畅通", 150, "", "每发现一处扣3分", 30),
    ItemSpec("设施设备", "电梯、水泵、消防设施维保到位", 100, "", "每发现一处扣2分", 20),
    ItemSpec("报修投诉", "派单按期办结", 150, Indicator.ON_TIME, "按期办结率 × 分值"),
    ItemSpec("报修投诉", "办结后无返工", 100, Indicator.REWORK, "(1 − 返工率) × 分值"),
    ItemSpec("报修投诉", "居民对办理结果无不满意评价", 100, Indicator.COMPLAINTS, "每件不满意评价扣2分", 20),
)
COMMITTEE_ITEMS: Sequence[ItemSpec] = (
    ItemSpec("会议议事", "每月至少召开一次业委会会议并记录", 200, Indicator.MEETINGS, "无会议记录不得分"),
    ItemSpec("公开公示", "每月公示公共收益和维修资金收支", 200, Indicator.FINANCE, "未公示不得分"),
    ItemSpec("监督物业", "督促物业履行合同，及时反映问题", 200, "", "每发现一处扣4分", 40),
    ItemSpec("依规履职", "执行管理规约和议事规则，成员按时缴费并公示", 200, "", "每发现一处扣5分", 50),
    ItemSpec("共建共治", "配合社区、街道开展工作，参与小区议事", 200, "", "每发现一处扣4分", 40),
)
DEFAULTS = {
    SubjectKind.PROPERTY_COMPANY: (_("物业服务企业月度考评细则"), MANAGER_ITEMS, (30, 30, 20, 20)),
    SubjectKind.THIRD_PARTY: (_("第三方托管单位月度考评细则"), MANAGER_ITEMS, (30, 30, 20, 20)),
    SubjectKind.COMMITTEE: (_("业主委员会月度考评细则"), COMMITTEE_ITEMS, (40, 40, 0, 20)),
}


def active_rubric(subject_kind: str) -> Rubric:
    """The kind's rubric in use, made from the defaults the first time it is asked for."""
    rubric = Rubric.objects.filter(subject_kind=subject_kind, is_active=True).first()
    if rubric is not None:
        return rubric
    name, items, (community, subdistrict, committee, residents) = DEFAULTS[SubjectKind(subject_kind)]
    with transaction.atomic():
        rubric = Rubric.objects.create(
            subject_kind=subject_kind,
            name=str(name),
            weight_community=community,
            weight_subdistrict=subdistrict,
            weight_committee=committee,
            weight_residents=residents,
        )
        RubricItem.objects.bulk_create(
            RubricItem(rubric=rubric, position=n, **spec.__dict__) for n, spec in enumerate(items, start=1)
        )
    return rubric


def is_used(rubric: Rubric) -> bool:
    return Evaluation.objects.filter(rubric=rubric).exists()


@transaction.atomic
def editable_rubric(*, actor: Actor, rubric: Rubric) -> Rubric:
    """The rubric itself while no month used it; else a new version (items copied) that replaces it."""
    if not may_run_evaluation(actor):
        raise NotAllowed(_("只有街道干部可以修改评比细则。"))
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if not is_used(rubric):
        return rubric
    if not rubric.is_active:
        raise DomainError(_("这是旧版本细则，请修改当前使用的版本。"))
    items = list(rubric.items.all())
    version = (Rubric.objects.filter(subject_kind=rubric.subject_kind).aggregate(v=Max("version"))["v"] or 0) + 1
    Rubric.objects.filter(pk=rubric.pk).update(is_active=False)
    rubric.pk = None
    rubric.version = version
    rubric.is_active = True
    rubric.save()
    for item in items:
        item.pk = None
        item.rubric = rubric
    RubricItem.objects.bulk_create(items)
    audit_record(actor=actor, action="stewardship.rubric_version", target=rubric, after={"version": version})
    return rubric


def _check_rules(
    *, weights: Sequence[int], bands: Sequence[tuple[str, int]], red_grades: Sequence[str], black_below: int
) -> None:
    if any(w < 0 or w > 100 for w in weights) or sum(weights) == 0:
        raise DomainError(_("各评分方权重应在0到100之间，且不能全为0。"), field="weights")
    lows = [low for _name, low in bands]
    names = [name for name, _low in bands]
    if not bands or lows != sorted(lows, reverse=True) or len(set(lows)) != len(lows) or lows[-1] != 0:
        raise DomainError(_("等级分数线应从高到低排列、互不相同，最后一级为0分。"), field="grade_bands")
    if any(low > FULL for low in lows) or len(set(names)) != len(names) or not all(names):
        raise DomainError(_("等级名称不能为空或重复，分数线不能超过100分。"), field="grade_bands")
    if not set(red_grades) <= set(names):
        raise DomainError(_("红榜等级应是已设的等级之一。"), field="red_grades")
    if not 0 <= black_below <= FULL:
        raise DomainError(_("黑榜分数线应在0到100分之间。"), field="black_below")


@transaction.atomic
def rubric_rules_set(
    *,
    actor: Actor,
    rubric: Rubric,
    weights: tuple[int, int, int, int],
    bands: Sequence[tuple[str, int]],
    red_grades: Sequence[str],
    black_below: int,
    black_last_months: int,
) -> Rubric:
    """Weights (community, subdistrict, committee, residents), grade bands and red/black-list rules."""
    _check_rules(weights=weights, bands=bands, red_grades=red_grades, black_below=black_below)
    if not 1 <= black_last_months <= 12:
        raise DomainError(_("连续末位月数应在1到12之间。"), field="black_last_months")
    rubric = editable_rubric(actor=actor, rubric=rubric)
    before = snapshot(rubric)
    rubric.weight_community, rubric.weight_subdistrict, rubric.weight_committee, rubric.weight_residents = weights
    rubric.grade_bands = [[name, low] for name, low in bands]
    rubric.red_grades = list(red_grades)
    rubric.black_below = black_below
    rubric.black_last_months = black_last_months
    rubric.save()
    audit_record(actor=actor, action="stewardship.rubric_rules", target=rubric, before=before, after=snapshot(rubric))
    return rubric


def _check_item(spec: ItemSpec) -> None:
    if not spec.section.strip() or not spec.text.strip():
        raise DomainError(_("请填写板块和评分内容。"), field="text")
    if not 0 < spec.max_points <= FULL:
        raise DomainError(_("分值应大于0、不超过100分。"), field="max_points")
    if spec.indicator and spec.indicator not in Indicator.values:
        raise DomainError(_("未知的自动指标。"), field="indicator")
    if not 0 < spec.deduction_step <= spec.max_points:
        raise DomainError(_("每次扣分应大于0、不超过该条分值。"), field="deduction_step")


@transaction.atomic
def rubric_item_save(*, actor: Actor, rubric: Rubric, spec: ItemSpec, position: int | None = None) -> Rubric:
    """Add an item (position None) or change the item at a position; returns the rubric edited."""
    _check_item(spec)
    rubric = editable_rubric(actor=actor, rubric=rubric)
    if position is None:
        position = (rubric.items.aggregate(p=Max("position"))["p"] or 0) + 1
        RubricItem.objects.create(rubric=rubric, position=position, **spec.__dict__)
    elif not rubric.items.filter(position=position).update(**spec.__dict__):
        raise DomainError(_("该条目不存在。"), field="position")
    audit_record(actor=actor, action="stewardship.rubric_item", target=rubric, after={"position": position})
    return rubric


@transaction.atomic
def rubric_item_remove(*, actor: Actor, rubric: Rubric, position: int) -> Rubric:
    rubric = editable_rubric(actor=actor, rubric=rubric)
    if rubric.items.count() <= 1:
        raise DomainError(_("细则至少保留一条。"))
    if not rubric.items.filter(position=position).delete()[0]:
        raise DomainError(_("该条目不存在。"), field="position")
    audit_record(actor=actor, action="stewardship.rubric_item_remove", target=rubric, after={"position": position})
    return rubric
