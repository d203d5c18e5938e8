"""Stewardship: managers with checked credit codes, contracts that set the compound's mode, committees whose
members own a home there, and the ledgers kept on a phone."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.choices import Role
from gongzhi.cases.tests.helpers import upload
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.identity import InvalidDocument, parse_credit_code
from gongzhi.core.models import AccessLog, Notification
from gongzhi.stewardship import selectors, services
from gongzhi.stewardship.choices import LedgerKind, LedgerSide, ManagerKind, Position, ServiceGrade
from gongzhi.stewardship.models import LedgerEntry, ModeChange
from gongzhi.territory.choices import ManagementMode
from gongzhi.territory.models import Node

pytestmark = pytest.mark.django_db

# Real unified social credit codes, as printed on business licences (their check characters hold).
VALID_CODES = ["91350100M000100Y43", "91110108551385082Q", "911100001000079554", "91440300708461136T"]


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_credit_codes_pass_and_are_normalised(code):  # type: ignore[no-untyped-def]
    assert parse_credit_code(f" {code.lower()[:9]} {code[9:].lower()} ") == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "最后一位应为 3"),
        ("91350100M000100Y4", "应为18位"),
        ("91350100M0001O0Y43", "不使用字母"),
        ("91AB0100M000100Y43", "行政区划代码"),
    ],
)
def test_invalid_credit_codes_say_what_is_wrong(code, message):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidDocument, match=message):
        parse_credit_code(code)


def _company(actor, code="91350100M000100Y43", kind=ManagerKind.PROPERTY_COMPANY):  # type: ignore[no-untyped-def]
    return services.manager_register(actor=actor, kind=kind, name=f"测试物业{code[-3:]}", credit_code=code)


def test_only_the_subdistrict_registers_managers_and_a_code_once(world, actor_of):  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed):
        _company(actor_of("shequ"))
    _company(actor_of("jiedao"))
    with pytest.raises(DomainError, match="已登记"):
        _company(actor_of("jiedao"))
    with pytest.raises(DomainError, match="校验位"):
        _company(actor_of("jiedao"), code="91110108551385082R")


def test_the_compound_mode_follows_its_contract_and_keeps_its_history(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    third = _company(jiedao, "91110108551385082Q", ManagerKind.THIRD_PARTY)
    y = world.compound_y  # an old compound with no management
    assert Node.objects.get(pk=y.pk).management_mode == ManagementMode.NONE
    today = timezone.localdate()
    contract = services.contract_create(
        actor=jiedao,
        manager=third,
        compound=y,
        starts_on=today - dt.timedelta(days=30),
        ends_on=None,
        fee_fen_per_m2=35,
        service_grade=ServiceGrade.BASIC,
    )
    assert Node.objects.get(pk=y.pk).management_mode == ManagementMode.THIRD_PARTY
    with pytest.raises(DomainError, match="已有"):
        services.contract_create(
            actor=jiedao,
            manager=_company(jiedao),
            compound=y,
            starts_on=today,
            ends_on=today + dt.timedelta(days=365),
            fee_fen_per_m2=120,
            service_grade=ServiceGrade.GRADE_3,
        )
    services.contract_terminate(actor=jiedao, contract=contract, on=today, reason="托管协议到期不续")
    assert Node.objects.get(pk=y.pk).management_mode == ManagementMode.NONE
    assert [(m.mode, m.since) for m in ModeChange.objects.filter(compound=y).order_by("id")] == [
        (ManagementMode.THIRD_PARTY, contract.starts_on),
        (ManagementMode.NONE, today),
    ]
    assert selectors.contract_current(compound=y, on=today) is None
    assert selectors.contract_current(compound=y, on=today - dt.timedelta(days=1)) == contract


def _committee(world, jiedao):  # type: ignore[no-untyped-def]
    committee = services.committee_create(actor=jiedao, compound=world.compound_x)
    start = timezone.localdate() - dt.timedelta(days=400)
    return services.term_open(
        actor=jiedao, committee=committee, starts_on=start, ends_on=start.replace(year=start.year + 5)
    )


def test_committee_members_must_own_a_home_in_the_compound(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _committee(world, jiedao)
    services.member_add(actor=jiedao, term=term, person=world.people["jumin"], position=Position.DIRECTOR)
    with pytest.raises(DomainError, match="不是“X小区”任何房屋的产权人"):  # 住户丁 owns a flat in Z小区
        services.member_add(actor=jiedao, term=term, person=world.people["community2"], position=Position.MEMBER)
    with pytest.raises(DomainError, match="已有主任"):
        services.member_add(actor=jiedao, term=term, person=world.people["neighbour"], position=Position.DIRECTOR)
    services.member_add(actor=jiedao, term=term, person=world.people["neighbour"], position=Position.DEPUTY)
    view = selectors.committee_view(compound=world.compound_x, on=timezone.localdate())
    assert view is not None and len(view.members) == 2
    assert any("5至11人的单数" in w for w in view.warnings) and any("尚未备案" in w for w in view.warnings)
    # The member with an account gets the committee duty on the compound.
    assert world.user("jumin").duties.filter(role=Role.COMMITTEE_MEMBER, node=world.compound_x).exists()


def test_a_term_is_at_most_five_years_and_follows_the_last(world, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    term = _committee(world, jiedao)
    with pytest.raises(DomainError, match="不超过5年"):
        services.term_open(
            actor=jiedao,
            committee=term.committee,
            starts_on=term.ends_on + dt.timedelta(days=1),
            ends_on=term.ends_on.replace(year=term.ends_on.year + 6),
        )
    with pytest.raises(DomainError, match="之后开始"):
        services.term_open(
            actor=jiedao,
            committee=term.committee,
            starts_on=term.ends_on,
            ends_on=term.ends_on.replace(year=term.ends_on.year + 1),
        )


def test_the_term_reminder_goes_out_once_90_days_before_the_end(world, actor_of):  # type: ignore[no-untyped-def]
    term = _committee(world, actor_of("jiedao"))
    services.member_add(actor=actor_of("jiedao"), term=term, person=world.people["jumin"], position=Position.DIRECTOR)
    assert services.term_reminders(today=term.ends_on - dt.timedelta(days=91)) == 0
    assert services.term_reminders(today=term.ends_on - dt.timedelta(days=90)) == 2  # shequ and the director
    assert services.term_reminders(today=term.ends_on - dt.timedelta(days=89)) == 0
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"shequ", "jumin"}


def _serving(world, actor_of):  # type: ignore[no-untyped-def]
    """A company under contract in X小区 with wuye on its staff, and a committee whose member is yeweihui."""
    jiedao = actor_of("jiedao")
    company = _company(jiedao)
    services.contract_create(
        actor=jiedao,
        manager=company,
        compound=world.compound_x,
        starts_on=timezone.localdate() - dt.timedelta(days=200),
        ends_on=None,
        fee_fen_per_m2=120,
        service_grade=ServiceGrade.GRADE_2,
    )
    services.staff_add(actor=jiedao, manager=company, user_id=world.user("wuye").pk, compounds=[world.compound_x])
    services.committee_create(actor=jiedao, compound=world.compound_x)
    return company


def test_ledgers_are_kept_by_each_side_with_photos_cleaned(world, actor_of):  # type: ignore[no-untyped-def]
    company = _serving(world, actor_of)
    today = timezone.localdate()
    entry = services.ledger_add(
        actor=actor_of("wuye"),
        compound=world.compound_x,
        kind=LedgerKind.PATROL,
        day=today,
        text="巡查1-3号楼消防通道，清理2号楼楼道杂物",
        photos=services_photos(),
    )
    assert (entry.side, entry.manager_id) == (LedgerSide.MANAGER, company.pk)
    stored = Image.open(entry.photos.get().image.open("rb"))
    assert not stored.getexif()  # no GPS, no device
    committee_entry = services.ledger_add(
        actor=actor_of("yeweihui"), compound=world.compound_x, kind=LedgerKind.MEETING, day=today, text="业委会例会"
    )
    assert committee_entry.side == LedgerSide.COMMITTEE and committee_entry.manager_id is None
    for persona in ("louzhang", "shequ"):
        with pytest.raises(NotAllowed):
            services.ledger_add(actor=actor_of(persona), compound=world.compound_x, kind="patrol", day=today, text="x")
    with pytest.raises(DomainError, match="不能晚于今天"):
        services.ledger_add(
            actor=actor_of("wuye"), compound=world.compound_x, kind="patrol", day=today + dt.timedelta(days=1), text="x"
        )
    with pytest.raises(DomainError, match="31天内"):
        services.ledger_add(
            actor=actor_of("wuye"),
            compound=world.compound_x,
            kind="patrol",
            day=today - dt.timedelta(days=32),
            text="x",
        )
    # The company's staff see their side only; the committee reads both; staff comment, the author is told.
    from gongzhi.stewardship.permissions import visible_entries

    assert list(visible_entries(actor_of("wuye"))) == [entry]
    assert set(visible_entries(actor_of("yeweihui"))) == {entry, committee_entry}
    services.ledger_comment(actor=actor_of("shequ"), entry=entry, text="楼道杂物已清，请保持")
    with pytest.raises(NotAllowed):
        services.ledger_comment(actor=actor_of("wuye"), entry=entry, text="自评")


def services_photos():  # type: ignore[no-untyped-def]
    from gongzhi.core.photos import photos_clean

    return photos_clean([upload()])


def test_completeness_counts_days_with_each_required_kind(world, actor_of, settings):  # type: ignore[no-untyped-def]
    settings.GONGZHI_LEDGER_REQUIRED_DAYS = {"manager": {"patrol": 31, "safety": 4}, "committee": {"meeting": 1}}
    _serving(world, actor_of)
    first = dt.date(2026, 11, 1)
    last = dt.date(2026, 11, 30)
    wuye = world.user("wuye")
    patrol_days = [first + dt.timedelta(days=i) for i in range(0, 30, 2)]  # 15 days
    for day in patrol_days:
        for _twice in range(2):  # two entries on one day are one day
            LedgerEntry.objects.create(
                compound=world.compound_x,
                side="manager",
                kind="patrol",
                day=day,
                text="巡查",
                author=wuye,
                author_name="w",
            )
    for day in (first, first + dt.timedelta(days=7), first + dt.timedelta(days=7)):
        LedgerEntry.objects.create(
            compound=world.compound_x, side="manager", kind="safety", day=day, text="安全", author=wuye, author_name="w"
        )
    result = selectors.completeness(compound=world.compound_x, side="manager", first=first, last=last)
    # patrol: 15 of 30 required (31 capped at 30 days); safety: 2 of 4 → (15 + 2) / (30 + 4).
    assert [(k.kind, k.days, k.required) for k in result.kinds] == [("patrol", 15, 30), ("safety", 2, 4)]
    assert result.permille == (15 + 2) * 1000 // 34


def test_the_ledger_pages_and_export(world, actor_of, client_of):  # type: ignore[no-untyped-def]
    _serving(world, actor_of)
    phone = client_of("wuye")
    today = timezone.localdate()
    form = phone.get(f"/stewardship/compounds/{world.compound_x.pk}/ledger/new/")
    assert form.status_code == 200
    # the browser's date input takes yyyy-mm-dd only: the locale's 2026/12/07 would show as blank
    assert f'type="date" name="day" value="{today.isoformat()}"' in form.content.decode()
    response = phone.post(
        f"/stewardship/compounds/{world.compound_x.pk}/ledger/new/",
        {"kind": "cleaning", "day": today.isoformat(), "text": "清洗垃圾桶", "photos": [upload()]},
    )
    assert response.status_code == 302
    bad = phone.post(
        f"/stewardship/compounds/{world.compound_x.pk}/ledger/new/",
        {"kind": "cleaning", "day": today.isoformat(), "text": "  "},
    )
    assert bad.status_code == 200 and LedgerEntry.objects.count() == 1
    page = client_of("shequ").get(f"/stewardship/compounds/{world.compound_x.pk}/ledger/").content.decode()
    assert "清洗垃圾桶" in page and "完整度" in page
    export = client_of("shequ").get(f"/stewardship/compounds/{world.compound_x.pk}/ledger.xlsx?month={today:%Y-%m}")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert any(row[3] == "清洗垃圾桶" and row[4] == 1 for row in sheet.iter_rows(values_only=True))
    assert AccessLog.objects.filter(subject_type="stewardship.ledger", actor_name="shequ").exists()
    assert client_of("louzhang").get(f"/stewardship/compounds/{world.compound_x.pk}/ledger/").status_code == 404
    assert client_of("outsider").get(f"/stewardship/compounds/{world.compound_x.pk}/").status_code == 404
    # A resident sees their compound's manager and committee, not its ledger.
    resident = client_of("jumin").get(f"/stewardship/compounds/{world.compound_x.pk}/").content.decode()
    assert "测试物业Y43" in resident and "工作台账" not in resident


def test_staff_need_a_contract_to_serve(world, actor_of):  # type: ignore[no-untyped-def]
    company = _company(actor_of("jiedao"))
    with pytest.raises(DomainError, match="没有服务"):
        services.staff_add(
            actor=actor_of("jiedao"), manager=company, user_id=world.user("wuye").pk, compounds=[world.compound_y]
        )
