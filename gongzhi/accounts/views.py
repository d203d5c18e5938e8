from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from gongzhi.accounts import selectors, services
from gongzhi.accounts.forms import ApiTokenForm, LockoutAuthenticationForm, TokenForm
from gongzhi.accounts.models import User
from gongzhi.accounts.security import client_ip
from gongzhi.accounts.two_factor import (
    has_confirmed_device,
    otp_verify,
    pending_totp_device,
    qr_code_data_uri,
    totp_confirm,
)
from gongzhi.core.http import ActorRequest, safe_next
from gongzhi.core.ratelimit import rate_check, rate_peek, too_many_page


class LoginView(auth_views.LoginView):
    """The login form. Its per-address limit (GONGZHI_RATE_LOGIN) counts failed attempts only: an office or a
    training room behind one address logs forty people in at half past eight without using it up, while
    guessing from one address gets the 429 page before any password is checked. (The account lockout and the
    per-address failure throttle of accounts.security work beside it, in the database.)"""

    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        verdict = rate_peek("login", client_ip(request))
        if not verdict.allowed:
            return too_many_page(request, verdict)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        rate_check("login", client_ip(self.request))
        return super().form_invalid(form)


def signed_in_user(request: ActorRequest) -> User:
    """The request's user, for views behind login_required."""
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    return request.user


def _safe_next(request: ActorRequest) -> str:
    return safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))


@login_required
def two_factor(request: ActorRequest) -> HttpResponse:
    """Verify with a TOTP or recovery code; a user without a device enrols first."""
    user = signed_in_user(request)
    enrolled = has_confirmed_device(user=user)
    form = TokenForm(request.POST or None)
    if not enrolled:
        device = pending_totp_device(user=user)
        if request.method == "POST" and form.is_valid():
            codes = totp_confirm(actor=request.actor, user=user, device=device, token=form.cleaned_data["otp_token"])
            if codes is not None:
                otp_login(request, device)
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _safe_next(request)})
            form.add_error("otp_token", _("验证码不正确，请确认手机时间准确后重试。"))
        return render(
            request,
            "accounts/two_factor_setup.html",
            {
                "form": form,
                "qr": qr_code_data_uri(device.config_url),
                "secret": device.bin_key.hex(),
                "next": _safe_next(request),
            },
        )
    if request.method == "POST" and form.is_valid():
        if otp_verify(request=request, user=user, token=form.cleaned_data["otp_token"]):
            return redirect(_safe_next(request))
        form.add_error("otp_token", _("验证码不正确或已使用。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def token_list(request: ActorRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _record, new_token = services.api_token_issue(
            actor=request.actor, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        messages.success(request, _("令牌已生成。它只显示这一次，请立即妥善保存。"))
        form = ApiTokenForm()
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": selectors.api_token_list(actor=request.actor), "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request: ActorRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get(actor=request.actor, token_id=token_id)
    services.api_token_revoke(actor=request.actor, token=token)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:token-list")


@login_required
def access_log(request: ActorRequest) -> HttpResponse:
    rows = selectors.access_log_list(
        actor=request.actor,
        username=request.GET.get("user", "").strip(),
        subject_id=request.GET.get("subject", "").strip(),
        action=request.GET.get("action", "").strip(),
    )
    page = Paginator(rows, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/access_log.html", {"page_obj": page})


@login_required
def audit_trail(request: ActorRequest) -> HttpResponse:
    rows = selectors.audit_entry_list(
        actor=request.actor,
        username=request.GET.get("user", "").strip(),
        action_prefix=request.GET.get("action", "").strip(),
    )
    page = Paginator(rows, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_trail.html", {"page_obj": page, "action_choices": AUDIT_ACTION_PREFIXES})


AUDIT_ACTION_PREFIXES = [
    ("accounts.", _lazy("账号与职责")),
    ("territory.", _lazy("区域与网格")),
    ("registry.", _lazy("人房信息")),
]
