"""Small view pieces shared by every app."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form


def node_view(cap):
    """Login required, then fetch `node_id` inside the user's subtrees with `cap` (else 404)."""
    from khuyenhoc.accounts.permissions import get_node_for_user

    def deco(view):
        @login_required
        @wraps(view)
        def wrapper(request, node_id, *args, **kwargs):
            node = get_node_for_user(request.user, node_id, cap)
            return view(request, node, *args, **kwargs)

        return wrapper

    return deco


def apply_validation_error(form: Form, exc: ValidationError) -> None:
    """Show a service's ValidationError next to the field it names, else on top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
