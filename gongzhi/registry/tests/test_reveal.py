import pytest
from django.urls import reverse

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.models import AccessLog
from gongzhi.registry.services import person_reveal
from gongzhi.testing.world import JUMIN_ID

pytestmark = pytest.mark.django_db


def test_reveal_shows_the_full_values_and_logs_who_whose_what_why_where(world, client_of):
    person = world.people["jumin"]
    response = client_of("wangge_a").post(
        reverse("registry:person-reveal", args=[person.pk]),
        {"values": ["id_number", "phone"], "reason": "上门核实身份"},
        REMOTE_ADDR="10.1.2.3",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert JUMIN_ID in body
    assert "13800001111" in body
    row = AccessLog.objects.get()
    assert (row.actor_name, row.action, row.subject_id, row.fields, row.reason, row.ip_address) == (
        "wangge_a",
        "reveal",
        str(person.pk),
        "id_number,phone",
        "上门核实身份",
        "10.1.2.3",
    )
    assert row.subject_label == "居**"  # the log itself holds no name in clear
    assert JUMIN_ID not in repr(AccessLog.objects.values().get())


def test_person_page_never_shows_full_values_without_a_reveal(world, client_of):
    body = (
        client_of("wangge_a").get(reverse("registry:person-detail", args=[world.people["jumin"].pk])).content.decode()
    )
    assert JUMIN_ID not in body
    assert "13800001111" not in body
    assert "查看完整证件号码和电话" in body


def test_reveal_needs_a_reason(world, actor_of):
    with pytest.raises(DomainError, match="查看原因"):
        person_reveal(actor=actor_of("wangge_a"), person=world.people["jumin"], fields=["phone"], reason=" 看 ")
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("persona", ["louzhang", "baobao", "wuye", "jumin"])
def test_roles_that_need_no_full_values_cannot_reveal(world, actor_of, persona):
    with pytest.raises(NotAllowed):
        person_reveal(actor=actor_of(persona), person=world.people["jumin"], fields=["phone"], reason="想看看号码")


def test_reveal_out_of_scope_is_404(world, client_of):
    url = reverse("registry:person-reveal", args=[world.people["jumin"].pk])
    assert client_of("wangge_b").post(url, {"values": ["phone"], "reason": "上门核实身份"}).status_code == 404


def test_reveal_needs_a_verified_second_factor_when_required(world, actor_of, settings):
    settings.GONGZHI_REQUIRE_2FA = True
    with pytest.raises(NotAllowed, match="双因素"):
        person_reveal(actor=actor_of("wangge_a"), person=world.people["jumin"], fields=["phone"], reason="上门核实身份")


def test_only_the_auditor_sees_the_access_log(world, client_of, actor_of):
    person_reveal(actor=actor_of("jiedao"), person=world.people["jumin"], fields=["phone"], reason="事件处置联系")
    url = reverse("accounts:access-log")
    auditor_page = client_of("shenji").get(url)
    assert auditor_page.status_code == 200
    assert "事件处置联系" in auditor_page.content.decode()
    for persona in ("admin", "jiedao", "wangge_a"):
        assert client_of(persona).get(url).status_code == 404
    # Not in the Django admin either: the platform administrator is not an auditor.
    assert client_of("admin").get("/admin/core/accesslog/").status_code == 404


def test_access_log_rows_cannot_be_edited_or_deleted(world, actor_of):
    person_reveal(actor=actor_of("jiedao"), person=world.people["jumin"], fields=["phone"], reason="事件处置联系")
    row = AccessLog.objects.get()
    row.reason = "篡改"
    with pytest.raises(TypeError, match="append-only"):
        row.save()
    with pytest.raises(TypeError, match="append-only"):
        AccessLog.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"):
        AccessLog.objects.update(reason="篡改")


def test_database_refuses_to_edit_the_access_log_on_postgresql(world, actor_of):
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL")
    person_reveal(actor=actor_of("jiedao"), person=world.people["jumin"], fields=["phone"], reason="事件处置联系")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_accesslog SET reason = 'x'")
    with pytest.raises(Exception, match="180 days"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_accesslog")


def test_prune_keeps_at_least_180_days(world, actor_of):
    import datetime as dt

    import time_machine
    from django.core.management import call_command

    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)):
        person_reveal(actor=actor_of("jiedao"), person=world.people["jumin"], fields=["phone"], reason="很早以前的查看")
    person_reveal(actor=actor_of("jiedao"), person=world.people["jumin"], fields=["phone"], reason="最近的查看")
    call_command("prune_logs")
    assert list(AccessLog.objects.values_list("reason", flat=True)) == ["最近的查看"]
