"""Pieces shared by the awards pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError

from khuyenhoc.accounts.permissions import Cap, granted_paths
from khuyenhoc.core.text import initials_name

from ..models import NomineeKind

PERSONAL_CAPS = (Cap.VIEW_PERSONAL, Cap.AWARDS_NOMINATE, Cap.AWARDS_DECIDE)


def personal_paths(user) -> list[str]:
    """Subtrees where the user may see nominees' personal data (full names of minors, addresses)."""
    return sorted({p for cap in PERSONAL_CAPS for p in granted_paths(user, cap)})


def sees_personal(paths: list[str], node) -> bool:
    return any(node.path.startswith(p) for p in paths)


def shown_name(nomination, paths: list[str]) -> str:
    if nomination.nominee_kind == NomineeKind.STUDENT and not sees_personal(paths, nomination.node):
        return initials_name(nomination.nominee_name)
    return nomination.nominee_name


def error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def flash_error(request, exc: ValidationError) -> None:
    messages.error(request, error_text(exc))
