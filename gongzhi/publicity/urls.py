from django.urls import path

from gongzhi.publicity import views, views_honour

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
    # Offline publicity
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/new/", views.activity_create, name="activity-create"),
    path("activities/photos/<int:activity_photo_id>/", views.activity_photo, name="activity-photo"),
    # Honour campaigns
    path("honour/", views_honour.campaign_list, name="honour-list"),
    path("honour/new/", views_honour.campaign_create, name="honour-create"),
    path("honour/roll/", views_honour.honour_roll, name="honour-roll"),
    path("honour/roll/<int:node_id>/", views_honour.honour_roll_node, name="honour-roll-node"),
    path("honour/<int:honour_id>/", views_honour.campaign_detail, name="honour-detail"),
    path("honour/<int:honour_id>/nominate/", views_honour.nominate, name="honour-nominate"),
    path("honour/<int:honour_id>/vote/", views_honour.vote, name="honour-vote"),
    path("honour/<int:honour_id>/review/", views_honour.review_queue, name="honour-review"),
    path("honour/<int:honour_id>/act/", views_honour.campaign_act, name="honour-act"),
    path("honour/<int:honour_id>/audit/", views_honour.vote_audit, name="honour-audit"),
    path("honour/<int:honour_id>/score/", views_honour.score, name="honour-score"),
    path("honour/<int:honour_id>/results/", views_honour.results, name="honour-results"),
    path("honour/nominations/<int:honour_nomination_id>/review/", views_honour.review_act, name="honour-review-act"),
    path("honour/results/<int:honour_result_id>/tie/", views_honour.tie_resolve, name="honour-tie"),
    path("honour/results/<int:honour_result_id>/citation/", views_honour.citation, name="honour-citation"),
    path("honour/results/<int:honour_result_id>/certificate.pdf", views_honour.certificate, name="honour-certificate"),
    path("honour/photos/<int:honour_photo_id>/", views_honour.photo, name="honour-photo"),
]
