"""Per-address POST limits on failed logins, the report form and Open311: the POST after the limit in a window
gets 429 with Retry-After and writes nothing; another address, a later window and GETs are not limited, nor is
a successful login."""

import datetime as dt
import json

import pytest
import time_machine
from defusedxml import ElementTree
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import LoginFailure
from gongzhi.cases.models import Case, CaseCategory
from gongzhi.cases.services import open311_key_create
from gongzhi.core.ratelimit import rate_parse
from gongzhi.testing.world import PASSWORD

pytestmark = pytest.mark.django_db

# The start of a 60-second window, so the test knows how long is left of it.
START = dt.datetime(2026, 12, 7, 4, 0, 0, tzinfo=dt.UTC)
LOGIN = "/accounts/login/"
OPEN311 = "/open311/v2/requests"
WRONG = "wrong-password"  # a password that fails


def test_rate_parse_reads_count_per_seconds_and_refuses_nonsense():
    assert rate_parse("30/60") == (30, 60)
    for bad in ("30", "a/60", "0/60", "30/0", "1/2/3"):
        with pytest.raises(ImproperlyConfigured):
            rate_parse(bad)


def _login(client, username, ip, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@override_settings(GONGZHI_RATE_LOGIN="3/60")
def test_failed_logins_over_the_limit_are_429_and_log_no_one_in(world):
    with time_machine.travel(START + dt.timedelta(seconds=15), tick=False) as traveller:
        for username in ("jiedao", "shequ", "wangge_a"):
            assert _login(Client(), username, "10.1.1.1", password=WRONG).status_code == 200
        client = Client()
        refused = _login(client, "wangge_b", "10.1.1.1")  # the right password, but the address is over
        assert refused.status_code == 429 and refused["Retry-After"] == "45"
        page = refused.content.decode()
        assert "请等待 45 秒" in page and "返回上一页" in page
        assert "_auth_user_id" not in client.session
        assert LoginFailure.objects.count() == 3  # the refused POST checked no password
        # GETs are never counted; another address has its own window.
        assert client.get(LOGIN, REMOTE_ADDR="10.1.1.1").status_code == 200
        assert _login(Client(), "wangge_b", "10.1.1.2").status_code == 302
        traveller.shift(dt.timedelta(seconds=46))
        assert _login(client, "wangge_b", "10.1.1.1").status_code == 302
        assert "_auth_user_id" in client.session


@override_settings(GONGZHI_RATE_LOGIN="3/60")
def test_an_office_behind_one_address_logs_everyone_in(world):
    """Forty staff behind the office's NAT log in within the same minute: successes are not counted, so a
    limit of three failures refuses none of them; the office's few typos count, and stay under it."""
    with time_machine.travel(START, tick=False):
        assert _login(Client(), "shequ", "10.9.9.9", password="typo").status_code == 200
        for _ in range(4):
            for username in ("jiedao", "shequ", "wangge_a", "wangge_b", "jumin"):
                assert _login(Client(), username, "10.9.9.9").status_code == 302
        assert _login(Client(), "wangge_a", "10.9.9.9", password="typo").status_code == 200
        assert _login(Client(), "jiedao", "10.9.9.9").status_code == 302


@override_settings(GONGZHI_RATE_LOGIN="2/60", GONGZHI_TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_the_trusted_proxy_the_limit_is_per_forwarded_address(world):
    def through_proxy(username, forwarded, password=WRONG):
        data = {"username": username, "password": password}
        return Client().post(LOGIN, data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    with time_machine.travel(START, tick=False):
        assert through_proxy("jiedao", "203.0.113.5").status_code == 200
        assert through_proxy("shequ", "203.0.113.5").status_code == 200
        assert through_proxy("wangge_a", "203.0.113.5", password=PASSWORD).status_code == 429
        assert through_proxy("wangge_a", "203.0.113.6", password=PASSWORD).status_code == 302


@override_settings(GONGZHI_RATE_REPORT="2/60")
def test_report_form_over_the_limit_is_429_and_makes_no_case(world, client_of):
    leak = CaseCategory.objects.get(code="0101")
    data = {"category": leak.pk, "description": "楼道水管漏水", "where": f"d{world.dwellings['1-101'].pk}"}
    url = reverse("cases:case-report")
    jumin = client_of("jumin")
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(2):
            assert jumin.post(url, data, REMOTE_ADDR="10.2.2.2").status_code == 302
        refused = jumin.post(url, data, REMOTE_ADDR="10.2.2.2")
        assert refused.status_code == 429 and refused["Retry-After"] == "60"
        assert "请等待 60 秒" in refused.content.decode()
        assert Case.objects.count() == 2
        assert jumin.get(url, REMOTE_ADDR="10.2.2.2").status_code == 200
        assert jumin.post(url, data, REMOTE_ADDR="10.2.2.3").status_code == 302
        traveller.shift(dt.timedelta(seconds=60))
        assert jumin.post(url, data, REMOTE_ADDR="10.2.2.2").status_code == 302
    assert Case.objects.count() == 4


@pytest.fixture
def api_key(world):
    _key, raw = open311_key_create(actor=actor_for_user(world.user("jiedao")), name="12345 热线")
    return raw


@override_settings(GONGZHI_RATE_OPEN311="2/60")
def test_open311_post_over_the_limit_is_a_429_error_array_and_makes_no_case(world, client, api_key):
    data = {"api_key": api_key, "service_code": "0101", "address_id": str(world.buildings["1"].pk)}
    with time_machine.travel(START + dt.timedelta(seconds=50), tick=False) as traveller:
        for _ in range(2):
            assert client.post(f"{OPEN311}.json", data, REMOTE_ADDR="10.3.3.3").status_code == 201
        refused = client.post(f"{OPEN311}.json", data, REMOTE_ADDR="10.3.3.3")
        assert refused.status_code == 429 and refused["Retry-After"] == "10"
        [error] = json.loads(refused.content)
        assert error["code"] == 429 and "10 seconds" in error["description"]
        as_xml = client.post(f"{OPEN311}.xml", data, REMOTE_ADDR="10.3.3.3")
        assert as_xml.status_code == 429 and as_xml["Retry-After"] == "10"
        root = ElementTree.fromstring(as_xml.content)
        assert root.tag == "errors" and root.find("error/code").text == "429"
        assert Case.objects.count() == 2
        assert client.get(f"{OPEN311}.json", REMOTE_ADDR="10.3.3.3").status_code == 200
        assert client.post(f"{OPEN311}.json", data, REMOTE_ADDR="10.3.3.4").status_code == 201
        traveller.shift(dt.timedelta(seconds=10))
        assert client.post(f"{OPEN311}.json", data, REMOTE_ADDR="10.3.3.3").status_code == 201
    assert Case.objects.count() == 4
