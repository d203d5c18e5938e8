from django.urls import path

from gongzhi.registry import views, views_io, views_quality

app_name = "registry"
urlpatterns = [
    path("people/", views.person_list, name="person-list"),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
    path("people/<int:person_id>/reveal/", views.person_reveal, name="person-reveal"),
    path("households/<int:household_id>/", views.household_detail, name="household-detail"),
    path("households/<int:household_id>/members/", views.household_member_add, name="household-member-add"),
    path("households/<int:household_id>/move-in/", views.household_move_in, name="household-move-in"),
    path("households/<int:household_id>/move-house/", views.household_move_house, name="household-move-house"),
    path("people/<int:person_id>/move-out/", views.person_move_out, name="person-move-out"),
    path("dwellings/<int:dwelling_id>/register/", views.household_register, name="household-register"),
    path("dwellings/<int:dwelling_id>/", views.dwelling_detail, name="dwelling-detail"),
    path("import/", views_io.import_page, name="import"),
    path("import/template.xlsx", views_io.import_template, name="import-template"),
    path("import/<int:job_id>/", views_io.import_detail, name="import-detail"),
    path("import/<int:job_id>/rejects.xlsx", views_io.import_rejects, name="import-rejects"),
    path("export/people.xlsx", views_io.export_people, name="export-people"),
    path("export/households.xlsx", views_io.export_households, name="export-households"),
    path("export/dwellings.xlsx", views_io.export_dwellings, name="export-dwellings"),
    path("quality/", views_quality.quality_page, name="quality"),
    path("quality/export.xlsx", views_quality.quality_export, name="quality-export"),
    path("quality/assign-grid/", views_quality.quality_assign_grid, name="quality-assign-grid"),
    path("quality/attach/", views_quality.quality_attach, name="quality-attach"),
]
