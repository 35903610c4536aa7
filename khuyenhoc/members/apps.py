from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "khuyenhoc.members"
    label = "members"
    verbose_name = _("Member register")
    # (url name, label) pairs shown on the public home page; filled by the app.
    public_links: list = []
