"""Every learning page, as the owner (renders, no error) and as a sibling commune (404).

The project-wide walk (tests/test_permission_walk.py) covers the same URLs among all
others; this one also renders each page for its owner, so a broken template fails here.
"""

import pytest

from tests.scope_registry import FACTORIES
from tests.test_permission_walk import _args, _fill, _patterns

PREFIXES = ("app/learning/", "api/learning/")


def _learning_patterns():
    return [p for p, _ in _patterns() if p.startswith(PREFIXES)]


def test_the_learning_pages_are_many_and_all_known_to_the_walk():
    patterns = _learning_patterns()
    assert len(patterns) >= 30
    assert not {a for p in patterns for a in _args(p)} - set(FACTORIES)


@pytest.mark.django_db
def test_owner_sees_every_learning_page_and_the_sibling_commune_sees_none(world, client):
    values = {name: fn(world) for name, fn in FACTORIES.items() if name in {a for p in _learning_patterns() for a in _args(p)}}
    problems = []
    for pattern in _learning_patterns():
        url = _fill(pattern, values)
        client.force_login(world.admin_b, backend="django.contrib.auth.backends.ModelBackend")
        get, post = client.get(url), client.post(url, {"name": "hacked", "action": "approve"})
        if _args(pattern) and (get.status_code not in (401, 403, 404, 405) or post.status_code not in (401, 403, 404, 405)):
            problems.append(f"outsider {url}: GET {get.status_code} POST {post.status_code}")
        client.force_login(world.admin_a, backend="django.contrib.auth.backends.ModelBackend")
        own = client.get(url)
        if own.status_code not in (200, 302, 405):
            problems.append(f"owner {url}: GET {own.status_code}")
    assert not problems, "\n".join(problems)
