from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongzhi.accounts.actors import actor_for_user
from gongzhi.campaigns import services
from gongzhi.campaigns.choices import CampaignKind, FieldKind, FieldTarget
from gongzhi.campaigns.models import Campaign
from gongzhi.testing.world import World

START = dt.date(2026, 3, 1)


def open_campaign(world: World, *, scope: list | None = None) -> Campaign:  # type: ignore[type-arg]
    jiedao = actor_for_user(world.user("jiedao"))
    campaign = services.campaign_create(
        actor=jiedao,
        title="春季排查",
        kind=CampaignKind.SCREENING,
        purpose="疫情防控入户排查（街道通知）",
        scope=scope or [world.subdistrict],
        starts_on=START,
        ends_on=START + dt.timedelta(days=9),
        retention_ends_on=START + dt.timedelta(days=39),
        fields=[
            services.FieldSpec(FieldTarget.HOUSEHOLD, "是否出租", FieldKind.YES_NO, key="rented"),
            services.FieldSpec(FieldTarget.PERSON, "体温", FieldKind.TEMPERATURE, key="temp"),
            services.FieldSpec(FieldTarget.PERSON, "14天内外出", FieldKind.CHOICE, ("无", "省内", "省外"), key="trip"),
            services.FieldSpec(
                FieldTarget.HOUSEHOLD,
                "常住人数",
                FieldKind.NUMBER,
                min_value=Decimal(0),
                max_value=Decimal(30),
                key="n",
            ),
        ],
    )
    return services.campaign_open(actor=jiedao, campaign=campaign)


def rows_for_routes(world: World) -> dict[str, int]:
    """An open subdistrict-wide campaign and grid A's first household row (tests/test_routes.py)."""
    from gongzhi.campaigns.models import CampaignHousehold

    campaign = open_campaign(world)
    row = CampaignHousehold.objects.filter(campaign=campaign, grid=world.grid_a).order_by("walk_key").first()
    assert row is not None
    return {"campaign_id": campaign.pk, "row_id": row.pk}
