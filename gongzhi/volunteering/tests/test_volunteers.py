"""Registration with consent (guardians for minors), profiles, withdrawal, teams."""

import pytest

from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.models import AuditEntry
from gongzhi.volunteering import services
from gongzhi.volunteering.choices import SignUpStatus, TeamKind, VolunteerStatus
from gongzhi.volunteering.selectors import registrable_people
from gongzhi.volunteering.services import Consent
from gongzhi.volunteering.testing import attend, make_activity, register

pytestmark = pytest.mark.django_db


def test_resident_registers_with_consent_and_gets_a_number_that_is_not_the_id(world, actor_of):
    volunteer = services.volunteer_register(
        actor=actor_of("jumin"),
        person=world.people["jumin"],
        consent=Consent(volunteer=True),
        skills=["elder_care", "patrol"],
        availability=["weekend"],
    )
    assert volunteer.number == f"ZY{volunteer.pk:08d}"
    assert "340303" not in volunteer.number
    assert volunteer.consented_at is not None and volunteer.consent_version == services.CONSENT_VERSION
    assert volunteer.skills == ["elder_care", "patrol"]
    assert volunteer.guardian is None
    entry = AuditEntry.objects.get(action="volunteering.volunteer_register")
    assert "340303" not in str(entry.after)


def test_registration_without_consent_is_refused(world, actor_of):
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(actor=actor_of("jumin"), person=world.people["jumin"], consent=Consent(False))
    assert exc.value.field == "consent"


def test_unknown_skill_is_refused_naming_the_field(world, actor_of):
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(
            actor=actor_of("jumin"), person=world.people["jumin"], consent=Consent(True), skills=["juggling"]
        )
    assert exc.value.field == "skills"


def test_a_resident_cannot_register_someone_outside_their_household(world, actor_of):
    with pytest.raises(NotAllowed):
        register(world.people["neighbour"], actor=actor_of("jumin"))


def test_an_adult_household_member_must_register_themselves(world, actor_of):
    with pytest.raises(DomainError, match="成年家庭成员请用本人账号登记"):
        register(world.people["jumin_spouse"], actor=actor_of("jumin"))


def test_guardian_registers_a_teenager_with_guardian_consent(world, actor_of, teenager):
    actor = actor_of("jumin")
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(actor=actor, person=teenager, consent=Consent(volunteer=True))
    assert exc.value.field == "guardian_consent"
    volunteer = services.volunteer_register(actor=actor, person=teenager, consent=Consent(True, guardian=True))
    assert volunteer.guardian == world.people["jumin"]
    assert volunteer.guardian_consented_at is not None


def test_a_child_under_14_needs_the_guardians_separate_consent(world, actor_of, child):
    actor = actor_of("jumin")
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(actor=actor, person=child, consent=Consent(True, guardian=True))
    assert exc.value.field == "child_consent"
    volunteer = services.volunteer_register(actor=actor, person=child, consent=Consent(True, guardian=True, child=True))
    assert volunteer.guardian_id == world.people["jumin"].pk


def test_a_minor_with_an_account_cannot_register_alone(world, teenager):
    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.registry.models import Person
    from gongzhi.testing.world import add_user

    user = add_user("xiaojun", "曾小军")
    Person.objects.filter(pk=teenager.pk).update(user=user)
    with pytest.raises(DomainError, match="监护人"):
        register(teenager, actor=actor_for_user(user))


def test_registrable_people_are_oneself_and_the_minors_of_the_household(world, actor_of, child):
    names = [p.name for p in registrable_people(actor=actor_of("jumin"))]
    assert names == ["居民甲", "曾小花"]
    register(world.people["jumin"], actor=actor_of("jumin"))
    assert [p.name for p in registrable_people(actor=actor_of("jumin"))] == ["曾小花"]
    assert registrable_people(actor=actor_of("zhiyuan")) == []


def test_registering_twice_is_refused(world, actor_of):
    register(world.people["jumin"], actor=actor_of("jumin"))
    with pytest.raises(DomainError, match="已是志愿者"):
        register(world.people["jumin"], actor=actor_of("jumin"))


def test_withdrawal_cancels_future_signups_and_keeps_hours_and_rejoining_consents_again(world, actor_of, rule):
    import datetime as dt

    from django.utils import timezone

    jumin = actor_of("jumin")
    volunteer = register(world.people["jumin"], actor=jumin)
    past = make_activity(organiser=actor_of("zhiyuan"), node=world.community)
    attend(past, volunteer, minutes=60)
    future = make_activity(
        organiser=actor_of("zhiyuan"), node=world.community, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    signup = services.signup_create(actor=jumin, activity=future, volunteer=volunteer)
    services.volunteer_withdraw(actor=jumin, volunteer=volunteer)
    volunteer.refresh_from_db()
    signup.refresh_from_db()
    assert volunteer.status == VolunteerStatus.WITHDRAWN
    assert signup.status == SignUpStatus.CANCELLED
    assert volunteer.certified_minutes == 60
    with pytest.raises(DomainError, match="不能报名"):
        services.signup_create(actor=jumin, activity=future, volunteer=volunteer)
    again = register(world.people["jumin"], actor=jumin)
    assert again.pk == volunteer.pk and again.number == volunteer.number
    assert again.status == VolunteerStatus.ACTIVE


def test_manager_suspends_with_a_reason_and_cannot_withdraw_for_the_volunteer(world, actor_of):
    volunteer = register(world.people["jumin"], actor=actor_of("jumin"))
    manager = actor_of("zhiyuan")
    with pytest.raises(DomainError) as exc:
        services.volunteer_set_status(actor=manager, volunteer=volunteer, status="suspended", reason="")
    assert exc.value.field == "reason"
    with pytest.raises(DomainError):
        services.volunteer_set_status(actor=manager, volunteer=volunteer, status="withdrawn", reason="不再参加活动")
    services.volunteer_set_status(actor=manager, volunteer=volunteer, status="suspended", reason="多次无故缺席")
    with pytest.raises(InvalidTransition):
        services.volunteer_set_status(actor=manager, volunteer=volunteer, status="suspended", reason="再次暂停")
    with pytest.raises(NotAllowed):
        services.volunteer_set_status(actor=actor_of("shequ"), volunteer=volunteer, status="active", reason="恢复服务")


def test_team_with_leader_and_members(world, actor_of):
    manager = actor_of("zhiyuan")
    volunteer = register(world.people["jumin"], actor=actor_of("jumin"))
    team = services.team_create(actor=manager, node=world.compound_x, name="X小区文体队", kind=TeamKind.CULTURE)
    services.team_member_add(actor=manager, team=team, volunteer=volunteer, as_leader=True)
    team.refresh_from_db()
    assert team.leader == volunteer
    with pytest.raises(DomainError, match="已是团队成员"):
        services.team_member_add(actor=manager, team=team, volunteer=volunteer)
    with pytest.raises(DomainError, match="同名"):
        services.team_create(actor=manager, node=world.compound_x, name="X小区文体队", kind=TeamKind.CULTURE)
    with pytest.raises(NotAllowed):
        services.team_create(actor=actor_of("shequ"), node=world.compound_x, name="另一队", kind=TeamKind.CARE)
    services.team_member_remove(actor=manager, team=team, volunteer=volunteer)
    team.refresh_from_db()
    assert team.leader is None
