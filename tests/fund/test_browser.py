"""In a real Chromium: a treasurer drafts a receipt, a second person approves it, prints it,
publishes the statement, and anyone finds the amount on the public page from the home page."""

from __future__ import annotations

import io

import pytest

from khuyenhoc.fund.models import Voucher, VoucherStatus
from tests.conftest import PASSWORD
from tests.web.browser import browser_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_receipt_is_drafted_approved_by_another_person_printed_and_published(fw, live_server):
    base = live_server.url
    with browser_page(base) as page:
        login(page, base, "thuquy_a", PASSWORD)
        page.goto(f"{base}/app/fund/funds/{fw.fund.pk}/")
        page.click("#new-receipt")
        page.fill("input[name=date]", "2022-03-01")
        page.fill("input[name=amount]", "1.234.000")
        page.select_option("select[name=party_kind]", "firm")
        page.fill("input[name=party_name]", "Công ty TNHH Xây dựng Sông Cầu")
        page.check("input[name=party_public]")
        page.fill("input[name=reason]", "Ủng hộ Quỹ Khuyến học năm 2022")
        page.click("#voucher-receipt button[type=submit]")
        page.wait_for_selector("#voucher-status")
        assert "Nháp" in page.inner_text("#voucher-status")
        assert page.locator("#approve").count() == 0  # the drafter cannot approve
        voucher_url = page.url

        page.context.clear_cookies()
        login(page, base, "admin_a", PASSWORD)
        page.wait_for_load_state()
        page.goto(voucher_url)
        page.click("#approve")
        page.wait_for_selector("text=Đã duyệt và ghi sổ")
        assert page.inner_text("#voucher-code") == "PT-2022-0001"
        assert "1.234.000 đ" in page.inner_text("#voucher-amount")

        pdf_url = page.get_attribute("#print", "href")
        pdf = page.request.get(base + pdf_url)
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        from pypdf import PdfReader

        text = " ".join(PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text().split())
        assert "PHIẾU THU" in text and "1.234.000 đ" in text and "Một triệu hai trăm ba mươi bốn nghìn đồng" in text

        page.click("#fund-tabs >> text=Công khai")
        page.fill("input[name=period_start]", "2022-01-01")
        page.fill("input[name=period_end]", "2022-12-31")
        page.click("form.form button[type=submit]")
        page.wait_for_selector("#receipts-total")
        assert page.inner_text("#receipts-total") == "1.234.000 đ"

        page.context.clear_cookies()
        page.goto(base + "/")
        page.click("text=Công khai quỹ khuyến học")
        page.click("#disclosures a")
        page.wait_for_selector("#receipts-total")
        assert page.inner_text("#receipts-total") == "1.234.000 đ"
        assert "Công ty TNHH Xây dựng Sông Cầu" in page.inner_text("#donors")
        assert "không thay đổi" in page.inner_text("#chain-check")
    assert Voucher.objects.get().status == VoucherStatus.POSTED


def test_the_fund_page_fits_a_360px_phone(fw, live_server):
    with browser_page(live_server.url, width=360, height=740) as page:
        login(page, live_server.url, "thuquy_a", PASSWORD)
        page.goto(f"{live_server.url}/app/fund/funds/{fw.fund.pk}/receipts/new/")
        page.wait_for_selector("#voucher-receipt")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
