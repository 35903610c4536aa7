from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("nodes/<int:node_id>/", views.node_imports, name="node_imports"),
    path("nodes/<int:node_id>/<slug:kind>/template/", views.template_download, name="template"),
    path("nodes/<int:node_id>/<slug:kind>/upload/", views.upload, name="upload"),
    path("<int:import_id>/", views.job_detail, name="job"),
    path("<int:import_id>/progress/", views.job_progress, name="job_progress"),
    path("<int:import_id>/commit/", views.job_commit, name="job_commit"),
    path("<int:import_id>/errors.csv", views.job_errors, name="job_errors"),
]
