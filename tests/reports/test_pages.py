"""Reports pages through Django's test client: scope, downloads, close, public figures."""

from __future__ import annotations

import io

import pytest

from khuyenhoc.reports.models import YearClose

from .conftest import fund_with_receipts

pytestmark = pytest.mark.django_db


def test_the_statistics_tab_shows_the_figures_with_links_to_their_records(world, client_for):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    c = client_for(world.admin_city)
    html = c.get(f"/app/reports/nodes/{world.city.pk}/?year=2022").content.decode()
    assert "Thống kê năm 2022" in html
    assert "5.000.000 đ" in html
    assert f"/app/reports/nodes/{world.city.pk}/records/?year=2022&amp;group=fund&amp;key=receipts" in html
    records = c.get(f"/app/reports/nodes/{world.city.pk}/records/?year=2022&group=fund&key=receipts").content.decode()
    assert "PT-2022-0001" in records and "5.000.000 đ" in records
    units = c.get(f"/app/reports/nodes/{world.city.pk}/records/?year=2022&group=org&key=chapters_and_boards").content.decode()
    assert "Chi hội tổ Anh Đào" in units and "Chi hội tổ Bằng Lăng" in units


def test_a_sibling_commune_cannot_see_another_communes_statistics(world, client_for):
    c = client_for(world.admin_b)
    assert c.get(f"/app/reports/nodes/{world.commune_a.pk}/?year=2022").status_code == 404
    assert c.get(f"/app/reports/nodes/{world.commune_a.pk}/report.docx?year=2022").status_code == 404
    assert c.get(f"/api/reports/nodes/{world.commune_a.pk}/statistics?year=2022").status_code == 404
    assert c.post(f"/app/reports/nodes/{world.commune_a.pk}/close/", {"year": 2022, "confirm": "on"}).status_code == 404
    assert not YearClose.objects.exists()


def test_the_docx_and_xlsx_download(world, client_for):
    c = client_for(world.viewer_a)
    resp = c.get(f"/app/reports/nodes/{world.commune_a.pk}/report.docx?year=2022&number=07&on=2023-01-05")
    assert resp.status_code == 200
    assert resp["Content-Disposition"].endswith('.docx"')
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(resp.content)).paragraphs)
    assert "Đến nay, toàn phường An Bình có 01 chi hội và Ban khuyến học" in text
    table_text = "\n".join(c.text for t in docx.Document(io.BytesIO(resp.content)).tables for r in t.rows for c in r.cells)
    assert "Số: 07/BC-HKH" in table_text and "ngày 05 tháng 01 năm 2023" in table_text
    resp = c.get(f"/app/reports/nodes/{world.commune_a.pk}/tables.xlsx?year=2022")
    assert resp.status_code == 200
    import openpyxl

    assert openpyxl.load_workbook(io.BytesIO(resp.content)).sheetnames[0] == "Tóm tắt"


def test_closing_a_year_through_the_page(world, client_for):
    c = client_for(world.admin_a)
    page = c.get(f"/app/reports/nodes/{world.commune_a.pk}/close/?year=2022")
    assert page.status_code == 200
    resp = c.post(f"/app/reports/nodes/{world.commune_a.pk}/close/", {"year": 2022, "confirm": "on"})
    assert resp.status_code == 302
    assert YearClose.objects.filter(node=world.commune_a, year=2022).exists()
    # A viewer may look but not close.
    v = client_for(world.viewer_a)
    assert v.post(f"/app/reports/nodes/{world.chapter_a.pk}/close/", {"year": 2021, "confirm": "on"}).status_code == 404


def test_closing_the_city_before_its_wards_says_which_wards(world, client_for):
    html = client_for(world.admin_city).post(f"/app/reports/nodes/{world.city.pk}/close/", {"year": 2022, "confirm": "on"}).content.decode()
    assert "Hội Khuyến học phường An Bình" in html and "chưa chốt" in html
    assert not YearClose.objects.exists()


def test_the_dashboard_draws_with_the_apps_own_chart_code(world, client_for):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    html = client_for(world.admin_city).get(f"/app/reports/nodes/{world.city.pk}/dashboard/?year=2022").content.decode()
    assert "/static/vendor/chart.umd.min.js" in html
    assert 'id="dashboard-data"' in html and "chart-fund" in html
    assert "http://" not in html.split("<body", 1)[1].replace("http://testserver", "")


def test_the_targets_page_and_setting_a_plan_target(world, client_for):
    c = client_for(world.admin_city)
    html = c.get(f"/app/reports/nodes/{world.city.pk}/targets/?year=2022").content.decode()
    assert "387/QĐ-TTg" in html
    resp = c.post(f"/app/reports/nodes/{world.city.pk}/targets/set/", {"year": 2022, "indicator": "family_rate", "value": "82", "node": world.commune_a.pk})
    assert resp.status_code == 302
    html = c.get(f"/app/reports/nodes/{world.city.pk}/targets/?year=2022").content.decode()
    assert "82.0%" in html or "82,0%" in html


def test_the_public_figures_need_no_login_and_show_no_people(world, client):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    home = client.get("/").content.decode()
    assert "/p/reports/" in home
    html = client.get("/p/reports/").content.decode()
    assert "Hội Khuyến học thành phố Thử" in html
    detail = client.get("/p/reports/TP/?year=2022").content.decode()
    assert "Hội Khuyến học phường An Bình" in detail and "5.000.000 đ" in detail
    assert "Nguyễn Văn Hùng" not in detail
    assert client.get("/p/reports/TP-A-01/").status_code == 404  # chapters are not listed


def test_the_statistics_sheet_page_imports_and_explains_errors(world, client_for):
    from .test_statsheet import sheet

    c = client_for(world.admin_city)
    data = sheet([["TP-B", "", 2022, None, 50, None, None], ["Tổng cộng", None, 2022, None, 70, None, None]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    html = c.post(f"/app/reports/nodes/{world.city.pk}/import/", {"year": 2022, "file": SimpleUploadedFile("bieu.xlsx", data)}).content.decode()
    assert "Dòng tổng cộng năm 2022 ghi 70 nhưng cộng các dòng được 50" in html
    ok = sheet([["TP-B", "", 2022, None, 50, None, None]])
    resp = c.post(f"/app/reports/nodes/{world.city.pk}/import/", {"year": 2022, "file": SimpleUploadedFile("bieu.xlsx", ok)})
    assert resp.status_code == 302


def test_the_api_gives_the_statistics_and_the_targets(world, client_for):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    c = client_for(world.admin_city)
    data = c.get(f"/api/reports/nodes/{world.city.pk}/statistics?year=2022").json()
    assert data["total"]["fund"]["receipts"] == 5_000_000 and data["closed"] is False
    assert {ch["name"] for ch in data["children"]} == {"Hội Khuyến học phường An Bình", "Hội Khuyến học phường Bến Đò"}
    targets = c.get(f"/api/reports/nodes/{world.city.pk}/targets?year=2023").json()
    assert any(t["programme"] == "QD-387-TTg-2022" and t["indicator"] == "family_rate" and t["target"] == "70.0" for t in targets)


def test_member_and_title_figures_link_to_their_records(world, client_for):
    from .test_statistics import _members

    _members(world)
    c = client_for(world.admin_city)
    html = c.get(f"/app/reports/nodes/{world.city.pk}/records/?year=2022&group=members&key=female").content.decode()
    assert "Nông Thị Bình" in html and "Lý Thị Cúc" in html and "Hoàng Văn An" not in html
    html = c.get(f"/app/reports/nodes/{world.city.pk}/records/?year=2022&group=members&key=left").content.decode()
    assert "Trần Văn Dũng" in html
    html = c.get(f"/app/reports/nodes/{world.city.pk}/records/?year=2022&group=learning&key=family_recognised").content.decode()
    assert "0 hồ sơ" in html
