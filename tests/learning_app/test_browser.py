"""In a real Chromium: a chapter head adds and registers a household and self-assesses it,
the commune's council reviews and approves it, the decision is recorded, and the title
shows on the household page and in the counts. The review table fits a 360 px phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from khuyenhoc.learning.models import Evaluation, Status
from tests.conftest import PASSWORD
from tests.web.browser import browser_page, login

from .conftest import make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_load_state()


def test_a_household_goes_from_registration_to_its_title_in_the_browser(world, heads, live_server):
    base = live_server.url
    chapter, commune = world.chapter_a, world.commune_a
    year = timezone.localdate().year
    with browser_page(base) as page:
        # The chapter head adds the household with its members and registers it.
        login(page, base, "head_a", PASSWORD)
        page.goto(f"{base}/app/learning/nodes/{chapter.pk}/households/")
        page.click(f"a[href='/app/learning/nodes/{chapter.pk}/households/new/']")
        page.fill("input[name=address]", "Tổ 1, phường An Bình")
        page.fill("input[name='m-0-full_name']", "Hoàng Văn Học")
        page.fill("input[name='m-0-birth_year']", "1976")
        page.select_option("select[name='m-0-gender']", "m")
        page.select_option("select[name='m-0-relation']", "head")
        page.fill("input[name='m-1-full_name']", "Hoàng Thị Chăm")
        page.fill("input[name='m-1-birth_year']", "2012")
        page.select_option("select[name='m-1-gender']", "f")
        page.select_option("select[name='m-1-relation']", "child")
        page.select_option("select[name='m-1-schooling']", "in_school")
        page.click("form.form button[type=submit]")
        page.wait_for_selector("h1:has-text('Hoàng Văn Học')")
        page.click("form[action$='/register/'] button")
        page.wait_for_selector("#ev-status")

        # Self-assessment with the set's form.
        page.click("a[href$='/assess/']")
        for code, points in {"1.1": 10, "1.2": 10, "1.3": 10, "2.1": 10, "2.2": 9, "2.3": 9, "3.1": 18, "4.1": 17}.items():
            page.fill(f"input[name='item_{code}']", str(points))
        page.click("form.form button[type=submit]")
        page.wait_for_selector(".total")
        assert "93/100" in page.inner_text(".total")
        _logout(page)

        # The commune's council reviews (one point less, with a reason) and approves from the table.
        login(page, base, "council_a", PASSWORD)
        page.goto(f"{base}/app/learning/nodes/{commune.pk}/review/?title=family&year={year}")
        page.click("text=Hoàng Văn Học")
        page.click("a[href$='/review/']")
        page.fill("input[name='item_4.1']", "16")
        page.fill("textarea[name=comment]", "Chưa đủ minh chứng cho mục 4.1")
        page.click("form.form button[type=submit]")
        page.wait_for_selector(".total")
        assert "92/100" in page.inner_text(".total")
        page.goto(f"{base}/app/learning/nodes/{commune.pk}/review/?title=family&year={year}")
        page.check("#bulk-form input[name=ids]")
        page.click("#bulk-form button[value=approve]")
        page.wait_for_selector(".msg.success")
        _logout(page)

        # The commune records the People's Committee's decision.
        login(page, base, "admin_a", PASSWORD)
        page.goto(f"{base}/app/learning/nodes/{commune.pk}/recognise/?title=family&year={year}")
        page.fill("input[name=body_name]", "Ủy ban nhân dân phường An Bình")
        page.fill("input[name=number]", "27/QĐ-UBND")
        page.fill("input[name=decided_on]", f"{year}-12-20")
        page.click("form.form button[type=submit]")
        page.wait_for_selector("h1:has-text('27/QĐ-UBND')")

        # The title on the household page and in the counts.
        page.click("table a:has-text('Hoàng Văn Học')")  # the decision's list → the dossier
        page.click("h1 a:has-text('Hoàng Văn Học')")  # the dossier → the household
        page.wait_for_selector("#family-title")
        assert "27/QĐ-UBND" in page.inner_text("#family-title")
        page.goto(f"{base}/app/learning/nodes/{commune.pk}/?year={year}")
        row = page.inner_text("#title-counts tr[data-title=family]")
        assert row.split("\t")[1:4] == ["1", "1", "1"], row

    ev = Evaluation.objects.get()
    assert ev.status == Status.RECOGNISED and ev.total == 92
    assert [s.actor.username for s in ev.steps.order_by("pk")] == ["head_a", "head_a", "council_a", "council_a", "admin_a"]


def test_the_review_table_fits_a_360px_phone(world, live_server):
    from khuyenhoc.learning import services

    year = timezone.localdate().year
    for i in range(12):
        h = make_household(world.chapter_a, f"{i:04d}", head=f"Nguyễn Thị Phương Thảo {i}")
        ev = services.evaluation_register(actor=None, title="family", subject=h, year=year)
        services.evaluation_self_assess(actor=None, evaluation=ev, answers={"1.1": 10, "1.2": 10, "1.3": 10, "2.1": 10, "2.2": 10, "2.3": 10, "3.1": 20, "4.1": 20 - i})
    with browser_page(live_server.url, width=360, height=740) as page:
        login(page, live_server.url, "admin_a", PASSWORD)
        page.goto(f"{live_server.url}/app/learning/nodes/{world.commune_a.pk}/review/?title=family&year={year}")
        page.wait_for_selector("#bulk-form")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        # The action bar stays on screen while the list scrolls.
        page.evaluate("window.scrollBy(0, 600)")
        page.wait_for_timeout(100)
        box = page.locator(".bulkbar").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 741
        page.screenshot(path="/tmp/learning_review_360.png")
