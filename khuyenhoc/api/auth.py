"""Bearer-token and session authentication for the JSON API."""

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from khuyenhoc.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


AUTH = [TokenAuth(), SessionAuth()]
