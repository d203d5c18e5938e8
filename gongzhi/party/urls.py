from django.urls import path

from gongzhi.party import views, views_meetings, views_serving
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
    path("organisations/<int:organisation_id>/services/", views_serving.service_list, name="service-list"),
    path("organisations/<int:organisation_id>/services/new/", views_serving.service_create, name="service-create"),
    path("members/<int:member_id>/move/", views.member_move, name="member-move"),
    path("members/<int:member_id>/end/", views.member_end, name="member-end"),
    path("members/<int:member_id>/consent/", views.consent_give, name="consent-give"),
    path("members/<int:member_id>/consent/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    # 三会一课: the pages are in views_meetings.
    path("organisations/<int:organisation_id>/meetings/", views_meetings.meeting_list, name="meeting-list"),
    path("organisations/<int:organisation_id>/meetings/new/", views_meetings.meeting_new, name="meeting-new"),
    path("organisations/<int:organisation_id>/compliance/", views_meetings.compliance, name="compliance"),
    path("meetings/<int:meeting_id>/", views_meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting_id>/edit/", views_meetings.meeting_edit, name="meeting-edit"),
    path("meeting-photos/<int:meeting_photo_id>/", views_meetings.meeting_photo, name="meeting-photo"),
    path("compliance/", views_meetings.compliance_overview, name="compliance-overview"),
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
