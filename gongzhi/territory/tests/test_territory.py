import pytest
from django.db import connection

from gongzhi.core.actors import subtree_q
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.registry.models import Dwelling, Household, Person
from gongzhi.registry.services import building_assign_grid
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import CodeRecord, Grid, Node
from gongzhi.territory.services import grid_create, grid_set_boundary, node_add, node_update
from gongzhi.testing.world import SYSTEM

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.0, 32.0], [117.1, 32.0], [117.1, 32.1], [117.0, 32.1], [117.0, 32.0]]],
}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def test_subtree_range_finds_exactly_the_descendants(world):
    compound = world.compound_x
    names = set(Node.objects.filter(subtree_q("path", compound.path)).values_list("name", flat=True))
    assert names == {"X小区", "1号楼", "2号楼", "1单元"}
    # Person rows carry a copy of their unit's path: the same range selects them.
    people = set(Person.objects.filter(subtree_q("org_path", compound.path)).values_list("name", flat=True))
    assert people == {"居民甲", "曾小红", "邻居乙", "住户丙"}


def test_subtree_range_is_an_index_search_on_sqlite(world):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite query plan")
    sql, params = (
        Person.objects.filter(subtree_q("org_path", world.compound_x.path)).values("id").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "SEARCH" in plan
    assert "org_path>? AND org_path<?" in plan


def test_path_column_sorts_in_byte_order_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL collation")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            ["registry_person", "org_path"],
        )
        assert cursor.fetchone()[0] == "C"
        cursor.execute('SELECT %s < %s COLLATE "C"', ["00010001", "0001~"])
        assert cursor.fetchone()[0] is True


def test_node_add_allows_only_the_child_kind(world):
    with pytest.raises(DomainError, match="只能添加"):
        node_add(actor=SYSTEM, parent=world.community, kind=NodeKind.COMPOUND, name="跳级小区")


def test_node_add_validates_codes(world):
    with pytest.raises(DomainError, match="12位"):
        node_add(actor=SYSTEM, parent=world.subdistrict, kind=NodeKind.COMMUNITY, name="新社区", code="3403")


def test_node_add_by_someone_who_is_not_an_officer_is_refused(world, actor_of):
    with pytest.raises(NotAllowed):
        node_add(actor=actor_of("shequ"), parent=world.compound_x, kind=NodeKind.BUILDING, name="新楼")


def test_officer_adds_a_building_and_it_is_audited(world, actor_of):
    from gongzhi.core.models import AuditEntry

    building = node_add(actor=actor_of("jiedao"), parent=world.compound_x, kind=NodeKind.BUILDING, name="5号楼")
    assert building.path.startswith(world.compound_x.path)
    assert AuditEntry.objects.filter(action="territory.node_add", target_id=str(building.pk)).exists()


def test_grid_code_is_community_area_compound_sequence(world):
    assert world.grid_a.code == "340303001001" + "01" + "001" + "001"
    assert world.grid_b.code.endswith("001002")
    assert CodeRecord.objects.get(grid=world.grid_a).value == world.grid_a.code


def test_grid_duplicate_sequence_is_refused(world):
    with pytest.raises(DomainError, match="已存在"):
        grid_create(actor=SYSTEM, community=world.community, compound=world.compound_x, name="重复", sequence=1)


def test_grid_must_lie_in_its_community(world):
    with pytest.raises(DomainError, match="不在该社区内"):
        grid_create(actor=SYSTEM, community=world.other_community, compound=world.compound_x, name="越界", sequence=9)


def test_grid_boundary_is_validated_with_shapely(world):
    grid = grid_set_boundary(actor=SYSTEM, grid=world.grid_a, boundary=SQUARE)
    assert (grid.min_lon, grid.max_lat) == (117.0, 32.1)
    with pytest.raises(DomainError, match="无效"):
        grid_set_boundary(actor=SYSTEM, grid=world.grid_a, boundary=BOWTIE)
    with pytest.raises(DomainError, match="Polygon"):
        grid_set_boundary(actor=SYSTEM, grid=world.grid_a, boundary={"type": "Point", "coordinates": [0, 0]})


def test_building_moves_grid_with_everything_below_it(world):
    building = world.buildings["1"]
    building_assign_grid(actor=SYSTEM, building=building, grid=world.grid_b)
    below = subtree_q("org_path", building.path)
    assert set(Dwelling.objects.filter(below).values_list("grid_id", flat=True)) == {world.grid_b.pk}
    assert set(Household.objects.filter(below).values_list("grid_id", flat=True)) == {world.grid_b.pk}
    assert set(Person.objects.filter(below).values_list("grid_id", flat=True)) == {world.grid_b.pk}
    assert Node.objects.get(pk=world.units["1"].pk).grid_id == world.grid_b.pk


def test_building_cannot_join_a_grid_of_another_community(world):
    with pytest.raises(DomainError, match="同一社区"):
        building_assign_grid(actor=SYSTEM, building=world.buildings["1"], grid=world.grid_c)


def test_node_update_records_a_new_code_version(world):
    node_update(actor=SYSTEM, node=world.community, code="340303001009")
    records = list(CodeRecord.objects.filter(node=world.community).order_by("id").values_list("value", "valid_to"))
    assert records[0][0] == "340303001001" and records[0][1] is not None
    assert records[-1] == ("340303001009", None)
    assert Grid.objects.get(pk=world.grid_a.pk).code.startswith("340303001001")  # grid codes are not rewritten
