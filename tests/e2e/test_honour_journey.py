"""Issue 16 "done means", the honour half, on phones: jumin nominates her neighbour as 好婆婆, shequ approves
and opens the vote, two residents vote (a second choice refused first), the judges score, shequ decides,
writes the citation and publishes, and the winner is on the honour roll with a certificate in Chinese."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gongzhi.accounts.models import User
from gongzhi.publicity import honour
from gongzhi.publicity.choices_honour import CampaignPhase, CategoryKind
from gongzhi.publicity.honour import CategorySpec, RubricSpec
from gongzhi.publicity.models_honour import HonourCampaign, HonourNomination, HonourResult
from gongzhi.registry.models import Person
from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGZHI_SHOTS", "/tmp/shots")) / "honour"  # noqa: S108 (a place to look at)


def _as(browser, live_server, username, asked):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()

    def confirm(dialog):  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    login(page, live_server, username, PASSWORD)
    return page


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_neighbour_nominated_voted_judged_and_on_the_honour_roll(world, browser, live_server):  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    from gongzhi.accounts.actors import actor_for_user

    shequ_actor = actor_for_user(world.user("shequ"))
    campaign = honour.campaign_create(
        actor=shequ_actor,
        scope=world.compound_x,
        title="X小区2026年度好婆婆评选",
        categories=[CategorySpec(kind=CategoryKind.PERSON, name="好婆婆", winners=1, max_choices=1)],
        rubric=[RubricSpec(name="事迹", max_points=10)],
        judges=[world.user("shequ"), world.user("jiedao")],
        vote_weight_percent=60,
    )
    campaign = honour.campaign_nominations_open(actor=shequ_actor, campaign=campaign)
    # A category needs two finalists to be voted on: the community worker has nominated 曾小红 already.
    other = honour.nomination_create(
        actor=shequ_actor,
        category=campaign.categories.get(),
        person=world.people["jumin_spouse"],
        reason="曾小红常年照料邻里孤寡老人，热心公益。",
        has_consent=True,
    )
    # A second resident with an account votes too: 邻居乙.
    neighbour_user = User.objects.create_user(username="linju", password=PASSWORD, full_name="邻居乙")
    Person.objects.filter(pk=world.people["neighbour"].pk).update(user=neighbour_user)
    asked: list[str] = []

    # jumin nominates her neighbour.
    jumin = _as(browser, live_server, "jumin", asked)
    jumin.goto(f"{live_server.url}/publicity/honour/{campaign.pk}/")
    jumin.click("#nominate-link")
    jumin.select_option("#id_building", label="X小区 1号楼")
    jumin.fill("#id_room", "1-102")
    jumin.fill("#id_name", "邻居乙")
    jumin.fill("#id_reason", "邻居乙多年照顾瘫痪的婆婆，还常帮楼里的老人买菜，热心邻里。")
    jumin.check("#id_has_consent")
    _shot(jumin, "1-nominate")
    jumin.click("#nominate-submit")
    jumin.wait_for_selector("#my-nominations")
    nomination = HonourNomination.objects.exclude(pk=other.pk).get()
    assert nomination.person_id == world.people["neighbour"].pk

    # shequ approves, closes nominations and opens the vote.
    shequ = _as(browser, live_server, "shequ", asked)
    shequ.goto(f"{live_server.url}/publicity/honour/{campaign.pk}/review/")
    shequ.click(f"#review-approve-{nomination.pk}")
    shequ.wait_for_selector(f"#review-approve-{other.pk}")
    shequ.click(f"#review-approve-{other.pk}")
    shequ.wait_for_load_state()
    shequ.goto(f"{live_server.url}/publicity/honour/{campaign.pk}/")
    shequ.click("#act-close-nominations")
    shequ.wait_for_selector("#act-open-vote")
    shequ.click("#act-open-vote")
    shequ.wait_for_selector("#act-close-vote")
    assert HonourCampaign.objects.get(pk=campaign.pk).phase == CampaignPhase.VOTING

    # Residents vote on their phones; no count shows while the vote is open.
    for page in (jumin, _as(browser, live_server, "linju", asked)):
        page.goto(f"{live_server.url}/publicity/honour/{campaign.pk}/")
        page.locator("#ballot-form label").filter(has_text="邻居乙").locator("input").check()
        page.click("#ballot-submit")
        page.wait_for_selector("#honour-voted")
        assert "票" not in page.inner_text("#honour-finalists")
    _shot(jumin, "2-voted")
    shequ.reload()
    assert "已投票 2 / " in shequ.inner_text("#honour-turnout")

    # shequ closes the vote; both judges score; shequ decides, writes the citation and publishes.
    shequ.click("#act-close-vote")
    shequ.wait_for_selector("#score-link")
    for judge in (shequ, _as(browser, live_server, "jiedao", asked)):
        judge.goto(f"{live_server.url}/publicity/honour/{campaign.pk}/score/")
        for box in judge.locator("#score-form input[type=number]").all():
            box.fill("9")
        judge.click("#score-submit")
        judge.wait_for_selector("text=评分已保存")
    shequ.goto(f"{live_server.url}/publicity/honour/{campaign.pk}/")
    shequ.click("#act-decide")
    shequ.wait_for_selector("text=已计算评选结果")  # and the results page, where the citations are written
    result = HonourResult.objects.get(is_winner=True)
    shequ.fill(f"#citation-{result.pk}", "照顾婆婆二十年如一日，孝老爱亲，邻里称道。")
    shequ.click(f"#citation-submit-{result.pk}")
    shequ.wait_for_load_state()
    shequ.click("#act-publish")
    shequ.wait_for_selector("#honour-roll-link")  # back on the campaign page, published
    assert HonourCampaign.objects.get(pk=campaign.pk).phase == CampaignPhase.PUBLISHED
    shequ.goto(f"{live_server.url}/publicity/honour/{campaign.pk}/results/")
    _shot(shequ, "3-results")
    href = shequ.get_attribute(f"#certificate-{result.pk}", "href")
    response = shequ.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "application/pdf"
    pdf = SHOTS / "certificate.pdf"
    pdf.write_bytes(response.body())
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    compact = "".join(text.split())
    assert "邻居乙" in compact and "好婆婆" in compact

    # jumin finds her neighbour on the honour roll.
    jumin.goto(f"{live_server.url}/publicity/honour/roll/")
    roll = jumin.inner_text("#honour-roll")
    assert "邻居乙" in roll and "好婆婆" in roll and "102" not in roll  # the room is never shown
    _shot(jumin, "4-honour-roll")
    assert any("确定公布" in q for q in asked)
