from django.urls import path

from .views import criteria, evaluations, households, nodes, sheets, subjects

app_name = "learning"
urlpatterns = [
    # A unit's pages (tab "Learning titles").
    path("nodes/<int:node_id>/", nodes.node_titles, name="node_titles"),
    path("nodes/<int:node_id>/subjects/", nodes.subject_list, name="subject_list"),
    path("nodes/<int:node_id>/subjects/sync/", nodes.subjects_sync, name="subjects_sync"),
    path("nodes/<int:node_id>/register/", nodes.register, name="register"),
    path("nodes/<int:node_id>/review/", nodes.review, name="review"),
    path("nodes/<int:node_id>/recognise/", nodes.recognise, name="recognise"),
    path("nodes/<int:node_id>/households/", households.household_list, name="household_list"),
    path("nodes/<int:node_id>/households/new/", households.household_create, name="household_create"),
    path("nodes/<int:node_id>/households/import/", sheets.household_import, name="household_import"),
    path("nodes/<int:node_id>/households/template.xlsx", sheets.household_template, name="household_template"),
    path("nodes/<int:node_id>/households/export.xlsx", sheets.household_export, name="household_export"),
    path("nodes/<int:node_id>/scores/", sheets.scores_import, name="scores_import"),
    path("nodes/<int:node_id>/scores/sheet.xlsx", sheets.scores_template, name="scores_template"),
    path("nodes/<int:node_id>/clans/new/", subjects.clan_create, name="clan_create"),
    path("nodes/<int:node_id>/units/new/", subjects.unit_create, name="unit_create"),
    path("nodes/<int:node_id>/citizens/new/", subjects.citizen_create, name="citizen_create"),
    path("nodes/<int:node_id>/self-assessments/", subjects.submissions, name="submissions"),
    path("nodes/<int:node_id>/self-assessments/new-link/", subjects.public_link_rotate, name="public_link_rotate"),
    # Objects.
    path("households/<int:household_id>/", households.household_detail, name="household_detail"),
    path("households/<int:household_id>/edit/", households.household_edit, name="household_edit"),
    path("households/<int:household_id>/register/", households.household_register, name="household_register"),
    path("clans/<int:clan_id>/", subjects.clan_detail, name="clan_detail"),
    path("units/<int:unit_id>/edit/", subjects.unit_edit, name="unit_edit"),
    path("evaluations/<int:evaluation_id>/", evaluations.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:evaluation_id>/assess/", evaluations.evaluation_assess, name="evaluation_assess"),
    path("evaluations/<int:evaluation_id>/review/", evaluations.evaluation_review, name="evaluation_review"),
    path("evaluations/<int:evaluation_id>/act/", evaluations.evaluation_act, name="evaluation_act"),
    path("recognitions/<int:recognition_id>/", evaluations.recognition_detail, name="recognition_detail"),
    path("self-assessments/<int:submission_id>/", subjects.submission_handle, name="submission_handle"),
    # Criteria sets.
    path("criteria/", criteria.criteria_list, name="criteria_list"),
    path("criteria/new/", criteria.criteria_new, name="criteria_new"),
    path("criteria/<int:set_id>/", criteria.criteria_detail, name="criteria_detail"),
    path("criteria/<int:set_id>/file.toml", criteria.criteria_download, name="criteria_download"),
    path("criteria/<int:set_id>/copy/", criteria.criteria_copy, name="criteria_copy"),
    path("criteria/<int:set_id>/edit/", criteria.criteria_edit, name="criteria_edit"),
    path("criteria/<int:set_id>/new-version/", criteria.criteria_supersede, name="criteria_supersede"),
    path("criteria/<int:set_id>/offer/", criteria.criteria_toggle, name="criteria_toggle"),
]
