from django.urls import path

from gongzhi.publicity import views

app_name = "publicity"
urlpatterns = [
    # Notices
    path("", views.inbox, name="inbox"),
    path("notices/<int:notice_id>/", views.notice_read, name="notice-read"),
    path("board/<int:compound_id>/", views.board, name="board"),
    path("board/<int:compound_id>/<int:notice_id>/", views.board_notice, name="board-notice"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.notice_create, name="notice-create"),
    path("manage/<int:notice_id>/", views.notice_detail, name="notice-detail"),
    path("manage/<int:notice_id>/edit/", views.notice_edit, name="notice-edit"),
    path("manage/<int:notice_id>/publish/", views.notice_publish, name="notice-publish"),
    path("manage/<int:notice_id>/withdraw/", views.notice_withdraw, name="notice-withdraw"),
    path("manage/<int:notice_id>/recipients/", views.recipient_list, name="recipient-list"),
    path("manage/<int:notice_id>/unread.xlsx", views.unread_export, name="unread-export"),
    path("recipients/<int:recipient_id>/tell/", views.recipient_tell, name="recipient-tell"),
    # Honour campaigns
]
