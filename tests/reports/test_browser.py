"""The demo's 2022 statistics in a real Chromium: the page, the DOCX and the XLSX carry the
seed article's figures; the dashboard draws its charts on a 360 px phone."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from khuyenhoc.demo import figures
from khuyenhoc.demo.generate import build_demo
from khuyenhoc.organizations.models import Node
from khuyenhoc.reports import providers
from tests.web.browser import browser_page, login

from .test_demo import wired

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_the_demo_statistics_documents_and_dashboard(live_server, tmp_path):
    build_demo()
    city = Node.objects.get(code="BK")
    base = live_server.url
    with browser_page(base) as page:
        login(page, base, "thuky", figures.DEMO_PASSWORD)
        page.wait_for_selector("h1")
        page.goto(f"{base}/app/reports/nodes/{city.pk}/?year=2022")
        cards = page.inner_text("section.headline")
        assert "161" in cards
        if wired(providers.MEMBERS, "members"):
            assert "11.089" in cards
        if wired(providers.LEARNING, "learning"):
            assert "10.110" in cards and "101" in cards and "26" in cards
        if wired(providers.FUND, "fund"):
            assert "hơn 768 triệu đồng" in cards and "trên 481 triệu đồng" in cards and "hơn 66 triệu đồng" in cards
        if wired(providers.AWARDS, "awards"):
            assert "19 · 18 · 4 · 18" in cards

        with page.expect_download() as got:
            page.click("#download-docx")
        docx_path = tmp_path / got.value.suggested_filename
        got.value.save_as(docx_path)
        with page.expect_download() as got:
            page.click("#download-xlsx")
        xlsx_path = tmp_path / got.value.suggested_filename
        got.value.save_as(xlsx_path)

    text = _docx_text(docx_path)
    assert "Đến nay, toàn thành phố Bắc Kạn có 161 chi hội và Ban khuyến học" in text
    assert "HỘI KHUYẾN HỌC THÀNH PHỐ BẮC KẠN" in text and "Bắc Kạn, ngày 30 tháng 12 năm 2022" in text
    if wired(providers.MEMBERS, "members"):
        assert "với 11.089 hội viên" in text
    if wired(providers.LEARNING, "learning"):
        assert "10.110 hộ đạt danh hiệu “Gia đình học tập”, 09 “Dòng họ học tập”, 101 thôn, tổ dân phố" in text
        assert "và 26 “Đơn vị học tập”" in text
    if wired(providers.FUND, "fund"):
        assert "thu quỹ được hơn 768 triệu đồng" in text
        assert "tổng số tiền trên 481 triệu đồng (trong đó, Hội Khuyến học thành phố Bắc Kạn khen thưởng hơn 66 triệu đồng)" in text
    if wired(providers.AWARDS, "awards"):
        assert "tặng giấy khen cho 19 tập thể, 18 cá nhân, 04 dòng họ học tập và 18 gia đình học tập" in text

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(xlsx_path.read_bytes()))
    summary = {r[0]: r for r in wb["Tóm tắt"].iter_rows(min_row=6, values_only=True) if r[0]}
    assert summary["Chi hội và Ban khuyến học"][2] == 161
    if wired(providers.MEMBERS, "members"):
        assert summary["Hội viên"][2] == 11_089
    if wired(providers.LEARNING, "learning"):
        assert (summary["Gia đình học tập"][2], summary["Dòng họ học tập"][2]) == (10_110, 9)
        assert (summary["Cộng đồng học tập (thôn, tổ dân phố)"][2], summary["Đơn vị học tập"][2]) == (101, 26)
    if wired(providers.FUND, "fund"):
        assert summary["Thu quỹ khuyến học (triệu đồng)"][3] == "hơn 768 triệu đồng"
        assert int(summary["Thu quỹ khuyến học (triệu đồng)"][2]) == 768
        assert summary["Tiền khen thưởng, học bổng (triệu đồng)"][3] == "trên 481 triệu đồng"
        assert summary["trong đó Hội Khuyến học thành phố Bắc Kạn khen thưởng (triệu đồng)"][3] == "hơn 66 triệu đồng"
    if wired(providers.AWARDS, "awards"):
        cert = [summary[f"Giấy khen của Hội Khuyến học thành phố Bắc Kạn: {k}"][2] for k in ("tập thể", "cá nhân", "dòng họ học tập", "gia đình học tập")]
        assert cert == [19, 18, 4, 18]
    org = wb["Biểu 1. Tổ chức, hội viên"]
    names = [r[1] for r in org.iter_rows(min_row=7, values_only=True) if r[1]]
    assert len(names) == 9 and names[-1] == "Tổng cộng"

    # The dashboard on a phone: charts drawn by the app's own Chart.js, nothing wider than the screen.
    shots = Path(os.environ.get("KHUYENHOC_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with browser_page(base, width=360, height=740) as page:
        login(page, base, "thuky", figures.DEMO_PASSWORD)
        page.wait_for_selector("h1")
        page.goto(f"{base}/app/reports/nodes/{city.pk}/dashboard/?year=2022")
        page.wait_for_function("() => typeof Chart !== 'undefined' && Object.keys(Chart.instances).length >= 3")
        drawn = page.evaluate("() => Object.values(Chart.instances).map(c => [c.canvas.id, c.width > 0 && c.width <= 360])")
        assert len(drawn) >= 3 and all(ok for _id, ok in drawn), drawn
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        page.screenshot(path=str(shots / "dashboard-360.png"), full_page=True)
        page.goto(f"{base}/app/reports/nodes/{city.pk}/?year=2022")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        page.screenshot(path=str(shots / "statistics-360.png"), full_page=True)
