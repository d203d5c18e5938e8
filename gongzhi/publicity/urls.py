from django.urls import path

from gongzhi.publicity import views_honour

app_name = "publicity"
urlpatterns: list[object] = [
    # Notices
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
