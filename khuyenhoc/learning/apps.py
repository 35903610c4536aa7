from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "khuyenhoc.learning"
    label = "learning"
    verbose_name = _("Learning titles")
    # (url name, label) pairs shown on the public home page: none, the citizen form is
    # reached through each chapter's own link.
    public_links: list = []
    # (url name taking node_id, label) tabs on a node's pages.
    node_tabs = [("learning:node_titles", _("Learning titles"))]

    def ready(self) -> None:
        from khuyenhoc.core.audit import ACTION_LABELS
        from khuyenhoc.organizations.services import register_close_check, register_node_mover

        from .audit_labels import LEARNING_ACTION_LABELS
        from .services.sheets import register_import_kind
        from .services.subjects import close_check, move_subjects

        for code, label in LEARNING_ACTION_LABELS.items():
            ACTION_LABELS.setdefault(code, label)
        register_close_check(close_check)
        register_node_mover(move_subjects)
        register_import_kind()
