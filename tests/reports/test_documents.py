"""The annual review report (DOCX) and the statistics tables (XLSX), read back for real."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.reports import docx_report, services
from khuyenhoc.reports.narrative import count_text, million_cell, money_text
from khuyenhoc.reports.report import report_data
from khuyenhoc.reports.xlsx_tables import render_tables

from .conftest import fund_with_receipts

pytestmark = pytest.mark.django_db


def _docx_text(content: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_numbers_are_written_the_vietnamese_way():
    assert count_text(11_089) == "11.089"
    assert count_text(9) == "09" and count_text(9, pad=False) == "9" and count_text(0) == "0"
    assert money_text(768_350_000) == "hơn 768 triệu đồng"
    assert money_text(481_200_000, over="trên") == "trên 481 triệu đồng"
    assert money_text(66_000_000) == "66 triệu đồng"
    assert million_cell(768_350_000) == "768,3"
    assert million_cell(1_234_500_000) == "1.234,5"


@pytest.fixture
def city_2022(world):
    fund_with_receipts(world, world.commune_a, [500_000_000, 268_350_000], purpose_payments=[415_050_000])
    fund_with_receipts(world, world.city, [1_000_000_000], purpose_payments=[66_150_000])
    services.reported_figures_save(
        actor=None, node=world.commune_b, year=2022,
        figures={"members": {"total": 11_089}, "learning": {"family_recognised": 10_110, "clan_recognised": 9}},
    )
    return world.city


def test_the_report_is_a_docx_with_the_administrative_layout_and_every_figure(city_2022, world):
    data = report_data(city_2022, 2022, on=dt.date(2022, 12, 30), number="12")
    content = docx_report.render_report(data)
    text = _docx_text(content)
    assert "UBND THÀNH PHỐ THỬ" in text
    assert "HỘI KHUYẾN HỌC THÀNH PHỐ THỬ" in text
    assert "Số: 12/BC-HKH" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Thử, ngày 30 tháng 12 năm 2022" in text
    assert "BÁO CÁO" in text and "TM. BAN THƯỜNG VỤ" in text and "Nơi nhận:" in text and "- Lưu VP." in text
    assert "Đến nay, toàn thành phố Thử có 02 chi hội và Ban khuyến học, với 11.089 hội viên" in text
    assert "10.110 hộ đạt danh hiệu “Gia đình học tập”, 09 “Dòng họ học tập”" in text
    assert "thu quỹ được hơn 1.768 triệu đồng" in text
    assert "tổng số tiền trên 481 triệu đồng (trong đó, Hội Khuyến học thành phố Thử khen thưởng hơn 66 triệu đồng)" in text
    assert "Hội Khuyến học phường Bến Đò (*)" in text  # reported, not recorded
    assert "{{" not in text and "{%" not in text
    # Times New Roman, A4.
    import docx

    d = docx.Document(io.BytesIO(content))
    assert d.styles["Normal"].font.name == "Times New Roman"
    assert round(d.sections[0].page_width.mm) == 210


def test_the_tables_are_an_xlsx_with_a_row_per_child_a_total_and_last_year(city_2022, world):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(render_tables(report_data(city_2022, 2022))))
    assert wb.sheetnames[0] == "Tóm tắt" and len(wb.sheetnames) == 5
    summary = {r[0]: r for r in wb["Tóm tắt"].iter_rows(min_row=6, values_only=True) if r[0]}
    assert summary["Hội viên"][2] == 11_089
    assert summary["Thu quỹ khuyến học (triệu đồng)"][2] == pytest.approx(1768.35)
    assert summary["Thu quỹ khuyến học (triệu đồng)"][3] == "hơn 1.768 triệu đồng"
    fund = wb["Biểu 3. Quỹ, khen thưởng"]
    rows = [r for r in fund.iter_rows(min_row=7, values_only=True) if r[1]]
    names = [r[1] for r in rows]
    assert names[:2] == ["Hội Khuyến học phường An Bình", "Hội Khuyến học phường Bến Đò (*)"]
    assert names[-1] == "Tổng cộng"
    total = rows[-1]
    assert total[3] == pytest.approx(1768.35)  # receipts 2022 (million đồng), beside 2021 in column C
    assert total[2] == 0


def test_an_unknown_placeholder_in_a_template_is_refused_by_name(world):
    from docx import Document

    d = Document()
    d.add_paragraph("Hội viên: {{ members }}; chi hội: {{ so_chi_hoi }}; {{ ten_chu_tich }}")
    buf = io.BytesIO()
    d.save(buf)
    with pytest.raises(ValidationError) as exc:
        services.template_upload(actor=None, node=world.city, file_name="mau-rieng.docx", content=buf.getvalue())
    message = " ".join(exc.value.messages)
    assert "{{ so_chi_hoi }}" in message and "{{ ten_chu_tich }}" in message and "mau-rieng.docx" in message
    assert "{{ members }}" not in message


def test_an_associations_own_template_is_used_for_its_report(world):
    from docx import Document

    d = Document()
    d.add_paragraph("Mẫu riêng: {{ association_name }} có {{ chapters_and_boards }} chi hội năm {{ year }}.")
    buf = io.BytesIO()
    d.save(buf)
    services.template_upload(actor=None, node=world.city, file_name="mau.docx", content=buf.getvalue())
    # A ward below the city uses the city's template too.
    text = _docx_text(docx_report.render_report(report_data(world.commune_a, 2022)))
    assert "Mẫu riêng: Hội Khuyến học phường An Bình có 1 chi hội năm 2022." in text
    services.template_reset(actor=None, node=world.city)
    assert "BÁO CÁO" in _docx_text(docx_report.render_report(report_data(world.commune_a, 2022)))


def test_a_file_that_is_not_a_word_document_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.template_upload(actor=None, node=world.city, file_name="bao-cao.docx", content=b"not a docx")
    assert "bao-cao.docx" in " ".join(exc.value.messages)


def test_the_default_template_uses_only_known_placeholders():
    used = docx_report.check_template(docx_report.DEFAULT_TEMPLATE.read_bytes(), "default")
    assert used <= set(docx_report.PLACEHOLDERS)
    assert docx_report.DEFAULT_TEMPLATE.stat().st_size < 60_000
