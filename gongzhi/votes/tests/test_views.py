"""Pages and API at HTTP level: wiring, 404 outside scope, form errors in Chinese, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.votes import services
from gongzhi.votes.choices import Electorate, PollStatus
from gongzhi.votes.models import Participation, Poll, RollEntry
from gongzhi.votes.tests.helpers import YES, announce, opened, option, owners_poll

pytestmark = pytest.mark.django_db


def test_a_resident_sees_the_poll_and_votes_on_the_page(world, actor_of, client_of):
    poll = opened(actor_of("shequ"), world.compound_x, electorate=Electorate.HOUSEHOLDS, title="加装电梯")
    client = client_of("jumin")
    listing = client.get(reverse("votes:poll-list"))
    assert "加装电梯" in listing.content.decode()
    page = client.get(reverse("votes:poll-detail", args=[poll.pk]))
    assert "我的选票" in page.content.decode()
    question = poll.questions.get()
    yes = question.options.get(value=YES)
    response = client.post(reverse("votes:ballot-cast", args=[poll.pk]), {f"q{question.pk}": str(yes.pk)})
    assert response.status_code == 302
    assert Participation.objects.filter(poll=poll).count() == 1
    after = client.get(reverse("votes:poll-detail", args=[poll.pk])).content.decode()
    assert "您已投票" in after and "我的选票" not in after


def test_an_unanswered_ballot_shows_the_error_beside_the_question(world, actor_of, client_of):
    poll = opened(actor_of("shequ"), world.compound_x)
    response = client_of("jumin").post(reverse("votes:ballot-cast", args=[poll.pk]), {})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert not Participation.objects.filter(poll=poll).exists()


def test_polls_outside_scope_answer_404(world, actor_of, client_of):
    poll = opened(actor_of("jiedao"), world.compound_z, electorate=Electorate.HOUSEHOLDS)
    for persona in ("jumin", "shequ", "wangge_a", "outsider"):
        assert client_of(persona).get(reverse("votes:poll-detail", args=[poll.pk])).status_code == 404, persona
    assert client_of("jiedao").get(reverse("votes:poll-detail", args=[poll.pk])).status_code == 200


def test_the_roll_is_for_managers_only(world, actor_of, client_of):
    poll = opened(actor_of("shequ"), world.compound_x)
    url = reverse("votes:roll", args=[poll.pk])
    assert client_of("shequ").get(url).status_code == 200
    for persona in ("jumin", "baobao", "wangge_a"):  # they see the poll, not its roll
        assert client_of(persona).get(reverse("votes:poll-detail", args=[poll.pk])).status_code == 200
        assert client_of(persona).get(url).status_code == 404, persona


def test_staff_enter_a_paper_ballot_and_see_it_on_the_roll(world, actor_of, client_of):
    poll = opened(actor_of("shequ"), world.compound_x)
    key = RollEntry.objects.get(poll=poll, persons=world.people["neighbour"]).voter_key
    question = poll.questions.get()
    client = client_of("shequ")
    url = reverse("votes:paper-entry", args=[poll.pk]) + f"?voter={key}"
    assert "邻**" in client.get(url).content.decode()
    response = client.post(url, {"voter": key, f"q{question.pk}": str(question.options.get(value=YES).pk)})
    assert response.status_code == 302
    roll = client.get(reverse("votes:roll", args=[poll.pk])).content.decode()
    assert "纸质选票" in roll and "社区工作者录入" in roll


def test_creating_a_poll_on_the_page(world, client_of):
    client = client_of("shequ")
    assert client.get(reverse("votes:poll-create")).status_code == 200
    closes = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "楼道堆物清理",
        "scope": str(world.compound_x.pk),
        "electorate": Electorate.HOUSEHOLDS,
        "closes_at": closes,
        "q-TOTAL_FORMS": "3",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "1",
        "q-MAX_NUM_FORMS": "20",
        "q-0-text": "是否同意统一清理楼道堆物",
        "q-0-rule": "yes_no",
        "q-1-rule": "yes_no",
        "q-2-rule": "yes_no",
    }
    response = client.post(reverse("votes:poll-create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    poll = Poll.objects.get(title="楼道堆物清理")
    assert poll.questions.count() == 1 and poll.status == PollStatus.ANNOUNCED


def test_a_bad_poll_form_names_the_field(world, client_of):
    data = {
        "title": "t",
        "scope": str(world.compound_x.pk),
        "electorate": Electorate.OWNERS,
        "opens_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "1",
        "q-MAX_NUM_FORMS": "20",
        "q-0-text": "选聘物业",
        "q-0-rule": "art278",
        "q-0-matter": "manager",
    }
    response = client_of("shequ").post(reverse("votes:poll-create"), data)
    assert response.status_code == 200
    assert "开始时间须在公告15天之后" in response.content.decode()
    assert not Poll.objects.exists()


def test_the_create_page_is_for_poll_managers_only(world, client_of):
    for persona in ("jumin", "wangge_a", "baobao", "outsider"):
        assert client_of(persona).get(reverse("votes:poll-create")).status_code == 404, persona


def test_open_close_and_publish_buttons(world, actor_of, client_of):
    poll = announce(actor_of("shequ"), world.compound_x)
    client = client_of("shequ")
    client.post(reverse("votes:poll-open", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.status == PollStatus.OPEN
    services.ballot_cast(actor=actor_of("jumin"), poll=poll, choices=option(poll, YES))
    client.post(reverse("votes:poll-close", args=[poll.pk]))
    client.post(reverse("votes:poll-publish", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.status == PollStatus.PUBLISHED
    page = client_of("jumin").get(reverse("votes:poll-detail", args=[poll.pk])).content.decode()
    assert 'id="poll-result"' in page and "通过" in page


def test_residents_cannot_press_the_managers_buttons(world, actor_of, client_of):
    poll = announce(actor_of("shequ"), world.compound_x)
    assert client_of("jumin").post(reverse("votes:poll-open", args=[poll.pk])).status_code == 404
    poll.refresh_from_db()
    assert poll.status == PollStatus.ANNOUNCED


def test_the_owners_rules_page(world, client_of):
    client = client_of("yeweihui")
    url = reverse("votes:owners-rules", args=[world.compound_x.pk])
    assert "议事规则" in client.get(url).content.decode()
    response = client.post(url, {"notice_days": "15", "follow_majority": "on", "follow_majority_basis": ""})
    assert "依据条款" in response.content.decode()
    assert client_of("jumin").get(url).status_code == 404
    assert client_of("yeweihui").get(reverse("votes:owners-rules", args=[world.compound_z.pk])).status_code == 404


def test_the_list_page_does_not_grow_queries_with_polls(world, actor_of, client_of, django_assert_max_num_queries):
    for n in range(8):
        announce(actor_of("shequ"), world.compound_x, title=f"投票{n}")
    client = client_of("jumin")
    client.get(reverse("votes:poll-list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("votes:poll-list")).status_code == 200


def test_the_api_lists_votes_and_casts_a_ballot(world, actor_of, client_of):
    poll = opened(actor_of("shequ"), world.compound_x)
    client = client_of("jumin")
    listing = client.get("/api/v1/votes/polls").json()
    assert [p["id"] for p in listing["items"]] == [poll.pk]
    detail = client.get(f"/api/v1/votes/polls/{poll.pk}").json()
    assert detail["results_sealed"] and detail["result"] is None
    assert detail["my_seats"][0]["has_voted"] is False
    yes = next(o["id"] for o in detail["questions"][0]["options"] if o["label"] == "同意")
    payload = {"choices": {str(detail["questions"][0]["id"]): [yes]}}
    created = client.post(f"/api/v1/votes/polls/{poll.pk}/ballots", payload, content_type="application/json")
    assert created.status_code == 201
    again = client.post(f"/api/v1/votes/polls/{poll.pk}/ballots", payload, content_type="application/json")
    assert again.status_code == 409 and "已经投过票" in again.json()["detail"]
    outsider = client_of("wangge_a").post(
        f"/api/v1/votes/polls/{poll.pk}/ballots", payload, content_type="application/json"
    )
    assert outsider.status_code == 403
    assert client_of("outsider").get(f"/api/v1/votes/polls/{poll.pk}").status_code == 404


def test_an_owner_living_elsewhere_sees_and_votes_in_their_compound(world, actor_of, client_of):
    from gongzhi.registry.models import Ownership

    # 住户丁 of compound Z also owns a flat in compound X
    Ownership.objects.create(dwelling=world.dwellings["1-102"], person=world.people["community2"])
    Ownership.objects.filter(dwelling=world.dwellings["1-102"], person=world.people["neighbour"]).delete()
    from gongzhi.testing.world import add_user

    owner = add_user("ding", "住户丁")
    world.people["community2"].user = owner
    world.people["community2"].save(update_fields=["user"])
    poll = owners_poll(actor_of("yeweihui"), world.compound_x)
    world.users["ding"] = owner
    response = client_of("ding").get(reverse("votes:poll-detail", args=[poll.pk]))
    assert response.status_code == 200 and "我的选票" in response.content.decode()
