import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.registry.models import ImportJob, Person
from gongzhi.registry.tests.test_importing import row, sheet
from gongzhi.testing.world import JUMIN_ID

pytestmark = pytest.mark.django_db


def upload(client, rows, mode="all", name="ledger.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook()
    for r in rows:
        workbook.active.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(
        reverse("registry:import"),
        {
            "file": SimpleUploadedFile(name, buffer.getvalue()),
            "mode": mode,
        },
    )


HEADER = [
    "小区",
    "楼栋",
    "单元",
    "房号",
    "姓名",
    "证件类型",
    "身份证号",
    "手机号码",
    "与户主关系",
    "关爱标签",
    "是否产权人",
    "专有面积",
    "入住日期",
]


def test_upload_runs_in_the_background_and_returns_the_rejected_rows(
    world, client_of, django_capture_on_commit_callbacks
):
    client = client_of("wangge_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client,
            [HEADER, row(room="301", name="好人", area="60"), row(room="302", name="坏行", relation="邻居", area="60")],
            mode="valid_rows_only",
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("registry:import-detail", args=[job.pk])
    assert (job.status, job.created_count, job.rejected_count) == ("done", 1, 1)
    page = client.get(response["Location"]).content.decode()
    assert "不是可识别的关系" in page
    rejects = client.get(reverse("registry:import-rejects", args=[job.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(rejects.streaming_content)))
    assert "坏行" in [c.value for c in workbook.active[3]]
    assert client_of("wangge_b").get(reverse("registry:import-detail", args=[job.pk])).status_code == 404


def test_all_or_nothing_upload_imports_nothing_when_a_row_is_wrong(
    world, client_of, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client_of("wangge_a"),
            [HEADER, row(room="301", name="好人", area="60"), row(room="302", name="坏行", relation="邻居", area="60")],
        )
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    assert not Person.objects.filter(name="好人").exists()


def test_unsupported_file_types_are_refused_with_a_message(world, client_of):
    response = client_of("wangge_a").post(
        reverse("registry:import"), {"file": SimpleUploadedFile("ledger.pdf", b"%PDF"), "mode": "all"}
    )
    assert "只支持" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_residents_and_property_staff_cannot_import_or_export(world, client_of):
    for persona in ("jumin", "wuye"):
        assert client_of(persona).get(reverse("registry:import")).status_code == 404
        assert client_of(persona).get(reverse("registry:export-people")).status_code == 404


def _sheet_values(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[c.value for c in r] for r in workbook.active.iter_rows()]


def test_export_is_scoped_masked_stamped_and_logged(world, client_of):
    response = client_of("wangge_b").get(reverse("registry:export-people"))
    values = _sheet_values(response)
    assert values[0][0].startswith("导出人：网格员B")
    names = [r[0] for r in values[2:]]
    assert names == ["住户丙"]
    assert values[2][4] == "340303********0015"
    log = AccessLog.objects.get()
    assert (log.actor_name, log.action, log.row_count, log.fields) == ("wangge_b", "export", 1, "masked")


def test_unmasked_export_needs_a_reason_and_is_logged(world, client_of):
    client = client_of("wangge_a")
    url = reverse("registry:export-people")
    refused = client.post(url, {"reason": "看"})
    assert refused.status_code == 302
    assert not AccessLog.objects.exists()
    response = client.post(url, {"reason": "上门走访核对"})
    ids = [r[4] for r in _sheet_values(response)[2:]]
    assert JUMIN_ID in ids
    log = AccessLog.objects.get()
    assert (log.fields, log.reason, log.row_count) == ("id_number,phone", "上门走访核对", 3)


def test_building_head_exports_only_masked(world, client_of):
    assert client_of("louzhang").post(reverse("registry:export-people"), {"reason": "上门走访核对"}).status_code == 403
    values = _sheet_values(client_of("louzhang").get(reverse("registry:export-people")))
    assert {r[0] for r in values[2:]} == {"居民甲", "曾小红", "邻居乙"}


def test_household_and_dwelling_exports(world, client_of):
    households = _sheet_values(client_of("jiedao").get(reverse("registry:export-households")))
    assert len(households) == 2 + 4
    dwellings = _sheet_values(client_of("jiedao").get(reverse("registry:export-dwellings"), {"grid": world.grid_a.pk}))
    assert {r[1] for r in dwellings[2:]} == {"101", "102"}
    assert "89.50" in {r[4] for r in dwellings[2:]}


def test_care_tag_list_export(world, client_of):
    from gongzhi.registry.models import CareTag, PersonCareTag

    tag = CareTag.objects.get(code="elderly_alone")
    PersonCareTag.objects.create(person=world.people["jumin"], tag=tag)
    values = _sheet_values(client_of("jiedao").get(reverse("registry:export-people"), {"care_tag": tag.pk}))
    assert [r[0] for r in values[2:]] == ["居民甲"]
    assert values[2][10] == "独居老人"


def test_sheet_helper_is_shared(world):
    assert sheet  # the pipeline tests build files with the same helper
