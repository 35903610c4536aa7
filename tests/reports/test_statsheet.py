"""The statistics sheet of units that do not use the system, through the shared import pipeline."""

from __future__ import annotations

import io

import pytest

from khuyenhoc.imports.services import import_file
from khuyenhoc.reports import selectors
from khuyenhoc.reports.models import ReportedFigures
from khuyenhoc.reports.statsheet import STATISTICS_SHEET, template_for

from .conftest import fund_with_receipts

pytestmark = pytest.mark.django_db

HEADER = ["Mã đơn vị", "Tên đơn vị", "Năm", "Chi hội, Ban khuyến học", "Hội viên", "GĐHT công nhận", "Thu quỹ (đồng)"]


def sheet(rows, header=HEADER) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu thống kê"
    ws.append(["BIỂU THỐNG KÊ SỐ LIỆU NĂM 2022"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(world, data, actor=None):
    return import_file(actor=actor or world.admin_city, node=world.city, kind=STATISTICS_SHEET, file_name="bieu-thong-ke.xlsx", data=data)


def test_a_good_sheet_adds_the_units_figures_marked_as_reported(world):
    job = run(world, sheet([
        ["TP-B", "Hội Khuyến học phường Bến Đò", 2022, None, 340, 410, 12_500_000],
        ["TP-B-01", "Chi hội tổ Bằng Lăng", 2022, None, 60, None, None],
        ["Tổng cộng", None, 2022, None, 400, 410, 12_500_000],
    ]))
    assert job.status == "done", job.errors
    assert ReportedFigures.objects.count() == 2
    stats = selectors.year_statistics(world.city, 2022)
    assert stats.get("members", "total") == 400
    assert stats.reported_value("fund", "receipts") == 12_500_000
    b = next(c for c in stats.children if c.node_id == world.commune_b.pk)
    assert b.reported
    # The same file again changes nothing.
    again = run(world, sheet([["TP-B", "", 2022, None, 340, 410, 12_500_000], ["TP-B-01", "", 2022, None, 60, None, None]]))
    assert again.status == "done" and again.counts["unchanged"] == 2 and again.counts["new"] == 0


def test_totals_that_do_not_add_up_are_refused_naming_the_cell(world):
    job = run(world, sheet([
        ["TP-B", "", 2022, None, 340, None, None],
        ["TP-B-01", "", 2022, None, 60, None, None],
        ["Tổng cộng", None, 2022, None, 450, None, None],
    ]))
    assert job.status == "invalid"
    assert ReportedFigures.objects.count() == 0
    sheet_name, row, column, message = job.errors[0]
    assert (row, column) == (5, "Hội viên")
    assert "450" in message and "400" in message


def test_a_unit_that_records_its_own_figures_is_refused(world):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    job = run(world, sheet([["TP-A", "", 2022, None, None, None, 9_000_000], ["TP-B", "", 2022, None, 30, None, None]]))
    assert job.status == "invalid"
    assert ReportedFigures.objects.count() == 0  # all or nothing
    (_sheet, row, column, message), = job.errors
    assert row == 3 and "tính hai lần" in message and "Hội Khuyến học phường An Bình" in message


def test_unknown_units_units_elsewhere_and_impossible_figures_are_named(world):
    job = run(world, sheet([
        ["XX-99", "", 2022, None, 10, None, None],
        ["PT", "", 2022, None, 10, None, None],
    ] ), actor=world.admin_city)
    messages = [e[3] for e in job.errors]
    assert any("Không có đơn vị nào mã 'XX-99'" in m for m in messages)
    assert any("không thuộc Hội Khuyến học thành phố Thử" in m for m in messages)
    header = ["Mã đơn vị", "Năm", "Số hộ", "GĐHT đăng ký"]
    job = run(world, sheet([["TP-B", 2022, 100, 120]], header=header))
    assert job.status == "invalid"
    assert job.errors[0][2] == "GĐHT đăng ký" and "lớn hơn Số hộ" in job.errors[0][3]


def test_the_sheet_template_lists_the_child_associations(world):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template_for(world.city, 2022)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0].startswith("Mã đơn vị")
    assert [r[0] for r in rows[1:]] == ["TP-A", "TP-B", "Tổng cộng"]
