from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "khuyenhoc.reports"
    label = "reports"
    verbose_name = _("Reports and statistics")
    # (url name, label) pairs shown on the public home page.
    public_links = [("reports_public:figures", _("The year's figures"))]
    # (url name taking node_id, label) tabs on a node's pages.
    node_tabs = [("reports:node_stats", _("Statistics"))]

    def ready(self) -> None:
        from khuyenhoc.core.audit import ACTION_LABELS

        from .audit_labels import REPORTS_ACTION_LABELS

        for code, label in REPORTS_ACTION_LABELS.items():
            ACTION_LABELS.setdefault(code, label)

        from khuyenhoc.imports.registry import register

        from .statsheet import STATISTICS_SHEET

        register(STATISTICS_SHEET)
