from django.urls import path

from gongzhi.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
]
