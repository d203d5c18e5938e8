from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.photos import photos_clean
from gongzhi.stewardship import services
from gongzhi.stewardship.choices import LedgerKind, ManagerKind, ServiceGrade
from gongzhi.testing.world import World


def rows_for_routes(world: World) -> dict[str, int]:
    """X小区 under a company's contract with wuye on its staff, a committee term, and a ledger entry with a photo."""
    from gongzhi.cases.tests.helpers import upload

    jiedao = actor_for_user(world.user("jiedao"))
    company = services.manager_register(
        actor=jiedao, kind=ManagerKind.PROPERTY_COMPANY, name="路由物业", credit_code="91440300708461136T"
    )
    today = timezone.localdate()
    contract = services.contract_create(
        actor=jiedao,
        manager=company,
        compound=world.compound_x,
        starts_on=today - dt.timedelta(days=100),
        ends_on=None,
        fee_fen_per_m2=120,
        service_grade=ServiceGrade.GRADE_2,
    )
    services.staff_add(actor=jiedao, manager=company, user_id=world.user("wuye").pk, compounds=[world.compound_x])
    committee = services.committee_create(actor=jiedao, compound=world.compound_x)
    term = services.term_open(
        actor=jiedao,
        committee=committee,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=900),
    )
    entry = services.ledger_add(
        actor=actor_for_user(world.user("wuye")),
        compound=world.compound_x,
        kind=LedgerKind.PATROL,
        day=today,
        text="巡查",
        photos=photos_clean([upload()]),
    )
    return {
        "contract_id": contract.pk,
        "term_id": term.pk,
        "entry_id": entry.pk,
        "ledger_photo_id": entry.photos.get().pk,
    }


def evaluation_rows(world: World) -> dict[str, int | str]:
    """The current month evaluated and published over rows_for_routes' X小区: shequ deducted with a photo,
    wuye appealed (pending)."""
    from gongzhi.cases.tests.helpers import upload
    from gongzhi.stewardship import evaluation as ev
    from gongzhi.stewardship.choices import RaterKind, SubjectKind

    jiedao = actor_for_user(world.user("jiedao"))
    month = ev.month_open(actor=jiedao, month=timezone.localdate().replace(day=1))
    company = month.evaluations.get(subject_kind=SubjectKind.PROPERTY_COMPANY)
    item = company.rubric.items.filter(indicator="").first()
    assert item is not None
    rating = ev.rating_save(
        actor=actor_for_user(world.user("shequ")),
        evaluation=company,
        rater_kind=RaterKind.COMMUNITY,
        deductions=[ev.DeductionSpec(item.pk, 20, "楼道堆物", photos_clean([upload()])[0])],
    )
    ev.month_review(actor=jiedao, month=month)
    ev.month_publish(actor=jiedao, month=month)
    appeal = ev.appeal_file(
        actor=actor_for_user(world.user("wuye")), evaluation=company, text="堆物系住户临时放置，当日已清理。"
    )
    return {
        "month": f"{month.month:%Y-%m}",
        "action": "review",
        "evaluation_id": company.pk,
        "rater_kind": RaterKind.COMMUNITY,
        "appeal_id": appeal.pk,
        "deduction_id": rating.deductions.get().pk,
    }
