"""Input of the honour pages: parsing and field checks only; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import PhotosField
from gongzhi.publicity.choices_honour import CategoryKind
from gongzhi.publicity.honour import CategorySpec, RubricSpec
from gongzhi.publicity.models_honour import HonourCategory, HonourNomination, HonourRubricItem
from gongzhi.territory.models import Node
from gongzhi.votes.choices import Electorate

CATEGORY_ROWS = 5
RUBRIC_ROWS = 4
DEFAULT_CATEGORIES = [
    (CategoryKind.BUILDING, "文明楼栋", 2, 2),
    (CategoryKind.PERSON, "好婆婆", 1, 1),
    (CategoryKind.PERSON, "好媳妇", 1, 1),
    (CategoryKind.HOUSEHOLD, "文明家庭", 2, 2),
    (CategoryKind.VOLUNTEER, "最美志愿者", 1, 1),
]
DEFAULT_RUBRIC = [("事迹真实感人", 40), ("群众认可度", 30), ("示范带动作用", 30)]


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=120)
    description = forms.CharField(label=_("活动说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.TypedChoiceField(label=_("评选范围"), coerce=int)
    electorate = forms.ChoiceField(
        label=_("投票人"),
        choices=[
            (Electorate.RESIDENTS, Electorate.RESIDENTS.label),
            (Electorate.HOUSEHOLDS, Electorate.HOUSEHOLDS.label),
        ],
    )
    vote_weight_percent = forms.IntegerField(
        label=_("群众投票权重（%）"), min_value=0, max_value=100, initial=60, help_text=_("其余为评委评分的权重。")
    )
    allows_self_nomination = forms.BooleanField(label=_("允许自荐"), required=False)
    judges = forms.CharField(label=_("评委（用户名，逗号分隔）"), required=False, help_text=_("例如：shequ, jiedao"))

    def __init__(self, *args: Any, scopes: list[Node], **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        for i, (kind, name, winners, k) in enumerate(DEFAULT_CATEGORIES, start=1):
            initial.setdefault(f"cat{i}_kind", kind)
            initial.setdefault(f"cat{i}_name", name)
            initial.setdefault(f"cat{i}_winners", winners)
            initial.setdefault(f"cat{i}_k", k)
        for i, (name, points) in enumerate(DEFAULT_RUBRIC, start=1):
            initial.setdefault(f"item{i}_name", name)
            initial.setdefault(f"item{i}_max", points)
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(n.pk, n.name) for n in scopes]  # type: ignore[attr-defined]
        for i in range(1, CATEGORY_ROWS + 1):
            self.fields[f"cat{i}_kind"] = forms.ChoiceField(
                label=_("评选对象"), choices=[("", "—"), *CategoryKind.choices], required=False
            )
            self.fields[f"cat{i}_name"] = forms.CharField(label=_("类别名称"), max_length=40, required=False)
            self.fields[f"cat{i}_winners"] = forms.IntegerField(
                label=_("名额"), min_value=1, max_value=50, required=False
            )
            self.fields[f"cat{i}_k"] = forms.IntegerField(label=_("限选"), min_value=1, max_value=50, required=False)
        for i in range(1, RUBRIC_ROWS + 1):
            self.fields[f"item{i}_name"] = forms.CharField(label=_("评分项"), max_length=60, required=False)
            self.fields[f"item{i}_max"] = forms.IntegerField(
                label=_("满分"), min_value=1, max_value=100, required=False
            )

    def category_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"cat{i}_{f}"] for f in ("kind", "name", "winners", "k")] for i in range(1, CATEGORY_ROWS + 1)]

    def rubric_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"item{i}_name"], self[f"item{i}_max"]] for i in range(1, RUBRIC_ROWS + 1)]

    def categories(self) -> list[CategorySpec]:
        data = self.cleaned_data
        return [
            CategorySpec(
                kind=data[f"cat{i}_kind"],
                name=data[f"cat{i}_name"],
                winners=data[f"cat{i}_winners"] or 1,
                max_choices=data[f"cat{i}_k"] or 1,
            )
            for i in range(1, CATEGORY_ROWS + 1)
            if data.get(f"cat{i}_kind") and (data.get(f"cat{i}_name") or "").strip()
        ]

    def rubric(self) -> list[RubricSpec]:
        data = self.cleaned_data
        return [
            RubricSpec(name=data[f"item{i}_name"], max_points=data[f"item{i}_max"] or 0)
            for i in range(1, RUBRIC_ROWS + 1)
            if (data.get(f"item{i}_name") or "").strip()
        ]

    def judge_usernames(self) -> list[str]:
        text = self.cleaned_data.get("judges") or ""
        return list(dict.fromkeys(n.strip() for n in text.replace("，", ",").split(",") if n.strip()))


class NominationForm(forms.Form):
    category = forms.TypedChoiceField(label=_("评选类别"), coerce=int)
    building = forms.TypedChoiceField(label=_("楼栋"), coerce=int)
    room = forms.CharField(
        label=_("房号"), max_length=20, required=False, help_text=_("评选个人、家庭或志愿者时填写，如“1-101”。")
    )
    name = forms.CharField(
        label=_("被提名人姓名"), max_length=50, required=False, help_text=_("评选个人或志愿者时填写。")
    )
    reason = forms.CharField(
        label=_("推荐理由"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"min_length": _("推荐理由至少10个字。")},
    )
    has_consent = forms.BooleanField(label=_("被提名人已知情，并同意入选后在光荣榜公示姓名和所在楼栋"), required=False)
    photos = PhotosField(label=_("照片（最多3张）"), required=False)

    def __init__(
        self, *args: Any, categories: list[HonourCategory], buildings: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.name}（{c.get_kind_display()}）") for c in categories
        ]
        self.fields["building"].choices = buildings  # type: ignore[attr-defined]

    def clean_photos(self) -> list[Any]:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > 3:
            raise forms.ValidationError(_("照片最多3张。"))
        return photos


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("不通过"))])
    reason = forms.CharField(label=_("审核意见"), max_length=300, required=False)


class VoteOpenForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("投票截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "closes_at", timezone.localtime(timezone.now() + dt.timedelta(days=7)).replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)


class BallotForm(forms.Form):
    """One group of checkboxes per category, at most k ticked (the engine checks again)."""

    def __init__(
        self, *args: Any, categories: list[tuple[HonourCategory, list[HonourNomination]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = categories
        for category, finalists in categories:
            limit = min(category.max_choices, len(finalists))
            self.fields[f"category_{category.pk}"] = forms.TypedMultipleChoiceField(
                label=category.name,
                coerce=int,
                choices=[
                    (n.pk, f"{n.label}（{n.place}）" if n.place and n.place != n.label else n.label) for n in finalists
                ],
                widget=forms.CheckboxSelectMultiple(attrs={"data-max": limit}),
                help_text=_("最多选%(k)d项") % {"k": limit},
                error_messages={"required": _("请在“%(c)s”中至少选择一项。") % {"c": category.name}},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for category, finalists in self.categories:
            key = f"category_{category.pk}"
            limit = min(category.max_choices, len(finalists))
            chosen = data.get(key) or []
            if len(chosen) > limit:
                self.add_error(
                    key,
                    _("“%(c)s”每人最多选择%(k)d项，您选了%(n)d项。")
                    % {"c": category.name, "k": limit, "n": len(chosen)},
                )
        return data

    def groups(self) -> list[tuple[forms.BoundField, int]]:
        return [(self[f"category_{c.pk}"], min(c.max_choices, len(f))) for c, f in self.categories]

    def choices(self) -> dict[int, list[int]]:
        return {c.pk: list(self.cleaned_data.get(f"category_{c.pk}") or []) for c, _f in self.categories}


class ScoreForm(forms.Form):
    def __init__(
        self,
        *args: Any,
        finalists: list[HonourNomination],
        items: list[HonourRubricItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cells = [(n, i) for n in finalists for i in items]
        for n, i in self.cells:
            self.fields[f"s_{n.pk}_{i.pk}"] = forms.IntegerField(
                label=i.name,
                min_value=0,
                max_value=i.max_points,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def points(self) -> dict[tuple[int, int], int]:
        return {(n.pk, i.pk): self.cleaned_data[f"s_{n.pk}_{i.pk}"] for n, i in self.cells}


class CitationForm(forms.Form):
    citation = forms.CharField(
        label=_("颁奖词"), min_length=10, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class TieForm(forms.Form):
    note = forms.CharField(label=_("决定理由"), min_length=4, max_length=300)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), min_length=4, max_length=300)
