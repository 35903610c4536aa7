"""Pages of this area that need no login: published fund statements anyone can check."""

from django.urls import path

from . import views

app_name = "fund_public"
urlpatterns = [
    path("", views.public_disclosures, name="disclosures"),
    # A statement is addressed by its public token, not by a database id.
    path("<slug:token>/", views.public_disclosure, name="disclosure"),
    path("<slug:token>/rows.csv", views.public_disclosure_rows, name="disclosure_rows"),
]
