"""Input parsing for volunteering pages: validation only, no saving (the services decide)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.forms import set_choices
from gongzhi.registry.models import Person
from gongzhi.territory.models import Node
from gongzhi.volunteering.choices import Availability, EntryKind, OrderStatus, Skill, TeamKind
from gongzhi.volunteering.hours import minutes_from_hours
from gongzhi.volunteering.models import Team, Volunteer

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_LOCAL)


class NodeChoiceForm(forms.Form):
    """A form with a ``node`` field offering the places the caller may use, cleaned to the Node itself."""

    node = forms.TypedChoiceField(label=gettext_lazy("所属区域"), coerce=int)

    def __init__(self, *args: Any, nodes: list[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nodes = {n.pk: n for n in nodes}
        set_choices(self, "node", [(n.pk, f"{n.kind_label} · {n.name}") for n in nodes])

    def clean_node(self) -> Node:
        return self.nodes[self.cleaned_data["node"]]


class ProfileForm(forms.Form):
    skills = forms.MultipleChoiceField(
        label=gettext_lazy("技能特长"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    availability = forms.MultipleChoiceField(
        label=gettext_lazy("可服务时间"),
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intro = forms.CharField(
        label=gettext_lazy("个人简介"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("如：退休教师，可辅导小学数学。"),
    )


class RegisterForm(ProfileForm):
    person = forms.TypedChoiceField(label=gettext_lazy("登记人"), coerce=int)
    consent = forms.BooleanField(
        label=gettext_lazy("我已阅读并同意《志愿者个人信息处理告知书》"),
        required=False,
    )
    guardian_consent = forms.BooleanField(
        label=gettext_lazy("我是其监护人，同意其参加志愿服务并同意处理其个人信息"), required=False
    )
    child_consent = forms.BooleanField(
        label=gettext_lazy("我单独同意处理未满十四周岁儿童的个人信息（敏感个人信息）"), required=False
    )

    def __init__(self, *args: Any, people: list[Person], actor_person_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        set_choices(
            self,
            "person",
            [(p.pk, _("本人（%(name)s）") % {"name": p.name} if p.pk == actor_person_id else p.name) for p in people],
        )
        self.order_fields(["person", "skills", "availability", "intro", "consent", "guardian_consent", "child_consent"])

    def clean_person(self) -> Person:
        return self.people[self.cleaned_data["person"]]


class ActivityForm(NodeChoiceForm):
    title = forms.CharField(label=gettext_lazy("活动名称"), max_length=80)
    service_content = forms.CharField(
        label=gettext_lazy("服务内容"),
        max_length=40,
        help_text=gettext_lazy("写入志愿服务记录证明，如：助老服务、环境整治、文明劝导。"),
    )
    team = forms.TypedChoiceField(label=gettext_lazy("团队"), coerce=int, required=False, empty_value=None)
    place = forms.CharField(label=gettext_lazy("地点"), max_length=100)
    starts_at = forms.DateTimeField(label=gettext_lazy("开始时间"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=gettext_lazy("结束时间"), widget=DateTimeLocalInput())
    slots = forms.IntegerField(label=gettext_lazy("名额"), min_value=1, max_value=1000, initial=10)
    min_age = forms.IntegerField(
        label=gettext_lazy("最低年龄"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=gettext_lazy("0表示不限；有危险的活动请设为18。"),
    )
    description = forms.CharField(
        label=gettext_lazy("活动说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "title",
        "service_content",
        "node",
        "team",
        "place",
        "starts_at",
        "ends_at",
        "slots",
        "min_age",
        "description",
    ]

    def __init__(self, *args: Any, nodes: list[Node], teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, nodes=nodes, **kwargs)
        self.fields["node"].label = _("面向区域")
        self.teams = {t.pk: t for t in teams}
        set_choices(self, "team", [("", _("（不属于团队）")), *[(t.pk, t.name) for t in teams]])

    def clean_team(self) -> Team | None:
        pk = self.cleaned_data.get("team")
        return self.teams[pk] if pk else None


class ScanForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("签到码"),
        max_length=60,
        help_text=gettext_lazy("扫描志愿者手机上的二维码，或输入其下方的志愿者编号和6位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("操作"),
        choices=[("in", gettext_lazy("签到")), ("out", gettext_lazy("签退"))],
        initial="in",
        widget=forms.RadioSelect,
    )


class HoursField(forms.DecimalField):
    """Hours to one decimal, returned as minutes (integers)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("服务时长（小时）"))
        super().__init__(max_digits=4, decimal_places=1, min_value=Decimal(0), max_value=Decimal(24), **kwargs)

    def clean(self, value: Any) -> int | None:
        hours = super().clean(value)
        return None if hours is None else minutes_from_hours(hours)


class CertifyForm(forms.Form):
    """One hours field per checked-in, uncertified sign-up: ``hours_<signup id>``; blank ones are skipped."""

    def __init__(self, *args: Any, signups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for signup in signups:
            self.fields[f"hours_{signup.pk}"] = HoursField(required=False, label=signup.volunteer.person.name)

    def minutes_by_signup(self) -> dict[int, int]:
        return {
            int(name.removeprefix("hours_")): minutes
            for name, minutes in self.cleaned_data.items()
            if name.startswith("hours_") and minutes
        }


class CorrectForm(forms.Form):
    hours = HoursField(label=gettext_lazy("更正后的服务时长（小时）"))
    reason = forms.CharField(label=gettext_lazy("更正原因"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=200, required=False)


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, max_value=20, initial=1)
    volunteer = forms.TypedChoiceField(label=gettext_lazy("兑换人"), coerce=int)
    # A fresh key each time the form is drawn; a resubmitted form repeats it, so the server answers with the
    # first order rather than spending twice.
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, volunteers: list[Volunteer], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.volunteers = {v.pk: v for v in volunteers}
        set_choices(self, "volunteer", [(v.pk, v.person.name) for v in volunteers])

    def clean_volunteer(self) -> Volunteer:
        return self.volunteers[self.cleaned_data["volunteer"]]


class PeriodForm(forms.Form):
    period_from = forms.DateField(
        label=gettext_lazy("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        label=gettext_lazy("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and start > end:
            self.add_error("period_from", _("起始日期不能晚于截止日期。"))
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("领取码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=30,
        help_text=gettext_lazy("证明右下方的16位验证码，如 ABCD-EFGH-JKLM-NPQR。"),
    )


# --- manager forms --------------------------------------------------------------------------------------


class VolunteerFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("志愿者编号或姓名"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("active", gettext_lazy("在册")),
            ("suspended", gettext_lazy("暂停")),
            ("withdrawn", gettext_lazy("已退出")),
        ],
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), choices=[("suspended", gettext_lazy("暂停")), ("active", gettext_lazy("恢复"))]
    )
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=200)


class NumberForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("志愿者编号"), max_length=20)
    action = forms.ChoiceField(
        choices=[("add", "add"), ("leader", "leader"), ("remove", "remove")], widget=forms.HiddenInput, initial="add"
    )


class TeamForm(NodeChoiceForm):
    name = forms.CharField(label=gettext_lazy("团队名称"), max_length=60)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=TeamKind.choices)
    description = forms.CharField(label=gettext_lazy("简介"), max_length=300, required=False)
    field_order = ["name", "kind", "node", "description"]


class ItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=60)
    points_price = forms.IntegerField(label=gettext_lazy("所需积分"), min_value=1, max_value=1_000_000)
    limit_per_person = forms.IntegerField(
        label=gettext_lazy("每人限兑"), min_value=1, required=False, help_text=gettext_lazy("留空表示不限。")
    )
    donor = forms.CharField(label=gettext_lazy("捐赠方"), max_length=60, required=False)
    description = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("上架"), required=False, initial=True)


class NewItemForm(ItemForm, NodeChoiceForm):
    stock = forms.IntegerField(label=gettext_lazy("初始库存"), min_value=0, initial=0)


class RestockForm(forms.Form):
    delta = forms.IntegerField(
        label=gettext_lazy("数量变化"), help_text=gettext_lazy("入库填正数；盘点减少填负数并写明原因。")
    )
    reason = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


class AdjustmentForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("志愿者编号"), max_length=20)
    amount = forms.IntegerField(
        label=gettext_lazy("调整积分"),
        help_text=gettext_lazy("增加填正数，扣减填负数。"),
        min_value=-100_000,
        max_value=100_000,
    )
    reason = forms.CharField(label=gettext_lazy("调整原因"), max_length=200)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")], widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("复核意见"), max_length=200, required=False)


class RuleForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    points_per_hour = forms.IntegerField(label=gettext_lazy("每小时积分"), min_value=1, max_value=10_000)
    daily_cap = forms.IntegerField(label=gettext_lazy("每日上限"), min_value=1, max_value=100_000)
    monthly_cap = forms.IntegerField(label=gettext_lazy("每月上限"), min_value=1, max_value=1_000_000)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_on": timezone.localdate() + dt.timedelta(days=1)})
        super().__init__(*args, **kwargs)


class LedgerFilterForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("志愿者编号"), required=False, max_length=20)
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"), required=False, choices=[("", gettext_lazy("全部")), *EntryKind.choices]
    )


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), required=False, choices=[("", gettext_lazy("全部")), *OrderStatus.choices]
    )


class DateRangeForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
