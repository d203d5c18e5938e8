"""数据质量: per-community counts of what falls outside the territory, drill-down, Excel, one-click fixes."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from gongzhi.core.actors import Actor
from gongzhi.core.models import AccessLog
from gongzhi.registry import quality
from gongzhi.registry.choices import PersonStatus, Relation
from gongzhi.registry.models import Household, Person
from gongzhi.registry.services import PersonData, person_register
from gongzhi.territory.models import Node
from gongzhi.testing.world import SYSTEM, add_orphans

pytestmark = pytest.mark.django_db

BORN = dt.date(1950, 2, 3)


def _add_problems(world):  # type: ignore[no-untyped-def]
    """add_orphans, plus a resident left in no household and one person registered twice (once without ID)."""
    gridless, homeless = add_orphans(world)
    Person.objects.create(
        name="无户戊", name_pinyin="wuhuwu", name_initials="whw", org_path=world.compound_x.path, status="resident"
    )
    person_register(
        actor=SYSTEM,
        household=world.households["neighbour"],
        relation=Relation.PARENT,
        joined_on=BORN.replace(year=2020),
        data=PersonData(name="王秀英", born_on=BORN),
    )
    person_register(
        actor=SYSTEM,
        household=world.households["grid_b"],
        relation=Relation.PARENT,
        joined_on=BORN.replace(year=2020),
        data=PersonData(name="王秀英", id_type="citizen_id", id_number="340303195002030024"),
    )
    return gridless, homeless


def _counts(actor):  # type: ignore[no-untyped-def]
    return {row.node.name: dict(row.cells()) for row in quality.quality_counts(actor=actor)}


def test_each_check_is_counted_per_community(world, actor_of):  # type: ignore[no-untyped-def]
    clean = _counts(actor_of("jiedao"))
    assert clean == {name: dict.fromkeys(quality.CHECK_KEYS, 0) for name in ("第一社区", "第二社区")}
    _add_problems(world)
    counts = _counts(actor_of("jiedao"))
    assert counts["第一社区"] == {"buildings": 1, "dwellings": 1, "households": 1, "people": 1, "duplicates": 2}
    assert counts["第二社区"] == {"buildings": 1, "dwellings": 1, "households": 0, "people": 0, "duplicates": 0}
    # A community worker sees their own community only; a 包保 cadre of X小区 sees X小区's rows only.
    assert set(_counts(actor_of("shequ"))) == {"第一社区"}
    cadre = _counts(actor_of("baobao"))
    assert cadre == {"第一社区": {"buildings": 0, "dwellings": 0, "households": 0, "people": 1, "duplicates": 2}}


def test_the_page_drills_down_and_refuses_roles_without_scope(world, client_of):  # type: ignore[no-untyped-def]
    _add_problems(world)
    jiedao = client_of("jiedao")
    overview = jiedao.get("/registry/quality/").content.decode()
    assert "未划入网格的楼栋" in overview and "第二社区" in overview
    community = world.community.pk
    page = jiedao.get(f"/registry/quality/?check=buildings&community={community}").content.decode()
    assert "5号楼" in page and "8号楼" not in page
    assert "划入网格" in page and "A网格" in page  # the fix offers the community's real grids
    people = jiedao.get(f"/registry/quality/?check=duplicates&community={community}").content.decode()
    assert "王**" in people and "王秀英" not in people
    assert client_of("wangge_a").get("/registry/quality/").status_code == 404
    assert client_of("louzhang").get("/registry/quality/").status_code == 404
    assert client_of("shequ").get(f"/registry/quality/?community={world.other_community.pk}").status_code == 404
    assert jiedao.get("/registry/quality/?check=nonsense").status_code == 404


def test_assigning_the_building_to_a_grid_fixes_it_and_only_officers_may(world, client_of):  # type: ignore[no-untyped-def]
    gridless, _homeless = _add_problems(world)
    building = Node.objects.get(path=gridless.dwelling.org_path[:20])  # type: ignore[union-attr]
    form = {"building": building.pk, "grid": world.grid_a.pk, "next": "/registry/quality/?check=buildings"}
    refused = client_of("shequ").post("/registry/quality/assign-grid/", form)
    assert refused.status_code == 403
    assert Household.objects.get(pk=gridless.pk).grid_id is None
    done = client_of("jiedao").post("/registry/quality/assign-grid/", form)
    assert done.status_code == 302 and done["Location"] == "/registry/quality/?check=buildings"
    assert Household.objects.get(pk=gridless.pk).grid_id == world.grid_a.pk
    assert set(Person.objects.filter(household=gridless).values_list("grid_id", flat=True)) == {world.grid_a.pk}
    counts = _counts(Actor.system("t"))["第一社区"]
    assert (counts["buildings"], counts["dwellings"]) == (0, 0)
    # A grid of the other community is refused with the reason, and nothing changes.
    other = client_of("jiedao").post(
        "/registry/quality/assign-grid/", {"building": building.pk, "grid": world.grid_c.pk}, follow=True
    )
    assert "不属于同一社区" in other.content.decode()
    assert Household.objects.get(pk=gridless.pk).grid_id == world.grid_a.pk


def test_attaching_a_household_to_a_dwelling(world, client_of):  # type: ignore[no-untyped-def]
    _gridless, homeless = _add_problems(world)
    page = client_of("shequ").get("/registry/quality/?check=households").content.decode()
    assert "户号 H-PAPER-1" in page and "Y小区 3号楼 1单元 101" in page  # the free dwelling of Y小区
    free = world.dwellings["3-101"]
    response = client_of("shequ").post("/registry/quality/attach/", {"household": homeless.pk, "dwelling": free.pk})
    assert response.status_code == 302
    homeless.refresh_from_db()
    assert (homeless.dwelling_id, homeless.grid_id) == (free.pk, world.grid_a.pk)
    again = client_of("shequ").post(
        "/registry/quality/attach/", {"household": homeless.pk, "dwelling": free.pk}, follow=True
    )
    assert "该户已关联房屋" in again.content.decode()
    nothing = client_of("shequ").post("/registry/quality/attach/", {"household": homeless.pk}, follow=True)
    assert "请先选择" in nothing.content.decode()


def test_export_is_masked_and_logged(world, client_of):  # type: ignore[no-untyped-def]
    _add_problems(world)
    response = client_of("jiedao").get("/registry/quality/export.xlsx?check=people")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [[c for c in row if c is not None] for row in book.active.iter_rows(values_only=True)]
    assert ["第一社区", "无**", "最后所在：X小区", "加入住户或办理迁出"] in cells
    log = AccessLog.objects.get(subject_type="registry.quality.people")
    assert (log.actor_name, log.row_count, log.fields) == ("jiedao", 1, "masked")


def test_the_command_prints_the_same_report(world):  # type: ignore[no-untyped-def]
    _add_problems(world)
    out = io.StringIO()
    call_command("data_quality", "--json", stdout=out)
    report = {row["community"]: row for row in json.loads(out.getvalue())}
    assert report["第一社区"]["households"] == 1 and report["第二社区"]["buildings"] == 1
    listing = io.StringIO()
    call_command("data_quality", "--check", "households", stdout=listing)
    assert "户号 H-PAPER-1" in listing.getvalue()
    with pytest.raises(SystemExit):
        call_command("data_quality", "--fail-on-issues", stdout=io.StringIO())
    assert Person.objects.filter(status=PersonStatus.RESIDENT, household__isnull=True).count() == 1
