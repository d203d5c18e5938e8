"""Input parsing for campaign pages: validation only, no saving."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gongzhi.campaigns.choices import CampaignKind, FieldKind, FieldTarget
from gongzhi.campaigns.services import CheckInput, FieldSpec
from gongzhi.core.forms import DateInput
from gongzhi.core.identity import DocumentType
from gongzhi.registry.choices import Relation

TARGET_WORDS = {
    "每户": FieldTarget.HOUSEHOLD,
    "户": FieldTarget.HOUSEHOLD,
    "每人": FieldTarget.PERSON,
    "人": FieldTarget.PERSON,
}
KIND_WORDS = {
    **{k.value: k.value for k in FieldKind},
    **{str(k.label): k.value for k in FieldKind},
}


class CampaignForm(forms.Form):
    title = forms.CharField(label=_lazy("任务名称"), max_length=100)
    kind = forms.ChoiceField(label=_lazy("类型"), choices=CampaignKind.choices)
    purpose = forms.CharField(
        label=_lazy("目的与依据"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("写明为什么收集、依据哪份通知；只收集必要的信息。"),
    )
    scope = forms.MultipleChoiceField(label=_lazy("走访范围"), widget=forms.SelectMultiple(attrs={"size": 6}))
    starts_on = forms.DateField(label=_lazy("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_lazy("结束日期"), widget=DateInput())
    retention_ends_on = forms.DateField(
        label=_lazy("个人信息保存截止日"),
        widget=DateInput(),
        help_text=_lazy("到期后自动删除各户、各人的回答，只保留统计数。"),
    )
    fields_spec = forms.CharField(
        label=_lazy("走访表单"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_lazy(
            "每行一个问题：对象|问题|类型[|选项,选项][|必填]。对象：每户/每人；类型：文字、数字、选项、是/否、日期、体温。"
        ),
    )

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes  # type: ignore[attr-defined]

    def clean_fields_spec(self) -> list[FieldSpec]:
        specs = []
        for number, line in enumerate(self.cleaned_data["fields_spec"].splitlines(), start=1):
            parts = [p.strip() for p in line.split("|")]
            if not any(parts):
                continue
            if len(parts) < 3 or parts[0] not in TARGET_WORDS or parts[2] not in KIND_WORDS:
                raise forms.ValidationError(_("第%(n)d行格式不对：对象|问题|类型[|选项][|必填]。") % {"n": number})
            kind = KIND_WORDS[parts[2]]
            rest = parts[3:]
            required = "必填" in rest
            rest = [r for r in rest if r != "必填"]
            options = tuple(o.strip() for o in rest[0].replace("，", ",").split(",") if o.strip()) if rest else ()
            low = high = None
            if kind == FieldKind.NUMBER and len(options) == 2:
                try:
                    low, high = Decimal(options[0]), Decimal(options[1])
                except InvalidOperation as exc:
                    raise forms.ValidationError(_("第%(n)d行的数字范围不对。") % {"n": number}) from exc
                options = ()
            specs.append(
                FieldSpec(TARGET_WORDS[parts[0]], parts[1], kind, options, required, low, high, key=f"q{number}")
            )
        return specs


def parse_visit(data: QueryDict, *, person_row_ids: list[int]) -> tuple[dict[str, str], list[CheckInput]]:
    """The household answers (h-<key>) and per-person checks (p<id>-status, p<id>-<key>) of a visit form."""
    answers = {k[2:]: str(v) for k, v in data.items() if k.startswith("h-")}
    checks = []
    for pk in person_row_ids:
        status = data.get(f"p{pk}-status", "")
        if not status:
            continue
        prefix = f"p{pk}-"
        person_answers = {
            k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix) and k != f"{prefix}status"
        }
        checks.append(CheckInput(pk, status, person_answers))
    return answers, checks


class FoundPersonForm(forms.Form):
    name = forms.CharField(label=_lazy("姓名"), max_length=50)
    relation = forms.ChoiceField(
        label=_lazy("与户主关系"), choices=[(v, label) for v, label in Relation.choices if v != Relation.HEAD]
    )
    id_type = forms.ChoiceField(label=_lazy("证件类型"), choices=[("", "—"), *DocumentType.choices], required=False)
    id_number = forms.CharField(label=_lazy("证件号码"), max_length=40, required=False)
    phone = forms.CharField(label=_lazy("联系电话"), max_length=20, required=False)


class ReassignForm(forms.Form):
    workers = forms.MultipleChoiceField(label=_lazy("走访人员"), widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_lazy("原因"), max_length=200, required=False)

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workers"].choices = candidates  # type: ignore[attr-defined]
