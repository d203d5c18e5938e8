from django.urls import path

from gongzhi.stewardship import views

app_name = "stewardship"
urlpatterns = [
    path("", views.compound_list, name="compound-list"),
    path("managers/", views.manager_list, name="manager-list"),
    path("compounds/<int:compound_id>/", views.compound_detail, name="compound-detail"),
    path("compounds/<int:compound_id>/contracts/", views.contract_create, name="contract-create"),
    path(
        "compounds/<int:compound_id>/contracts/<int:contract_id>/terminate/",
        views.contract_terminate,
        name="contract-terminate",
    ),
    path("compounds/<int:compound_id>/committee/", views.committee_create, name="committee-create"),
    path("compounds/<int:compound_id>/terms/", views.term_open, name="term-open"),
    path("compounds/<int:compound_id>/terms/<int:term_id>/filing/", views.term_file, name="term-file"),
    path("compounds/<int:compound_id>/terms/<int:term_id>/members/", views.member_add, name="member-add"),
    path("compounds/<int:compound_id>/ledger/", views.ledger, name="ledger"),
    path("compounds/<int:compound_id>/ledger/new/", views.ledger_new, name="ledger-new"),
    path("compounds/<int:compound_id>/ledger.xlsx", views.ledger_export, name="ledger-export"),
    path("ledger/<int:entry_id>/comment/", views.ledger_comment, name="ledger-comment"),
    path("ledger/photos/<int:ledger_photo_id>/", views.ledger_photo, name="ledger-photo"),
]
