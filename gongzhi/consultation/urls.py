from django.urls import path

from gongzhi.consultation import views

app_name = "consultation"
urlpatterns = [
    path("", views.suggestion_list, name="suggestion-list"),
    path("suggestions/new/", views.suggestion_create, name="suggestion-create"),
    path("suggestions/<int:suggestion_id>/", views.suggestion_detail, name="suggestion-detail"),
    path("suggestions/<int:suggestion_id>/support/", views.suggestion_support, name="suggestion-support"),
    path("suggestions/<int:suggestion_id>/report/", views.suggestion_report, name="suggestion-report"),
    path("suggestions/<int:suggestion_id>/moderate/", views.suggestion_moderate, name="suggestion-moderate"),
    path("moderation/", views.moderation, name="moderation"),
    path("reports/<int:report_id>/dismiss/", views.report_dismiss, name="report-dismiss"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/new/", views.topic_create, name="topic-create"),
    path("topics/<int:topic_id>/", views.topic_detail, name="topic-detail"),
    path("topics/<int:topic_id>/posts/", views.post_add, name="post-add"),
    path("posts/<int:post_id>/report/", views.post_report, name="post-report"),
    path("posts/<int:post_id>/moderate/", views.post_moderate, name="post-moderate"),
    path("topics/<int:topic_id>/meetings/new/", views.meeting_convene, name="meeting-convene"),
    path("meetings/<int:meeting_id>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("topics/<int:topic_id>/resolution/", views.resolution_propose, name="resolution-propose"),
    path("topics/<int:topic_id>/resolution/close/", views.resolution_close, name="resolution-close"),
    path("topics/<int:topic_id>/follow-ups/", views.follow_up_add, name="follow-up-add"),
    path("follow-ups/<int:follow_up_id>/done/", views.follow_up_done, name="follow-up-done"),
    path("topics/<int:topic_id>/publish/", views.topic_publish, name="topic-publish"),
    path("topics/<int:topic_id>/drop/", views.topic_drop, name="topic-drop"),
]
