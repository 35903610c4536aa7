"""Pages of this area that need no login."""

from django.urls import path  # noqa: F401

app_name = "learning_public"
urlpatterns: list = []
