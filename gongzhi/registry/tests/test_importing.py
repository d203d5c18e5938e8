import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from gongzhi.core.identity import check_char
from gongzhi.core.tables import read_rows
from gongzhi.registry.choices import Relation
from gongzhi.registry.importing import run_import, write_rejects, write_template
from gongzhi.registry.models import Dwelling, Household, Membership, Ownership, Person
from gongzhi.testing.world import JUMIN_ID, SYSTEM

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)
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


def ident(body: str) -> str:
    return body + check_char(body)


def sheet(*rows, header=HEADER):
    workbook = Workbook()
    ws = workbook.active
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return read_rows(buffer, filename="ledger.xlsx")


def row(
    room="101",
    name="新住户",
    id_number=None,
    relation="户主",
    tags="",
    owner="否",
    area="",
    phone="",
    building="1号楼",
    compound="X小区",
    unit="1单元",
    moved="2024-05-01",
    id_type="居民身份证",
):
    return [
        compound,
        building,
        unit,
        room,
        name,
        id_type if id_number else "",
        id_number or "",
        phone,
        relation,
        tags,
        owner,
        area,
        moved,
    ]


def run(rows, actor=SYSTEM, **options):
    return run_import(actor, rows, today=TODAY, **options)


def reasons(outcome):
    return {r.number: "；".join(r.reasons) for r in outcome.rows if r.reasons}


def test_a_new_household_is_created_with_its_members_and_owner(world):
    rows = sheet(
        row(
            room="201",
            name="王大明",
            id_number=ident("34030319700101003"),
            tags="退役军人",
            owner="是",
            area="98.76",
            phone="13911112222",
        ),
        row(room="201", name="李小芳", id_number=ident("34030319720202004"), relation="妻子"),
        row(room="201", name="王小宝", relation="儿子"),  # a child without an ID number
    )
    outcome = run(rows)
    assert outcome.imported
    assert outcome.summary()["created"] == 3
    dwelling = Dwelling.objects.get(room="201")
    assert (dwelling.exclusive_area_dm2, dwelling.floor, dwelling.grid_id) == (9876, 2, world.grid_a.pk)
    household = Household.objects.get(dwelling=dwelling)
    assert household.head.name == "王大明"
    assert set(household.members.values_list("name", flat=True)) == {"王大明", "李小芳", "王小宝"}
    assert Membership.objects.get(person__name="李小芳").relation == Relation.SPOUSE
    wang = Person.objects.get(name="王大明")
    assert wang.phone == "13911112222"
    assert [t.name for t in wang.care_tags.all()] == ["退役军人"]
    assert Ownership.objects.get(dwelling=dwelling).person == wang


def test_second_import_of_the_same_file_creates_nothing_new(world):
    rows = sheet(
        row(room="201", name="王大明", id_number=ident("34030319700101003"), owner="是", area="98.76"),
        row(room="201", name="王小宝", relation="儿子"),
    )
    assert run(rows).summary()["created"] == 2
    counts = (Person.objects.count(), Household.objects.count(), Membership.objects.count(), Ownership.objects.count())
    again = run(rows).summary()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert (
        Person.objects.count(),
        Household.objects.count(),
        Membership.objects.count(),
        Ownership.objects.count(),
    ) == counts


def test_an_existing_person_is_updated_not_duplicated_and_the_change_goes_to_history(world):
    jumin = world.people["jumin"]
    before = jumin.history.count()
    outcome = run(sheet(row(room="101", name="居民甲", id_number=JUMIN_ID, phone="13700007777", tags="独居老人")))
    assert outcome.summary()["updated"] == 1
    assert Person.objects.filter(id_bidx=jumin.id_bidx).count() == 1
    jumin.refresh_from_db()
    assert jumin.phone == "13700007777"
    assert jumin.history.count() == before + 1
    assert jumin.history.first().history_change_reason == "台账导入"


def test_a_person_found_in_another_dwelling_moves_there(world):
    spouse = world.people["jumin_spouse"]
    outcome = run(sheet(row(room="101", building="2号楼", name="曾小红", id_number=spouse.id_number, relation="其他")))
    assert outcome.summary()["updated"] == 1
    spouse.refresh_from_db()
    assert spouse.grid_id == world.grid_b.pk
    assert Membership.objects.filter(person=spouse).count() == 2
    assert Membership.objects.filter(person=spouse, left_on__isnull=True).get().household_id == spouse.household_id


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"id_number": "340303199001011234"}, "证件号码", "校验位错误"),
        ({"id_number": 1.101011990010112e17}, "证件号码", "最后几位已经丢失"),
        ({"compound": "不存在小区"}, "小区", "找不到小区"),
        ({"building": "99号楼"}, "楼栋", "没有楼栋"),
        ({"relation": "邻居"}, "与户主关系", "不是可识别的关系"),
        ({"moved": "2030-01-01"}, "入住日期", "晚于今天"),
        ({"moved": "2021-02-30"}, "入住日期", "不是有效日期"),
        ({"tags": "VIP"}, "关爱标签", "没有名为"),
        ({"area": "-3"}, "专有面积", "不是有效面积"),
        ({"phone": "12345"}, "联系电话", "格式不正确"),
        ({"room": "909"}, "房号", "需要填写专有面积"),
        ({"name": ""}, "姓名", "不能为空"),
    ],
)
def test_each_rejection_has_a_reason_naming_the_column(world, cells, column, fragment):
    values = {"room": "102", "name": "某人", "id_number": ident("34030319800101005"), "relation": "其他"} | cells
    outcome = run(sheet(row(**values)))
    assert not outcome.imported
    text = reasons(outcome)[2]
    assert f"【{column}】" in text or column in text
    assert fragment in text


def test_valid_foreign_and_legacy_documents_are_never_rejected(world):
    outcome = run(
        sheet(
            row(
                room="102",
                name="Ahmed Ali",
                id_type="外国人永久居留身份证",
                id_number="932682198501010017",
                relation="租户",
            ),
            row(
                room="102",
                name="陈大文",
                id_type="港澳台居民居住证",
                id_number=ident("81000019800101002"),
                relation="其他",
            ),
            row(room="102", name="赵老伯", id_number="340303500101003", relation="其他"),
            row(
                room="102",
                name="Maple Lee",
                id_type="外国人永久居留身份证",
                id_number="911124198108030024",
                relation="其他",
            ),
        )
    )
    assert reasons(outcome) == {}
    assert outcome.summary()["created"] == 4


def test_duplicate_person_and_conflicting_head_are_rejected(world):
    same = ident("34030319800101005")
    outcome = run(
        sheet(
            row(room="301", name="甲", id_number=same, area="60"),
            row(room="301", name="甲", id_number=same, relation="子女"),
            row(room="301", name="乙", id_number=ident("34030319800101006"), relation="户主"),
            row(room="101", name="丙", id_number=ident("34030319800101007"), relation="户主"),  # jumin heads 101
        )
    )
    found = reasons(outcome)
    assert "与第2行是同一证件号码" in found[3]
    assert "同一房屋已有户主（第2行）" in found[4]
    assert "该房屋已登记户主" in found[5]


def test_all_or_nothing_by_default_and_valid_rows_only_on_request(world):
    rows = sheet(row(room="301", name="好人", area="60"), row(room="302", name="坏行", relation="邻居", area="60"))
    before = Person.objects.count()
    refused = run(rows)
    assert not refused.imported
    assert Person.objects.count() == before
    partial = run(rows, valid_rows_only=True)
    assert partial.imported
    assert Person.objects.filter(name="好人").exists()
    assert not Person.objects.filter(name="坏行").exists()
    out = io.BytesIO()
    assert write_rejects(out, partial) == 1
    out.seek(0)
    rejects = load_workbook(out).active
    values = [c.value for c in rejects[3]]
    assert values[0] == 3  # the original row number
    assert "坏行" in values
    assert "不是可识别的关系" in values[-1]


def test_dry_run_reports_exactly_and_writes_nothing(world):
    rows = sheet(
        row(room="301", name="新人", area="60"), row(room="101", name="居民甲", id_number=JUMIN_ID, phone="13700007777")
    )
    before = (Person.objects.count(), Dwelling.objects.count())
    dry = run(rows, dry_run=True).summary()
    assert (dry["created"], dry["updated"], dry["rejected"]) == (1, 1, 0)
    assert (Person.objects.count(), Dwelling.objects.count()) == before
    real = run(rows).summary()
    assert (real["created"], real["updated"]) == (dry["created"], dry["updated"])


def test_a_crash_in_the_middle_leaves_nothing(world, monkeypatch):
    from gongzhi.registry import importing

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_care_tags", explode)
    before = (Person.objects.count(), Household.objects.count(), Dwelling.objects.count(), Membership.objects.count())
    with pytest.raises(RuntimeError):
        run(sheet(row(room="301", name="新人", area="60", tags="退役军人")))
    assert (
        Person.objects.count(),
        Household.objects.count(),
        Dwelling.objects.count(),
        Membership.objects.count(),
    ) == before


def test_rows_outside_the_actors_scope_are_rejected(world, actor_of):
    outcome = run(sheet(row(room="101", building="2号楼", name="某人", relation="其他")), actor=actor_of("wangge_a"))
    assert "没有楼栋“2号楼”（或不在您的管辖范围内）" in reasons(outcome)[2]


def test_header_variants_and_a_note_row_above_the_header_are_understood(world):
    workbook = Workbook()
    ws = workbook.active
    ws.append(["说明：每行一人"])
    ws.append(["*小区名称", "楼号", "单元号", "房间号", "*姓名", "公民身份号码", "联系方式", "与户主的关系（必填）"])
    ws.append(["X小区", "2", "1", "101室", "新成员", ident("34030319900909001"), "", "其他亲属"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    outcome = run(read_rows(buffer, filename="a.xlsx"))
    assert reasons(outcome) == {}
    assert Person.objects.get(name="新成员").grid_id == world.grid_b.pk


def test_missing_required_columns_are_named(world):
    from gongzhi.core.exceptions import DomainError

    with pytest.raises(DomainError, match="与户主关系"):
        run(sheet(["X小区", "1号楼", "1单元", "101", "某"], header=["小区", "楼栋", "单元", "房号", "姓名"]))


def test_csv_in_gb18030_is_read(world):
    content = ",".join(HEADER[:9]) + "\n" + ",".join(["X小区", "1号楼", "1单元", "102", "新住户", "", "", "", "租户"])
    rows = read_rows(io.BytesIO(content.encode("gb18030")), filename="a.csv")
    assert run(rows).summary()["created"] == 1


def test_template_has_text_formatted_id_column_and_is_importable(world):
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    ws = load_workbook(buffer).active
    assert ws["G3"].value == "340303199001011233"
    assert ws["G10"].number_format == "@"
    buffer.seek(0)
    outcome = run(read_rows(buffer, filename="t.xlsx"), dry_run=True)
    assert "找不到小区“华侨新村”" in reasons(outcome)[3]
