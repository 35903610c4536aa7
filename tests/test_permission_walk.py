"""Walk every URL pattern as a user of commune B against objects of commune A.

Fails if B can read or change anything of A. New pages (and API routes, which the
resolver lists too) fall under it automatically; a new URL argument must be taught
to tests/scope_registry.py first.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from khuyenhoc.core.models import AuditEvent

from .scope_registry import FACTORIES, UNSCOPED_ARGS

SKIP_PREFIXES = ("admin/", "static/", "media/", "jsi18n/", "i18n/")


def _walk(resolver, prefix=""):
    for p in resolver.url_patterns:
        pattern = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p, pattern)
        elif isinstance(p, URLPattern):
            yield pattern, p


def _patterns():
    out = []
    for pattern, p in _walk(get_resolver()):
        clean = pattern.lstrip("^")
        if clean.startswith(SKIP_PREFIXES):
            continue
        out.append((clean, p))
    return out


def _args(pattern: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", pattern)


def _fill(pattern: str, values: dict) -> str:
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), pattern)
    url = url.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + url


def test_every_url_argument_is_known_to_the_walk():
    unknown = sorted({a for pattern, _ in _patterns() for a in _args(pattern)} - set(FACTORIES) - UNSCOPED_ARGS)
    assert not unknown, f"Teach tests/scope_registry.py how to make objects for: {unknown}"


def test_the_walk_covers_the_pages_and_the_api():
    patterns = [p for p, _ in _patterns()]
    assert any(p.startswith("app/nodes/") for p in patterns)
    assert any(p.startswith("api/") for p in patterns)


@pytest.mark.django_db
def test_a_sibling_commune_user_can_neither_read_nor_change_objects_of_another(world, client):
    values = {name: fn(world) for name, fn in FACTORIES.items()}
    secret_names = [world.commune_a.name, world.chapter_a.name, world.officer_a.full_name]
    checked = 0
    leaks = []
    for pattern, _ in _patterns():
        args = _args(pattern)
        if any(a in UNSCOPED_ARGS for a in args):
            continue
        url = _fill(pattern, values)
        # As the outsider (admin of the sibling commune B).
        client.force_login(world.admin_b, backend="django.contrib.auth.backends.ModelBackend")
        audit_before = AuditEvent.objects.count()
        get = client.get(url)
        post = client.post(url, {"name": "hacked", "full_name": "hacked", "role": "admin", "username": "x", "on": "2024-01-01"})
        body = get.content.decode(errors="ignore") if get.status_code == 200 else ""
        if args:
            if get.status_code not in (403, 404, 405, 401) or post.status_code not in (403, 404, 405, 401):
                leaks.append(f"{url}: outsider GET {get.status_code} POST {post.status_code}")
        else:
            leaked = [s for s in secret_names if s in body]
            if leaked:
                leaks.append(f"{url}: list page shows {leaked}")
        if AuditEvent.objects.count() != audit_before:
            leaks.append(f"{url}: outsider's POST changed data")
        # The owner (admin of commune A) does reach the same object: the denial is real.
        if args:
            client.force_login(world.admin_a, backend="django.contrib.auth.backends.ModelBackend")
            own = client.get(url)
            if own.status_code == 404:
                leaks.append(f"{url}: even the owner gets 404 — the walk is not testing anything here")
        checked += 1
    assert not leaks, "\n".join(leaks)
    assert checked >= 10
