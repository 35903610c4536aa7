from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "khuyenhoc.members"
    label = "members"
    verbose_name = _("Member register")
    # (url name, label) pairs shown on the public home page.
    public_links: list = []
    # (url name taking node_id, label) tabs on a node's pages.
    node_tabs = [("members:node_members", _("Members"))]

    def ready(self) -> None:
        from khuyenhoc.core.audit import ACTION_LABELS
        from khuyenhoc.imports.registry import register
        from khuyenhoc.organizations.services import register_close_check, register_node_mover

        from . import exports  # noqa: F401 - registers the export job with core.jobs
        from .audit_labels import MEMBER_ACTION_LABELS
        from .importing import MEMBER_IMPORT
        from .services import close_check, move_members

        for code, label in MEMBER_ACTION_LABELS.items():
            ACTION_LABELS.setdefault(code, label)
        register(MEMBER_IMPORT)
        register_close_check(close_check)
        register_node_mover(move_members)
