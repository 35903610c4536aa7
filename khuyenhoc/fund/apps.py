from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "khuyenhoc.fund"
    label = "fund"
    verbose_name = _("Study-promotion fund")
    # (url name, label) pairs shown on the public home page.
    public_links = [("fund_public:disclosures", _("Fund public disclosure"))]
    # Tabs on a node's pages (URL names taking node_id).
    node_tabs = [("fund:node", _("Fund"))]

    def ready(self) -> None:
        from khuyenhoc.core.audit import ACTION_LABELS
        from khuyenhoc.organizations.services import register_close_check, register_node_mover

        from .audit_labels import FUND_ACTION_LABELS
        from .services import close_check, move_funds

        for code, label in FUND_ACTION_LABELS.items():
            ACTION_LABELS.setdefault(code, label)

        register_close_check(close_check)
        register_node_mover(move_funds)
