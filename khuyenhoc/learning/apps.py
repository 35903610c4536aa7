from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "khuyenhoc.learning"
    label = "learning"
    verbose_name = _("Learning titles")
    # (url name, label) pairs shown on the public home page; filled by the app.
    public_links: list = []
    # (url name taking node_id, label) tabs on a node's pages; filled by the app.
    node_tabs: list = []
