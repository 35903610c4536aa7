from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "khuyenhoc.demo"
    label = "demo"
    verbose_name = "Demo"
