"""The whole year of one award in a real Chromium: nominate, forward, approve, decide, pay,
print the certificate and check it as an anonymous visitor through its code."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from khuyenhoc.awards.models import Award, Nomination
from tests.web.browser import browser_page, login

from .factories import PNG, student_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"


def _as(page, base, username):
    page.context.clear_cookies()
    login(page, base, username, PASSWORD)
    page.wait_for_selector("h1")


def test_a_pupil_goes_from_her_chapter_to_a_framed_certificate_anyone_can_check(aw, city_fund, live_server):
    w = aw.world
    today = timezone.localdate()
    programme = student_programme(w.admin_city, w.city, name="Khen thưởng học sinh nghèo vượt khó năm nay", year=today.year,
                                  deadline=today + dt.timedelta(days=20), min_age=None, max_age=None, requires_poor_household=True)
    base = live_server.url
    with browser_page(base) as page:
        # 1. The chapter head nominates, attaching the school record.
        _as(page, base, "chihoi_a")
        page.goto(f"{base}/app/awards/nodes/{w.chapter_a.pk}/")
        page.click(f"text={programme.name}")
        page.click("a:has-text('Đề nghị khen thưởng')")
        page.select_option("select[name=node]", str(w.chapter_a.pk))
        page.fill("input[name=nominee_name]", "Nguyễn Thị Mai")
        page.fill("input[name=birth_year]", str(today.year - 12))
        page.fill("input[name=class_name]", "7A")
        page.fill("input[name=school]", "Trường THCS An Bình")
        page.check("input[name=poor_household]")
        page.fill("textarea[name=achievement]", "Nhà thuộc hộ nghèo, em vẫn đạt học sinh giỏi hai năm liền.")
        page.set_input_files("input[name=evidence]", files=[{"name": "hoc-ba.png", "mimeType": "image/png", "buffer": PNG}])
        page.click("form.form button[type=submit]")
        page.wait_for_selector("h1:has-text('Nguyễn Thị Mai')")
        assert "Hội Khuyến học phường An Bình" in page.inner_text(".meta")

        # 2. The commune's secretary forwards it to the city.
        _as(page, base, "thuky_a")
        page.goto(f"{base}/app/awards/nodes/{w.commune_a.pk}/")
        page.click("a:has-text('Nguyễn Thị Mai')")
        page.click("button:has-text('Chuyển lên Hội Khuyến học thành phố Thử')")
        page.wait_for_selector(".msg.success")

        # 3. The city council scores and approves it.
        _as(page, base, "hoidong")
        page.goto(f"{base}/app/awards/programmes/{programme.pk}/ranking/")
        page.click("a:has-text('Nguyễn Thị Mai')")
        page.fill("input[name=score_results]", "55")
        page.fill("input[name=score_hardship]", "35")
        page.click("button:has-text('Lưu điểm')")
        page.wait_for_selector(".msg.success")
        page.click("button:text-is('Duyệt')")
        page.wait_for_selector(".badge.ok:has-text('Đã duyệt')")

        # 4. ... and issues the decision.
        page.goto(f"{base}/app/awards/nodes/{w.city.pk}/")
        page.click("a:has-text('Ban hành quyết định')")
        page.fill("input[name=signer_name]", "Hoàng Văn Ánh")
        page.click("form.form button[type=submit]")
        page.wait_for_selector("h1:has-text('Quyết định 01/QĐ-HKH')")
        assert "Chưa chi" in page.inner_text(".meta")

        # 5. The treasurer pays it through the fund; the chair of the city approves the voucher.
        _as(page, base, "thuquy_tp")
        decision_url = f"{base}/app/awards/decisions/{Award.objects.get().decision_id}/"
        page.goto(decision_url)
        page.click("a:has-text('Chi qua quỹ')")
        page.click("form.form button[type=submit]")
        page.wait_for_selector(".badge.warn:has-text('chờ duyệt')")
        _as(page, base, "admin_city")
        page.goto(decision_url)
        page.click("button:has-text('Duyệt các phiếu chi')")
        page.wait_for_selector(".meta .badge.ok:has-text('Đã chi')")
        assert "PC-" in page.inner_text("body")

        # 6. All certificates in one PDF, with the progress bar in the page.
        page.click("button:has-text('Tất cả giấy khen trong một tệp PDF')")
        page.wait_for_selector("progress")
        with page.expect_download() as download:
            page.click("a:has-text('giay-khen')")
        pdf = open(download.value.path(), "rb").read()

        # 7. An anonymous visitor opens the code printed under the QR code.
        from pypdf import PdfReader

        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert "GIẤY KHEN" in text and "Nguyễn Thị Mai" in text
        code = next(t for t in text.split("Quét mã để kiểm tra giấy khen", 1)[1].split() if re.fullmatch(r"[A-Za-z0-9_-]{16}", t))
        page.context.clear_cookies()
        page.goto(f"{base}/p/awards/c/{code}/")
        body = page.inner_text("main")
        assert "Giấy khen hợp lệ" in body and "N. T. Mai" in body and "Nguyễn Thị Mai" not in body and "01/QĐ-HKH" in body
        page.goto(f"{base}/p/awards/c/{code[:-1]}{'x' if code[-1] != 'x' else 'y'}/")
        assert "Không tìm thấy giấy khen" in page.inner_text("h1")
    assert Nomination.objects.get().status == "awarded"
