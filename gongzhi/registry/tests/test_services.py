import datetime as dt

import pytest
from django.db import connection

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.identity import DocumentType
from gongzhi.registry.choices import PersonStatus, Relation
from gongzhi.registry.models import Household, Membership, Person, Residence
from gongzhi.registry.services import (
    PersonData,
    household_move,
    household_register,
    person_move_in,
    person_move_out,
    person_register,
    person_update,
)
from gongzhi.testing.world import JUMIN_ID, SYSTEM

pytestmark = pytest.mark.django_db


def test_raw_database_holds_no_id_number_or_phone_in_clear(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_masked, phone_masked FROM registry_person")
        rows = cursor.fetchall()
        cursor.execute("SELECT id_number, phone FROM registry_historicalperson")
        history = cursor.fetchall()
    raw = repr(rows) + repr(history)
    for person in Person.objects.all():
        for secret in (person.id_number, person.phone):
            if secret:
                assert secret not in raw
    assert all(row[0].startswith("g1:") for row in rows if row[0])
    assert ("340303********1233", "138****1111") in [(r[2], r[3]) for r in rows]


def test_encrypted_columns_refuse_equality_lookups(world):
    with pytest.raises(TypeError, match="blind-index"):
        Person.objects.filter(id_number=JUMIN_ID).exists()


def test_person_register_derives_birth_date_sex_and_keys(world):
    person = person_register(
        actor=SYSTEM,
        household=world.households["jumin"],
        relation=Relation.CHILD,
        data=PersonData(name="单小宝", id_type=DocumentType.CITIZEN_ID, id_number="340303201506010025"),
    )
    person.refresh_from_db()
    assert person.born_on == dt.date(2015, 6, 1)
    assert person.sex == "F"
    assert (person.name_pinyin, person.name_initials) == ("shanxiaobao", "sxb")
    assert person.id_number == "340303201506010025"
    assert person.org_path == world.households["jumin"].org_path
    assert person.grid_id == world.grid_a.pk


def test_person_register_refuses_a_second_person_with_the_same_id(world):
    with pytest.raises(DomainError, match="已登记") as excinfo:
        person_register(
            actor=SYSTEM,
            household=world.households["neighbour"],
            data=PersonData(name="冒名", id_type="citizen_id", id_number=JUMIN_ID),
        )
    assert excinfo.value.field == "id_number"


def test_legacy_and_upgraded_id_are_the_same_person(world):
    person_register(
        actor=SYSTEM,
        household=world.households["neighbour"],
        data=PersonData(name="老人", id_type="citizen_id", id_number="340303500101003"),
    )
    with pytest.raises(DomainError, match="已登记"):
        person_register(
            actor=SYSTEM,
            household=world.households["neighbour"],
            data=PersonData(name="老人", id_type="citizen_id", id_number="34030319500101003X"),
        )


def test_person_register_rejects_birth_date_that_contradicts_the_id(world):
    with pytest.raises(DomainError, match="出生日期") as excinfo:
        person_register(
            actor=SYSTEM,
            household=world.households["neighbour"],
            data=PersonData(
                name="某人", id_type="citizen_id", id_number="340303201506010025", born_on=dt.date(2015, 6, 2)
            ),
        )
    assert excinfo.value.field == "born_on"


def test_household_has_one_head(world):
    with pytest.raises(DomainError, match="已有户主"):
        person_register(
            actor=SYSTEM, household=world.households["jumin"], relation=Relation.HEAD, data=PersonData(name="第二户主")
        )
    assert Person.objects.filter(name="第二户主").count() == 0  # nothing half-written


def test_move_out_ends_membership_and_keeps_history(world):
    spouse = world.people["jumin_spouse"]
    person_move_out(actor=SYSTEM, person=spouse, moved_on=dt.date(2026, 1, 5), reason="工作调动")
    spouse.refresh_from_db()
    assert spouse.status == PersonStatus.MOVED_OUT
    assert spouse.household is None
    membership = Membership.objects.get(person=spouse)
    assert (membership.left_on, membership.left_reason) == (dt.date(2026, 1, 5), "工作调动")


def test_move_out_of_the_head_leaves_the_household_without_a_head(world):
    head = world.people["jumin"]
    person_move_out(actor=SYSTEM, person=head, moved_on=dt.date(2026, 1, 5), deceased=True)
    assert Household.objects.get(pk=world.households["jumin"].pk).head is None
    assert Person.objects.get(pk=head.pk).status == PersonStatus.DECEASED


def test_move_out_date_before_joining_is_refused(world):
    with pytest.raises(DomainError, match="不能早于"):
        person_move_out(actor=SYSTEM, person=world.people["jumin_spouse"], moved_on=dt.date(2020, 1, 1))


def test_move_in_to_another_household_keeps_both_memberships(world):
    spouse = world.people["jumin_spouse"]
    target = world.households["grid_b"]
    person_move_in(
        actor=SYSTEM, person=spouse, household=target, relation=Relation.OTHER_RELATIVE, moved_on=dt.date(2026, 2, 1)
    )
    spouse.refresh_from_db()
    assert spouse.household_id == target.pk
    assert spouse.grid_id == world.grid_b.pk
    assert list(
        Membership.objects.filter(person=spouse).order_by("joined_on").values_list("household_id", "left_on")
    ) == [
        (world.households["jumin"].pk, dt.date(2026, 2, 1)),
        (target.pk, None),
    ]


def test_household_move_moves_members_and_records_residences(world):
    household = world.households["jumin"]
    household_move(actor=SYSTEM, household=household, dwelling=world.dwellings["2-101"], moved_on=dt.date(2026, 3, 1))
    household.refresh_from_db()
    assert household.grid_id == world.grid_b.pk
    assert set(Person.objects.filter(household=household).values_list("grid_id", flat=True)) == {world.grid_b.pk}
    residences = list(
        Residence.objects.filter(household=household).order_by("moved_in_on").values_list("dwelling_id", "moved_out_on")
    )
    assert residences == [(world.dwellings["1-101"].pk, dt.date(2026, 3, 1)), (world.dwellings["2-101"].pk, None)]


def test_grid_worker_cannot_register_into_another_grid(world, actor_of):
    with pytest.raises(NotAllowed):
        household_register(actor=actor_of("wangge_b"), dwelling=world.dwellings["3-101"], head=PersonData(name="某"))


def test_grid_worker_registers_a_household_in_their_grid(world, actor_of):
    household = household_register(
        actor=actor_of("wangge_a"),
        dwelling=world.dwellings["3-101"],
        head=PersonData(name="新住户", phone="15900001111"),
    )
    assert household.head.name == "新住户"
    assert household.grid_id == world.grid_a.pk


def test_person_update_keeps_old_ciphertext_in_history_and_audits_without_clear_values(world):
    from gongzhi.core.models import AuditEntry

    person = world.people["jumin"]
    person_update(
        actor=SYSTEM,
        person=person,
        data=PersonData(name="居民甲", id_type="citizen_id", id_number=JUMIN_ID, phone="13800009999"),
    )
    assert Person.objects.get(pk=person.pk).phone == "13800009999"
    assert person.history.count() >= 2
    entry = AuditEntry.objects.filter(action="registry.person_update").latest("id")
    assert "13800009999" not in repr(entry.after) and "13800001111" not in repr(entry.before)
    assert set(entry.after) >= {"phone", "phone_masked"}
