from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import DateInput
from gongzhi.core.identity import DocumentType
from gongzhi.registry.choices import Relation
from gongzhi.registry.models import CareTag
from gongzhi.registry.services import PersonData


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名、拼音、证件号码或手机号"), required=False, max_length=50)
    grid = forms.IntegerField(required=False, widget=forms.HiddenInput)
    node = forms.IntegerField(required=False, widget=forms.HiddenInput)
    care_tag = forms.ModelChoiceField(
        label=_("关爱标签"), queryset=CareTag.objects.filter(is_active=True), required=False, empty_label=_("全部")
    )


class RevealForm(forms.Form):
    values = forms.MultipleChoiceField(
        label=_("查看"),
        choices=[("id_number", _("完整证件号码")), ("phone", _("完整联系电话"))],
        widget=forms.CheckboxSelectMultiple,
        initial=["id_number", "phone"],
    )
    reason = forms.CharField(
        label=_("查看原因"),
        max_length=200,
        help_text=_("如：上门核实身份、联系处理事件。每次查看都会记录查看人、时间、原因和来源地址，供审计。"),
    )


class ImportForm(forms.Form):
    MODES = [
        ("all", _("全部正确才导入（有一行错误就全部不导入）")),
        ("valid_rows_only", _("只导入正确的行，错误的行退回")),
        ("dry_run", _("试运行：只校验，不写入")),
    ]
    file = forms.FileField(label=_("台账文件"), help_text=_("Excel（.xlsx/.xls）或 CSV，每行一人，最大50MB。"))
    mode = forms.ChoiceField(label=_("导入方式"), choices=MODES, initial="all", widget=forms.RadioSelect)


class ExportForm(forms.Form):
    reason = forms.CharField(label=_("导出原因"), min_length=4, max_length=200)


class PersonForm(forms.Form):
    """What staff type about a person; registry.services.person_fields validates and derives the rest."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=[("", _("（无证件）")), *DocumentType.choices],
        required=False,
        initial=DocumentType.CITIZEN_ID,
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=40, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=24, required=False)
    born_on = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=DateInput(),
        help_text=_("有身份证号码时可不填，系统从号码中读取。"),
    )
    sex = forms.ChoiceField(
        label=_("性别"), choices=[("", _("（按证件）")), ("M", _("男")), ("F", _("女"))], required=False
    )

    def person_data(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            name=data["name"],
            id_type=data["id_type"],
            id_number=data["id_number"],
            phone=data["phone"],
            born_on=data["born_on"],
            sex=data["sex"],
        )


class MemberRegisterForm(PersonForm):
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices, initial=Relation.CHILD)
    joined_on = forms.DateField(label=_("迁入日期"), required=False, widget=DateInput())


class HouseholdRegisterForm(PersonForm):
    moved_in_on = forms.DateField(label=_("入住日期"), required=False, widget=DateInput())


class MoveInForm(forms.Form):
    id_number = forms.CharField(label=_("证件号码"), max_length=40, help_text=_("已登记人员的证件号码（精确匹配）。"))
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices, initial=Relation.OTHER_RELATIVE)
    moved_on = forms.DateField(label=_("迁入日期"), required=False, widget=DateInput())


class MoveOutForm(forms.Form):
    moved_on = forms.DateField(label=_("迁出日期"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("原因"), max_length=100, required=False, help_text=_("如：搬离本辖区、工作调动。"))
    deceased = forms.BooleanField(label=_("已故"), required=False)


class MoveHouseForm(forms.Form):
    compound = forms.CharField(label=_("小区"), max_length=100)
    building = forms.CharField(label=_("楼栋"), max_length=40)
    unit = forms.CharField(label=_("单元"), max_length=40)
    room = forms.CharField(label=_("房号"), max_length=20)
    moved_on = forms.DateField(label=_("搬家日期"), required=False, widget=DateInput())
