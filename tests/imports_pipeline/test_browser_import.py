"""A chapter head downloads the template, fills it with one bad row, reads the message,
fixes the sheet and imports it — in a real Chromium. Then the list on a 360 px phone."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest

from khuyenhoc.members.models import Member
from tests.web.browser import browser_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("KHUYENHOC_SCREENSHOTS")  # a folder, to look at the pages


def _fill(template: bytes, birth_date_of_second: str) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    header = [str(c.value or "").replace(" (*)", "") for c in ws[1]]
    people = [
        {"Mã chi hội": "TP-A-01", "Họ và tên": "Nguyễn Văn Ẩn", "Giới tính": "Nam", "Năm sinh": 1958, "Dân tộc": "Tày", "Số CCCD": "006058001234", "Ngày vào hội": dt.date(2015, 10, 2)},
        {"Mã chi hội": "TP-A-01", "Họ và tên": "Đặng Thị Lan", "Giới tính": "Nữ", "Ngày sinh": birth_date_of_second, "Dân tộc": "Kinh", "Ngày vào hội": "02/10/2016"},
    ]
    for r, person in enumerate(people, start=3):  # row 2 is the template's example
        for key, value in person.items():
            ws.cell(row=r, column=header.index(key) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _members_now() -> int:
    """Count members from inside the browser block. The ORM runs in Playwright's
    context there, on a connection of its own: close it, or PostgreSQL keeps a
    session open when the test database is dropped."""
    from django.db import connection

    try:
        return Member.objects.count()
    finally:
        connection.close()


def _upload(page, path):
    page.set_input_files("#file-members", str(path))
    page.click("form[action$='/members/upload/'] button[type=submit]")
    page.wait_for_selector("#import-status")


def test_import_a_template_with_a_bad_row_read_the_message_fix_it_and_import(world, live_server, tmp_path):
    with browser_page(live_server.url) as page:
        login(page, live_server.url, "admin_a", "pw-for-tests-1")
        page.goto(f"{live_server.url}/app/members/nodes/{world.commune_a.pk}/")
        page.click("text=Nhập từ Excel")
        page.wait_for_selector("h1:has-text('Nhập từ Excel')")
        with page.expect_download() as info:
            page.click("a[href$='/members/template/']")
        template = Path(info.value.path()).read_bytes()

        bad = tmp_path / "hoi-vien.xlsx"
        bad.write_bytes(_fill(template, "31/02/1960"))
        _upload(page, bad)
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "import-errors.png"), full_page=True)
        errors = page.inner_text("#import-errors")
        assert "Dòng 4, cột Ngày sinh: '31/02/1960' không phải ngày hợp lệ" in errors
        assert page.query_selector("#commit-button") is None
        assert _members_now() == 0

        page.click("text=Tải lên tệp khác")
        good = tmp_path / "hoi-vien-da-sua.xlsx"
        good.write_bytes(_fill(template, "28/02/1960"))
        _upload(page, good)
        assert page.inner_text("#count-new") == "2"
        assert "Dòng ví dụ của tệp mẫu" in page.content()
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "import-preview.png"), full_page=True)
        page.click("#commit-button")
        page.wait_for_selector("text=Đã nhập: 2 mới")
        assert page.inner_text("#import-status") == "Đã nhập"
    assert sorted(Member.objects.values_list("full_name", flat=True)) == ["Nguyễn Văn Ẩn", "Đặng Thị Lan"]
    assert Member.objects.get(full_name="Đặng Thị Lan").birth_date == dt.date(1960, 2, 28)


def test_the_member_list_fits_a_360px_phone_and_searches_as_you_type(world, live_server):
    from tests.members.factories import add_member

    for name in ("Nguyễn Văn Ẩn", "Đặng Thị Lan", "Hoàng Văn Chiến", "Lục Thị Hoa"):
        add_member(world.chapter_a, name, phone="0912345678", ethnicity="02")
    with browser_page(live_server.url, width=360, height=740) as page:
        login(page, live_server.url, "viewer_a", "pw-for-tests-1")
        page.goto(f"{live_server.url}/app/members/nodes/{world.commune_a.pk}/")
        page.wait_for_selector("#members-table")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        assert "••••••5678" in page.inner_text("#members-table")
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "members-360.png"), full_page=True)
        page.fill("#id_q", "dang thi")
        page.wait_for_function("document.querySelector('#member-count').innerText.startsWith('1 ')")
        assert "Đặng Thị Lan" in page.inner_text("#members-table")
        assert "Nguyễn Văn Ẩn" not in page.inner_text("#members-table")
