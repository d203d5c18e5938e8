"""Public results of other modules on the public boards, through the one notice service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.signals import result_published
from gongzhi.publicity.models import Notice, Recipient
from gongzhi.stewardship.tests.helpers import evaluation_rows, rows_for_routes
from gongzhi.votes import services as votes
from gongzhi.votes.tests.helpers import opened

pytestmark = pytest.mark.django_db


def test_a_published_vote_is_on_its_compounds_board_once_and_in_no_inbox(world, client):  # type: ignore[no-untyped-def]
    shequ = actor_for_user(world.user("shequ"))
    poll = opened(shequ, world.compound_x, title="电梯加装意见征询")
    votes.poll_close(actor=shequ, poll=poll, now=poll.closes_at)
    votes.poll_publish(actor=shequ, poll=poll)
    notice = Notice.objects.get(source=f"votes.poll:{poll.pk}")
    assert notice.is_public and "电梯加装意见征询" in notice.title and not Recipient.objects.exists()
    board = client.get(reverse("publicity:board", args=[world.compound_x.pk])).content.decode()
    assert "投票结果公示：电梯加装意见征询" in board
    assert "电梯加装意见征询" not in client.get(reverse("publicity:board", args=[world.compound_z.pk])).content.decode()
    # Sent again (a retry): still one notice.
    result_published.send(sender=None, node=world.compound_x, title="x", text="y", source=notice.source)
    assert Notice.objects.filter(source=notice.source).count() == 1


def test_the_months_red_and_black_lists_reach_the_communitys_boards(world, client):  # type: ignore[no-untyped-def]
    rows_for_routes(world)
    evaluation_rows(world)
    notice = Notice.objects.get(source__startswith="stewardship.ranking:")
    assert notice.node == world.community and "红榜" in notice.body and "**" not in notice.body
    board = client.get(reverse("publicity:board", args=[world.compound_x.pk])).content.decode()
    assert "月度评比结果公示" in board


def test_an_honour_campaigns_vote_is_left_to_the_honour_roll(world):  # type: ignore[no-untyped-def]
    result_published.send(
        sender=None,
        node=world.compound_x,
        title="评选",
        text="计票",
        source="votes.poll:999",
        origin="publicity.honour:1",
    )
    assert not Notice.objects.exists()


def test_a_racing_second_post_of_one_source_leaves_the_callers_transaction_usable(world):  # type: ignore[no-untyped-def]
    from unittest import mock

    from gongzhi.publicity import services

    services.public_post(node=world.compound_x, title="结果公示", body="<p>x</p>", source="votes.poll:1")
    # The other publication's check ran before this one's insert: the insert meets the unique source.
    with mock.patch.object(services.Notice.objects, "filter") as seen:
        seen.return_value.exists.return_value = False
        assert (
            services.public_post(node=world.compound_x, title="结果公示", body="<p>x</p>", source="votes.poll:1")
            is None
        )
    assert Notice.objects.filter(source="votes.poll:1").count() == 1  # the transaction still answers
