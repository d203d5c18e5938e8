from django.urls import path

from gongzhi.party import views, views_meetings, views_serving

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
]
