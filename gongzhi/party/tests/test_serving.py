"""送服务: the tag, and service cards and totals read from certified records (corrections included)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.party import serving
from gongzhi.party.models import Need, ServiceActivity
from gongzhi.party.tests.helpers import build_party
from gongzhi.testing.world import SYSTEM
from gongzhi.volunteering import services as volunteering
from gongzhi.volunteering.models import ServiceRecord
from gongzhi.volunteering.services import ActivityData
from gongzhi.volunteering.testing import attend, ensure_default_rule, make_activity, register

pytestmark = pytest.mark.django_db


def _data(world, title: str = "党员进楼栋：楼道清理", days_ago: int = 2) -> ActivityData:  # type: ignore[no-untyped-def]
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return ActivityData(
        title=title,
        service_content="环境整治",
        node=world.compound_x,
        place="1号楼前",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        slots=10,
    )


def test_secretary_creates_a_tagged_activity_in_one_step(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    dangzhibu = actor_for_user(world.user("dangzhibu"))
    tag = serving.service_activity_create(actor=dangzhibu, organisation=party.branch_x, data=_data(world))
    assert tag.activity.organiser_id == world.user("dangzhibu").pk
    assert tag.organisation == party.branch_x


def test_secretary_of_another_branch_cannot_tag_for_this_one(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    dangzhibu = actor_for_user(world.user("dangzhibu"))
    with pytest.raises(NotAllowed):
        serving.service_activity_create(actor=dangzhibu, organisation=party.joint_yz, data=_data(world))
    assert not ServiceActivity.objects.exists()


def test_an_activity_is_tagged_once(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    dangzhibu = actor_for_user(world.user("dangzhibu"))
    tag = serving.service_activity_create(actor=dangzhibu, organisation=party.branch_x, data=_data(world))
    with pytest.raises(DomainError, match="已标记"):
        serving.service_activity_tag(actor=dangzhibu, organisation=party.branch_x, activity=tag.activity)


def test_card_and_totals_show_certified_party_hours_only_with_corrections(world):  # type: ignore[no-untyped-def]
    ensure_default_rule()
    party = build_party(world)
    dangzhibu = actor_for_user(world.user("dangzhibu"))
    volunteer = register(world.people["jumin"])
    tagged = serving.service_activity_create(actor=dangzhibu, organisation=party.branch_x, data=_data(world))
    signup = attend(tagged.activity, volunteer, minutes=180)
    # The organiser finds it was two hours: a correction row, the card shows 120.
    record = ServiceRecord.objects.get(signup=signup)
    volunteering.hours_correct(actor=dangzhibu, record=record, minutes=120, reason="提前一小时结束")
    # An ordinary (untagged) activity: its hours are not party service.
    other = make_activity(organiser=actor_for_user(world.user("zhiyuan")), node=world.community, title="文艺汇演")
    attend(other, volunteer, minutes=60)

    card = serving.service_card(member=party.jumin)
    assert [(row.title, row.minutes) for row in card.rows] == [("党员进楼栋：楼道清理", 120)]
    assert card.total_minutes == 120
    minutes = serving.member_service_minutes([party.jumin, party.neighbour])
    assert minutes == {party.jumin.pk: 120, party.neighbour.pk: 0}
    day = timezone.localdate()
    totals = serving.organisation_service_totals(
        organisation=party.branch_x,
        members=[party.jumin, party.neighbour],
        since=day - dt.timedelta(days=30),
        until=day,
    )
    assert (totals.activities, totals.members_served, totals.minutes) == (1, 1, 120)
    # A period before the service: nothing.
    assert serving.member_service_minutes([party.jumin], until=day - dt.timedelta(days=10)) == {party.jumin.pk: 0}


def test_a_need_of_another_organisation_is_refused(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    need = Need.objects.create(
        organisation=party.joint_yz, category="environment", title="清理楼道杂物", node=world.compound_y
    )
    with pytest.raises(DomainError, match="不是本组织"):
        serving.service_activity_create(actor=SYSTEM, organisation=party.branch_x, data=_data(world), need=need)
    assert not ServiceActivity.objects.exists()
