"""The notices' persona matrix (docs/permissions.md, Publicity — notices): a notice from 第一社区 to compound X."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.publicity.models import Recipient
from gongzhi.publicity.targets import Target
from gongzhi.publicity.tests.helpers import publish

pytestmark = pytest.mark.django_db

# persona: (compose page, notice's read rate, recipients of grid A, opens it as a reader)
MATRIX = {
    "jiedao": (200, 200, 200, 200),
    "shequ": (200, 200, 200, 200),
    "wangge_a": (404, 200, 200, 200),
    "wangge_b": (404, 200, 200, 200),  # follows it (residents of grid B got it); sees none of grid A's names
    "jumin": (404, 404, 404, 200),
    "baobao": (404, 404, 404, 404),
    "louzhang": (404, 404, 404, 404),
    "wuye": (404, 404, 404, 404),
    "dangzhibu": (404, 404, 404, 404),
    "zhiyuan": (404, 404, 404, 404),
    "outsider": (404, 404, 404, 404),
}


@pytest.mark.parametrize("username", sorted(MATRIX))
def test_notice_pages_follow_the_matrix(world, client_of, username):  # type: ignore[no-untyped-def]
    notice = publish(world, Target(nodes=(world.compound_x.pk,)))
    client = client_of(username)
    grid_a = reverse("publicity:recipient-list", args=[notice.pk]) + f"?grid={world.grid_a.pk}&state=unread"
    got = (
        client.get(reverse("publicity:notice-create")).status_code,
        client.get(reverse("publicity:notice-detail", args=[notice.pk])).status_code,
        client.get(grid_a).status_code,
        client.get(reverse("publicity:notice-read", args=[notice.pk])).status_code,
    )
    assert got == MATRIX[username]
    if username == "wangge_b":
        assert "居民甲" not in client.get(grid_a).content.decode()
    if username in ("jiedao", "shequ", "wangge_a"):
        assert "居民甲" in client.get(grid_a).content.decode()
    # Nobody but the resident reads into the counts by opening it.
    assert Recipient.objects.filter(notice=notice, read_at__isnull=False).count() == (1 if username == "jumin" else 0)
