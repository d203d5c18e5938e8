"""Volunteering fixtures on top of the test world (gongzhi.testing.world), built through the services.

jumin (居民甲) is volunteer ZY…, signed up for an activity zhiyuan organises for 第一社区, checked in
and out, 3 hours certified (30 points by the default rule); a shop item at the subdistrict; an order;
a certificate; a team; a pending adjustment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.actors import Actor
from gongzhi.registry.models import Person
from gongzhi.territory.models import Node
from gongzhi.testing.world import SYSTEM, World
from gongzhi.volunteering import ledger, services
from gongzhi.volunteering.certificates import certificate_issue
from gongzhi.volunteering.choices import TeamKind
from gongzhi.volunteering.models import (
    Activity,
    Certificate,
    Order,
    PointsAdjustment,
    PointsRule,
    ServiceRecord,
    ShopItem,
    SignUp,
    Team,
    Volunteer,
)
from gongzhi.volunteering.services import ActivityData, Consent


def ensure_default_rule() -> PointsRule:
    """The rule migration 0002 ships; transactional tests flush it away, so they call this."""
    rule, _created = PointsRule.objects.get_or_create(
        starts_on=dt.date(2000, 1, 1), defaults={"points_per_hour": 10, "daily_cap": 80, "monthly_cap": 400}
    )
    return rule


def register(person: Person, *, actor: Actor = SYSTEM) -> Volunteer:
    return services.volunteer_register(actor=actor, person=person, consent=Consent(volunteer=True))


def make_activity(
    *,
    organiser: Actor,
    node: Node,
    starts_at: dt.datetime | None = None,
    hours: int = 3,
    slots: int = 10,
    title: str = "楼道清洁",
    team: Team | None = None,
) -> Activity:
    starts_at = starts_at or timezone.now() - dt.timedelta(minutes=30)
    return services.activity_create(
        actor=organiser,
        data=ActivityData(
            title=title,
            service_content="环境整治",
            node=node,
            place="1号楼前",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            slots=slots,
            team=team,
        ),
    )


def attend(activity: Activity, volunteer: Volunteer, *, minutes: int | None = None) -> SignUp:
    """Sign up, check in and out (at the activity's own times), and certify ``minutes`` when given."""
    signup = services.signup_create(
        actor=SYSTEM, activity=activity, volunteer=volunteer, at=activity.starts_at - dt.timedelta(days=1)
    )
    services.attendance_check_in(actor=SYSTEM, signup=signup, at=activity.starts_at)
    services.attendance_check_out(actor=SYSTEM, signup=signup, at=activity.ends_at)
    if minutes is not None:
        services.hours_certify(actor=SYSTEM, signup=signup, minutes=minutes)
    signup.refresh_from_db()
    return signup


@dataclass
class VolunteeringWorld:
    volunteer: Volunteer
    activity: Activity
    signup: SignUp
    record: ServiceRecord
    item: ShopItem
    order: Order
    certificate: Certificate
    team: Team
    adjustment: PointsAdjustment


def build_volunteering(world: World) -> VolunteeringWorld:
    ensure_default_rule()
    zhiyuan = actor_for_user(world.user("zhiyuan"))
    jumin = actor_for_user(world.user("jumin"))
    volunteer = register(world.people["jumin"], actor=jumin)
    activity = make_activity(organiser=zhiyuan, node=world.community)
    signup = attend(activity, volunteer, minutes=180)
    record = ServiceRecord.objects.get(signup=signup)
    item = ledger.shop_item_create(
        actor=zhiyuan,
        node=world.subdistrict,
        data=ledger.ItemData(name="洗衣液", points_price=10, donor="爱心超市"),
        stock=20,
    )
    volunteer.refresh_from_db()
    order, _created = ledger.points_redeem(actor=jumin, volunteer=volunteer, item=item, client_key="world-order-1")
    certificate = certificate_issue(actor=jumin, volunteer=volunteer)
    team = services.team_create(actor=zhiyuan, node=world.community, name="第一社区爱心服务队", kind=TeamKind.CARE)
    services.team_member_add(actor=zhiyuan, team=team, volunteer=volunteer)
    adjustment = ledger.adjustment_request(actor=zhiyuan, volunteer=volunteer, amount=5, reason="补记线下活动积分")
    volunteer.refresh_from_db()
    return VolunteeringWorld(
        volunteer=volunteer,
        activity=activity,
        signup=signup,
        record=record,
        item=item,
        order=order,
        certificate=certificate,
        team=team,
        adjustment=adjustment,
    )
