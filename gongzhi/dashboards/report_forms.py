"""The form that asks for a monthly report: which month (this one or the 11 before) and which node."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.dashboards.reports import month_label
from gongzhi.territory.models import Node


class ReportForm(forms.Form):
    month = forms.TypedChoiceField(label=_("月份"), coerce=dt.date.fromisoformat)
    node = forms.TypedChoiceField(label=_("范围"), coerce=int)
    # Set by the confirmation page: the month's report exists and is to be replaced.
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, months: list[dt.date], nodes: list[Node], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.nodes = {n.pk: n for n in nodes}
        self.fields["month"].choices = [(m.isoformat(), month_label(m)) for m in months]  # type: ignore[attr-defined]
        self.fields["node"].choices = [(n.pk, n.name) for n in nodes]  # type: ignore[attr-defined]
        self.fields["month"].error_messages["invalid_choice"] = _("请选择近 12 个月中的一个月。")
        self.fields["node"].error_messages["invalid_choice"] = _("您不能生成该范围的月报。")

    def chosen_node(self) -> Node:
        return self.nodes[self.cleaned_data["node"]]
