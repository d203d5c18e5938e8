from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.security import (
    Lockout,
    LockoutReason,
    client_ip,
    login_failure_record,
    login_failures_left,
    login_lockout,
    login_success_record,
)


def _ip(request: HttpRequest | None) -> str:
    return client_ip(request) if request is not None else ""


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing locked accounts and throttled addresses, and saying which it is."""

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        ip_address = _ip(self.request)
        lockout = login_lockout(username=username, ip_address=ip_address)
        if lockout is not None:
            raise _lockout_error(lockout)
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if not any(e.code == "invalid_login" for e in error.error_list):
                raise
            login_failure_record(username=username, ip_address=ip_address)
            lockout = login_lockout(username=username, ip_address=ip_address)
            if lockout is not None:
                raise _lockout_error(lockout, after_wrong_password=True) from None
            left = login_failures_left(username=username)
            raise forms.ValidationError(
                _("用户名或密码不正确。再输错%(left)s次，该账号将被锁定%(minutes)s分钟。")
                % {"left": left, "minutes": settings.GONGZHI_LOCKOUT_MINUTES},
                code="invalid_login",
            ) from None
        login_success_record(username=username)
        return cleaned


def _lockout_error(lockout: Lockout, *, after_wrong_password: bool = False) -> forms.ValidationError:
    until = timezone.localtime(lockout.until).strftime("%H:%M")
    prefix = _("用户名或密码不正确。") if after_wrong_password else ""
    if lockout.reason == LockoutReason.ACCOUNT:
        message = _(
            "该账号连续登录失败%(count)s次，已暂时锁定，将于 %(until)s 解锁。同一网络中的其他用户不受影响。"
        ) % {"count": settings.GONGZHI_LOCKOUT_FAILURES, "until": until}
        return forms.ValidationError(prefix + message, code="locked")
    message = _(
        "此网络地址%(minutes)s分钟内登录失败已达%(count)s次，已暂停从此地址登录，将于 %(until)s 恢复。"
        "这不是账号锁定；如需立即登录，请换用其他网络或联系管理员。"
    ) % {
        "minutes": settings.GONGZHI_ADDRESS_THROTTLE_MINUTES,
        "count": settings.GONGZHI_ADDRESS_THROTTLE_FAILURES,
        "until": until,
    }
    return forms.ValidationError(prefix + message, code="address_throttled")


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
