from django.urls import path

from gongzhi.stewardship import views, views_evaluation

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
    path("compounds/<int:compound_id>/terms/<int:term_id>/election/", views.election_open, name="election-open"),
    path(
        "compounds/<int:compound_id>/terms/<int:term_id>/election/apply/",
        views.election_apply,
        name="election-apply",
    ),
    path("compounds/<int:compound_id>/terms/<int:term_id>/positions/", views.position_set, name="position-set"),
    path("compounds/<int:compound_id>/ledger/", views.ledger, name="ledger"),
    path("compounds/<int:compound_id>/ledger/new/", views.ledger_new, name="ledger-new"),
    path("compounds/<int:compound_id>/ledger.xlsx", views.ledger_export, name="ledger-export"),
    path("ledger/<int:entry_id>/comment/", views.ledger_comment, name="ledger-comment"),
    path("ledger/photos/<int:ledger_photo_id>/", views.ledger_photo, name="ledger-photo"),
    # the monthly evaluation
    path("evaluation/", views_evaluation.evaluation_home, name="evaluation-home"),
    path("evaluation/lists/", views_evaluation.lists, name="lists"),
    path("evaluation/rubrics/", views_evaluation.rubric_page, name="rubrics"),
    path("evaluation/subjects/<int:evaluation_id>/", views_evaluation.evaluation_detail, name="evaluation"),
    path(
        "evaluation/subjects/<int:evaluation_id>/rate/<str:rater_kind>/",
        views_evaluation.rating_form,
        name="rate",
    ),
    path("evaluation/subjects/<int:evaluation_id>/appeal/", views_evaluation.appeal_file, name="appeal-file"),
    path("evaluation/appeals/<int:appeal_id>/decide/", views_evaluation.appeal_decide, name="appeal-decide"),
    path("evaluation/deductions/<int:deduction_id>/photo/", views_evaluation.deduction_photo, name="deduction-photo"),
    # a month last: "<str:month>" would take the words above
    path("evaluation/<str:month>/", views_evaluation.month_detail, name="month"),
    path("evaluation/<str:month>/ranking.xlsx", views_evaluation.month_export, name="month-export"),
    path("evaluation/<str:month>/<str:action>/", views_evaluation.month_act, name="month-act"),
]
