"""The permission walk over the member and import pages only.

Same rules as tests/test_permission_walk.py (and built from its helpers): the admin of
commune B can neither read nor change anything of commune A, and commune A's admin
does reach every one of these URLs. Kept here so this area's pages are checked even
while another area's pages are being built.
"""

import pytest

from khuyenhoc.core.models import AuditEvent
from tests.scope_registry import FACTORIES
from tests.test_permission_walk import _args, _fill, _patterns

PREFIXES = ("app/members/", "app/imports/", "api/members/")


@pytest.mark.django_db
def test_the_member_and_import_pages_deny_a_sibling_commune_and_admit_the_owner(world, client):
    values = {name: fn(world) for name, fn in FACTORIES.items() if name in {"node_id", "member_id", "dues_id", "import_id", "kind"}}
    leaks, checked = [], 0
    for pattern, _p in _patterns():
        if not pattern.startswith(PREFIXES):
            continue
        url = _fill(pattern, values)
        client.force_login(world.admin_b, backend="django.contrib.auth.backends.ModelBackend")
        before = AuditEvent.objects.count()
        get = client.get(url)
        post = client.post(url, {"name": "hacked", "full_name": "hacked", "on": "2024-01-01", "duplicate": values["member_id"]})
        if get.status_code not in (401, 403, 404, 405) or post.status_code not in (401, 403, 404, 405):
            leaks.append(f"{url}: outsider GET {get.status_code} POST {post.status_code}")
        if AuditEvent.objects.count() != before:
            leaks.append(f"{url}: the outsider's POST changed data")
        client.force_login(world.admin_a, backend="django.contrib.auth.backends.ModelBackend")
        if client.get(url).status_code == 404:
            leaks.append(f"{url}: even the owner gets 404")
        checked += 1
        assert _args(pattern)
    assert not leaks, "\n".join(leaks)
    assert checked >= 20
