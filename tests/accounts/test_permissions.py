import pytest
from django.http import Http404

from khuyenhoc.accounts.permissions import Cap, accessible_nodes, get_node_for_user, has_cap
from khuyenhoc.core.models import AuditEvent


def test_a_role_holds_for_the_whole_subtree(world):
    nodes = set(accessible_nodes(world.admin_a).values_list("code", flat=True))
    assert nodes == {"TP-A", "TP-A-01"}


def test_an_outsider_gets_404_for_a_sibling_commune(world):
    with pytest.raises(Http404):
        get_node_for_user(world.admin_b, world.chapter_a.pk)


def test_a_viewer_cannot_manage_the_tree(world):
    assert has_cap(world.viewer_a, world.chapter_a, Cap.VIEW)
    assert not has_cap(world.viewer_a, world.chapter_a, Cap.MANAGE_TREE)


def test_a_revoked_grant_gives_nothing(world):
    from khuyenhoc.accounts.services import grant_revoke

    grant_revoke(actor=world.admin_city, grant=world.admin_a.grants.get())
    assert not accessible_nodes(world.admin_a).exists()
    assert AuditEvent.objects.filter(action="accounts.grant.revoked").exists()


def test_passwords_are_hashed_with_argon2(settings, db):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert make_password("xin chào").startswith("argon2$")


def test_repeated_failed_logins_are_throttled(world, client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "admin_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    resp = client.post("/accounts/login/", {"username": "admin_a", "password": "pw-for-tests-1"}, REMOTE_ADDR="10.0.0.1")
    assert resp.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_login_lands_on_the_users_association(world, client):
    resp = client.post("/accounts/login/", {"username": "admin_a", "password": "pw-for-tests-1"}, follow=True)
    assert resp.status_code == 200
    assert "Hội Khuyến học phường An Bình" in resp.content.decode()


def test_the_api_answers_with_a_token_and_only_inside_scope(world, client):
    from khuyenhoc.accounts.services import token_create

    _, key = token_create(user=world.admin_a, name="test")
    ok = client.get(f"/api/org/nodes/{world.chapter_a.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200
    assert ok.json()["code"] == "TP-A-01"
    hidden = client.get(f"/api/org/nodes/{world.chapter_b.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert hidden.status_code == 404
    listed = client.get("/api/org/nodes", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert {n["code"] for n in listed} == {"TP-A", "TP-A-01"}
    assert client.get("/api/org/nodes", HTTP_AUTHORIZATION="Bearer forged").status_code == 401


def test_a_request_reads_a_users_grants_once_and_sees_its_own_changes(world, django_assert_num_queries):
    from khuyenhoc.accounts.models import Role
    from khuyenhoc.accounts.permissions import _REQUEST_GRANTS, granted_paths, user_caps
    from khuyenhoc.accounts.services import grant_add, grant_revoke

    token = _REQUEST_GRANTS.set({})  # what GrantMemoMiddleware does around every request
    try:
        with django_assert_num_queries(1):
            assert has_cap(world.viewer_a, world.chapter_a, Cap.VIEW)
            assert not has_cap(world.viewer_a, world.chapter_a, Cap.MANAGE_TREE)
            assert user_caps(world.viewer_a, world.chapter_a) == {Cap.VIEW}
            assert granted_paths(world.viewer_a, Cap.VIEW) == [world.commune_a.path]
        grant = grant_add(actor=world.admin_city, user=world.viewer_a, node=world.commune_b, role=Role.ADMIN)
        assert has_cap(world.viewer_a, world.commune_b, Cap.MANAGE_TREE)  # read again after the grant
        grant_revoke(actor=world.admin_city, grant=grant)
        assert not has_cap(world.viewer_a, world.commune_b, Cap.VIEW)
    finally:
        _REQUEST_GRANTS.reset(token)
    # Outside a request nothing is kept: every question reads the grants.
    with django_assert_num_queries(2):
        has_cap(world.viewer_a, world.chapter_a, Cap.VIEW)
        has_cap(world.viewer_a, world.chapter_a, Cap.VIEW)
