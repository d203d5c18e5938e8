"""Forms of 双报到: validation only; the services in reporting.py decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Role
from gongzhi.core.forms import DateInput
from gongzhi.party.choices import AppraisalResult, MemberKind, RegistrationStatus, ServicePost
from gongzhi.volunteering.choices import Skill
from gongzhi.volunteering.forms import DateTimeLocalInput

Choices = list[tuple[int, str]]


class SlipForm(forms.Form):
    """报到单. The work unit is typed or picked from the units registered with the organisation (a datalist)."""

    work_unit_name = forms.CharField(
        label=_("工作单位"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "work-units", "autocomplete": "off"}),
        help_text=_("可从已报到单位中选择，或填写单位全称。"),
    )
    post = forms.CharField(label=_("职务/岗位"), max_length=60)
    holding_organisation = forms.CharField(
        label=_("组织关系所在党组织"), max_length=100, help_text=_("如：市财政局机关党支部。")
    )
    member_kind = forms.ChoiceField(label=_("党员类别"), choices=MemberKind.choices)
    joined_on = forms.DateField(label=_("入党日期"), widget=DateInput())
    residence = forms.TypedChoiceField(label=_("居住楼栋"), coerce=int)
    skills = forms.MultipleChoiceField(
        label=_("技能特长"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    service_posts = forms.MultipleChoiceField(
        label=_("意向服务岗位"), choices=ServicePost.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, buildings: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["residence"].choices = buildings  # type: ignore[attr-defined]


class PersonPickForm(forms.Form):
    """A keeper entering a slip for someone: the person, found by name among those they may register."""

    person = forms.TypedChoiceField(label=_("党员"), coerce=int)

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *people]  # type: ignore[attr-defined]


class AcceptForm(forms.Form):
    group = forms.TypedChoiceField(label=_("编入党小组"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, groups: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("暂不编入")), *groups]  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=200)


class EndForm(forms.Form):
    on = forms.DateField(label=_("结束日期"), widget=DateInput(), help_text=_("如：已搬离本社区。"))


class PlaceForm(forms.Form):
    role = forms.ChoiceField(
        label=_("安排职责"),
        choices=[(Role.BUILDING_HEAD, _("楼栋长（本人居住楼栋）")), (Role.GRID_WORKER, _("网格员（所在网格协管）"))],
    )


class AppraisalForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    result = forms.ChoiceField(label=_("评议结果"), choices=AppraisalResult.choices)
    comment = forms.CharField(label=_("评语"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)


class NeedForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=ServicePost.choices)
    title = forms.CharField(label=_("需求"), max_length=80)
    description = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    node = forms.TypedChoiceField(label=_("地点"), coerce=int)
    wanted = forms.IntegerField(label=_("需要人数"), min_value=1, max_value=200, initial=1)

    def __init__(self, *args: Any, places: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = places  # type: ignore[attr-defined]


class ServiceActivityForm(forms.Form):
    """A 党员服务 activity for a need: the fields of the volunteering activity form it becomes."""

    title = forms.CharField(label=_("活动名称"), max_length=80)
    service_content = forms.CharField(
        label=_("服务内容"), max_length=40, help_text=_("写入志愿服务记录证明，如：助老服务、环境整治。")
    )
    node = forms.TypedChoiceField(label=_("面向区域"), coerce=int)
    place = forms.CharField(label=_("地点"), max_length=100)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeLocalInput())
    slots = forms.IntegerField(label=_("名额"), min_value=1, max_value=1000, initial=10)
    description = forms.CharField(label=_("活动说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, places: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = places  # type: ignore[attr-defined]


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *RegistrationStatus.choices], required=False)
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)
