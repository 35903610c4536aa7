from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "khuyenhoc.api"
    label = "api"
    verbose_name = "API"
