import pytest
from django.urls import reverse

from gongzhi.testing.world import JUMIN_ID

pytestmark = pytest.mark.django_db


def test_household_page_shows_members_masked(world, client_of):
    response = client_of("wangge_a").get(reverse("registry:household-detail", args=[world.households["jumin"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "居民甲" in body and "曾小红" in body
    assert "340303********1233" in body
    assert JUMIN_ID not in body and "13800001111" not in body


def test_household_of_another_grid_is_404(world, client_of):
    url = reverse("registry:household-detail", args=[world.households["jumin"].pk])
    assert client_of("wangge_b").get(url).status_code == 404
    assert client_of("wuye").get(url).status_code == 404
    assert (
        client_of("jumin")
        .get(reverse("registry:household-detail", args=[world.households["neighbour"].pk]))
        .status_code
        == 404
    )


def test_resident_sees_their_own_household(world, client_of):
    response = client_of("jumin").get(reverse("registry:household-detail", args=[world.households["jumin"].pk]))
    assert response.status_code == 200


def test_pages_need_login(world, client):
    response = client.get(reverse("registry:person-list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (JUMIN_ID, {"居民甲"}),
        ("340303 19900101 1233", {"居民甲"}),
        ("13800001111", {"居民甲"}),
        ("+86 138 0000 1111", {"居民甲"}),
        ("zeng", {"曾小红"}),
        ("zxh", {"曾小红"}),
        ("居民", {"居民甲"}),
        ("不存在", set()),
    ],
)
def test_person_search_by_id_phone_pinyin_and_name(world, client_of, query, expected):
    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.registry.selectors import person_list

    found = set(person_list(actor=actor_for_user(world.user("jiedao")), search=query).values_list("name", flat=True))
    assert found == expected


def test_person_search_never_leaves_scope(world, actor_of):
    from gongzhi.registry.selectors import person_list

    assert person_list(actor=actor_of("wangge_b"), search=JUMIN_ID).count() == 0


def test_person_list_filters_by_grid_and_404s_on_an_invisible_grid(world, client_of):
    c = client_of("wangge_a")
    response = c.get(reverse("registry:person-list"), {"grid": world.grid_a.pk})
    assert response.status_code == 200
    assert "邻居乙" in response.content.decode()
    assert c.get(reverse("registry:person-list"), {"grid": world.grid_c.pk}).status_code == 404


def test_territory_pages_render_for_the_officer_and_404_outside_scope(world, client_of):
    officer = client_of("jiedao")
    for node in (world.subdistrict, world.community, world.compound_x, world.buildings["1"], world.units["1"]):
        assert officer.get(reverse("territory:node-detail", args=[node.pk])).status_code == 200
    unit_page = officer.get(reverse("territory:node-detail", args=[world.units["1"].pk])).content.decode()
    assert "89.50" in unit_page  # exclusive area shown from 0.01 m² integers
    assert client_of("shequ").get(reverse("territory:node-detail", args=[world.other_community.pk])).status_code == 404
    assert client_of("wangge_a").get(reverse("territory:grid-detail", args=[world.grid_b.pk])).status_code == 404


def test_healthz_answers_json_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_register_a_member_on_the_household_page(world, client_of):
    household = world.households["jumin"]
    url = reverse("registry:household-member-add", args=[household.pk])
    bad = client_of("wangge_a").post(
        url, {"name": "新生儿", "id_type": "citizen_id", "id_number": "340303202601011230", "relation": "grandchild"}
    )
    assert "校验位错误" in bad.content.decode()
    response = client_of("wangge_a").post(url, {"name": "新生儿", "id_type": "", "relation": "grandchild"})
    assert response.status_code == 302
    assert household.members.filter(name="新生儿").exists()
    assert client_of("wangge_b").post(url, {"name": "x", "relation": "child"}).status_code == 404
    assert client_of("louzhang").post(url, {"name": "x", "relation": "child"}).status_code == 403


def test_move_out_and_move_house_forms(world, client_of):
    from gongzhi.registry.models import Household

    spouse = world.people["jumin_spouse"]
    client = client_of("jiedao")
    response = client.post(reverse("registry:person-move-out", args=[spouse.pk]), {"reason": "外出务工"})
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert spouse.status == "moved_out"
    household = world.households["jumin"]
    wrong = client.post(
        reverse("registry:household-move-house", args=[household.pk]),
        {"compound": "X小区", "building": "9号楼", "unit": "1", "room": "101"},
    )
    assert "找不到该房屋" in wrong.content.decode()
    moved = client.post(
        reverse("registry:household-move-house", args=[household.pk]),
        {"compound": "Y小区", "building": "3", "unit": "1单元", "room": "101室"},
    )
    assert moved.status_code == 302
    assert Household.objects.get(pk=household.pk).dwelling_id == world.dwellings["3-101"].pk


def test_move_in_an_already_registered_person_by_id_number(world, client_of):
    person = world.people["grid_b"]
    household = world.households["jumin"]
    response = client_of("jiedao").post(
        reverse("registry:household-move-in", args=[household.pk]),
        {"id_number": "340303197712120015", "relation": "other_relative"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.household_id == household.pk
    missing = client_of("jiedao").post(
        reverse("registry:household-move-in", args=[household.pk]),
        {"id_number": "340303199901011230", "relation": "other"},
    )
    assert "没有找到" in missing.content.decode()


def test_register_a_new_household_in_an_empty_dwelling(world, client_of):
    dwelling = world.dwellings["3-101"]
    response = client_of("wangge_a").post(
        reverse("registry:household-register", args=[dwelling.pk]),
        {"name": "新户主", "id_type": "", "phone": "13600001111"},
    )
    assert response.status_code == 302
    assert dwelling.households.get().head.name == "新户主"
