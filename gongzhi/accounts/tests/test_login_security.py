import datetime as dt
import time

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts.models import LoginFailure, User
from gongzhi.testing.world import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(world, client):
    for _ in range(5):
        response = _login(client, "wangge_a", "wrong-Password-1")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    response = _login(client, "wangge_a", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 200
    assert "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_fifteen_minutes(world, client):
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            _login(client, "wangge_a", "wrong-Password-1")
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, 14, tzinfo=dt.UTC), tick=False):
        assert "已暂时锁定" in _login(client, "wangge_a", PASSWORD).content.decode()
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, 16, tzinfo=dt.UTC), tick=False):
        response = _login(client, "wangge_a", PASSWORD)
        assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="wangge_a").exists()


def test_five_failures_from_one_address_lock_that_address_for_every_account(world, client):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _login(client, name, "wrong-Password-1", ip="10.9.9.9")
    assert "已暂时锁定" in _login(client, "jiedao", PASSWORD, ip="10.9.9.9").content.decode()
    assert _login(client, "jiedao", PASSWORD, ip="10.9.9.8").status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [("Ab1!", "至少"), ("abcdefgh1", "至少3类"), ("Wangge_a-2026", "用户名"), ("Gzcomplex#2026", None)],
)
def test_password_rules(password, message):
    user = User(username="wangge_a")
    with translation.override("zh-hans"):
        if message is None:
            validate_password(password, user)
        else:
            with pytest.raises(ValidationError, match=message):
                validate_password(password, user)


def test_idle_session_times_out_after_thirty_minutes(world, client):
    client.force_login(world.user("jiedao"))
    assert client.get("/").status_code == 200
    session = client.session
    session["gongzhi_last_seen"] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/registry/people/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_security_headers_and_a_csp_without_unsafe_inline(world, client):
    response = client.get(LOGIN)
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_csrf_is_enforced_on_login(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(LOGIN, {"username": "jiedao", "password": PASSWORD}).status_code == 403


@pytest.fixture
def require_2fa(settings):
    settings.GONGZHI_REQUIRE_2FA = True


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_officer_must_enrol_totp_before_anything_else(world, client, require_2fa):
    _login(client, "jiedao", PASSWORD)
    response = client.get("/registry/people/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor"))
    page = client.get(reverse("accounts:two-factor"))
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=world.user("jiedao"), confirmed=False)
    assert "验证码不正确" in client.post(reverse("accounts:two-factor"), {"otp_token": "000000"}).content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a failure; the user would wait a second
    response = client.post(reverse("accounts:two-factor"), {"otp_token": _code(device)})
    assert "双因素认证已开启" in response.content.decode()
    assert client.get("/registry/people/").status_code == 200


def test_recovery_code_works_once(world, client, require_2fa):
    from gongzhi.accounts.two_factor import totp_confirm
    from gongzhi.testing.world import SYSTEM

    user = world.user("wangge_a")
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    codes = totp_confirm(actor=SYSTEM, user=user, device=device, token=_code(device))
    assert codes is not None
    _login(client, "wangge_a", PASSWORD)
    assert client.post(reverse("accounts:two-factor"), {"otp_token": codes[0]}).status_code == 302
    assert client.get("/registry/people/").status_code == 200
    client.logout()
    _login(client, "wangge_a", PASSWORD)
    assert client.post(reverse("accounts:two-factor"), {"otp_token": codes[0]}).status_code == 200  # used up


def test_resident_needs_no_second_factor(world, client, require_2fa):
    _login(client, "jumin", PASSWORD)
    assert client.get(reverse("registry:household-detail", args=[world.households["jumin"].pk])).status_code == 200


def test_api_session_of_an_unverified_officer_is_refused(world, client, require_2fa):
    _login(client, "jiedao", PASSWORD)
    assert client.get("/api/v1/registry/people").status_code == 401
