"""Small pieces every learning service shares."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from khuyenhoc.organizations.models import Node

from ..years import is_year_closed


def actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def actor_label(actor) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor)[:150]
    return ""


def check_year_open(node: Node, year: int) -> None:
    if is_year_closed(node, year):
        raise ValidationError(
            {"year": _("The year %(year)s is closed at %(node)s; its titles can no longer change.")
             % {"year": year, "node": node.name}}
        )


def limit_list(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += " " + _("and %(n)s more") % {"n": len(names) - limit}
    return shown
