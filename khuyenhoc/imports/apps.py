from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "khuyenhoc.imports"
    label = "imports"
    verbose_name = _("Excel imports")
    # (url name, label) pairs shown on the public home page.
    public_links: list = []
    # (url name taking node_id, label) tabs on a node's pages.
    node_tabs = [("imports:node_imports", _("Import from Excel"))]

    def ready(self) -> None:
        from khuyenhoc.core.audit import ACTION_LABELS

        # Registers the background-job handlers (analyse, commit) with core.jobs.
        from . import services  # noqa: F401

        ACTION_LABELS.setdefault("imports.job.committed", _("Imported a sheet"))
