"""The notice form: what to say, from which unit, to whom (the target rule), when and how."""

from __future__ import annotations

import html
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from gongzhi.accounts.choices import Role
from gongzhi.core.forms import DateInput, MultipleFileInput, PhotosField, set_choices
from gongzhi.publicity.choices import ActivityKind, Channel
from gongzhi.publicity.targets import TARGET_ROLES, Target
from gongzhi.registry.models import CareTag
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node
from gongzhi.volunteering.forms import DateTimeLocalInput

# The territory a notice may name by node; buildings are reached through their grid or compound.
TARGET_NODE_KINDS = (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.AREA, NodeKind.COMPOUND)


class AttachmentsField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [forms.FileField.clean(self, item, initial) for item in items]


def paragraphs(text: str) -> str:
    """A body typed as plain text (no tag in it) becomes paragraphs, one per line."""
    if "<" in text:
        return text
    return "".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


class NoticeForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=120)
    body = forms.CharField(
        label=gettext_lazy("正文"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("每行一段；也可粘贴带格式的文字（保留段落、加粗、列表、链接）。"),
    )
    node = forms.TypedChoiceField(label=gettext_lazy("发布单位"), coerce=int)
    nodes = forms.TypedMultipleChoiceField(
        label=gettext_lazy("发送范围：区域"),
        coerce=int,
        required=False,
        help_text=gettext_lazy("不选区域和网格时，发给发布单位的全部范围。"),
    )
    grids = forms.TypedMultipleChoiceField(label=gettext_lazy("发送范围：网格"), coerce=int, required=False)
    residents = forms.BooleanField(label=gettext_lazy("居民"), required=False, initial=True)
    care_tags = forms.MultipleChoiceField(
        label=gettext_lazy("只发给有以下关爱标签的居民"), required=False, widget=forms.CheckboxSelectMultiple
    )
    owners_of = forms.TypedMultipleChoiceField(
        label=gettext_lazy("业主（所选小区的产权人）"), coerce=int, required=False
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("工作人员（范围内担任以下职责的）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    publish_at = forms.DateTimeField(
        label=gettext_lazy("定时发布"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=gettext_lazy("留空即立即发布。"),
    )
    expires_at = forms.DateTimeField(label=gettext_lazy("有效期至"), required=False, widget=DateTimeLocalInput())
    is_pinned = forms.BooleanField(label=gettext_lazy("置顶"), required=False)
    is_public = forms.BooleanField(
        label=gettext_lazy("在小区公告栏公开"),
        required=False,
        help_text=gettext_lazy("公告栏无需登录即可查看，请勿包含个人信息。"),
    )
    remind_after_hours = forms.IntegerField(
        label=gettext_lazy("未读提醒（小时后）"), required=False, min_value=1, max_value=336
    )
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("同时通过"), required=False, choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    attachments = AttachmentsField(
        label=gettext_lazy("附件"), required=False, help_text=gettext_lazy("PDF或图片，最多5个，每个不超过10 MB。")
    )

    def __init__(
        self, *args: Any, nodes: list[Node], grids: list[Grid], with_files: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        indent = {
            NodeKind.SUBDISTRICT: "",
            NodeKind.COMMUNITY: "　",
            NodeKind.AREA: "　　",
            NodeKind.COMPOUND: "　　　",
        }
        targetable = [n for n in nodes if n.kind in TARGET_NODE_KINDS]
        units = [n for n in nodes if n.kind in (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY)]
        set_choices(self, "node", [(n.pk, f"{n.kind_label} · {n.name}") for n in units])
        set_choices(self, "nodes", [(n.pk, f"{indent.get(n.kind, '')}{n.name}") for n in targetable])
        set_choices(self, "grids", [(g.pk, g.name) for g in grids])
        set_choices(self, "owners_of", [(n.pk, n.name) for n in targetable if n.kind == NodeKind.COMPOUND])
        tags = CareTag.objects.filter(is_active=True).order_by("sort_order", "name")
        set_choices(self, "care_tags", [(t.code, t.name) for t in tags])
        set_choices(self, "roles", [(r.value, r.label) for r in Role if r in TARGET_ROLES])
        for name in ("nodes", "grids", "owners_of"):
            self.fields[name].widget.attrs["size"] = 6
        if not with_files:
            del self.fields["attachments"]

    def clean_body(self) -> str:
        return paragraphs(self.cleaned_data["body"])

    def target(self) -> Target:
        data = self.cleaned_data
        return Target(
            nodes=tuple(data["nodes"]),
            grids=tuple(data["grids"]),
            residents=data["residents"],
            care_tags=tuple(data["care_tags"]),
            owners_of=tuple(data["owners_of"]),
            roles=tuple(data["roles"]),
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("撤回原因"), max_length=200)


class ActivityForm(forms.Form):
    """An offline publicity activity as the worker who did it records it, on a phone."""

    kind = forms.ChoiceField(label=gettext_lazy("形式"), choices=ActivityKind.choices)
    title = forms.CharField(label=gettext_lazy("主题"), max_length=100)
    node = forms.TypedChoiceField(label=gettext_lazy("区域"), coerce=int)
    held_on = forms.DateField(label=gettext_lazy("日期"), widget=DateInput())
    place = forms.CharField(label=gettext_lazy("地点"), max_length=100)
    reach = forms.IntegerField(
        label=gettext_lazy("覆盖人数"),
        min_value=0,
        max_value=1_000_000,
        initial=0,
        help_text=gettext_lazy("估计值即可。"),
    )
    campaign = forms.TypedChoiceField(label=gettext_lazy("对应走访任务"), coerce=int, required=False, empty_value=None)
    description = forms.CharField(
        label=gettext_lazy("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=gettext_lazy("照片"), required=False)

    def __init__(self, *args: Any, nodes: list[Node], campaigns: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "node", [(n.pk, f"{n.kind_label} · {n.name}") for n in nodes])
        set_choices(self, "campaign", [("", gettext_lazy("（无）")), *[(c.pk, c.title) for c in campaigns]])
