from django.urls import path

from gongzhi.volunteering import views, views_manage

app_name = "volunteering"
urlpatterns = [
    # The resident's own volunteering
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("me/profile/", views.profile, name="profile"),
    path("me/withdraw/", views.withdraw, name="withdraw"),
    path("me/code/", views.my_code, name="my-code"),
    path("me/hours/", views.my_hours, name="my-hours"),
    path("me/points/", views.my_points, name="my-points"),
    path("me/orders/", views.my_orders, name="my-orders"),
    path("me/certificates/", views.my_certificates, name="my-certificates"),
    path("certificates/<int:certificate_id>/pdf/", views.certificate_pdf, name="certificate-pdf"),
    path("rules/", views.rules, name="rules"),
    # Activities, sign-ups and the organiser's roster
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:activity_id>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:activity_id>/edit/", views.activity_edit, name="activity-edit"),
    path("activities/<int:activity_id>/signup/", views.activity_signup, name="activity-signup"),
    path("activities/<int:activity_id>/roster/", views.activity_roster, name="activity-roster"),
    path("activities/<int:activity_id>/scan/", views.activity_scan, name="activity-scan"),
    path("activities/<int:activity_id>/certify/", views.activity_certify, name="activity-certify"),
    path("activities/<int:activity_id>/close/", views.activity_close, name="activity-close"),
    path("activities/<int:activity_id>/cancel/", views.activity_cancel, name="activity-cancel"),
    path("signups/<int:signup_id>/cancel/", views.signup_cancel, name="signup-cancel"),
    path("signups/<int:signup_id>/attendance/", views.signup_attendance, name="signup-attendance"),
    path("records/<int:record_id>/correct/", views.record_correct, name="record-correct"),
    # The points shop
    path("shop/", views.shop, name="shop"),
    path("shop/<int:item_id>/redeem/", views.shop_redeem, name="shop-redeem"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order-cancel"),
    # Anyone may check a certificate
    path("verify/", views.certificate_verify, name="certificate-verify"),
    path("verify/<str:code>/", views.certificate_verify_code, name="certificate-verify-code"),
    # Teams
    path("teams/", views_manage.team_list, name="team-list"),
    path("teams/<int:team_id>/", views_manage.team_detail, name="team-detail"),
    # The manager's pages
    path("manage/", views_manage.overview, name="manage"),
    path("manage/volunteers/", views_manage.volunteer_list, name="volunteer-list"),
    path("manage/volunteers/<int:volunteer_id>/", views_manage.volunteer_detail, name="volunteer-detail"),
    path("manage/volunteers/<int:volunteer_id>/status/", views_manage.volunteer_status, name="volunteer-status"),
    path("manage/shop/", views_manage.shop_items, name="shop-items"),
    path("manage/shop/<int:item_id>/", views_manage.shop_item_detail, name="shop-item-detail"),
    path("manage/pickup/", views_manage.pickup, name="pickup"),
    path("manage/orders/", views_manage.order_list, name="order-list"),
    path("manage/orders/export/", views_manage.order_export, name="order-export"),
    path("manage/ledger/", views_manage.ledger_view, name="ledger"),
    path("manage/ledger/export/", views_manage.ledger_export, name="ledger-export"),
    path("manage/hours/", views_manage.hours_view, name="hours"),
    path("manage/hours/export/", views_manage.hours_export, name="hours-export"),
    path("manage/adjustments/", views_manage.adjustment_list, name="adjustment-list"),
    path("manage/adjustments/<int:adjustment_id>/decide/", views_manage.adjustment_decide, name="adjustment-decide"),
]
