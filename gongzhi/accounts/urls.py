from django.contrib.auth import views as auth_views
from django.urls import path

from gongzhi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.two_factor, name="two-factor"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("audit/access/", views.access_log, name="access-log"),
    path("audit/changes/", views.audit_trail, name="audit-trail"),
]
