from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.registry.models import CareTag


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
