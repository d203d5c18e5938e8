from django.urls import path

from gongzhi.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox-read-all"),
    path("inbox/<int:notification_id>/read/", views.inbox_read, name="inbox-read"),
]
