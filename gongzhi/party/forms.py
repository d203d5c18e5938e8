from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import DateInput
from gongzhi.party.choices import MemberKind, MemberStatus, OrgKind

Choices = list[tuple[int, str]]


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("组织类型"), choices=OrgKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    parent = forms.TypedChoiceField(label=_("上级组织"), coerce=int, required=False, empty_value=None)
    territory = forms.TypedMultipleChoiceField(
        label=_("覆盖区域"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("社区党委选社区；党支部选一个小区；联合党支部最多5个小区；党小组选楼栋。"),
    )
    manager = forms.TypedChoiceField(label=_("所在物业服务企业"), coerce=int, required=False, empty_value=None)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    is_active = forms.BooleanField(label=_("存续"), required=False, initial=True)

    def __init__(
        self, *args: Any, parents: Choices, places: Choices, managers: Choices, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "—"), *parents]  # type: ignore[attr-defined]
        self.fields["territory"].choices = places  # type: ignore[attr-defined]
        self.fields["manager"].choices = [("", "—"), *managers]  # type: ignore[attr-defined]
        if editing:
            self.fields["kind"].disabled = True
            self.fields["kind"].required = False
        else:
            del self.fields["is_active"]


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)


class MemberForm(forms.Form):
    person = forms.TypedChoiceField(label=_("人员"), coerce=int)
    kind = forms.ChoiceField(label=_("党员类别"), choices=MemberKind.choices)
    joined_on = forms.DateField(label=_("入党日期"), widget=DateInput())
    outside_organisation = forms.CharField(
        label=_("组织关系在街道外的单位"),
        max_length=100,
        required=False,
        help_text=_("组织关系在本组织的不填；在职党员到社区报到的，填其组织关系所在单位。"),
    )

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *people]  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    group = forms.TypedChoiceField(label=_("党小组"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, groups: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("不编入党小组")), *groups]  # type: ignore[attr-defined]


class EndForm(forms.Form):
    status = forms.ChoiceField(
        label=_("转出或注销"), choices=[(MemberStatus.TRANSFERRED, _("转出")), (MemberStatus.ENDED, _("注销"))]
    )
    on = forms.DateField(label=_("日期"), widget=DateInput())


class CommitteeForm(forms.Form):
    """A term and its seats: the head (书记 or 组长) is required, the other seats optional."""

    starts_on = forms.DateField(label=_("任期开始"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("任期届满"), required=False, widget=DateInput(), help_text=_("不填则按任期年限（社区党组织5年）计算。")
    )
    secretary = forms.TypedChoiceField(label=_("书记"), coerce=int)
    deputy = forms.TypedChoiceField(label=_("副书记"), coerce=int, required=False, empty_value=None)
    organisation = forms.TypedChoiceField(label=_("组织委员"), coerce=int, required=False, empty_value=None)
    propaganda = forms.TypedChoiceField(label=_("宣传委员"), coerce=int, required=False, empty_value=None)
    discipline = forms.TypedChoiceField(label=_("纪检委员"), coerce=int, required=False, empty_value=None)
    others = forms.TypedMultipleChoiceField(
        label=_("其他委员"), coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    SEATS = ("secretary", "deputy", "organisation", "propaganda", "discipline")

    def __init__(self, *args: Any, members: Choices, is_group: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.SEATS:
            self.fields[name].choices = [("", "—"), *members]  # type: ignore[attr-defined]
        self.fields["others"].choices = members  # type: ignore[attr-defined]
        if is_group:
            self.fields["secretary"].label = _("党小组组长")
            for name in (*self.SEATS[1:], "others"):
                del self.fields[name]


class ConsentForm(forms.Form):
    shows_badge = forms.BooleanField(label=_("志愿者资料显示党员标识"), required=False, initial=True)
    shows_household = forms.BooleanField(label=_("楼栋住户名单显示“党员户”"), required=False)
