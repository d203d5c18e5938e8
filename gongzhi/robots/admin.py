"""Channels are configured here, per community; deliveries are a read-only log with 重新发送."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.actors import Actor
from gongzhi.robots import services
from gongzhi.robots.choices import Topic
from gongzhi.robots.models import RobotChannel, RobotDelivery


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    return actor if actor is not None else actor_for_user(request.user)  # type: ignore[arg-type]


class RobotChannelForm(forms.ModelForm):
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("接收的消息"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    secret = forms.CharField(
        label=gettext_lazy("加签密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("钉钉机器人“加签”安全设置的密钥（SEC开头）。修改时留空则保留原密钥。"),
    )
    clear_secret = forms.BooleanField(label=gettext_lazy("清除加签密钥"), required=False)

    class Meta:
        model = RobotChannel
        fields = ["community", "name", "kind", "webhook_url", "secret", "topics", "is_active"]
        widgets = {"webhook_url": forms.URLInput(attrs={"size": 90})}

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret", "").strip()
        if self.data.get("clear_secret"):
            return ""
        return secret or (self.instance.secret if self.instance.pk else "") or ""


@admin.register(RobotChannel)
class RobotChannelAdmin(admin.ModelAdmin):
    form = RobotChannelForm
    list_display = ["name", "community", "kind", "webhook_host", "topic_labels", "is_active", "updated_at"]
    list_filter = ["kind", "is_active", "community"]
    search_fields = ["name"]
    actions = ["send_test"]

    @admin.display(description=gettext_lazy("接收的消息"))
    def topic_labels(self, channel: RobotChannel) -> str:
        labels = dict(Topic.choices)
        return "、".join(str(labels.get(t, t)) for t in channel.topics or [])

    @admin.display(description=gettext_lazy("发送到"))
    def webhook_host(self, channel: RobotChannel) -> str:
        return channel.webhook_host

    def save_model(self, request: HttpRequest, obj: RobotChannel, form: Any, change: bool) -> None:
        services.channel_save(actor=_actor(request), channel=obj)

    @admin.action(description=gettext_lazy("发送测试消息"), permissions=["change"])
    def send_test(self, request: HttpRequest, queryset: QuerySet[RobotChannel]) -> None:
        n = services.channel_test(actor=_actor(request), channels=queryset)
        self.message_user(request, _("已向%(n)d个机器人发送测试消息，结果见机器人消息记录。") % {"n": n})


@admin.register(RobotDelivery)
class RobotDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "topic", "title", "status", "attempts", "next_try_at", "sent_at"]
    list_filter = ["status", "topic", "channel"]
    search_fields = ["title", "dedupe_key"]
    list_select_related = ["channel"]
    readonly_fields = [
        "channel",
        "topic",
        "title",
        "text",
        "dedupe_key",
        "status",
        "attempts",
        "last_error",
        "next_try_at",
        "sent_at",
        "created_at",
    ]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("robots.change_robotdelivery")

    @admin.action(description=gettext_lazy("重新发送"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[RobotDelivery]) -> None:
        n = services.delivery_retry(actor=_actor(request), delivery_ids=queryset.values_list("pk", flat=True))
        level = messages.SUCCESS if n else messages.WARNING
        self.message_user(request, _("已重新发送%(n)d条发送失败的消息。") % {"n": n}, level)
