"""Pages of this area that need no login: the year's headline figures per association."""

from django.urls import path

from . import public_views

app_name = "reports_public"
urlpatterns = [
    path("", public_views.figures, name="figures"),
    path("<str:association_code>/", public_views.association_figures, name="association"),
]
