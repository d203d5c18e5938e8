"""Secret ballots cannot be joined to voters, and no output shows a count before the poll closes."""

import uuid

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from gongzhi.core.models import AuditEntry, Notification
from gongzhi.votes import services
from gongzhi.votes.choices import Electorate
from gongzhi.votes.models import Ballot, Participation, PollResult, RollEntry
from gongzhi.votes.tests.helpers import NO, YES, opened, option

pytestmark = pytest.mark.django_db


def _secret_poll_with_votes(world, actor_of):  # type: ignore[no-untyped-def]
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS, is_secret=True)
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    neighbour = RollEntry.objects.get(poll=poll, persons=world.people["neighbour"]).voter_key
    paper = services.paper_ballot_enter(actor=shequ, poll=poll, voter_key=neighbour, choices=option(poll, YES))
    return poll, paper


def test_the_ballot_table_has_nothing_that_points_at_a_voter():
    fields = {f.name: f for f in Ballot._meta.get_fields() if f.concrete}
    links = {name for name, f in fields.items() if isinstance(f, models.ForeignKey | models.OneToOneField)}
    assert links == {"poll", "replaces", "entered_by"}  # entered_by stays empty in secret polls (tested below)
    assert isinstance(fields["id"], models.UUIDField) and fields["id"].default is uuid.uuid4
    assert not any(isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add) for f in fields.values())
    participation_links = {f.related_model for f in Participation._meta.get_fields() if f.concrete and f.is_relation}
    assert Ballot not in participation_links


def test_a_secret_ballot_keeps_only_the_poll_and_the_choices(world, actor_of):
    poll, _paper = _secret_poll_with_votes(world, actor_of)
    for ballot in Ballot.objects.filter(poll=poll):
        assert ballot.voter_key is None and ballot.channel is None
        assert ballot.entered_by_id is None and ballot.entered_at is None
        assert uuid.UUID(str(ballot.pk)).version == 4  # random: its order says nothing about when it was cast
    for participation in Participation.objects.filter(poll=poll):
        assert participation.at is None  # no time to pair with anything
    assert Participation.objects.filter(poll=poll).count() == 2


def test_the_audit_trail_of_a_secret_poll_names_voters_or_ballots_never_both(world, actor_of):
    poll, paper = _secret_poll_with_votes(world, actor_of)
    services.paper_ballot_correct(
        actor=actor_of("shequ"), poll=poll, receipt=str(paper.pk), choices=option(poll, NO), reason="录入时勾错了"
    )
    ballot_ids = {str(b) for b in Ballot.objects.filter(poll=poll).values_list("pk", flat=True)}
    for entry in AuditEntry.objects.filter(action__startswith="votes."):
        text = f"{entry.target_label} {entry.before} {entry.after}"
        if entry.target_type == "votes.ballot":
            assert "邻" not in text and "voter" not in entry.after  # box side: no voter
        else:
            assert not any(b in text for b in ballot_ids), entry.action  # roll side: no ballot
        assert "yes" not in text and 'no"' not in text and "choices" not in text  # never what was chosen


def test_a_secret_paper_ballot_is_corrected_only_by_its_receipt(world, actor_of):
    poll, paper = _secret_poll_with_votes(world, actor_of)
    shequ = actor_of("shequ")
    from gongzhi.core.exceptions import DomainError

    with pytest.raises(DomainError, match="选票编号"):
        services.paper_ballot_correct(
            actor=shequ, poll=poll, receipt="12", choices=option(poll, NO), reason="看错了选项"
        )
    with pytest.raises(DomainError, match="没有找到"):
        services.paper_ballot_correct(
            actor=shequ, poll=poll, receipt=str(uuid.uuid4()), choices=option(poll, NO), reason="看错了选项"
        )
    new = services.paper_ballot_correct(
        actor=shequ, poll=poll, receipt=str(paper.pk), choices=option(poll, NO), reason="看错了选项"
    )
    assert new.replaces_id == paper.pk and new.entered_by_id is None
    tally = services.poll_close(actor=shequ, poll=poll).questions[0]["tally"]
    assert tally["counts"] == {"yes": 1, "no": 1, "abstain": 0}


EVERYONE = ("jiedao", "shequ", "yeweihui", "jumin", "wangge_a", "admin", "shenji", "outsider")


def test_no_output_shows_a_count_before_close_for_anyone_admins_included(world, actor_of, client_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS, title="装门禁")
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    assert not PollResult.objects.filter(poll=poll).exists()  # the count does not exist yet
    for persona in EVERYONE:
        client = client_of(persona)
        page = client.get(reverse("votes:poll-detail", args=[poll.pk]))
        assert page.status_code in {200, 404}, persona
        assert 'id="poll-result"' not in page.content.decode(), persona
        listing = client.get(reverse("votes:poll-list")).content.decode()
        assert "poll-result" not in listing and "当选" not in listing
        api = client.get(f"/api/v1/votes/polls/{poll.pk}")
        assert api.status_code == 404 or api.json()["result"] is None, persona
        result = client.get(f"/api/v1/votes/polls/{poll.pk}/result")
        assert result.status_code in {403, 404}, persona
        export = client.get(reverse("votes:poll-export", args=[poll.pk]))
        assert export.status_code in {403, 404} and "spreadsheet" not in export.get("Content-Type", ""), persona
    # the admin: a superuser sees the poll's settings, never ballots or a count
    assert Ballot not in admin.site._registry and PollResult not in admin.site._registry
    assert Participation not in admin.site._registry and RollEntry not in admin.site._registry
    change = client_of("admin").get(f"/admin/votes/poll/{poll.pk}/change/")
    assert change.status_code == 200 and "装门禁" in change.content.decode()
    assert "ballots" not in change.content.decode()
    # the auditor's trail records who did what, not what was chosen
    trail = client_of("shenji").get(reverse("accounts:audit-trail")).content.decode()
    assert "同意" not in trail
    # notifications: announced, opened, receipt — none with a count
    for notice in Notification.objects.all():
        assert "同意" not in notice.body and "票，" not in notice.body, notice.title


def test_after_close_the_managers_export_the_count_and_residents_wait_for_publication(world, actor_of, client_of):
    shequ = actor_of("shequ")
    poll = opened(shequ, world.compound_x, electorate=Electorate.HOUSEHOLDS)
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    services.poll_close(actor=shequ, poll=poll)
    export = client_of("shequ").get(reverse("votes:poll-export", args=[poll.pk]))
    assert export.status_code == 200 and "spreadsheet" in export["Content-Type"]
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "同意 1票" in rows[0][0]
    assert any(row[0] and row[0].startswith("居**") and row[-1] == "同意" for row in rows[2:])
    assert client_of("jumin").get(f"/api/v1/votes/polls/{poll.pk}/result").status_code == 403
    assert 'id="poll-result"' in client_of("shequ").get(reverse("votes:poll-detail", args=[poll.pk])).content.decode()
    assert (
        'id="poll-result"' not in client_of("admin").get(reverse("votes:poll-detail", args=[poll.pk])).content.decode()
    )
