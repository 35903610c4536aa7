from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("nodes/<int:node_id>/", views.node_stats, name="node_stats"),
    path("nodes/<int:node_id>/records/", views.node_records, name="node_records"),
    path("nodes/<int:node_id>/report.docx", views.node_report_docx, name="node_report_docx"),
    path("nodes/<int:node_id>/tables.xlsx", views.node_tables_xlsx, name="node_tables_xlsx"),
    path("nodes/<int:node_id>/close/", views.node_close, name="node_close"),
    path("nodes/<int:node_id>/import/", views.node_import, name="node_import"),
    path("nodes/<int:node_id>/import/template.xlsx", views.node_import_template, name="node_import_template"),
    path("nodes/<int:node_id>/targets/", views.node_targets, name="node_targets"),
    path("nodes/<int:node_id>/targets/set/", views.node_target_set, name="node_target_set"),
    path("nodes/<int:node_id>/dashboard/", views.node_dashboard, name="node_dashboard"),
    path("nodes/<int:node_id>/template/", views.node_template, name="node_template"),
    path("nodes/<int:node_id>/template/default.docx", views.node_template_default, name="node_template_default"),
]
