"""Write import templates and exports as xlsx, in the same columns the importer reads.

`write_template` gives a user an empty sheet to fill: bold frozen header with one
comment per column (its help text), drop-down lists for choice columns, the Excel
number format each column expects (text for CCCD/phones so leading zeros survive,
dd/mm/yyyy for dates), one example row, and a "Hướng dẫn" sheet with the notes.
`write_rows` exports data in the same layout, so a sheet can go out, be edited in
Excel and come back through `reading.read_table` + `columns.validate` unchanged.

Formula injection: a text value beginning with = + - or @ would be run as a formula
by a spreadsheet the moment someone edits the cell (or, in CSV, when it is opened).
Such text is written with a leading apostrophe ("'=SUM(A1)") and therefore stays
inert, visible text. `reading.unguard_text` removes exactly that apostrophe on import;
text that already starts with apostrophes before one of those characters gets one
more, so every string round-trips exactly (see `guard_text`).

The sheets are written with openpyxl's write-only mode so large exports stream
instead of building every cell object in memory.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from khuyenhoc.imports.columns import VN_TZ, CleanRow, Column
from khuyenhoc.imports.reading import column_letter

# User-facing text, in one place so it can move into gettext later.
MESSAGES: dict[str, str] = {
    "required_mark": " (*)",
    "required_help": "Bắt buộc.",
    "optional_help": "Không bắt buộc.",
    "choices_help": "Chọn trong danh sách thả xuống.",
    "comment_author": "Hội Khuyến học",
    "notes_sheet": "Hướng dẫn",
    "lists_sheet": "Danh mục",
    "notes_columns_title": "Các cột",
    "notes_table_header": ("Cột", "Bắt buộc", "Hướng dẫn", "Giá trị cho phép"),
    "yes": "Có",
    "no": "Không",
    "example_note": (
        "Dòng 2 là dòng ví dụ: hãy ghi đè lên nó hoặc xoá đi trước khi nhập. "
        "Các cột có dấu (*) là bắt buộc."
    ),
    "choice_error_title": "Giá trị không hợp lệ",
    "choice_error": "Hãy chọn một giá trị trong danh sách.",
}

# Excel refuses inline list validations longer than 255 characters.
MAX_INLINE_LIST = 255
# Data validations and column formats cover this many rows below the header.
TEMPLATE_ROWS = 10_000
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"

_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_WRAP = Alignment(wrap_text=True, vertical="top")

_GUARD_RE = re.compile(r"'*[=+\-@]")


def guard_text(value: str) -> str:
    """Defuse formula injection: prefix "'" to text matching ``'*[=+-@]…``.

    `reading.unguard_text` strips one apostrophe from text matching ``'+[=+-@]…``,
    the exact inverse, so "=1+1" → "'=1+1" → "=1+1" and "'=x" → "''=x" → "'=x".
    """
    if value and _GUARD_RE.match(value):
        return "'" + value
    return value


def _clean_str(value: str) -> str:
    # openpyxl refuses control characters that XML cannot carry; they are dropped.
    return guard_text(ILLEGAL_CHARACTERS_RE.sub("", value))


def _cell(
    ws: Any, value: Any, column: Column | None = None, *, font: Font | None = None
) -> WriteOnlyCell:
    """A write-only cell holding `value` with the format its column expects."""
    if isinstance(value, str):
        value = _clean_str(value)
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(VN_TZ).replace(tzinfo=None)  # Excel has no time zones
    cell = WriteOnlyCell(ws, value=value)
    if cell.data_type == "e":
        # openpyxl stores text such as "#N/A" as an Excel error value; keep it text.
        cell.data_type = "s"
    if isinstance(value, dt.datetime):
        cell.number_format = DATE_FORMAT if value.time() == dt.time(0) else DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    elif column is not None and column.number_format and not isinstance(value, bool):
        if isinstance(value, str) or column.number_format != "@":
            cell.number_format = column.number_format
    if font is not None:
        cell.font = font
    return cell


def _header_text(column: Column, *, mark_required: bool) -> str:
    return column.header + (MESSAGES["required_mark"] if mark_required and column.required else "")


def _help_text(column: Column) -> str:
    parts = [MESSAGES["required_help"] if column.required else MESSAGES["optional_help"]]
    if column.help:
        parts.append(column.help)
    if column.choices:
        parts.append(MESSAGES["choices_help"])
    return "\n".join(parts)


def _display_len(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _set_widths(ws: Any, columns: Sequence[Column], samples: Iterable[Mapping[str, Any]]) -> None:
    widths = [max(len(c.header) + 5, 10) for c in columns]
    for sample in samples:
        for i, column in enumerate(columns):
            widths[i] = max(widths[i], _display_len(sample.get(column.key)) + 2)
    for i, column in enumerate(columns):
        dimension = ws.column_dimensions[column_letter(i)]
        dimension.width = column.width or min(widths[i], 50)
        if column.number_format:
            # Cells the user types later take the column's format: "@" keeps the
            # leading zero of a CCCD typed as digits.
            dimension.number_format = column.number_format


def _inline_list(choices: Sequence[str]) -> str | None:
    if any("," in c or '"' in c for c in choices):
        return None
    formula = '"' + ",".join(choices) + '"'
    return formula if len(formula) <= MAX_INLINE_LIST else None


def _add_dropdowns(wb: Workbook, ws: Any, columns: Sequence[Column], last_row: int) -> None:
    """List validations for choice columns; long lists go to a hidden sheet."""
    lists_ws = None
    list_col = 0
    for i, column in enumerate(columns):
        if not column.choices:
            continue
        formula = _inline_list(column.choices)
        if formula is None:
            if lists_ws is None:
                lists_ws = wb.create_sheet(MESSAGES["lists_sheet"])
                lists_ws.sheet_state = "hidden"
                long_lists: list[Sequence[str]] = []
            letter = column_letter(list_col)
            list_col += 1
            long_lists.append(column.choices)
            formula = f"'{MESSAGES['lists_sheet']}'!${letter}$1:${letter}${len(column.choices)}"
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=MESSAGES["choice_error_title"],
            error=MESSAGES["choice_error"],
        )
        letter = column_letter(i)
        validation.add(f"{letter}2:{letter}{last_row}")
        ws.data_validations.append(validation)  # write-only sheets lack add_data_validation()
    if lists_ws is not None:
        # The write-only list sheet is filled row by row, one column per long list.
        depth = max(len(values) for values in long_lists)
        for r in range(depth):
            lists_ws.append([values[r] if r < len(values) else None for values in long_lists])


def _header_cells(
    ws: Any, columns: Sequence[Column], *, with_comments: bool, mark_required: bool
) -> list[WriteOnlyCell]:
    cells = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=_header_text(column, mark_required=mark_required))
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if with_comments:
            comment = Comment(_help_text(column), MESSAGES["comment_author"])
            comment.width = 260
            comment.height = 110
            cell.comment = comment
        cells.append(cell)
    return cells


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str) -> str:
    # Excel refuses sheet names over 31 characters or containing []:*?/\
    return _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet1"


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_template(
    columns: Sequence[Column],
    *,
    sheet_title: str,
    example_row: Mapping[str, Any],
    notes: str,
) -> bytes:
    """An xlsx template: the data sheet first (what `read_table` reads by default),
    then "Hướng dẫn" with `notes` and the column list, then a hidden "Danh mục" sheet
    holding long drop-down lists. Pass the same `example_row` to `columns.validate`
    so a forgotten example line is skipped on import."""
    wb = Workbook(write_only=True)
    # Sheet order is creation order: data, guide, then the hidden lists.
    ws = wb.create_sheet(_sheet_title(sheet_title))
    guide = wb.create_sheet(MESSAGES["notes_sheet"])
    ws.freeze_panes = "A2"
    _set_widths(ws, columns, [example_row])
    _add_dropdowns(wb, ws, columns, TEMPLATE_ROWS + 1)
    ws.append(_header_cells(ws, columns, with_comments=True, mark_required=True))
    ws.append([_cell(ws, example_row.get(c.key), c, font=_EXAMPLE_FONT) for c in columns])

    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 70
    guide.column_dimensions["D"].width = 40
    for paragraph in [*notes.strip().splitlines(), "", MESSAGES["example_note"]]:
        guide.append([_cell(guide, paragraph)])
    guide.append([])
    title = WriteOnlyCell(guide, value=MESSAGES["notes_columns_title"])
    title.font = _HEADER_FONT
    guide.append([title])
    header = []
    for label in MESSAGES["notes_table_header"]:
        cell = WriteOnlyCell(guide, value=label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    guide.append(header)
    for column in columns:
        help_cell = _cell(guide, column.help)
        help_cell.alignment = _WRAP
        allowed = ", ".join(column.choices) if column.choices else ""
        guide.append(
            [
                _cell(guide, column.header),
                _cell(guide, MESSAGES["yes"] if column.required else MESSAGES["no"]),
                help_cell,
                _cell(guide, allowed),
            ]
        )
    return _save(wb)


def write_rows(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any] | CleanRow],
    *,
    sheet_title: str,
) -> bytes:
    """Export `rows` (dicts keyed by column key, or `CleanRow`s) in the template layout.

    Values are written with the type the column expects (dates as dates, CCCD and
    phones as text) and text is guarded against formula injection, so reading the
    file back with the same columns gives the same clean values.
    """
    materialised = [row.values if isinstance(row, CleanRow) else row for row in rows]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet_title))
    ws.freeze_panes = "A2"
    _set_widths(ws, columns, materialised[:200])
    # Drop-downs also below the data, for rows added before the sheet comes back.
    _add_dropdowns(wb, ws, columns, max(len(materialised) + 1, TEMPLATE_ROWS + 1))
    ws.append(_header_cells(ws, columns, with_comments=False, mark_required=False))
    for values in materialised:
        ws.append([_cell(ws, values.get(c.key), c) for c in columns])
    return _save(wb)
