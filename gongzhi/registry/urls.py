from django.urls import path

from gongzhi.registry import views

app_name = "registry"
urlpatterns = [
    path("people/", views.person_list, name="person-list"),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
    path("people/<int:person_id>/reveal/", views.person_reveal, name="person-reveal"),
    path("households/<int:household_id>/", views.household_detail, name="household-detail"),
    path("dwellings/<int:dwelling_id>/", views.dwelling_detail, name="dwelling-detail"),
]
