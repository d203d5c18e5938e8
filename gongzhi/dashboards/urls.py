from django.urls import path

from gongzhi.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("screen/", views.screen, name="screen"),
    path("screen/data/", views.screen_data, name="screen-data"),
]
