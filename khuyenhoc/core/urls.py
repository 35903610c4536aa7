from django.urls import path

from . import job_views

app_name = "core"
urlpatterns = [
    path("jobs/<int:job_id>/", job_views.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/download/", job_views.job_download, name="job_download"),
]
