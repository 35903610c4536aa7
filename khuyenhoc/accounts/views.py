from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.core.views import apply_validation_error, node_view

from . import services
from .forms import UserGrantForm
from .models import RoleGrant
from .permissions import Cap, get_for_user


@node_view(Cap.MANAGE_USERS)
def node_users(request, node):
    grants = (
        RoleGrant.objects.filter(node__path__startswith=node.path, revoked_at__isnull=True)
        .select_related("user", "node")
        .order_by("node__path", "user__username")
    )
    form = UserGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        User = get_user_model()
        try:
            user = User.objects.filter(username__iexact=data["username"]).first()
            if user is None:
                if not data["password"]:
                    raise ValidationError({"password": _("A new user needs a password.")})
                user = services.user_create(
                    actor=request.user, username=data["username"], password=data["password"], full_name=data["full_name"]
                )
            services.grant_add(actor=request.user, user=user, node=node, role=data["role"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Role granted."))
            return redirect("accounts:node_users", node_id=node.pk)
    return render(request, "accounts/node_users.html", {"node": node, "grants": grants, "form": form})


@login_required
@require_POST
def grant_revoke(request, grant_id):
    grant = get_for_user(RoleGrant.objects.select_related("node", "user"), request.user, grant_id, Cap.MANAGE_USERS)
    if grant.user_id == request.user.pk:
        messages.error(request, _("You cannot revoke your own role."))
    else:
        services.grant_revoke(actor=request.user, grant=grant)
        messages.success(request, _("Role revoked."))
    return redirect("accounts:node_users", node_id=grant.node_id)
