"""Pages at the HTTP level: wiring, form errors in Chinese naming the field, 404 out of scope, exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.volunteering.checkin import checkin_code
from gongzhi.volunteering.choices import OrderStatus
from gongzhi.volunteering.models import Order, PointsEntry, ServiceRecord, Volunteer
from gongzhi.volunteering.testing import make_activity, register

pytestmark = pytest.mark.django_db


def test_home_invites_a_resident_to_register_and_then_shows_number_hours_and_points(world, client_of, vworld):
    jumin = client_of("jumin")
    body = jumin.get(reverse("volunteering:home")).content.decode()
    assert vworld.volunteer.number in body
    assert "3" in body and "20" in body  # 3 hours, 20 points left after the first order
    neighbour_page = client_of("outsider").get(reverse("volunteering:home")).content.decode()
    assert "没有关联居民档案" in neighbour_page


def test_registration_form_needs_consent_and_names_the_field(world, client_of):
    client = client_of("jumin")
    url = reverse("volunteering:register")
    person = world.people["jumin"].pk
    response = client.post(url, {"person": person, "skills": ["elder_care"]})
    assert response.status_code == 200
    assert "请阅读并同意《志愿者个人信息处理告知书》" in response.content.decode()
    assert not Volunteer.objects.exists()
    response = client.post(url, {"person": person, "skills": ["elder_care"], "consent": "on"})
    assert response.status_code == 302
    assert Volunteer.objects.get().skills == ["elder_care"]


def test_signup_then_roster_scan_certify_and_points(world, client_of, rule):
    volunteer = register(world.people["jumin"])
    from gongzhi.accounts.actors import actor_for_user

    activity = make_activity(organiser=actor_for_user(world.user("zhiyuan")), node=world.community)
    jumin, zhiyuan = client_of("jumin"), client_of("zhiyuan")
    response = jumin.post(reverse("volunteering:activity-signup", args=[activity.pk]))
    assert response.status_code == 302
    assert jumin.get(reverse("volunteering:activity-roster", args=[activity.pk])).status_code == 403
    code = checkin_code(volunteer_id=volunteer.pk, number=volunteer.number).payload
    response = zhiyuan.post(
        reverse("volunteering:activity-scan", args=[activity.pk]),
        {"code": code, "direction": "in"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "居民甲 签到成功" in body and 'hx-swap-oob="true"' in body
    signup = volunteer.signups.get()
    response = zhiyuan.post(reverse("volunteering:activity-certify", args=[activity.pk]), {f"hours_{signup.pk}": "5"})
    assert response.status_code == 400
    assert "居民甲：认定时长不能超过活动时长（3小时）" in response.content.decode()
    response = zhiyuan.post(reverse("volunteering:activity-certify", args=[activity.pk]), {f"hours_{signup.pk}": "3"})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert (volunteer.certified_minutes, volunteer.points_balance) == (180, 30)


def test_out_of_scope_rows_are_404(world, vworld, client_of):
    wangge = client_of("wangge_b")
    for name, arg in (
        ("volunteering:activity-detail", vworld.activity.pk),
        ("volunteering:activity-roster", vworld.activity.pk),
        ("volunteering:certificate-pdf", vworld.certificate.pk),
        ("volunteering:record-correct", vworld.record.pk),
    ):
        assert wangge.get(reverse(name, args=[arg])).status_code == 404, name
    assert wangge.post(reverse("volunteering:order-cancel", args=[vworld.order.pk])).status_code == 404
    assert client_of("jumin").get(reverse("volunteering:ledger")).status_code == 404


def test_redeem_twice_with_the_same_form_spends_once(world, vworld, client_of):
    client = client_of("jumin")
    data = {"volunteer": vworld.volunteer.pk, "quantity": 1, "client_key": "form-key-123"}
    url = reverse("volunteering:shop-redeem", args=[vworld.item.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Order.objects.filter(client_key="form-key-123").count() == 1
    vworld.volunteer.refresh_from_db()
    assert vworld.volunteer.points_balance == 10
    page = client.get(reverse("volunteering:my-orders")).content.decode()
    order = Order.objects.get(client_key="form-key-123")
    assert order.pickup_code[:4] in page and "data:image/svg+xml" in page


def test_shop_page_lists_items_with_a_fresh_idempotency_key_each_time(world, vworld, client_of):
    client = client_of("jumin")
    first = client.get(reverse("volunteering:shop")).content.decode()
    second = client.get(reverse("volunteering:shop")).content.decode()
    assert "洗衣液" in first
    key = first.split('name="client_key" value="')[1].split('"')[0]
    assert len(key) == 32 and key not in second


def test_certificate_pdf_for_the_owner_and_public_verification_shows_only_the_certificate(
    world, vworld, client, client_of
):
    response = client_of("jumin").get(reverse("volunteering:certificate-pdf", args=[vworld.certificate.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    page = client.get(reverse("volunteering:certificate-verify-code", args=[vworld.certificate.verification_code]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "证明有效" in body and "居民甲" in body and "340303********1233" in body
    assert "340303199001011233" not in body and "13800001111" not in body
    missing = client.get(reverse("volunteering:certificate-verify-code", args=["AAAABBBBCCCCDDDD"]))
    assert missing.status_code == 404 and "没有找到" in missing.content.decode()
    lookup = client.get(
        reverse("volunteering:certificate-verify"), {"code": vworld.certificate.verification_code.lower()}
    )
    assert lookup.status_code == 302


def test_pickup_finds_the_code_and_hands_over(world, vworld, client_of):
    client = client_of("zhiyuan")
    code = vworld.order.pickup_code
    page = client.get(reverse("volunteering:pickup"), {"code": f"{code[:4].lower()}-{code[4:]}"})
    assert "洗衣液" in page.content.decode()
    response = client.post(reverse("volunteering:pickup"), {"code": code, "confirm": "1"})
    assert response.status_code == 302
    vworld.order.refresh_from_db()
    assert vworld.order.status == OrderStatus.PICKED_UP
    wrong = client.get(reverse("volunteering:pickup"), {"code": "ZZZZZZZZ"})
    assert "没有找到这个领取码" in wrong.content.decode()


def test_adjustment_needs_a_second_manager_on_the_page(world, vworld, client_of, second_manager):
    url = reverse("volunteering:adjustment-decide", args=[vworld.adjustment.pk])
    client_of("zhiyuan").post(url, {"decision": "approve"})
    vworld.adjustment.refresh_from_db()
    assert vworld.adjustment.status == "pending"
    client_of("zhiyuan2").post(url, {"decision": "approve"})
    vworld.adjustment.refresh_from_db()
    assert vworld.adjustment.status == "approved"


@pytest.mark.parametrize(
    ("name", "sheet_header"),
    [
        ("volunteering:ledger-export", "积分"),
        ("volunteering:hours-export", "时长（分钟）"),
        ("volunteering:order-export", "领取码"),
    ],
)
def test_exports_are_excel_with_text_numbers_and_logged(world, vworld, client_of, name, sheet_header):
    response = client_of("zhiyuan").get(reverse(name))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert "导出人：zhiyuan" in rows[0][0]
    assert sheet_header in rows[1]
    number_column = rows[1].index("志愿者编号")
    assert rows[2][number_column] == vworld.volunteer.number
    log = AccessLog.objects.get(action="export")
    assert log.row_count == len(rows) - 2


def test_list_pages_keep_a_constant_number_of_queries(world, vworld, client_of, django_assert_max_num_queries):
    from gongzhi.volunteering.testing import attend

    for key in ("neighbour", "grid_b", "jumin_spouse"):
        attend(vworld.activity, register(world.people[key]), minutes=60)
    client = client_of("zhiyuan")
    for name in ("volunteering:volunteer-list", "volunteering:ledger", "volunteering:hours", "volunteering:order-list"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("volunteering:activity-roster", args=[vworld.activity.pk])).status_code == 200
    assert ServiceRecord.objects.count() == 4 and PointsEntry.objects.count() == 5


def test_manager_creates_an_activity_a_team_and_an_item_through_the_forms(world, client_of, rule):
    from gongzhi.volunteering.models import Activity, ShopItem, StockMovement, Team

    client = client_of("zhiyuan")
    response = client.post(
        reverse("volunteering:activity-create"),
        {
            "title": "河道清理",
            "service_content": "环境整治",
            "node": world.community.pk,
            "team": "",
            "place": "小河边",
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-01T08:00",
            "slots": 10,
            "min_age": 0,
        },
    )
    assert response.status_code == 200 and "结束时间须晚于开始时间" in response.content.decode()
    response = client.post(
        reverse("volunteering:activity-create"),
        {
            "title": "河道清理",
            "service_content": "环境整治",
            "node": world.community.pk,
            "team": "",
            "place": "小河边",
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-01T11:00",
            "slots": 10,
            "min_age": 0,
        },
    )
    activity = Activity.objects.get(title="河道清理")
    assert response.status_code == 302 and activity.node == world.community and activity.duration_minutes == 120
    client.post(reverse("volunteering:team-list"), {"name": "河道守护队", "kind": "care", "node": world.community.pk})
    assert Team.objects.get(name="河道守护队").node == world.community
    client.post(
        reverse("volunteering:shop-items"),
        {"name": "环保袋", "points_price": 5, "node": world.subdistrict.pk, "stock": 40, "is_active": "on"},
    )
    item = ShopItem.objects.get(name="环保袋")
    assert item.stock == 40 and StockMovement.objects.get(item=item).delta == 40
    assert client_of("shequ").get(reverse("volunteering:activity-create")).status_code == 200
    assert client_of("wangge_a").get(reverse("volunteering:activity-create")).status_code == 404
