"""The cockpit's pages: who opens them, which grids and figures each persona sees on the map, the drill-down
chain from the subdistrict to a grid, the overdue list of a grid, the charts and the big screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.campaigns.tests.helpers import open_campaign
from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.models import Case
from gongzhi.cases.services import case_report, place_locate
from gongzhi.cases.tests.helpers import clean_photo, leak, report_leak
from gongzhi.dashboards import services
from gongzhi.dashboards.models import Figure
from gongzhi.territory.models import Grid
from gongzhi.testing.world import add_orphans

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:cockpit")
SCREEN = reverse("dashboards:screen")
MAP = reverse("dashboards:map-data")


def _overdue(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.DISPATCHED, deadline_at=timezone.now() - dt.timedelta(hours=3)
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def cockpit(world):  # type: ignore[no-untyped-def]
    """Grids A, B, C drawn; one overdue case in grid A (X小区) and one in grid C (第二社区); figures fresh."""
    for i, grid in enumerate([world.grid_a, world.grid_b, world.grid_c]):
        ring = [
            [117.2 + i * 0.01, 31.8],
            [117.21 + i * 0.01, 31.8],
            [117.21 + i * 0.01, 31.81],
            [117.2 + i * 0.01, 31.81],
        ]
        Grid.objects.filter(pk=grid.pk).update(boundary={"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    in_a = _overdue(report_leak(world, actor_for_user(world.user("jumin"))))
    in_c = _overdue(
        case_report(
            actor=actor_for_user(world.user("jiedao")),
            category=leak(),
            description="9号楼楼道灯坏了",
            place=place_locate(dwelling=world.dwellings["9-101"]),
            photos=[clean_photo()],
        )
    )
    assert in_a.grid_id == world.grid_a.pk and in_c.grid_id == world.grid_c.pk
    services.refresh()
    return {"a": in_a, "c": in_c}


def _rows(response) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    """The map's grids (the table's row for what lies in no grid, grid 0, left out)."""
    return {r["grid_id"]: r for r in response.context["map"]["rows"] if r["grid_id"]}


@pytest.mark.parametrize(
    ("persona", "level", "grids"),
    [
        ("jiedao", "subdistrict", {"grid_a", "grid_b", "grid_c"}),
        ("shequ", "community", {"grid_a", "grid_b"}),
        ("baobao", "compound", {"grid_a", "grid_b"}),
        ("lingdao", "compound", {"grid_a", "grid_b"}),
        ("wangge_a", "grid", {"grid_a"}),
    ],
)
def test_each_persona_sees_its_own_subtree(world, client_of, cockpit, persona, level, grids) -> None:  # type: ignore[no-untyped-def]
    response = client_of(persona).get(URL)
    assert response.status_code == 200
    assert response.context["focus"].level == level
    assert set(_rows(response)) == {getattr(world, g).pk for g in grids}
    data = client_of(persona).get(MAP).json()
    assert {r["grid_id"]: r for r in data["rows"] if r["grid_id"]} == _rows(response)
    names = {f["properties"]["name"] for f in data["geo"]["features"]}
    assert f'data-map-url="{MAP}' in response.content.decode() and "cockpit-map-data" not in response.content.decode()
    assert names == {f"{getattr(world, g).name}#{getattr(world, g).pk}" for g in grids}
    overdue = {"grid_a": 1, "grid_b": 0, "grid_c": 1}
    for g in grids:
        assert _rows(response)[getattr(world, g).pk]["overdue"]["value"] == overdue[g]
    tiles = {t.key: t.value for s in response.context["sections"] for t in s.tiles}
    assert tiles["cases_overdue"] == str(sum(overdue[g] for g in grids))


@pytest.mark.parametrize("persona", ["louzhang", "jumin", "outsider", "wuye"])
def test_who_holds_no_place_or_grid_is_refused(client_of, cockpit, persona) -> None:  # type: ignore[no-untyped-def]
    for url in (URL, SCREEN, reverse("dashboards:screen-data"), MAP):
        assert client_of(persona).get(url).status_code == 403


def test_wangge_a_sees_only_grid_a_and_another_grid_is_404(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    client = client_of("wangge_a")
    response = client.get(URL)
    (row,) = response.context["map"]["rows"]
    assert row["label"] == "A网格" and row["query"] == ""
    assert response.context["overdue"].paginator.count == 1
    assert "9号楼楼道灯坏了" not in response.content.decode()
    for grid in (world.grid_b, world.grid_c):
        assert client.get(URL, {"grid": grid.pk}).status_code == 404
    assert client.get(URL, {"node": world.compound_x.pk}).status_code == 404
    data = client.get(reverse("dashboards:screen-data")).json()
    assert [r["label"] for r in data["map"]["rows"]] == ["A网格"]
    assert [r["label"] for r in client.get(MAP).json()["rows"]] == ["A网格"]
    for grid in (world.grid_b, world.grid_c):
        assert client.get(MAP, {"grid": grid.pk}).status_code == 404
    assert {t["key"]: t["value"] for t in data["tiles"]}["cases_overdue"] == "1"
    assert client_of("shequ").get(URL, {"grid": world.grid_c.pk}).status_code == 404


def test_a_click_on_a_grid_drills_down_one_level_to_the_grid(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    client = client_of("jiedao")
    expected = [
        ("subdistrict", f"node={world.community.pk}"),
        ("community", f"node={world.area.pk}"),
        ("area", f"node={world.compound_x.pk}"),
        ("compound", f"grid={world.grid_a.pk}"),
    ]
    query = ""
    for level, step in expected:
        response = client.get(f"{URL}?{query}")
        assert response.context["focus"].level == level
        row = _rows(response)[world.grid_a.pk]
        assert row["query"] == step
        assert f'href="?{step}"' in response.content.decode()
        query = step
    response = client.get(f"{URL}?{query}")
    assert response.context["focus"].level == "grid"
    assert [label for label, _q in response.context["focus"].crumbs][-1] == "X小区"


def test_the_overdue_list_of_a_grid_links_to_its_case_and_to_no_other(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    client = client_of("jiedao")
    body = client.get(URL, {"grid": world.grid_a.pk}).content.decode()
    assert reverse("cases:case-detail", args=[cockpit["a"].pk]) in body
    assert reverse("cases:case-detail", args=[cockpit["c"].pk]) not in body
    compound = client.get(URL, {"node": world.compound_x.pk})
    assert [c.pk for c in compound.context["overdue"]] == [cockpit["a"].pk]
    grid_c = client.get(URL, {"grid": world.grid_c.pk})
    assert [c.pk for c in grid_c.context["overdue"]] == [cockpit["c"].pk]
    # A case within its deadline, or handled, is not overdue.
    Case.objects.filter(pk=cockpit["a"].pk).update(deadline_at=timezone.now() + dt.timedelta(hours=1))
    assert client.get(URL, {"grid": world.grid_a.pk}).context["overdue"].paginator.count == 0
    # Wider foci list no cases: the map and the tiles carry the counts.
    assert client.get(URL).context["overdue"] is None


def test_map_layers_are_exact_and_the_grade_is_absent_until_someone_stores_it(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    open_campaign(world)
    services.recompute()  # opening a campaign records no visit: the refresh would wait for one
    row = _rows(client_of("wangge_a").get(URL))[world.grid_a.pk]
    assert row["coverage"]["text"] == "0.0%" and row["coverage"]["detail"] == "0/2"
    # Grid A: one case reported this month over its households, per hundred households.
    households = int(row["density"]["detail"].split("/")[1])
    assert households > 0
    reported = int(row["density"]["detail"].split("/")[0])
    assert reported == 1
    assert (
        row["density"]["text"]
        == f"{(2000 + households) // (2 * households) // 10}.{(2000 + households) // (2 * households) % 10}"
    )
    assert row["grade"] == {"value": None, "text": "暂无", "detail": ""}


def test_the_table_adds_up_to_the_tiles_with_a_row_for_what_lies_in_no_grid(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    add_orphans(world)
    services.recompute()
    for persona in ("jiedao", "shequ"):
        response = client_of(persona).get(URL)
        rows = response.context["map"]["rows"]
        tiles = {t.key: t.value for s in response.context["sections"] for t in s.tiles}
        households = sum(int(r["density"]["detail"].split("/")[1].replace(",", "")) for r in rows)
        assert f"{households:,}" == tiles["households"]
        outside = [r for r in rows if r["grid_id"] == 0]
        assert len(outside) == 1 and outside[0]["label"] == "未划网格" and not outside[0]["on_map"]
        assert "未划网格" in response.content.decode()
    assert not [r for r in client_of("wangge_a").get(URL).context["map"]["rows"] if r["grid_id"] == 0]


def test_charts_carry_definitions_and_empty_states(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    response = client_of("jiedao").get(URL)
    charts = {c["key"]: c for c in response.context["charts"]}
    assert set(charts) == {"cases_daily", "on_time", "coverage", "ranking", "volunteer"}
    assert all(c["help"] for c in charts.values())
    today = timezone.localdate()
    assert len(charts["cases_daily"]["x"]) == today.day
    assert sum(charts["cases_daily"]["series"][0]["data"]) == 2
    assert len(charts["on_time"]["x"]) == 12
    # Both cases fell due (3 hours ago), neither closed: that month's rate is 0.0%, a value; others have none.
    due = f"{timezone.localtime(cockpit['a'].deadline_at):%Y-%m}"
    texts = dict(zip(charts["on_time"]["x"], charts["on_time"]["series"][0]["text"], strict=True))
    assert texts.pop(due) == "0.0%" and not charts["on_time"]["empty"]
    assert set(texts.values()) == {"—"}
    assert charts["coverage"]["empty"] and charts["coverage"]["empty_text"] == "没有进行中的入户活动"
    assert charts["ranking"]["empty"]  # not a compound focus
    assert charts["volunteer"]["empty"]  # no volunteer minutes stored
    body = response.content.decode()
    assert 'data-empty="volunteer"' in body and 'data-chart="cases_daily"' in body
    open_campaign(world)
    services.recompute()
    coverage = {c["key"]: c for c in client_of("jiedao").get(URL).context["charts"]}["coverage"]
    assert coverage["campaigns"] and coverage["campaign_id"] == coverage["campaigns"][0]["id"]


def test_the_big_screen_renders_the_tiles_the_map_and_two_charts(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    response = client_of("jiedao").get(SCREEN, {"node": world.community.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="ck-screen"' in body and 'id="cockpit-map"' in body
    assert f"{reverse('dashboards:screen-data')}?node={world.community.pk}" in body
    assert [c["key"] for c in response.context["charts"]] == ["cases_daily", "on_time"]
    data = client_of("jiedao").get(reverse("dashboards:screen-data"), {"node": world.community.pk}).json()
    assert {r["label"] for r in data["map"]["rows"]} == {"A网格", "B网格"}
    assert "geo" not in data["map"]  # the screen fetched the geometry once, from the map JSON
    assert f'data-map-url="{MAP}?node={world.community.pk}"' in body
    assert len(data["charts"]) == 2


def test_the_nav_offers_the_cockpit_to_those_who_can_open_it(client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    assert f'href="{URL}"' in client_of("wangge_a").get(reverse("core:home")).content.decode()
    assert f'href="{URL}"' not in client_of("jumin").get(reverse("core:home")).content.decode()


def test_the_grade_and_volunteer_hours_show_once_their_sources_store_them(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    """The other sources' figures as they will be stored: manager_grade per compound under no grid, volunteer
    minutes per grid and day."""
    today = timezone.localdate()
    Figure.objects.create(day=today, key="manager_grade", path=world.compound_x.path, grid_id=0, value=2)
    Figure.objects.create(
        day=today, key="volunteer_minutes", path=world.compound_x.path, grid_id=world.grid_a.pk, value=95
    )
    services.roll_up(["volunteer_minutes"], [today])
    jiedao = client_of("jiedao").get(URL)
    rows = _rows(jiedao)
    assert rows[world.grid_a.pk]["grade"]["text"] == "AA" and rows[world.grid_b.pk]["grade"]["value"] == 2
    legend = client_of("jiedao").get(MAP).json()["grades"]
    assert [g["label"] for g in legend] == ["AAA", "AA", "A", "B", "C"]
    assert rows[world.grid_c.pk]["grade"]["text"] == "暂无"
    volunteer = {c["key"]: c for c in jiedao.context["charts"]}["volunteer"]
    assert not volunteer["empty"]
    assert volunteer["series"][0]["text"][-1] == "1.6 小时"  # 95 ÷ 60 = 1.583…, half up to one decimal
    # At the compound's grid the grade is the compound's; wangge_a's scope holds grid A's rows only.
    assert _rows(client_of("jiedao").get(URL, {"grid": world.grid_a.pk}))[world.grid_a.pk]["grade"]["value"] == 2
    wangge = client_of("wangge_a").get(URL)
    assert _rows(wangge)[world.grid_a.pk]["grade"]["text"] == "暂无"
    assert {c["key"]: c for c in wangge.context["charts"]}["volunteer"]["series"][0]["text"][-1] == "1.6 小时"


def test_a_compound_focus_draws_its_managers_published_scores(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.stewardship.tests.helpers import evaluation_rows, rows_for_routes

    rows_for_routes(world)
    month = evaluation_rows(world)["month"]
    ranking = {c["key"]: c for c in client_of("jiedao").get(URL, {"node": world.compound_x.pk}).context["charts"]}
    trend = ranking["ranking"]
    assert not trend["empty"] and trend["x"] == [month]
    (total,) = trend["series"][0]["data"]
    assert 0 < total < 100 and trend["series"][0]["text"][0].startswith(f"{total:.1f}")
    other = {c["key"]: c for c in client_of("jiedao").get(URL, {"node": world.compound_y.pk}).context["charts"]}
    assert other["ranking"]["empty"] and other["ranking"]["empty_text"] == "该小区暂无已公示的评价"


def test_the_map_json_is_a_conditional_get_that_answers_304_without_reading_a_figure(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of("jiedao")
    first = client.get(MAP, {"node": world.community.pk})
    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert "private" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(MAP, {"node": world.community.pk}, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    assert "max-age=300" in again["Cache-Control"]
    assert not [q for q in queries.captured_queries if "dashboards_figure" in q["sql"]]
    # Another focus, another actor (other grants), a grid changed or the figures refreshed: another version.
    assert client.get(MAP, headers={"if-none-match": first["ETag"]}).status_code == 200
    shequ = client_of("shequ").get(MAP, {"node": world.community.pk}, headers={"if-none-match": first["ETag"]})
    assert shequ.status_code == 200 and shequ["ETag"] != first["ETag"]
    grid = Grid.objects.get(pk=world.grid_a.pk)
    grid.name = "A网格（新）"
    grid.save()
    changed = client.get(MAP, {"node": world.community.pk}, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and "A网格（新）" in {r["label"] for r in changed.json()["rows"]}
    etag = changed["ETag"]
    services.recompute()
    assert client.get(MAP, {"node": world.community.pk}, headers={"if-none-match": etag}).status_code == 200


def test_a_focus_with_many_grids_lists_its_child_places_summed_exactly(world, client_of, cockpit, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.dashboards import maps

    add_orphans(world)
    services.recompute()
    per_grid = client_of("jiedao").get(URL).context["map"]
    assert not per_grid["rolled"]
    monkeypatch.setattr(maps, "TABLE_GRIDS", 2)
    response = client_of("jiedao").get(URL)
    table = response.context["map"]
    assert table["rolled"] and table["grids"] == 3 and table["drawn"] == 3
    rows = {r["label"]: r for r in table["rows"]}
    assert list(rows) == ["第一社区", "第二社区", "未划网格"]
    assert rows["第一社区"]["query"] == f"node={world.community.pk}" and rows["第一社区"]["place"] == "2 个网格"
    assert rows["第二社区"]["place"] == "1 个网格"
    assert rows["第一社区"]["overdue"]["value"] == 1 and rows["第二社区"]["overdue"]["value"] == 1
    # Every layer's numerator and denominator is the sum of the grids' (and what lies in no grid) exactly.
    grids = per_grid["rows"]
    community = {r["grid_id"] for r in grids if r["grid_id"] in (world.grid_a.pk, world.grid_b.pk)}
    for cell in ("coverage", "density"):
        parts = [
            tuple(int(x.replace(",", "")) for x in r[cell]["detail"].split("/"))
            for r in grids
            if r["grid_id"] in community
        ]
        summed = f"{sum(p[0] for p in parts):,}/{sum(p[1] for p in parts):,}"
        assert rows["第一社区"][cell]["detail"] == summed
    outside = next(r for r in grids if r["grid_id"] == 0)
    assert rows["未划网格"]["density"] == outside["density"] and rows["未划网格"]["coverage"] == outside["coverage"]
    tiles = {t.key: t.value for s in response.context["sections"] for t in s.tiles}
    households = sum(int(r["density"]["detail"].split("/")[1].replace(",", "")) for r in table["rows"])
    assert f"{households:,}" == tiles["households"]
    body = response.content.decode()
    assert f'href="?node={world.community.pk}"' in body and 'data-grid="' + str(world.grid_a.pk) not in body
    # The map JSON still draws every grid; a community focus lists its areas.
    assert len(client_of("jiedao").get(MAP).json()["geo"]["features"]) == 3
    monkeypatch.setattr(maps, "TABLE_GRIDS", 1)
    area = {r["label"]: r for r in client_of("shequ").get(URL).context["map"]["rows"]}
    assert area["第一片区"]["query"] == f"node={world.area.pk}" and area["第一片区"]["overdue"]["value"] == 1


def test_sections_rows_are_rendered_and_the_page_links_to_the_monthly_reports(world, client_of, cockpit) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.stewardship.tests.helpers import evaluation_rows, rows_for_routes

    rows_for_routes(world)
    evaluation_rows(world)
    response = client_of("jiedao").get(URL)
    lines = [line for s in response.context["sections"] for line in s.rows]
    assert lines
    body = response.content.decode()
    assert 'data-lines="stewardship"' in body
    for line in lines:
        assert line.label in body and line.group in body
        if line.link:
            assert f'href="{line.link}"' in body
    assert f'href="{reverse("dashboards:report-list")}"' in body
