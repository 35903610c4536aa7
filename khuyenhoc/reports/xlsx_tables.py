"""The statistics tables for the level above as XLSX: a summary sheet, then the four tables
(organisation and members; learning models; fund, scholarships and prizes; community
learning centres), one row per child association and a total row, money in million
đồng, each figure beside last year's."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from khuyenhoc.imports.templates_xlsx import guard_text

from . import narrative
from .report import ReportData, headline

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(name="Times New Roman", bold=True, size=12)
NORMAL = Font(name="Times New Roman", size=12)
ITALIC = Font(name="Times New Roman", italic=True, size=11)
TITLE = Font(name="Times New Roman", bold=True, size=14)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
COUNT_FORMAT = "#,##0"
MILLION_FORMAT = "#,##0.00"


def _value(v: int | None, money: bool):
    if v is None:
        return "—"
    return Decimal(v) / Decimal(1_000_000) if money else v


def _put(ws, row: int, col: int, value, *, font=NORMAL, fmt: str | None = None, fill=None, align=None, border=True):
    cell = ws.cell(row=row, column=col, value=guard_text(value) if isinstance(value, str) else value)
    cell.font = font
    if fmt and not isinstance(value, str):
        cell.number_format = fmt
    if fill is not None:
        cell.fill = fill
    if align is not None:
        cell.alignment = align
    if border:
        cell.border = BOX
    return cell


def _title(ws, data: ReportData, title: str, width: int) -> int:
    ws.cell(row=1, column=1, value=guard_text(data.node.name.upper())).font = BOLD
    ws.cell(row=2, column=1, value=guard_text(title)).font = TITLE
    ws.cell(row=3, column=1, value=f"Năm {data.stats.year} (so với năm {data.stats.year - 1})").font = ITALIC
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 2))
    return 5


def _summary(ws, data: ReportData) -> None:
    s, p = data.stats, data.previous
    ws.title = "Tóm tắt"
    row = _title(ws, data, f"SỐ LIỆU CHỦ YẾU NĂM {s.year}", 4)
    for col, text in enumerate(("Chỉ tiêu", f"Năm {s.year - 1}", f"Năm {s.year}", "Ghi trong báo cáo"), start=1):
        _put(ws, row, col, text, font=BOLD, fill=HEAD_FILL, align=CENTER)
    words = headline(s)
    lines = [
        ("Chi hội và Ban khuyến học", "org", "chapters_and_boards", False, words["chapters_and_boards"]),
        ("Hội viên", "members", "total", False, words["members"]),
        ("Gia đình học tập", "learning", "family_recognised", False, words["learning_families"]),
        ("Dòng họ học tập", "learning", "clan_recognised", False, words["learning_clans"]),
        ("Cộng đồng học tập (thôn, tổ dân phố)", "learning", "community_recognised", False, words["learning_communities"]),
        ("Đơn vị học tập", "learning", "unit_recognised", False, words["learning_units"]),
        ("Công dân học tập", "learning", "citizen_recognised", False, words["learning_citizens"]),
        ("Thu quỹ khuyến học (triệu đồng)", "fund", "receipts", True, words["fund_receipts"]),
        ("Chi quỹ khuyến học (triệu đồng)", "fund", "payments", True, words["fund_payments"]),
    ]
    for label, group, key, money, text in lines:
        row += 1
        _put(ws, row, 1, label)
        _put(ws, row, 2, _value(p.get(group, key) if p else None, money), fmt=MILLION_FORMAT if money else COUNT_FORMAT)
        _put(ws, row, 3, _value(s.get(group, key), money), fmt=MILLION_FORMAT if money else COUNT_FORMAT)
        _put(ws, row, 4, text)
    extra = [
        ("Tiền khen thưởng, học bổng (triệu đồng)", narrative.award_money(p), narrative.award_money(s), True, words["awards_amount"]),
        (f"trong đó {data.node.name} khen thưởng (triệu đồng)", narrative.award_money(p, own=True), narrative.award_money(s, own=True), True, words["own_awards_amount"]),
        (f"Giấy khen của {data.node.name}: tập thể", p.own_value("awards", "certificates_collective") if p else None, s.own_value("awards", "certificates_collective"), False, words["certificates_collective"]),
        (f"Giấy khen của {data.node.name}: cá nhân", p.own_value("awards", "certificates_individual") if p else None, s.own_value("awards", "certificates_individual"), False, words["certificates_individual"]),
        (f"Giấy khen của {data.node.name}: dòng họ học tập", p.own_value("awards", "certificates_clan") if p else None, s.own_value("awards", "certificates_clan"), False, words["certificates_clan"]),
        (f"Giấy khen của {data.node.name}: gia đình học tập", p.own_value("awards", "certificates_family") if p else None, s.own_value("awards", "certificates_family"), False, words["certificates_family"]),
    ]
    for label, prev, cur, money, text in extra:
        row += 1
        _put(ws, row, 1, label)
        _put(ws, row, 2, _value(prev, money), fmt=MILLION_FORMAT if money else COUNT_FORMAT)
        _put(ws, row, 3, _value(cur, money), fmt=MILLION_FORMAT if money else COUNT_FORMAT)
        _put(ws, row, 4, text)
    row += 2
    ws.cell(row=row, column=1, value="— : chưa có số liệu trên hệ thống.").font = ITALIC
    if s.reported:
        ws.cell(row=row + 1, column=1, value="(*) Có số liệu do đơn vị báo cáo bằng biểu thống kê, chưa nhập trên hệ thống.").font = ITALIC
    if s.is_closed:
        ws.cell(row=row + 2, column=1, value=f"Số liệu đã chốt ngày {s.closed.closed_at:%d/%m/%Y}.").font = ITALIC
    ws.column_dimensions["A"].width = 48
    for col in "BC":
        ws.column_dimensions[col].width = 14
    ws.column_dimensions["D"].width = 30


def _table(ws, data: ReportData, table) -> None:
    cols = table.spec.columns
    width = 2 + 2 * len(cols)
    row = _title(ws, data, table.title.upper(), width)
    _put(ws, row, 1, "TT", font=BOLD, fill=HEAD_FILL, align=CENTER)
    _put(ws, row, 2, "Đơn vị", font=BOLD, fill=HEAD_FILL, align=CENTER)
    ws.merge_cells(start_row=row, start_column=1, end_row=row + 1, end_column=1)
    ws.merge_cells(start_row=row, start_column=2, end_row=row + 1, end_column=2)
    for i, c in enumerate(cols):
        col = 3 + 2 * i
        _put(ws, row, col, c.label, font=BOLD, fill=HEAD_FILL, align=CENTER)
        _put(ws, row, col + 1, None, fill=HEAD_FILL)
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + 1)
        _put(ws, row + 1, col, f"Năm {table.year - 1}", font=BOLD, fill=HEAD_FILL, align=CENTER)
        _put(ws, row + 1, col + 1, f"Năm {table.year}", font=BOLD, fill=HEAD_FILL, align=CENTER)
    row += 1
    number = 0
    for r in table.rows:
        row += 1
        total = r.kind == "total"
        font = BOLD if total else NORMAL
        fill = TOTAL_FILL if total else None
        if not total:
            number += 1
        _put(ws, row, 1, None if total else number, font=font, fill=fill)
        _put(ws, row, 2, r.name + (" (*)" if r.reported else ""), font=font, fill=fill)
        for i, c in enumerate(cols):
            fmt = MILLION_FORMAT if c.money else COUNT_FORMAT
            _put(ws, row, 3 + 2 * i, _value(r.previous[i], c.money), font=font, fmt=fmt, fill=fill)
            _put(ws, row, 4 + 2 * i, _value(r.current[i], c.money), font=font, fmt=fmt, fill=fill)
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 42
    for i in range(3, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 11
    ws.freeze_panes = ws.cell(row=7, column=3)
    if any(r.reported for r in table.rows):
        ws.cell(row=row + 2, column=1, value="(*) Số liệu do đơn vị báo cáo bằng biểu thống kê.").font = ITALIC


def render_tables(data: ReportData) -> bytes:
    wb = Workbook()
    _summary(wb.active, data)
    for table in data.tables:
        _table(wb.create_sheet(table.spec.sheet[:31]), data, table)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
