"""Writing and reading the audit trail.

A service calls `audit_log` inside its own transaction, so the audit row and the
change commit or roll back together.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

SECRET_FIELDS = {"password", "token", "secret", "cccd", "citizen_id"}

# One table maps stable action codes to readable Vietnamese (via gettext).
ACTION_LABELS = {
    "org.node.created": _("Created a unit"),
    "org.node.renamed": _("Renamed a unit"),
    "org.node.updated": _("Changed a unit"),
    "org.node.moved": _("Moved a unit"),
    "org.node.closed": _("Closed a unit"),
    "org.node.merged": _("Merged units"),
    "org.node.split": _("Split a unit"),
    "org.officer.added": _("Added an officer"),
    "org.officer.ended": _("Ended an officer's term"),
    "accounts.user.created": _("Created a user"),
    "accounts.grant.added": _("Granted a role"),
    "accounts.grant.revoked": _("Revoked a role"),
}


def _mask(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: ("***" if k in SECRET_FIELDS and v else v) for k, v in values.items()}


def audit_log(
    *,
    actor,
    action: str,
    node=None,
    target=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        node_id=getattr(node, "pk", None),
        node_path=getattr(node, "path", "") or "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        before=_mask(before),
        after=_mask(after),
    )


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
