"""reading.read_table: formats from magic bytes, normalisation and every refusal."""

from __future__ import annotations

import datetime as dt
import time
import unicodedata

import pytest

from khuyenhoc.imports.reading import (
    ImportFileError,
    Table,
    is_encrypted_ooxml,
    ole2_stream_names,
    read_table,
    sniff_delimiter,
    unguard_text,
)
from tests.imports.builders import (
    cp1258_bytes,
    csv_bytes,
    ods_bytes,
    ole2_bytes,
    rewrite_zip_member,
    xls_bytes,
    xlsx_bytes,
)

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính"]
ROWS = [
    HEADER,
    ["Nguyễn Văn Ánh", dt.date(1960, 1, 2), "Nam"],
    ["Trần Thị Bình", dt.date(1972, 12, 31), "Nữ"],
]


def refusal(data: bytes, filename: str = "x.xlsx", *, code: str | None = None, **kwargs) -> str:
    with pytest.raises(ImportFileError) as info:
        read_table(data, filename=filename, **kwargs)
    if code is not None:
        assert info.value.code == code
    return str(info.value)


# ------------------------------------------------------------------------- formats


def test_xlsx_reads_header_rows_and_excel_row_numbers():
    table = read_table(xlsx_bytes(ROWS), filename="hoi-vien.xlsx")
    assert isinstance(table, Table)
    assert table.format == "xlsx"
    assert table.sheet == "Hội viên"
    assert table.header == HEADER
    assert table.header_row == 1
    assert [n for n, _ in table.rows] == [2, 3]
    assert table.rows[0][1][0] == "Nguyễn Văn Ánh"
    assert table.rows[0][1][1] in (dt.date(1960, 1, 2), dt.datetime(1960, 1, 2))  # noqa: DTZ001


def test_row_numbers_follow_excel_with_title_rows_blank_rows_and_offset_columns():
    rows = [
        ["DANH SÁCH HỘI VIÊN"],
        [None],
        [None, "Họ và tên", "Giới tính"],
        [None, "An", "Nam"],
        [None, None, None],
        [None, "Bình", "Nữ"],
    ]
    table = read_table(xlsx_bytes(rows, start_row=3), filename="a.xlsx")
    assert table.header_row == 5
    assert table.header[-2:] == ["Họ và tên", "Giới tính"]
    numbers = [n for n, _ in table.rows]
    assert numbers == [6, 8]  # the blank Excel row 7 is skipped but not renumbered


def test_explicit_header_row_and_is_header_predicate():
    rows = [["Đơn vị: xã A", "Năm: 2025"], ["Họ và tên", "Giới tính"], ["An", "Nam"]]
    data = xlsx_bytes(rows)
    assert read_table(data, filename="a.xlsx").header == ["Đơn vị: xã A", "Năm: 2025"]
    assert read_table(data, filename="a.xlsx", header_row=2).header == ["Họ và tên", "Giới tính"]
    table = read_table(data, filename="a.xlsx", is_header=lambda cells: "Họ và tên" in cells)
    assert table.header_row == 2
    assert table.rows == [(3, ["An", "Nam"])]


def test_format_comes_from_magic_not_extension():
    # An xlsx named .csv and a CSV named .xlsx are both read for what they are.
    assert read_table(xlsx_bytes(ROWS), filename="hoi-vien.csv").format == "xlsx"
    table = read_table(csv_bytes(["Họ và tên|Giới tính", "An|Nam"]), filename="x.xlsx")
    assert table.format == "csv"
    assert table.rows == [(2, ["An", "Nam"])]


def test_legacy_xls_via_xlwt_reads():
    data = xls_bytes(ROWS)
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    table = read_table(data, filename="cu.xls")
    assert table.format == "xls"
    assert table.header == HEADER
    assert table.rows[0] == (2, ["Nguyễn Văn Ánh", dt.date(1960, 1, 2), "Nam"])
    assert table.rows[1][1][0] == "Trần Thị Bình"


def test_libreoffice_ods_reads():
    table = read_table(ods_bytes([["Họ và tên", "Giới tính"], ["An", "Nam"]]), filename="a.ods")
    assert table.format == "ods"
    assert table.header == ["Họ và tên", "Giới tính"]
    assert table.rows == [(2, ["An", "Nam"])]


def test_sheet_selection_by_name_accent_insensitive_and_unknown_sheet():
    data = xlsx_bytes(ROWS, title="Hội viên", extra_sheets=["Tổng hợp"])
    assert read_table(data, filename="a.xlsx").sheet == "Hội viên"
    assert read_table(data, filename="a.xlsx", sheet="HOI  VIEN").sheet == "Hội viên"
    assert refusal(data, sheet="Tổng hợp") == "Trang 'Tổng hợp' không có dữ liệu."
    message = refusal(data, sheet="Hộ gia đình")
    assert "Không tìm thấy trang 'Hộ gia đình'" in message
    assert "'Hội viên', 'Tổng hợp'" in message


# --------------------------------------------------------------------- unicode / CSV


def test_nfd_input_is_composed_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hằng")
    assert decomposed != "Nguyễn Thị Hằng"
    rows = [[unicodedata.normalize("NFD", h) for h in HEADER], [decomposed, None, "Nữ"]]
    for data, name in (
        (xlsx_bytes(rows), "mac.xlsx"),
        (csv_bytes(["|".join(HEADER), f"{decomposed}||Nữ"]), "mac.csv"),
    ):
        table = read_table(data, filename=name)
        assert table.header == HEADER
        assert table.rows[0][1][0] == "Nguyễn Thị Hằng"
        assert unicodedata.is_normalized("NFC", table.rows[0][1][0])


def test_cp1258_and_utf8_bom_csv_read_the_same_values():
    lines = [
        "Họ và tên;Địa chỉ;Ghi chú",
        "Nguyễn Văn Ánh;Xã Đồng Tâm, huyện Mỹ Đức;Ưu tiên",
        "Phạm Thị Hường;Thôn Ỷ La;",
    ]
    utf8_bom = b"\xef\xbb\xbf" + csv_bytes(lines, encoding="utf-8")
    cp1258 = csv_bytes(lines, encoding="cp1258")
    plain_utf8 = csv_bytes(lines, encoding="utf-8")
    assert cp1258 != plain_utf8
    tables = [read_table(d, filename="ds.csv") for d in (utf8_bom, cp1258, plain_utf8)]
    assert tables[0].header == ["Họ và tên", "Địa chỉ", "Ghi chú"]
    assert tables[0].rows == [
        (2, ["Nguyễn Văn Ánh", "Xã Đồng Tâm, huyện Mỹ Đức", "Ưu tiên"]),
        (3, ["Phạm Thị Hường", "Thôn Ỷ La", ""]),
    ]
    assert tables[1].rows == tables[0].rows and tables[1].header == tables[0].header
    assert tables[2].rows == tables[0].rows


def test_cp1258_really_uses_combining_tone_marks():
    # Windows-1258 has no precomposed "ễ": it is "ê" + combining tilde (0xDE).
    assert cp1258_bytes("ễ") == b"\xea\xde"
    table = read_table(b"Ho ten\r\n" + cp1258_bytes("Nguyễn") + b"\r\n", filename="x.csv")
    assert table.rows == [(2, ["Nguyễn"])]


def test_utf16_unicode_text_export_reads():
    data = "Họ và tên\tGiới tính\r\nÁnh\tNữ\r\n".encode("utf-16")
    table = read_table(data, filename="unicode.txt")
    assert table.header == ["Họ và tên", "Giới tính"]
    assert table.rows == [(2, ["Ánh", "Nữ"])]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ('"Họ, tên";Ngày sinh;Giới tính', ";"),
        ("only one column", None),
        ("DANH SÁCH HỘI VIÊN\nHọ và tên;Giới tính\nAn;Nam\n", ";"),
    ],
)
def test_sniff_delimiter(line, expected):
    assert sniff_delimiter(line) == expected


def test_csv_quoted_fields_short_rows_are_padded_and_blank_lines_skipped():
    data = b'Ho ten,Dia chi,Ghi chu\r\n"Le, Van A","So 1\nngo 2"\r\n\r\n,,\r\nB,C,D\r\n'
    table = read_table(data, filename="x.csv")
    assert table.rows == [(2, ["Le, Van A", "So 1\nngo 2", ""]), (5, ["B", "C", "D"])]


def test_single_column_csv():
    table = read_table(b"CCCD\n001060000001\n", filename="x.csv")
    assert table.header == ["CCCD"]
    assert table.rows == [(2, ["001060000001"])]


def test_formula_guard_apostrophe_is_stripped_on_read():
    rows = [["Ghi chú", "Khác"], ["'=SUM(A1)", "'abc"], ["''+1", "'@x"]]
    table = read_table(xlsx_bytes(rows), filename="a.xlsx")
    assert table.rows == [(2, ["=SUM(A1)", "'abc"]), (3, ["'+1", "@x"])]
    assert unguard_text("'-5") == "-5"
    assert unguard_text("'5") == "'5"


# ------------------------------------------------------------------------- refusals


def test_refuses_empty_file():
    assert refusal(b"") == "Tệp 'x.xlsx' rỗng."
    assert refusal(b"  \r\n\r\n", filename="x.csv") == "Tệp 'x.csv' rỗng."


def test_refuses_sheet_without_data_or_header():
    message = refusal(xlsx_bytes([]))
    assert message == "Trang 'Hội viên' không có dữ liệu."
    message = refusal(xlsx_bytes([["DANH SÁCH HỘI VIÊN", None], [None, "Ngày 1/1/2025"]]))
    assert message.startswith("Trang 'Hội viên' không có dòng tiêu đề")


def test_refuses_pdf_renamed_to_xlsx():
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    assert (
        refusal(pdf, code="not_spreadsheet") == "Tệp 'x.xlsx' không phải bảng tính Excel hoặc CSV."
    )


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        b"\x00\x01\x02binary" * 20,
    ],
)
def test_refuses_other_non_spreadsheets(data):
    assert refusal(data) == "Tệp 'x.xlsx' không phải bảng tính Excel hoặc CSV."


def test_truncated_workbooks_are_reported_as_damaged():
    expected = (
        "Tệp 'x.xlsx' bị hỏng hoặc không đọc được (cấu trúc tệp bị hỏng, có thể tải lên chưa hết)."
    )
    xlsx = xlsx_bytes(ROWS)
    assert refusal(xlsx[: len(xlsx) // 2], code="corrupt") == expected
    assert refusal(b"PK\x03\x04not really a zip") == expected
    assert refusal(xls_bytes(ROWS)[:1500], code="corrupt") == expected


def test_damaged_sheet_xml_is_reported_as_damaged():
    data = rewrite_zip_member(
        xlsx_bytes(ROWS), "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2]
    )
    assert refusal(data, code="corrupt").startswith("Tệp 'x.xlsx' bị hỏng hoặc không đọc được")


def test_title_line_above_csv_header_is_skipped():
    data = csv_bytes(["DANH SÁCH HỘI VIÊN", "Họ và tên;Giới tính", "An;Nam"], delimiter=";")
    table = read_table(data, filename="a.csv")
    assert table.header == ["Họ và tên", "Giới tính"]
    assert table.rows == [(3, ["An", "Nam"])]


def test_single_column_xlsx_header():
    table = read_table(xlsx_bytes([["CCCD"], ["001060000001"]]), filename="a.xlsx")
    assert table.header == ["CCCD"] and table.rows == [(2, ["001060000001"])]


def test_refuses_docx_zip_and_word_ole2():
    docx = rewrite_zip_member(xlsx_bytes(ROWS), "[Content_Types].xml", lambda b: b)
    docx = docx.replace(b"xl/workbook.xml", b"wd/document.xml")
    assert "không phải bảng tính" in refusal(docx)
    assert "không phải bảng tính" in refusal(ole2_bytes(["WordDocument"]), filename="a.xls")


def test_refuses_html_disguised_as_xls():
    html = b"<html><body><table><tr><td>H\xe1\xbb\x8d t\xc3\xaan</td></tr></table></body></html>"
    assert "thực chất là trang web" in refusal(html, filename="export.xls")


def test_refuses_password_protected_workbook():
    encrypted = ole2_bytes(["EncryptionInfo", "EncryptedPackage"])
    assert is_encrypted_ooxml(encrypted)
    assert not is_encrypted_ooxml(xls_bytes(ROWS))
    assert not is_encrypted_ooxml(xlsx_bytes(ROWS))
    assert ole2_stream_names(encrypted)[1:] == ["EncryptionInfo", "EncryptedPackage"]
    message = refusal(encrypted, filename="bi-mat.xlsx", code="encrypted")
    assert message.startswith("Tệp 'bi-mat.xlsx' được đặt mật khẩu.")


def test_encryption_detected_even_with_a_damaged_directory():
    damaged = bytearray(ole2_bytes(["EncryptionInfo", "EncryptedPackage"]))
    damaged[0x30:0x34] = b"\x99\x99\x00\x00"  # directory sector far out of range
    assert is_encrypted_ooxml(bytes(damaged))
    assert "được đặt mật khẩu" in refusal(bytes(damaged))


def test_refuses_more_rows_than_max_rows():
    rows = [["Họ và tên", "Giới tính"]] + [[f"Người {i}", "Nam"] for i in range(1001)]
    message = refusal(xlsx_bytes(rows), max_rows=1000, code="too_many_rows")
    assert message.startswith("Tệp có hơn 1.000 dòng, vượt giới hạn 1.000 dòng")
    assert len(read_table(xlsx_bytes(rows), filename="a.xlsx", max_rows=1001).rows) == 1001


def test_default_limit_is_200000_rows_in_the_message():
    data = b"Ho ten,Gioi tinh\n" + b"A,Nam\n" * 200_001
    assert refusal(data, filename="big.csv").startswith(
        "Tệp có hơn 200.000 dòng, vượt giới hạn 200.000 dòng"
    )


def test_csv_over_the_limit_is_refused_while_streaming():
    # 2 million lines: refusing at row 101 must not parse (or decode) the rest.
    data = b"Ho ten,Gioi tinh\n" + b"Nguyen Van A,Nam\n" * 2_000_000
    started = time.perf_counter()
    message = refusal(data, filename="huge.csv", max_rows=100)
    assert message.startswith("Tệp có hơn 100 dòng")
    assert time.perf_counter() - started < 0.5


def test_refuses_merged_cells_in_data_area_naming_the_range():
    rows = [
        ["DANH SÁCH"],
        ["Họ và tên", "Giới tính", "Ghi chú"],
        ["An", "Nam", ""],
        ["Bình", "Nữ", ""],
    ]
    data = xlsx_bytes(rows, merges=["A1:C1", "B3:C4"])
    message = refusal(data, code="merged_cells")
    assert "ô gộp trong vùng dữ liệu: B3:C4." in message
    assert "A1:C1" not in message  # the title merge above the header is fine
    assert read_table(xlsx_bytes(rows, merges=["A1:C1"]), filename="a.xlsx").header_row == 2


def test_refuses_merged_cells_in_xls():
    data = xls_bytes([["Họ và tên", "Giới tính"], ["An", "Nam"]], merges=[(2, 3, 0, 0, "Bình")])
    assert "ô gộp trong vùng dữ liệu: A3:A4" in refusal(data, filename="a.xls")


def test_refuses_formula_without_cached_value():
    # openpyxl writes formulas without a cached value, as any script would.
    rows = [["Họ và tên", "Số tiền"], ["An", 100], ["Tổng", "=SUM(B2:B2)"]]
    message = refusal(xlsx_bytes(rows), code="formula_no_value")
    assert "ô chứa công thức chưa được tính giá trị: B3." in message


def test_formula_with_cached_value_reads_the_value():
    rows = [["Họ và tên", "Số tiền"], ["An", 100], ["Tổng", "=SUM(B2:B2)"]]

    def add_cached_value(xml: bytes) -> bytes:
        return xml.replace(b"<f>SUM(B2:B2)</f><v></v>", b"<f>SUM(B2:B2)</f><v>100</v>")

    data = rewrite_zip_member(xlsx_bytes(rows), "xl/worksheets/sheet1.xml", add_cached_value)
    table = read_table(data, filename="a.xlsx")
    assert table.rows[1] == (3, ["Tổng", 100.0])


def test_formula_returning_empty_text_is_a_cached_value():
    rows = [["Họ và tên", "Ghi chú"], ["An", '=IF(1,"","x")']]

    def as_cached_empty_string(xml: bytes) -> bytes:
        return xml.replace(b'<c r="B2">', b'<c r="B2" t="str">')

    data = rewrite_zip_member(xlsx_bytes(rows), "xl/worksheets/sheet1.xml", as_cached_empty_string)
    assert read_table(data, filename="a.xlsx").rows == [(2, ["An", ""])]


def test_refuses_excel_error_values():
    wb_rows = [["Họ và tên", "Tuổi"], ["An", 60]]

    def make_error(xml: bytes) -> bytes:
        return xml.replace(b'<c r="B2" t="n"><v>60</v></c>', b'<c r="B2" t="e"><v>#DIV/0!</v></c>')

    data = rewrite_zip_member(xlsx_bytes(wb_rows), "xl/worksheets/sheet1.xml", make_error)
    assert "ô chứa lỗi Excel: B2 (#DIV/0!)" in refusal(data)


def test_refuses_csv_in_unknown_encoding():
    # 0x81 is undefined in Windows-1258 and invalid as UTF-8.
    message = refusal(b"Ho ten\n\x81\x81\n", filename="x.csv")
    assert message.startswith("Không đọc được bảng mã của tệp 'x.csv'")


def test_refuses_unterminated_csv_quote_gracefully():
    import csv

    limit = csv.field_size_limit()
    data = b'Ho ten,Ghi chu\nA,"' + b"x" * (limit + 10) + b"\n"
    assert "bị hỏng hoặc không đọc được" in refusal(data, filename="x.csv")


def test_rows_examined_while_searching_the_header_are_not_lost_or_unguarded_twice():
    # No row satisfies is_header, so the default heuristic picks row 1 and rows 2-3,
    # already normalised during the search, are replayed as data exactly once.
    rows = [["Cột A", "Cột B"], ["''=x", "1"], ["y", "2"]]
    table = read_table(xlsx_bytes(rows), filename="a.xlsx", is_header=lambda cells: False)
    assert table.header_row == 1
    assert table.rows == [(2, ["'=x", "1"]), (3, ["y", "2"])]


def test_explicit_header_row_keeps_the_next_row():
    rows = [["Tiêu đề"], ["Họ và tên", "Giới tính"], ["An", "Nam"], ["Bình", "Nữ"]]
    table = read_table(xlsx_bytes(rows), filename="a.xlsx", header_row=2)
    assert [n for n, _ in table.rows] == [3, 4]
    assert "không có dòng tiêu đề" in refusal(xlsx_bytes(rows), header_row=7, code="no_header")
