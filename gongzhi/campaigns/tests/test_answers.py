"""Campaign answers are seen: per visit on the household's page, per question for the campaign, in the export;
and the service itself refuses health answers from roles that may not record them."""

from __future__ import annotations

import io

import openpyxl
import pytest

from gongzhi.campaigns import results, services
from gongzhi.campaigns.choices import HouseholdState, PersonState
from gongzhi.campaigns.models import CampaignHousehold, PersonCheck, Visit
from gongzhi.campaigns.tests.helpers import open_campaign
from gongzhi.core.exceptions import NotAllowed
from gongzhi.core.models import AccessLog

pytestmark = pytest.mark.django_db


def _visit(actor, row, key, answers, checks):  # type: ignore[no-untyped-def]
    people = list(row.person_rows.order_by("pk"))
    return services.visit_record(
        actor=actor,
        row=row,
        outcome=HouseholdState.REACHED,
        idempotency_key=key,
        answers=answers,
        checks=[services.CheckInput(people[i].pk, PersonState.PRESENT, a) for i, a in enumerate(checks)],
    )


def _walk_grid_a(world, actor_of):  # type: ignore[no-untyped-def]
    """jumin's household: rented, 2 living there, one of the two with a fever; the neighbour: not rented, 1."""
    campaign = open_campaign(world)
    wangge = actor_of("wangge_a")
    jumin = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    neighbour = CampaignHousehold.objects.get(campaign=campaign, household=world.households["neighbour"])
    _visit(wangge, jumin, "a1", {"rented": "否", "n": "3"}, [{"temp": "36.5", "trip": "无"}])
    # The second visit corrects the first: the latest answers are the household's.
    _visit(
        wangge,
        jumin,
        "a2",
        {"rented": "是", "n": "2"},
        [{"temp": "38.2", "trip": "省外"}, {"temp": "36.4", "trip": "无"}],
    )
    _visit(wangge, neighbour, "a3", {"rented": "否", "n": "1"}, [{"temp": "36.7", "trip": "省内"}])
    return campaign, jumin


def test_the_service_refuses_health_answers_from_a_building_head(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    louzhang = actor_of("louzhang")
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    person = row.person_rows.order_by("pk").first()
    with pytest.raises(NotAllowed, match="健康信息"):
        services.visit_record(
            actor=louzhang,
            row=row,
            outcome=HouseholdState.REACHED,
            idempotency_key="lz-1",
            checks=[services.CheckInput(person.pk, PersonState.PRESENT, {"temp": "36.6", "trip": "无"})],
        )
    assert not Visit.objects.exists() and not PersonCheck.objects.exists()
    row.refresh_from_db()
    assert (row.state, row.visit_count) == (HouseholdState.PENDING, 0)
    # Without the health question the same visit is recorded.
    services.visit_record(
        actor=louzhang,
        row=row,
        outcome=HouseholdState.REACHED,
        idempotency_key="lz-2",
        checks=[services.CheckInput(person.pk, PersonState.PRESENT, {"trip": "无"})],
    )
    assert PersonCheck.objects.get().answers == {"trip": "无"}


def test_the_visit_page_shows_each_visits_answers_and_hides_health_from_building_heads(world, actor_of, client_of):  # type: ignore[no-untyped-def]
    campaign, jumin = _walk_grid_a(world, actor_of)
    page = client_of("wangge_a").get(f"/campaigns/{campaign.pk}/visits/{jumin.pk}/").content.decode()
    assert "是否出租：<span>否</span>" in page and '是否出租：<span class="flagged">是</span>' in page
    assert '体温：<span class="flagged">38.2℃</span>' in page
    assert "居**" in page and "居民甲" not in page  # names masked
    lz = client_of("louzhang").get(f"/campaigns/{campaign.pk}/visits/{jumin.pk}/").content.decode()
    assert "14天内外出：<span>省外</span>" in lz
    assert "体温" not in lz and "38.2" not in lz


def test_the_summary_counts_choices_numbers_and_lists_follow_ups(world, actor_of, client_of):  # type: ignore[no-untyped-def]
    campaign, jumin = _walk_grid_a(world, actor_of)
    summary = results.answer_summary(actor=actor_of("jiedao"), campaign=campaign, with_follow_up=True)
    by_label = {q.question.label: q for q in (*summary.households, *summary.people)}
    assert (summary.households_answered, summary.people_answered) == (2, 3)
    assert by_label["是否出租"].counts == [("是", 1), ("否", 1)]
    assert by_label["14天内外出"].counts == [("无", 1), ("省内", 1), ("省外", 1)]
    persons_n = by_label["常住人数"]
    assert (persons_n.low, persons_n.median, persons_n.high) == ("1", "1", "2")
    temp = by_label["体温"]
    assert temp.counts == [("<36.0℃", 0), ("36.0–37.3℃", 2), ("37.3–38.0℃", 0), ("38.0–39.0℃", 1), ("≥39.0℃", 0)]
    assert [(u.row_id, u.value) for u in temp.follow_up] == [(jumin.pk, "38.2℃")]
    assert [u.row_id for u in by_label["是否出租"].follow_up] == [jumin.pk]
    page = client_of("jiedao").get(f"/campaigns/{campaign.pk}/answers/").content.decode()
    assert "需随访 1" in page and "体温 ≥ 37.3℃" in page
    assert AccessLog.objects.filter(subject_type="campaigns.follow_up", actor_name="jiedao").count() == 1
    # A building head sees the page of no campaign's answers; an outsider sees no campaign at all.
    assert client_of("louzhang").get(f"/campaigns/{campaign.pk}/answers/").status_code == 404
    assert client_of("outsider").get(f"/campaigns/{campaign.pk}/answers/").status_code == 404


def test_the_export_carries_the_answers(world, actor_of, client_of):  # type: ignore[no-untyped-def]
    campaign, _jumin = _walk_grid_a(world, actor_of)
    response = client_of("jiedao").get(f"/campaigns/{campaign.pk}/answers.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "类别")
    assert header[4:] == ["每户·是否出租", "每户·常住人数", "每人·体温", "每人·14天内外出"]
    lines = [r for r in rows if r and r[0] in ("户", "人")]
    assert [str(c) if c is not None else "" for c in lines[0]] == [
        "户",
        "1号楼1单元101",
        "居**",
        "已入户",
        "是",
        "2",
        "",
        "",
    ]
    assert any(r[0] == "人" and r[6] == "38.2℃" and r[7] == "省外" for r in lines)
    log = AccessLog.objects.get(subject_type="campaigns.answers")
    assert (log.row_count, log.fields) == (len(lines), "masked,health")
