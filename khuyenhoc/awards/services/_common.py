"""Pieces shared by the awards services."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from khuyenhoc.accounts.permissions import Cap, has_cap
from khuyenhoc.organizations.models import Node

from ..models import Nomination, NominationStep


def require(actor, node: Node, caps: Cap | tuple[Cap, ...], message: str) -> None:
    caps = caps if isinstance(caps, tuple) else (caps,)
    if actor is None or not any(has_cap(actor, node, cap) for cap in caps):
        raise ValidationError(message)


def add_step(nomination: Nomination, action: str, *, actor, from_node=None, to_node=None, note: str = "") -> NominationStep:
    return NominationStep.objects.create(
        nomination=nomination,
        action=action,
        from_node=from_node,
        to_node=to_node,
        actor=actor if getattr(actor, "pk", None) else None,
        note=(note or "")[:500],
    )


def nomination_snapshot(n: Nomination) -> dict:
    return {
        "programme": n.programme_id,
        "node": n.node_id,
        "at_node": n.at_node_id,
        "status": n.status,
        "nominee_kind": n.nominee_kind,
        "nominee_name": n.nominee_name,
        "birth_year": n.birth_year,
        "school": n.school,
        "class_name": n.class_name,
        "poor_household": n.poor_household,
        "amount": n.amount,
        "score": n.score,
        "note": n.note,
    }
