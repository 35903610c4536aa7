"""Users, role grants and API tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log

from .models import ApiToken, Role, RoleGrant
from .permissions import forget_grants


@transaction.atomic
def user_create(*, actor, username: str, password: str, full_name: str = "", email: str = "", validate: bool = True):
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is already taken.")})
    user = User(username=username, full_name=full_name, email=email)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_log(actor=actor, action="accounts.user.created", target=user, after={"username": username, "full_name": full_name})
    return user


@transaction.atomic
def grant_add(*, actor, user, node, role: str) -> RoleGrant:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    existing = RoleGrant.objects.filter(user=user, node=node, role=role, revoked_at__isnull=True).first()
    if existing:
        return existing
    grant = RoleGrant.objects.create(user=user, node=node, role=role, granted_by=actor if getattr(actor, "pk", None) else None)
    forget_grants(user)
    audit_log(actor=actor, action="accounts.grant.added", node=node, target=grant, after={"user": user.username, "role": role})
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: RoleGrant) -> RoleGrant:
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    forget_grants(grant.user)
    audit_log(actor=actor, action="accounts.grant.revoked", node=grant.node, target=grant, before={"user": grant.user.username, "role": grant.role})
    return grant


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the key, which is shown once and never stored."""
    key = "kh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8])
    return token, key
