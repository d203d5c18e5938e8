"""The error pages a user can meet are in Chinese and say what to do next: Django's defaults are English
("Not Found") and a resident who mistypes an address or follows an old link must understand the page."""

import pytest
from django.test import Client, RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_chinese_404_for_anyone(world, client_of):
    for client in (Client(), client_of("jumin"), client_of("jiedao")):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        page = response.content.decode()
        assert "页面不存在（404）" in page and "返回首页" in page
        assert "Not Found" not in page


def test_a_household_outside_ones_scope_is_the_same_404(world, client_of):
    url = f"/registry/households/{world.households['jumin'].pk}/"
    assert client_of("wangge_a").get(url).status_code == 200
    response = client_of("wangge_b").get(url)
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_forbidden_bad_request_and_server_error_pages_are_chinese(world):
    request = RequestFactory().get("/")
    assert "无权访问（403）" in defaults.permission_denied(request, Exception()).content.decode()
    assert "请求有误（400）" in defaults.bad_request(request, Exception()).content.decode()
    error = defaults.server_error(request)
    assert error.status_code == 500 and "系统出错（500）" in error.content.decode()
