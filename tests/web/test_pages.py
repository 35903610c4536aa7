"""Pages through Django's test client: forms, messages, Vietnamese by default."""

from khuyenhoc.organizations.models import Node


def test_the_interface_is_vietnamese_by_default(world, client_for):
    resp = client_for(world.admin_a).get(f"/app/nodes/{world.commune_a.pk}/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'lang="vi"' in html
    assert "Cán bộ" in html or "Chi hội và ban" in html.lower() or "chi hội và ban khuyến học" in html


def test_a_node_page_shows_officers_children_and_counts(world, client_for):
    html = client_for(world.admin_city).get(f"/app/nodes/{world.city.pk}/").content.decode()
    assert "Hội Khuyến học phường An Bình" in html
    assert "Hội Khuyến học phường Bến Đò" in html


def test_a_form_with_a_missing_field_keeps_what_was_typed_and_names_the_field(world, client_for):
    c = client_for(world.admin_a)
    before = Node.objects.count()
    resp = c.post(f"/app/nodes/{world.commune_a.pk}/new/", {"name": "Chi hội thôn Nà Pài", "code": "", "kind": "chapter", "chapter_type": "village"})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "Chi hội thôn Nà Pài" in html
    assert "Trường này là bắt buộc" in html
    assert Node.objects.count() == before


def test_an_admin_creates_a_chapter_and_it_is_audited(world, client_for):
    c = client_for(world.admin_a)
    resp = c.post(f"/app/nodes/{world.commune_a.pk}/new/", {"name": "Chi hội thôn Nà Pài", "code": "TP-A-02", "kind": "chapter", "chapter_type": "village"})
    assert resp.status_code == 302
    node = Node.objects.get(code="TP-A-02")
    assert node.parent_id == world.commune_a.pk
    audit = c.get(f"/app/nodes/{world.commune_a.pk}/audit/").content.decode()
    assert "Chi hội thôn Nà Pài" in audit


def test_moving_a_unit_under_itself_shows_a_clear_message(world, client_for):
    from khuyenhoc.accounts.models import Role
    from khuyenhoc.accounts.services import grant_add

    grant_add(actor=None, user=world.admin_a, node=world.city, role=Role.ADMIN)
    c = client_for(world.admin_a)
    resp = c.post(f"/app/nodes/{world.commune_a.pk}/merge/", {"sources": [world.commune_a.pk], "effective": "2025-07-01"})
    assert resp.status_code == 200
    world.commune_a.refresh_from_db()
    assert world.commune_a.is_active


def test_english_can_be_selected(world, client_for):
    c = client_for(world.admin_a)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get(f"/app/nodes/{world.commune_a.pk}/").content.decode()
    assert "Officers" in html


def test_the_public_home_page_needs_no_login(world, client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert "Hội Khuyến học tỉnh Thử" in resp.content.decode()


def test_an_english_browser_still_gets_vietnamese_until_the_person_chooses(world, client_for):
    c = client_for(world.admin_a)
    html = c.get(f"/app/nodes/{world.commune_a.pk}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Cán bộ" in html and "Officers" not in html
