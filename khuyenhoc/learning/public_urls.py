"""Pages of this area that need no login: a chapter's learning-citizen self-assessment form."""

from django.urls import path

from .views import public

app_name = "learning_public"
urlpatterns = [
    path("c/<str:token>/", public.citizen_form, name="citizen_form"),
]
