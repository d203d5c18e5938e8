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
