"""亮身份 on other apps' pages (core.badges): the volunteer profile and the unit's household list show the
badge only while the member's consent stands."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.party import services
from gongzhi.party.tests.helpers import SYSTEM, build_party

pytestmark = pytest.mark.django_db


def test_household_list_shows_party_household_only_with_consent(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    url = reverse("territory:node-detail", args=[world.units["1"].pk])
    client = client_of("louzhang")
    assert "党员户" not in client.get(url).content.decode()
    services.consent_give(actor=SYSTEM, member=party.jumin, shows_badge=True, shows_household=False)
    assert "党员户" not in client.get(url).content.decode()  # the badge only, not the household
    services.consent_give(actor=SYSTEM, member=party.jumin, shows_badge=True, shows_household=True)
    body = client.get(url).content.decode()
    assert body.count("党员户") == 1
    services.consent_withdraw(actor=SYSTEM, member=party.jumin)
    assert "党员户" not in client.get(url).content.decode()


def test_volunteer_profile_shows_the_badge_only_with_consent(world, client_of):  # type: ignore[no-untyped-def]
    from gongzhi.volunteering.testing import build_volunteering

    party = build_party(world)
    v = build_volunteering(world)
    own = reverse("volunteering:profile")
    manage = reverse("volunteering:volunteer-detail", args=[v.volunteer.pk])
    assert "共产党员" not in client_of("jumin").get(own).content.decode()
    assert "共产党员" not in client_of("zhiyuan").get(manage).content.decode()
    services.consent_give(actor=SYSTEM, member=party.jumin)
    assert "共产党员" in client_of("jumin").get(own).content.decode()
    assert "共产党员" in client_of("zhiyuan").get(manage).content.decode()
