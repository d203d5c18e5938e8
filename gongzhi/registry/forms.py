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
