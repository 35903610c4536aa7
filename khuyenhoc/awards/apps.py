from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "khuyenhoc.awards"
    label = "awards"
    verbose_name = _("Awards and certificates")
    # (url name, label) pairs shown on the public home page.
    public_links = [("awards_public:certificate_check", _("Check a certificate"))]
    # (url name taking node_id, label) tabs on a node's pages.
    node_tabs = [("awards:node_awards", _("Awards"))]

    def ready(self) -> None:
        from khuyenhoc.core.audit import ACTION_LABELS
        from khuyenhoc.organizations.services import register_close_check, register_node_mover

        from . import jobs  # noqa: F401 - registers the certificate job with the job runner
        from .audit_labels import AWARDS_ACTION_LABELS
        from .services.reorg import close_check, move_nominations

        for code, label in AWARDS_ACTION_LABELS.items():
            ACTION_LABELS.setdefault(code, label)
        register_close_check(close_check)
        register_node_mover(move_nominations)
