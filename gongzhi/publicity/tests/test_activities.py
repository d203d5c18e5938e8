"""Offline publicity activities: who records them where, the checks, the year's counts, and the pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.publicity import selectors, services
from gongzhi.publicity.models import PublicityActivity
from gongzhi.publicity.tests.helpers import jpeg

pytestmark = pytest.mark.django_db


def _data(node, **changes):  # type: ignore[no-untyped-def]
    values = {
        "node": node,
        "kind": "banner",
        "title": "创建文明城市横幅",
        "held_on": timezone.localdate(),
        "place": "东门",
    }
    return services.ActivityData(**(values | changes))


def test_grid_worker_records_in_their_compound_and_not_elsewhere(world):  # type: ignore[no-untyped-def]
    wangge = actor_for_user(world.user("wangge_a"))
    services.activity_record(actor=wangge, data=_data(world.compound_x, reach=120), photos=[jpeg()])
    with pytest.raises(NotAllowed):
        services.activity_record(actor=wangge, data=_data(world.compound_z))
    with pytest.raises(NotAllowed):
        services.activity_record(actor=actor_for_user(world.user("jumin")), data=_data(world.compound_x))
    assert PublicityActivity.objects.get().photos.count() == 1


def test_bad_input_names_the_field_and_writes_nothing(world):  # type: ignore[no-untyped-def]
    shequ = actor_for_user(world.user("shequ"))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for changes, field in (({"kind": "x"}, "kind"), ({"held_on": tomorrow}, "held_on"), ({"reach": -1}, "reach")):
        with pytest.raises(DomainError) as caught:
            services.activity_record(actor=shequ, data=_data(world.compound_x, **changes))
        assert caught.value.field == field
    assert not PublicityActivity.objects.exists()


def test_the_years_counts_are_over_the_actors_territory(world):  # type: ignore[no-untyped-def]
    shequ = actor_for_user(world.user("shequ"))
    jiedao = actor_for_user(world.user("jiedao"))
    services.activity_record(actor=shequ, data=_data(world.compound_x, reach=100))
    services.activity_record(actor=shequ, data=_data(world.compound_y, kind="leaflet", reach=50))
    services.activity_record(actor=jiedao, data=_data(world.compound_z, kind="lecture", reach=30))
    today = timezone.localdate()
    since = today.replace(month=1, day=1)
    mine = selectors.activity_counts(actor=shequ, since=since, until=today)
    assert (mine.activities, mine.reach, mine.by_kind) == (2, 150, {"banner": 1, "leaflet": 1})
    assert selectors.activity_counts(actor=jiedao, since=since, until=today).reach == 180
    wangge = selectors.activity_counts(actor=actor_for_user(world.user("wangge_a")), since=since, until=today)
    assert (wangge.activities, wangge.reach) == (1, 100)  # grid A lies in X


def test_recording_through_the_page_with_a_photo(world, client_of):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 40)).save(out, format="JPEG")
    out.seek(0)
    out.name = "banner.jpg"
    client = client_of("wangge_a")
    response = client.post(
        reverse("publicity:activity-create"),
        {
            "kind": "leaflet",
            "title": "防诈骗入户宣传",
            "node": world.compound_x.pk,
            "held_on": timezone.localdate().isoformat(),
            "place": "1号楼",
            "reach": 60,
            "photos": out,
        },
    )
    assert response["Location"] == reverse("publicity:activity-list")
    page = client.get(reverse("publicity:activity-list")).content.decode()
    assert "防诈骗入户宣传" in page and "覆盖约60人" in page
    photo = PublicityActivity.objects.get().photos.get()
    assert client.get(reverse("publicity:activity-photo", args=[photo.pk])).status_code == 200
    assert client_of("wangge_b").get(reverse("publicity:activity-photo", args=[photo.pk])).status_code == 200
    assert client_of("jumin").get(reverse("publicity:activity-list")).status_code == 404
    assert client_of("jumin").get(reverse("publicity:activity-photo", args=[photo.pk])).status_code == 404
