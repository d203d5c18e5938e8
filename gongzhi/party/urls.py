from django.urls import path

from gongzhi.party import views
from gongzhi.party import views_reporting as rep

app_name = "party"
urlpatterns = [
    path("", views.home, name="home"),
    path("tree/", views.tree, name="tree"),
    path("organisations/new/", views.org_create, name="org-create"),
    path("organisations/<int:organisation_id>/", views.org_detail, name="org-detail"),
    path("organisations/<int:organisation_id>/edit/", views.org_edit, name="org-edit"),
    path("organisations/<int:organisation_id>/members/", views.member_add, name="member-add"),
    path("organisations/<int:organisation_id>/members.xlsx", views.member_export, name="member-export"),
    path("organisations/<int:organisation_id>/committee/", views.committee_set, name="committee-set"),
    path("members/<int:member_id>/move/", views.member_move, name="member-move"),
    path("members/<int:member_id>/end/", views.member_end, name="member-end"),
    path("members/<int:member_id>/consent/", views.consent_give, name="consent-give"),
    path("members/<int:member_id>/consent/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    # 双报到
    path("me/", rep.me, name="me"),
    path("me/register/", rep.slip_submit, name="report-submit"),
    path("reporting/", rep.register, name="report-register"),
    path("reporting.xlsx", rep.register_export, name="report-export"),
    path("reporting/new/", rep.slip_enter, name="report-enter"),
    path("reporting/<int:registration_id>/", rep.registration_detail, name="report-detail"),
    path("reporting/<int:registration_id>/slip/", rep.slip_print, name="report-slip"),
    path("reporting/<int:registration_id>/withdraw/", rep.slip_withdraw, name="report-withdraw"),
    path("reporting/<int:registration_id>/accept/", rep.slip_accept, name="report-accept"),
    path("reporting/<int:registration_id>/decline/", rep.slip_decline, name="report-decline"),
    path("reporting/<int:registration_id>/end/", rep.slip_end, name="report-end"),
    path("reporting/<int:registration_id>/place/", rep.slip_place, name="report-place"),
    path("reporting/<int:registration_id>/appraisal/", rep.appraisal_record, name="report-appraisal"),
    path("organisations/<int:organisation_id>/needs/", rep.needs, name="report-needs"),
    path("needs/<int:need_id>/claim/", rep.need_claim, name="report-need-claim"),
    path("needs/<int:need_id>/close/", rep.need_close, name="report-need-close"),
    path("needs/<int:need_id>/activity/", rep.need_activity, name="report-need-activity"),
    path("organisations/<int:organisation_id>/units/", rep.work_units, name="report-units"),
    path("units/<int:work_unit_id>/<int:year>/<int:quarter>/", rep.feedback, name="report-feedback"),
    path("units/<int:work_unit_id>/<int:year>/<int:quarter>.xlsx", rep.feedback_xlsx, name="report-feedback-xlsx"),
    path("units/<int:work_unit_id>/<int:year>/<int:quarter>.pdf", rep.feedback_pdf, name="report-feedback-pdf"),
    path("units/<int:work_unit_id>/<int:year>/<int:quarter>/send/", rep.feedback_send, name="report-feedback-send"),
]
