from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.security import login_failure_record, login_lockout, login_success_record


def _ip(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing accounts and addresses locked after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("用户名或密码不正确。连续输错5次，账号将被锁定15分钟。"),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        ip_address = _ip(self.request)
        lockout = login_lockout(username=username, ip_address=ip_address)
        if lockout is not None:
            until = timezone.localtime(lockout.until).strftime("%H:%M")
            raise forms.ValidationError(
                _("登录失败次数过多，已暂时锁定，请于 %(until)s 后再试。") % {"until": until}, code="locked"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, ip_address=ip_address)
            raise
        login_success_record(username=username)
        return cleaned


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy("身份验证器App中的6位数字，或一个恢复码。"),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("用途"), max_length=100)
    days = forms.IntegerField(label=gettext_lazy("有效天数"), min_value=1, max_value=730, initial=365)
