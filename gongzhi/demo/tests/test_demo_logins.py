import io

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_logins_on_an_empty_database_says_to_seed_first() -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()
    assert settings.GONGZHI_DEMO_PASSWORD in out.getvalue()
