from django.urls import path

from gongzhi.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("new/", views.campaign_create, name="campaign-create"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign-detail"),
    path("<int:campaign_id>/open/", views.campaign_open, name="campaign-open"),
    path("<int:campaign_id>/close/", views.campaign_close, name="campaign-close"),
    path("<int:campaign_id>/map/", views.campaign_map, name="campaign-map"),
    path("<int:campaign_id>/answers/", views.answer_summary, name="answer-summary"),
    path("<int:campaign_id>/answers.xlsx", views.answer_export, name="answer-export"),
    path("<int:campaign_id>/visits/", views.visit_list, name="visit-list"),
    path("<int:campaign_id>/visits/<int:row_id>/", views.visit_record, name="visit-record"),
    path("<int:campaign_id>/visits/<int:row_id>/found/", views.person_found, name="person-found"),
    path("<int:campaign_id>/grids/<int:grid_id>/missing/", views.missing_list, name="missing-list"),
    path("<int:campaign_id>/grids/<int:grid_id>/missing.xlsx", views.missing_export, name="missing-export"),
    path("<int:campaign_id>/grids/<int:grid_id>/assign/", views.grid_reassign, name="grid-reassign"),
]
