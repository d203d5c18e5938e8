from django.urls import path

from gongzhi.cases import measures_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_mine, name="case-mine"),
    path("new/", views.case_report, name="case-report"),
    path("nearby/", views.case_nearby, name="case-nearby"),
    path("<int:case_id>/", views.case_detail, name="case-detail"),
    path("<int:case_id>/act/", views.case_act, name="case-act"),
    path("photos/<int:photo_id>/", views.case_photo, name="case-photo"),
    path("queue/", views.queue, name="queue"),
    path("desk/", views.desk, name="desk"),
    path("parked/", views.parked, name="parked"),
    path("calendar/", views.calendar, name="calendar"),
    path("keys/", views.keys, name="keys"),
    path("keys/<int:key_id>/revoke/", views.key_revoke, name="key-revoke"),
    path("measures/", measures_views.measures, name="measures"),
    path("measures/export/", measures_views.measures_export, name="measures-export"),
]
