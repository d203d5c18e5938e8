from __future__ import annotations

import pytest

from gongzhi.robots.tests.server import serve


@pytest.fixture
def robot(settings):  # type: ignore[no-untyped-def]
    """A local robot the channels may post to (GONGZHI_ROBOT_EXTRA_HOSTS lets 127.0.0.1 through)."""
    settings.GONGZHI_ROBOT_EXTRA_HOSTS = ["127.0.0.1"]
    yield from serve()
