"""templates_xlsx: template layout, formula guard, template→fill→read and export→read."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from khuyenhoc.imports.columns import (
    Column,
    date,
    parse_cccd,
    parse_gender,
    parse_money,
    parse_phone,
    parse_year,
    read_and_validate,
    text,
)
from khuyenhoc.imports.reading import read_table, unguard_text
from khuyenhoc.imports.templates_xlsx import guard_text, write_rows, write_template

ETHNICITIES = tuple(
    ["Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông", "Dao", "Gia Rai"]
    + [f"Dân tộc số {i}" for i in range(11, 55)]
)
assert len(ETHNICITIES) == 54

COLUMNS = (
    Column("full_name", "Họ và tên", required=True, help="Họ tên đầy đủ, có dấu."),
    Column("birth_date", "Ngày sinh", parse=date(not_future=True), help="Dạng ngày/tháng/năm."),
    Column("gender", "Giới tính", parse=parse_gender),
    Column("ethnicity", "Dân tộc", choices=ETHNICITIES),
    Column("cccd", "Số CCCD", parse=parse_cccd, help="12 chữ số."),
    Column("phone", "Điện thoại", parse=parse_phone),
    Column("joined_year", "Năm vào hội", parse=parse_year),
    Column("fee", "Hội phí", parse=parse_money),
    Column("note", "Ghi chú", parse=text(collapse_spaces=False)),
)
EXAMPLE = {
    "full_name": "Nguyễn Văn A",
    "birth_date": dt.date(1960, 5, 1),
    "gender": "Nam",
    "ethnicity": "Kinh",
    "cccd": "001060000001",
    "phone": "0912345678",
    "joined_year": 2010,
    "fee": 50_000,
    "note": "Dòng ví dụ",
}
NOTES = "Mỗi dòng là một hội viên.\nKhông gộp ô, không chèn dòng tổng."


def template_bytes() -> bytes:
    return write_template(COLUMNS, sheet_title="Hội viên", example_row=EXAMPLE, notes=NOTES)


def test_template_layout():
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    assert [(ws.title, ws.sheet_state) for ws in wb.worksheets] == [
        ("Hội viên", "visible"),
        ("Hướng dẫn", "visible"),
        ("Danh mục", "hidden"),
    ]
    ws = wb["Hội viên"]
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    assert headers[0] == "Họ và tên (*)"  # required columns are marked
    assert headers[1:3] == ["Ngày sinh", "Giới tính"]
    assert all(c.font.bold for c in ws[1])
    assert ws["A1"].comment.text == "Bắt buộc.\nHọ tên đầy đủ, có dấu."
    assert ws["C1"].comment.text == "Không bắt buộc.\nChọn trong danh sách thả xuống."
    # one example row
    assert ws["A2"].value == "Nguyễn Văn A"
    assert ws["A2"].font.italic
    assert ws["B2"].number_format == "DD/MM/YYYY"
    assert ws["E2"].value == "001060000001" and ws["E2"].data_type == "s"
    assert ws.max_row == 2
    # widths, and a text format on the CCCD column so typed leading zeros survive
    assert ws.column_dimensions["A"].width >= len("Họ và tên")
    assert ws.column_dimensions["E"].number_format == "@"
    # drop-downs: short list inline, the 54 ethnicities on the hidden sheet
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert validations == {"C2:C10001": '"Nam,Nữ,Khác"', "D2:D10001": "'Danh mục'!$A$1:$A$54"}
    assert [row[0].value for row in wb["Danh mục"].iter_rows()] == list(ETHNICITIES)
    guide = [row[0].value for row in wb["Hướng dẫn"].iter_rows()]
    assert guide[:2] == ["Mỗi dòng là một hội viên.", "Không gộp ô, không chèn dòng tổng."]
    assert "Họ và tên" in guide and "Dân tộc" in guide


def test_untouched_template_imports_nothing_and_no_errors():
    result = read_and_validate(template_bytes(), COLUMNS, filename="mau.xlsx", example_row=EXAMPLE)
    assert result.ok, result.messages()
    assert result.rows == []
    assert result.skipped_example
    # Without example_row the example is a normal, valid row.
    assert len(read_and_validate(template_bytes(), COLUMNS, filename="mau.xlsx").rows) == 1


def test_template_fill_read_round_trip():
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    ws = wb["Hội viên"]
    # A user overwrites the example and adds rows, typing as people do.
    ws.append(
        [
            "Trần Thị Bình",
            "05/11/1972",
            "nữ",
            "muong",
            "001 172 000 002",
            "+84 987 654 321",
            2015,
            "1.200.000",
            None,
        ]
    )
    ws.append(
        [
            "  Lê   Văn Cường ",
            dt.datetime(1955, 3, 9),  # noqa: DTZ001 - Excel cells are naive
            "NAM",
            "Dân tộc số 54",
            1055000003,
            912345678,
            "2020",
            0,
            "Chuyển đến",
        ]
    )
    for col, value in enumerate(
        [
            "Phạm Thị Dung",
            dt.date(1980, 1, 31),
            "Khác",
            "Kinh",
            "001080000004",
            "0900000004",
            2024,
            10000,
            "",
        ],
        start=1,
    ):
        ws.cell(row=2, column=col, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)

    result = read_and_validate(
        buffer.getvalue(), COLUMNS, filename="da-dien.xlsx", example_row=EXAMPLE
    )
    assert result.ok, result.messages()
    assert [r.number for r in result.rows] == [2, 3, 4]
    assert [r.values for r in result.rows] == [
        {
            "full_name": "Phạm Thị Dung",
            "birth_date": dt.date(1980, 1, 31),
            "gender": "Khác",
            "ethnicity": "Kinh",
            "cccd": "001080000004",
            "phone": "0900000004",
            "joined_year": 2024,
            "fee": 10000,
            "note": None,
        },
        {
            "full_name": "Trần Thị Bình",
            "birth_date": dt.date(1972, 11, 5),
            "gender": "Nữ",
            "ethnicity": "Mường",
            "cccd": "001172000002",
            "phone": "0987654321",
            "joined_year": 2015,
            "fee": 1_200_000,
            "note": None,
        },
        {
            "full_name": "Lê Văn Cường",
            "birth_date": dt.date(1955, 3, 9),
            "gender": "Nam",
            "ethnicity": "Dân tộc số 54",
            "cccd": "001055000003",
            "phone": "0912345678",
            "joined_year": 2020,
            "fee": 0,
            "note": "Chuyển đến",
        },
    ]


def test_export_read_round_trip_is_exact():
    rows = [
        {
            "full_name": "Nguyễn Thị Hằng",
            "birth_date": dt.date(1948, 2, 29),
            "gender": "Nữ",
            "ethnicity": "H'Mông",
            "cccd": "000148000001",
            "phone": "0312345678",
            "joined_year": 1995,
            "fee": 1_500_000,
            "note": '=HYPERLINK("http://x")',
        },
        {
            "full_name": "Đặng Văn Ơn",
            "birth_date": None,
            "gender": None,
            "ethnicity": None,
            "cccd": None,
            "phone": None,
            "joined_year": None,
            "fee": None,
            "note": "+84 gọi sau",
        },
        {
            "full_name": "@Bảo",
            "birth_date": dt.date(2000, 12, 31),
            "gender": "Khác",
            "ethnicity": "Dân tộc số 30",
            "cccd": "096200000003",
            "phone": "0999999999",
            "joined_year": 2025,
            "fee": 0,
            "note": "-5 điểm; '=không phải công thức'",
        },
        {
            "full_name": "Lò Văn Páo",
            "birth_date": dt.date(1930, 1, 1),
            "gender": "Nam",
            "ethnicity": "Thái",
            "cccd": "014030000004",
            "phone": "0800000000",
            "joined_year": 1950,
            "fee": 999_999_999_999,
            "note": "'=đã có nháy",
        },
    ]
    exported = write_rows(COLUMNS, rows, sheet_title="Hội viên")
    # The dangerous text is inert in the file: stored with a leading apostrophe.
    ws = openpyxl.load_workbook(io.BytesIO(exported))["Hội viên"]
    assert ws["I2"].value == '\'=HYPERLINK("http://x")' and ws["I2"].data_type == "s"
    assert ws["A4"].value == "'@Bảo"
    assert ws["I5"].value == "''=đã có nháy"

    result = read_and_validate(exported, COLUMNS, filename="xuat.xlsx")
    assert result.ok, result.messages()
    assert [r.values for r in result.rows] == rows
    assert [r.number for r in result.rows] == [2, 3, 4, 5]


def test_export_of_validated_rows_round_trips():
    first = read_and_validate(
        write_rows(COLUMNS, [EXAMPLE], sheet_title="A"), COLUMNS, filename="a.xlsx"
    )
    again = read_and_validate(
        write_rows(COLUMNS, first.rows, sheet_title="A"), COLUMNS, filename="a.xlsx"
    )
    assert [r.values for r in again.rows] == [r.values for r in first.rows] == [EXAMPLE]


def test_export_keeps_error_lookalike_text_as_text():
    exported = write_rows(COLUMNS, [{"full_name": "#N/A", "note": "#DIV/0!"}], sheet_title="A")
    result = read_and_validate(exported, COLUMNS, filename="a.xlsx")
    assert result.ok, result.messages()
    assert (result.rows[0]["full_name"], result.rows[0]["note"]) == ("#N/A", "#DIV/0!")


def test_export_writes_aware_datetimes_in_vietnam_time():
    stamp = dt.datetime(2025, 1, 1, 17, 30, tzinfo=dt.UTC)
    exported = write_rows(COLUMNS, [{"full_name": "An", "birth_date": stamp}], sheet_title="A")
    ws = openpyxl.load_workbook(io.BytesIO(exported))["A"]
    assert ws["B2"].value == dt.datetime(2025, 1, 2, 0, 30)  # noqa: DTZ001 - Excel is naive
    assert ws["B2"].number_format == "DD/MM/YYYY HH:MM"


def test_sheet_titles_are_made_acceptable_to_excel():
    exported = write_rows(COLUMNS, [], sheet_title="Hội viên [2025/2026]: danh sách đầy đủ toàn xã")
    title = openpyxl.load_workbook(io.BytesIO(exported)).sheetnames[0]
    assert title.startswith("Hội viên  2025 2026   danh")
    assert len(title) == 31


def test_export_drops_characters_xml_cannot_hold():
    exported = write_rows(COLUMNS, [{"full_name": "An\x07 Bình"}], sheet_title="A")
    assert read_table(exported, filename="a.xlsx").rows[0][1][0] == "An Bình"


@given(st.text(alphabet="'=+-@aĐ ễ1", max_size=8))
def test_guard_and_unguard_are_inverse(value):
    assert unguard_text(guard_text(value)) == value
    guarded = guard_text(value)
    assert guarded[:1] not in ("=", "+", "-", "@")
