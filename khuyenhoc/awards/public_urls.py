"""Pages of this area that need no login: checking a certificate by its code."""

from django.urls import path

from .views import public

app_name = "awards_public"
urlpatterns = [
    path("check/", public.certificate_check, name="certificate_check"),
    path("c/<str:certificate_code>/", public.certificate, name="certificate"),
]
