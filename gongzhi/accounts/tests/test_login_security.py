import datetime as dt
import time

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
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


def test_one_persons_typos_behind_an_office_address_lock_only_their_own_account(world, client):
    office = "10.9.9.9"
    for _ in range(5):
        _login(client, "wangge_a", "wrong-Password-1", ip=office)
    assert "该账号连续登录失败5次" in _login(client, "wangge_a", PASSWORD, ip=office).content.decode()
    # Every colleague behind the same address still gets in.
    for colleague in ("jiedao", "shequ", "wangge_b"):
        response = _login(Client(), colleague, PASSWORD, ip=office)
        assert response.status_code == 302, colleague


def test_a_locked_account_says_when_it_unlocks(world, client):
    with time_machine.travel(dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC), tick=False):
        for minute in range(5):
            with time_machine.travel(dt.datetime(2026, 11, 27, 1, minute, tzinfo=dt.UTC), tick=False):
                _login(client, "wangge_a", "wrong-Password-1")
    with time_machine.travel(dt.datetime(2026, 11, 27, 1, 6, tzinfo=dt.UTC), tick=False):
        page = _login(client, "wangge_a", PASSWORD).content.decode()
    # The oldest of the five failures was at 09:00 Beijing time: the account unlocks 15 minutes later.
    assert "将于 09:15 解锁" in page


def test_each_wrong_password_says_how_many_tries_are_left(world, client):
    assert "再输错4次" in _login(client, "wangge_a", "wrong-Password-1").content.decode()
    assert "再输错3次" in _login(client, "wangge_a", "wrong-Password-1").content.decode()
    for _ in range(2):
        _login(client, "wangge_a", "wrong-Password-1")
    # The fifth failure locks at once and says so, instead of "0 tries left".
    assert "已暂时锁定" in _login(client, "wangge_a", "wrong-Password-1").content.decode()


def test_an_address_is_throttled_only_after_fifty_failures_and_says_so(world, client, settings):
    settings.GONGZHI_RATE_LOGIN = "100/60"  # the per-minute POST limit (core.ratelimit) is another guard
    address = "10.9.9.9"
    for n in range(49):
        _login(client, f"guess{n}", "wrong-Password-1", ip=address)
    assert _login(client, "jiedao", PASSWORD, ip=address).status_code == 302
    _login(Client(), "guess49", "wrong-Password-1", ip=address)
    page = _login(Client(), "shequ", PASSWORD, ip=address).content.decode()
    assert "此网络地址15分钟内登录失败已达50次" in page
    assert "这不是账号锁定" in page
    assert _login(Client(), "shequ", PASSWORD, ip="10.9.9.8").status_code == 302


def test_address_throttle_is_configurable(world, client, settings):
    settings.GONGZHI_ADDRESS_THROTTLE_FAILURES = 8
    for n in range(8):
        _login(client, f"guess{n}", "wrong-Password-1", ip="10.1.1.1")
    assert "此网络地址15分钟内登录失败已达8次" in _login(Client(), "jiedao", PASSWORD, ip="10.1.1.1").content.decode()


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


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_forwarded_address(world, client, settings):
    settings.GONGZHI_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.GONGZHI_ADDRESS_THROTTLE_FAILURES = 5
    for n in range(5):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert LoginFailure.objects.filter(ip_address="203.0.113.9").count() == 5
    # Another client behind the same nginx is not throttled by the first one's failures …
    other = Client().post(
        LOGIN,
        {"username": "jiedao", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302
    # … and an untrusted client cannot pick its own address by sending the header.
    spoof = Client().post(
        LOGIN, {"username": "guess9", "password": "x"}, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert spoof.status_code == 200
    assert LoginFailure.objects.filter(username="guess9").get().ip_address == "192.0.2.1"
