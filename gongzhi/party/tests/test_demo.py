"""The demo's party organisations: every old compound covered, dangzhibu's Duty on their branch's compound,
about 8% of adults members, the rules' warnings computed without failing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import Duty, User
from gongzhi.demo.seed import seed_demo
from gongzhi.party import meetings, selectors
from gongzhi.party.choices import COMPOUND_ORG_KINDS, OrgKind
from gongzhi.party.models import Attendance, Meeting, Member, Organisation
from gongzhi.party.permissions import visible_members
from gongzhi.registry.models import Person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

pytestmark = pytest.mark.django_db


def test_demo_party_organisations_cover_the_old_compounds_and_the_persona():  # type: ignore[no-untyped-def]
    seed_demo(tier="T", seed=2026)
    today = timezone.localdate()
    covered = set(
        Organisation.territory.through.objects.filter(organisation__kind__in=COMPOUND_ORG_KINDS).values_list(
            "node_id", flat=True
        )
    )
    old = set(Node.objects.filter(kind=NodeKind.COMPOUND, is_old_compound=True).values_list("pk", flat=True))
    assert old and old <= covered
    assert Organisation.objects.filter(kind=OrgKind.WORKING_COMMITTEE).count() == 1
    assert Organisation.objects.filter(kind=OrgKind.COMPANY).count() == 2
    # About 8% of adults (18 and over) are members.
    adults = Person.objects.filter(born_on__lte=today.replace(year=today.year - 18), household__isnull=False).count()
    assert 0.05 * adults <= Member.objects.count() <= 0.11 * adults
    # dangzhibu's Duty names the compound their branch covers; they see its members and nobody else's.
    duty = Duty.objects.get(user__username="dangzhibu")
    dangzhibu = actor_for_user(User.objects.get(username="dangzhibu"))
    branches = [
        o for o in selectors.organisation_list(actor=dangzhibu) if o.kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH)
    ]
    assert len(branches) == 1
    assert duty.node in branches[0].territory.all()
    assert 0 < visible_members(dangzhibu).count() < Member.objects.count()
    figures = selectors.coverage(under=Node.objects.get(kind=NodeKind.SUBDISTRICT))
    assert figures.compounds_covered <= figures.compounds
    jiedao = actor_for_user(User.objects.get(username="jiedao"))
    assert selectors.organisation_tree(actor=jiedao, on=today + dt.timedelta(days=1))
    # 三会一课: a year of meetings, attendance rows matching the counts, some overdue, one 未过半 in the
    # persona's branch, and nothing recorded in the future.
    assert Meeting.objects.exists()
    assert Attendance.objects.count() == Meeting.objects.aggregate(n=Sum("entitled"))["n"]
    assert Attendance.objects.filter(is_present=True).count() == Meeting.objects.aggregate(n=Sum("present"))["n"]
    assert not Meeting.objects.filter(held_on__gt=today).exists()
    assert meetings.compliance_overdue(actor=jiedao, on=today)
    short = [m for m in Meeting.objects.filter(organisation=branches[0], kind="general_assembly") if not m.has_quorum]
    assert len(short) == 1
    table = meetings.compliance_table(organisation=branches[0], year=today.year, on=today)
    assert table.counts["done"] > 0


def test_demo_reporting_registers_members_outside_held_and_keeps_the_ledger_consistent():  # type: ignore[no-untyped-def]
    from gongzhi.party import reporting
    from gongzhi.party.models import Feedback, Need, Registration, ServiceActivity, WorkUnit
    from gongzhi.volunteering.ledger import ledger_check

    seed_demo(tier="T", seed=2026)
    accepted = Registration.objects.filter(status="accepted").select_related("member")
    assert accepted.count() > 0
    assert all(r.member.organisation_id is None and r.member.status == "active" for r in accepted)
    assert all(r.holding_organisation == r.member.outside_organisation for r in accepted)
    # The persona jumin has not reported: a journey does that.
    assert not Registration.objects.filter(person__user__username="jumin").exists()
    dangzhibu = actor_for_user(User.objects.get(username="dangzhibu"))
    assert reporting.registration_list(actor=dangzhibu, status="submitted").exists()
    assert WorkUnit.objects.exists() and Need.objects.exists() and Feedback.objects.exists()
    assert ServiceActivity.objects.filter(activity__service_records__isnull=False).exists()
    assert ledger_check().ok
    jiedao = actor_for_user(User.objects.get(username="jiedao"))
    figures = reporting.reporting_figures(actor=jiedao, year=timezone.localdate().year)
    assert figures.accepted == accepted.count() and figures.pending > 0
