from django.urls import path

from gongzhi.votes import views

app_name = "votes"
urlpatterns = [
    path("", views.poll_list, name="poll-list"),
    path("new/", views.poll_create, name="poll-create"),
    path("<int:poll_id>/", views.poll_detail, name="poll-detail"),
    path("<int:poll_id>/vote/", views.ballot_cast, name="ballot-cast"),
    path("<int:poll_id>/open/", views.poll_open, name="poll-open"),
    path("<int:poll_id>/close/", views.poll_close, name="poll-close"),
    path("<int:poll_id>/publish/", views.poll_publish, name="poll-publish"),
    path("<int:poll_id>/cancel/", views.poll_cancel, name="poll-cancel"),
    path("<int:poll_id>/roll/", views.roll, name="roll"),
    path("<int:poll_id>/paper/", views.paper_entry, name="paper-entry"),
    path("<int:poll_id>/correct/", views.paper_correct, name="paper-correct"),
    path("<int:poll_id>/proxy/", views.proxy_register, name="proxy-register"),
    path("<int:poll_id>/export/", views.poll_export, name="poll-export"),
    path("rules/<int:compound_id>/", views.owners_rules, name="owners-rules"),
]
