"""A person logs in, opens the tree and creates a chapter — in a real Chromium."""

import pytest

from khuyenhoc.organizations.models import Node

from .browser import browser_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secretary_logs_in_opens_the_tree_and_creates_a_chapter(world, live_server):
    with browser_page(live_server.url) as page:
        login(page, live_server.url, "admin_city", "pw-for-tests-1")
        page.wait_for_selector("h1")
        assert "Hội Khuyến học thành phố Thử" in page.inner_text("h1")
        page.click("text=Hội Khuyến học phường An Bình")
        page.wait_for_selector("text=Chi hội tổ Anh Đào")
        page.click("text=Thêm đơn vị")
        page.fill("input[name=name]", "Chi hội thôn Nà Pài")
        page.fill("input[name=code]", "TP-A-09")
        page.select_option("select[name=kind]", "chapter")
        page.select_option("select[name=chapter_type]", "village")
        page.click("form.form button[type=submit]")
        page.wait_for_selector("h1:has-text('Chi hội thôn Nà Pài')")
        # CSS from the app itself was applied (the top bar is coloured).
        bg = page.eval_on_selector(".topbar", "e => getComputedStyle(e).backgroundColor")
        assert bg == "rgb(179, 38, 30)"
        assert page.evaluate("typeof htmx") == "object"
    node = Node.objects.get(code="TP-A-09")
    assert node.parent_id == world.commune_a.pk


def test_the_tree_page_fits_a_360px_phone(world, live_server):
    with browser_page(live_server.url, width=360, height=740) as page:
        login(page, live_server.url, "admin_city", "pw-for-tests-1")
        page.wait_for_selector("h1")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
