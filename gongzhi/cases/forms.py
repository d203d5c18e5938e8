from __future__ import annotations

from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext_lazy

from gongzhi.cases import selectors, services
from gongzhi.cases.models import Case, CaseCategory
from gongzhi.core.actors import Actor
from gongzhi.core.forms import DateInput, PhotosField
from gongzhi.core.photos import CleanPhoto, photos_clean


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Leaf categories grouped under their 大类, with the time limit shown."""
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for c in selectors.report_categories():
        if c.parent is not None:
            groups.setdefault(c.parent.pk, (c.parent.name, []))[1].append((str(c.pk), c.name))
    return list(groups.values())


class ReportArgs(TypedDict):
    category: CaseCategory | None
    description: str
    place: services.Place
    photos: list[CleanPhoto]
    is_private: bool


class TransitionArgs(TypedDict):
    action: str
    note: str
    photos: list[CleanPhoto]
    rating: int | None
    hours: int | None
    category: CaseCategory | None
    target: Case | None


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("问题类别"))
    description = forms.CharField(
        label=gettext_lazy("问题描述"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("写清楚在哪里、什么问题、持续多久。"),
    )
    where = forms.ChoiceField(label=gettext_lazy("位置"), required=False)
    longitude = forms.FloatField(label=gettext_lazy("经度"), required=False, widget=forms.HiddenInput)
    latitude = forms.FloatField(label=gettext_lazy("纬度"), required=False, widget=forms.HiddenInput)
    photos = PhotosField(
        label=gettext_lazy("照片"),
        required=False,
        help_text=gettext_lazy("最多 6 张，每张不超过 8 MB；公开展示前会去除照片中的位置等信息。"),
    )
    is_private = forms.BooleanField(label=gettext_lazy("不公开（仅工作人员可见）"), required=False)

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *category_choices()]  # type: ignore[attr-defined]
        self.fields["where"].choices = [("", gettext_lazy("在地图上选点")), *places]  # type: ignore[attr-defined]

    def report_args(self, actor: Actor) -> ReportArgs:
        """What services.case_report takes, from a valid form (the page and the API alike); DomainError if the
        place or a photo is refused."""
        data = self.cleaned_data
        return {
            "category": selectors.category_find(category_id=int(data["category"])),
            "description": data["description"],
            "place": services.place_from(
                actor=actor, where=data["where"], longitude=data["longitude"], latitude=data["latitude"]
            ),
            "photos": photos_clean(data["photos"]),
            "is_private": data["is_private"],
        }


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label=gettext_lazy("照片"), required=False)
    rating = forms.IntegerField(label=gettext_lazy("满意度"), required=False, min_value=1, max_value=5)
    hours = forms.IntegerField(label=gettext_lazy("延长工作时"), required=False, min_value=1, max_value=210)
    category = forms.IntegerField(required=False)
    target = forms.IntegerField(label=gettext_lazy("合并到事件编号"), required=False)

    def transition_args(self, actor: Actor) -> TransitionArgs:
        """What services.case_transition takes besides the case, from a valid form; DomainError if a photo is
        refused. A merge target the actor cannot see is no target."""
        data = self.cleaned_data
        return {
            "action": data["action"],
            "note": data["note"] or "",
            "photos": photos_clean(data["photos"]),
            "rating": data["rating"],
            "hours": data["hours"],
            "category": selectors.category_find(category_id=data["category"]),
            "target": selectors.case_find(actor=actor, case_id=data["target"]),
        }


class CalendarForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("日期"), widget=DateInput())
    kind = forms.ChoiceField(
        label=gettext_lazy("设为"),
        choices=[
            ("holiday", gettext_lazy("节假日（不上班）")),
            ("workday", gettext_lazy("调休上班")),
            ("default", gettext_lazy("恢复默认（周一至周五上班）")),
        ],
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=60)


class KeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("渠道名称"), max_length=100)
