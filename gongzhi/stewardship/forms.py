from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import DateInput, PhotosField
from gongzhi.stewardship.choices import LedgerKind, ManagerKind, Position, ServiceGrade
from gongzhi.votes.forms import DATETIME


class ManagerForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ManagerKind.choices)
    name = forms.CharField(label=_("单位名称"), max_length=100)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    contact_name = forms.CharField(label=_("联系人"), max_length=30, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    qualification = forms.CharField(label=_("资质与许可说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ContractForm(forms.Form):
    manager = forms.TypedChoiceField(label=_("服务单位"), coerce=int)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("到期日期"), required=False, widget=DateInput())
    fee_yuan = forms.DecimalField(
        label=_("收费标准（元/㎡·月）"), min_value=0, max_value=1000, decimal_places=2, max_digits=6
    )
    service_grade = forms.ChoiceField(label=_("服务等级"), choices=ServiceGrade.choices)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, managers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = [("", "—"), *managers]  # type: ignore[attr-defined]


class TerminateForm(forms.Form):
    on = forms.DateField(label=_("解约日期"), widget=DateInput())
    reason = forms.CharField(label=_("解约原因"), max_length=100)


class TermForm(forms.Form):
    starts_on = forms.DateField(label=_("任期开始"), widget=DateInput())
    ends_on = forms.DateField(label=_("任期届满"), widget=DateInput())
    elected_on = forms.DateField(label=_("选举日期"), required=False, widget=DateInput())


class FilingForm(forms.Form):
    filed_on = forms.DateField(label=_("备案日期"), widget=DateInput())
    filing_number = forms.CharField(label=_("备案编号"), max_length=50)


class MemberForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("业主"), coerce=int)
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *owners]  # type: ignore[attr-defined]


class ElectionForm(forms.Form):
    """Open a term's election: the candidates (owners of the compound) and when voting ends."""

    candidates = forms.TypedMultipleChoiceField(
        label=_("候选人"), coerce=int, widget=forms.CheckboxSelectMultiple, help_text=_("最多11名，须为本小区业主。")
    )
    opens_at = forms.DateTimeField(
        label=_("开始投票"), required=False, widget=DATETIME, help_text=_("不填则在议事规则规定的公告期满后开始。")
    )
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=DATETIME)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = owners  # type: ignore[attr-defined]


class PositionForm(forms.Form):
    member = forms.TypedChoiceField(label=_("成员"), coerce=int)
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—"), *members]  # type: ignore[attr-defined]


class LedgerForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=LedgerKind.choices)
    day = forms.DateField(label=_("日期"), widget=DateInput())
    text = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("照片（最多6张）"), required=False)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("点评"), max_length=500)
