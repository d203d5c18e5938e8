"""Browser journeys: Playwright driving Debian's chromium (no browser download is possible here)."""

from __future__ import annotations

import os

import pytest

# live_server runs Django in a thread while the test uses the ORM from the event-loop thread Playwright
# starts; Django refuses that unless told it is a test (python-stack.md §9, verified).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def default_categories(world):  # type: ignore[no-untyped-def]
    """The default case categories and holiday calendar come from a data migration, and every transactional
    test (each e2e test) flushes the database after itself: put them back when an earlier test took them away."""
    import importlib

    from django.apps import apps as django_apps

    from gongzhi.cases.models import CaseCategory

    if not CaseCategory.objects.exists():
        importlib.import_module("gongzhi.cases.migrations.0002_default_categories").forwards(django_apps, None)


@pytest.fixture
def phone_page(browser):  # type: ignore[no-untyped-def]
    """A page the size of a phone (390×844), in Chinese."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
