from __future__ import annotations

from django.utils import timezone

from gongzhi.cases.tests.helpers import clean_photo
from gongzhi.party import meetings
from gongzhi.party.choices import MeetingKind
from gongzhi.party.tests.helpers import SYSTEM, Party


def meeting_rows_for_routes(party: Party) -> dict[str, int]:
    """A 党员大会 of X's branch with a photo, for the routes test."""
    meeting = meetings.meeting_record(
        actor=SYSTEM,
        organisation=party.branch_x,
        kind=MeetingKind.GENERAL_ASSEMBLY,
        held_on=timezone.localdate(),
        topic="学习党章",
        minutes="书记领学。",
        present_member_ids=[party.jumin.pk, party.neighbour.pk],
        photos=[clean_photo()],
    )
    return {"meeting_id": meeting.pk, "meeting_photo_id": meeting.photos.get().pk}
