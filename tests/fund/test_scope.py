"""The permission walk, limited to the fund's pages and API routes (the project-wide walk
covers them too; this one keeps the fund's scope checked on its own)."""

from __future__ import annotations

import pytest

from khuyenhoc.core.models import AuditEvent
from tests.scope_registry import FACTORIES
from tests.test_permission_walk import _args, _fill, _patterns

pytestmark = pytest.mark.django_db


def _fund_patterns():
    return [p for p, _ in _patterns() if p.startswith(("app/fund/", "api/fund/", "p/fund/"))]


def test_the_fund_has_pages_api_routes_and_public_pages():
    patterns = _fund_patterns()
    assert sum(p.startswith("app/fund/") for p in patterns) >= 15
    assert sum(p.startswith("api/fund/") for p in patterns) >= 10
    assert sum(p.startswith("p/fund/") for p in patterns) == 3


def test_a_sibling_commune_admin_gets_404_on_every_fund_url_of_commune_a_and_the_owner_does_not(world, client):
    values = {name: fn(world) for name, fn in FACTORIES.items()}
    leaks = []
    checked = 0
    for pattern in _fund_patterns():
        args = _args(pattern)
        if not args or "token" in args:
            continue
        url = _fill(pattern, values)
        client.force_login(world.admin_b, backend="django.contrib.auth.backends.ModelBackend")
        before = AuditEvent.objects.count()
        get, post = client.get(url), client.post(url, {"name": "hacked", "amount": "1", "reason": "x"})
        if get.status_code not in (401, 403, 404, 405) or post.status_code not in (401, 403, 404, 405):
            leaks.append(f"{url}: outsider GET {get.status_code} POST {post.status_code}")
        if AuditEvent.objects.count() != before:
            leaks.append(f"{url}: outsider's POST changed data")
        client.force_login(world.admin_a, backend="django.contrib.auth.backends.ModelBackend")
        if client.get(url).status_code == 404:
            leaks.append(f"{url}: the owner gets 404 too")
        checked += 1
    assert not leaks, "\n".join(leaks)
    assert checked >= 20
