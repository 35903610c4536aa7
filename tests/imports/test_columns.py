"""columns: parsers, header matching, validate() and duplicate detection."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from khuyenhoc.imports.columns import (
    CellError,
    Column,
    InvalidValue,
    choice,
    date,
    digits,
    find_duplicates,
    fold,
    header_detector,
    integer,
    match_headers,
    money,
    parse_cccd,
    parse_date,
    parse_gender,
    parse_int,
    parse_money,
    parse_phone,
    parse_text,
    parse_year,
    read_and_validate,
    text,
    today,
    validate,
    year,
)
from khuyenhoc.imports.reading import Table
from tests.imports.builders import csv_bytes, xlsx_bytes

ETHNICITIES = (
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "H'Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
)

MEMBER_COLUMNS = (
    Column("full_name", "Họ và tên", required=True, help="Họ tên đầy đủ, có dấu"),
    Column("birth_date", "Ngày sinh", parse=date(not_future=True)),
    Column("gender", "Giới tính", parse=parse_gender),
    Column("cccd", "Số CCCD", aliases=("CCCD", "Căn cước công dân"), parse=parse_cccd),
    Column("phone", "Điện thoại", aliases=("SĐT",), parse=parse_phone),
    Column("ethnicity", "Dân tộc", choices=ETHNICITIES),
)


def table(header, rows, *, sheet="Hội viên", first_row=2):
    return Table(
        sheet=sheet,
        header=list(header),
        rows=[(first_row + i, list(r)) for i, r in enumerate(rows)],
    )


def message_of(parse, value) -> str:
    with pytest.raises(InvalidValue) as info:
        parse(value)
    return info.value.message


# --------------------------------------------------------------------------- text


def test_text_is_trimmed_collapsed_and_composed():
    assert parse_text("  Nguyễn   Văn\tAn ") == "Nguyễn Văn An"
    assert parse_text(unicodedata.normalize("NFD", "Hằng")) == "Hằng"
    assert parse_text(12.0) == "12"
    assert parse_text(12.5) == "12.5"
    assert parse_text(dt.date(2020, 1, 2)) == "02/01/2020"
    assert text(collapse_spaces=False)(" a  b ") == "a  b"
    assert "vượt quá giới hạn 3 ký tự" in message_of(text(max_length=3), "abcd")
    assert message_of(parse_text, True) == "'True' không phải văn bản hợp lệ"


def test_fold_ignores_accents_case_spacing_and_d_stroke():
    assert fold("  HỌ  VÀ Tên ") == "ho va ten"
    assert fold("Đặng Đức") == "dang duc"
    assert fold(unicodedata.normalize("NFD", "Nữ")) == "nu"


# ------------------------------------------------------------------------ numbers


def test_integer_and_year():
    assert parse_int(5.0) == 5
    assert parse_int(" 12 ") == 12
    assert message_of(parse_int, "12.000") == "'12.000' không phải số nguyên"  # ambiguous
    assert parse_int(7) == 7
    assert message_of(parse_int, 1.5) == "'1.5' không phải số nguyên"
    assert message_of(parse_int, "mười") == "'mười' không phải số nguyên"
    assert message_of(integer(min_value=1), 0.0) == "'0' phải lớn hơn hoặc bằng 1"
    assert message_of(integer(max_value=10), "11") == "'11' phải nhỏ hơn hoặc bằng 10"
    assert parse_year(1960.0) == 1960
    assert parse_year("1900") == 1900
    this_year = today().year
    assert parse_year(str(this_year)) == this_year
    assert message_of(parse_year, 1899) == f"'1899' không phải năm hợp lệ (từ 1900 đến {this_year})"
    assert "không phải năm hợp lệ" in message_of(parse_year, this_year + 1)
    assert "từ 1945" in message_of(year(min_year=1945), 1944)


def test_money_whole_dong():
    assert parse_money(1_500_000.0) == 1_500_000
    assert parse_money(200000) == 200_000
    assert parse_money("1.500.000") == 1_500_000
    assert parse_money("1,500,000") == 1_500_000
    assert parse_money("1 500 000 đ") == 1_500_000
    assert parse_money("500.000 VNĐ") == 500_000
    assert parse_money("1.500") == 1_500  # Vietnamese thousands separator
    assert parse_money("1.500.000,00") == 1_500_000  # bank exports: a zero fraction
    assert parse_money("1,500,000.00") == 1_500_000
    assert parse_money("1500000.0") == 1_500_000
    assert "tròn đồng" in message_of(parse_money, "1.500.000,50")
    assert "tròn đồng" in message_of(parse_money, "1.500.000.00")  # no fraction separator left
    assert "tròn đồng" in message_of(parse_money, "1,500.5")
    assert message_of(parse_money, 1500.5) == "'1500.5' phải là số tiền tròn đồng, không có phần lẻ"
    assert (
        message_of(parse_money, "1500,5") == "'1500,5' phải là số tiền tròn đồng, không có phần lẻ"
    )
    assert "tròn đồng" in message_of(parse_money, "1.5")
    assert message_of(parse_money, "hai trăm") == "'hai trăm' không phải số tiền hợp lệ"
    assert message_of(parse_money, -5.0) == "'-5' không được là số âm"
    assert money(allow_negative=True)("-200.000") == -200_000


# -------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(1960, 2, 29), dt.date(1960, 2, 29)),
        (dt.datetime(1960, 2, 29, 13, 5), dt.date(1960, 2, 29)),  # noqa: DTZ001 - Excel cells are naive
        ("29/02/1960", dt.date(1960, 2, 29)),
        ("1/2/1960", dt.date(1960, 2, 1)),
        ("01-02-1960", dt.date(1960, 2, 1)),
        ("1.2.1960", dt.date(1960, 2, 1)),
        ("1960-02-01", dt.date(1960, 2, 1)),
        ("1960-02-01 00:00:00", dt.date(1960, 2, 1)),
        (" 05/11/2001 ", dt.date(2001, 11, 5)),
    ],
)
def test_date_accepted_forms(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (22068, dt.date(1960, 6, 1)),
        (45658, dt.date(2025, 1, 1)),
        (45658.75, dt.date(2025, 1, 1)),  # time of day dropped
    ],
)
def test_excel_serial_dates(serial, expected):
    assert parse_date(float(serial)) == expected
    assert parse_date(serial) == expected


@pytest.mark.parametrize("serial", [60.0, 0.0, -3.0, 3_000_000.0, float("nan"), float("inf")])
def test_impossible_excel_serials(serial):
    # 60 is the 29/02/1900 that Excel believes in (a Lotus 1-2-3 bug).
    assert message_of(parse_date, serial).endswith("không phải ngày hợp lệ")


def test_date_errors():
    assert message_of(parse_date, "31/02/1960") == "'31/02/1960' không phải ngày hợp lệ"
    assert message_of(parse_date, "1960/31/02").startswith(
        "'1960/31/02' không phải ngày hợp lệ (hãy ghi"
    )
    assert message_of(parse_date, "hôm qua").startswith("'hôm qua' không phải ngày hợp lệ")
    assert (
        message_of(parse_date, "1960")
        == "'1960' là một năm, không phải ngày; hãy ghi đủ ngày/tháng/năm"
    )
    assert message_of(parse_date, 1960.0).startswith("'1960' là một năm")
    assert message_of(parse_date, True) == "'True' không phải ngày hợp lệ"
    assert "quá xa trong quá khứ" in message_of(parse_date, "01/01/1899")
    tomorrow = today() + dt.timedelta(days=1)
    assert parse_date(tomorrow) == tomorrow
    future = tomorrow.strftime("%d/%m/%Y")
    assert message_of(date(not_future=True), future) == f"'{future}' là ngày trong tương lai"
    assert date(not_future=True)(today()) == today()


# -------------------------------------------------------------------- choices etc.


@pytest.mark.parametrize(
    "value", ["Nữ", "nữ", "NỮ", "nu", " Nu ", unicodedata.normalize("NFD", "nữ"), "female"]
)
def test_gender_accent_insensitive(value):
    assert parse_gender(value) == "Nữ"


def test_gender_values_and_error():
    assert parse_gender("nam") == "Nam"
    assert parse_gender("KHAC") == "Khác"
    assert message_of(parse_gender, "x") == "'x' không phải giới tính hợp lệ (Nam, Nữ hoặc Khác)"
    assert parse_gender.choices == ("Nam", "Nữ", "Khác")


def test_choice_matching_and_messages():
    parse = choice(ETHNICITIES)
    assert parse("Mường") == "Mường"
    assert parse("muong") == "Mường"
    assert parse("  GIA   rai ") == "Gia Rai"
    assert parse("h'mong") == "H'Mông"
    assert parse("e de") == "Ê Đê"
    assert (
        message_of(parse, "Kinhh")
        == "'Kinhh' không có trong danh sách cho phép (xem danh sách trong tệp mẫu)"
    )
    short = choice(["Tốt", "Khá", "Trung bình"])
    assert (
        message_of(short, "Giỏi")
        == "'Giỏi' không có trong danh sách cho phép: Tốt, Khá, Trung bình"
    )
    assert short(" khá ") == "Khá"


def test_choice_ambiguous_without_accents_asks_for_them():
    parse = choice(["Mường", "Mương"])
    assert parse("Mường") == "Mường"
    assert parse("mương") == "Mương"
    assert message_of(parse, "muong") == "'muong' không rõ là 'Mường' hay 'Mương'; hãy gõ đủ dấu"


def test_column_choices_build_a_choice_parser_and_vice_versa():
    by_choices = Column("eth", "Dân tộc", choices=["Kinh", "Tày"])
    assert by_choices.parse("tay") == "Tày"
    by_parser = Column("eth", "Dân tộc", parse=choice(["Kinh", "Tày"]))
    assert by_parser.choices == ("Kinh", "Tày")
    assert Column("g", "Giới tính", parse=parse_gender).choices == ("Nam", "Nữ", "Khác")


def test_cccd_exactly_12_digits():
    assert parse_cccd("001060000123") == "001060000123"
    assert parse_cccd(" 001 060 000 123 ") == "001060000123"
    assert parse_cccd("001.060.000.123") == "001060000123"
    # A number cell lost its leading zeros in Excel: they are restored.
    assert parse_cccd(1060000123.0) == "001060000123"
    assert parse_cccd(96200000003) == "096200000003"
    # ...but no more zeros than a province code can lose, and never a sign.
    assert message_of(parse_cccd, 123456789.0) == "CCCD phải gồm 12 chữ số (đang ghi '123456789')"
    assert message_of(parse_cccd, -10600001234.0).startswith("CCCD phải gồm 12 chữ số")
    assert message_of(parse_phone, -912345678.0).startswith("'-912345678' không phải số điện thoại")
    assert message_of(parse_cccd, "12345") == "CCCD phải gồm 12 chữ số (đang ghi '12345')"
    assert message_of(parse_cccd, "00106000012a").startswith("CCCD phải gồm 12 chữ số")
    assert message_of(parse_cccd, "0010600001234").startswith("CCCD phải gồm 12 chữ số")
    assert message_of(parse_cccd, "００１０６００００１２３").startswith("CCCD phải gồm 12 chữ số")
    assert digits(9, label="CMND")("123456789") == "123456789"
    assert (
        message_of(digits(9, label="CMND"), 12345678.0)
        == "CMND phải gồm 9 chữ số (đang ghi '12345678')"
    )


@pytest.mark.parametrize(
    "value",
    [
        "0912345678",
        "091 234 5678",
        "0912.345.678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "0084912345678",
        912345678.0,
        84912345678,
    ],
)
def test_phone_normalised(value):
    assert parse_phone(value) == "0912345678"


@pytest.mark.parametrize(
    "value", ["091234567", "09123456789", "1912345678", "0012345678", "abc", "+1 555 0100"]
)
def test_phone_invalid(value):
    assert message_of(parse_phone, value).endswith(
        "không phải số điện thoại di động hợp lệ (gồm 10 chữ số, bắt đầu bằng 0, ví dụ 0912345678)"
    )


# ---------------------------------------------------------------- header matching


@pytest.mark.parametrize(
    "label",
    [
        "Họ và tên",
        "HỌ VÀ TÊN ",
        "ho va ten",
        "Họ  và tên",
        " họ và\ntên",
        "Họ và tên (*)",
        "Họ và tên *",
        "Họ và tên:",
        unicodedata.normalize("NFD", "Họ và tên"),
    ],
)
def test_header_variants_match(label):
    result = match_headers([label, "Giới tính"], MEMBER_COLUMNS)
    assert result.mapping == {"full_name": 0, "gender": 1}
    assert result.errors == []


def test_header_aliases_and_bracketed_explanations():
    result = match_headers(
        ["Căn cước công dân", "SĐT", "Ngày sinh (dd/mm/yyyy)", "Họ và tên"], MEMBER_COLUMNS
    )
    assert result.mapping == {"cccd": 0, "phone": 1, "birth_date": 2, "full_name": 3}


def test_header_problems_are_all_reported():
    result = match_headers(["Ngày sinh", "Ghi chu", "", "Giới tính", "gioi tinh"], MEMBER_COLUMNS)
    assert result.errors == [
        "Cột 'Ghi chu' (cột B) không có trong mẫu nhập; hãy sửa lại tên cột cho đúng mẫu hoặc xoá cột này",
        "Thiếu cột bắt buộc 'Họ và tên'",
        "Cột 'Giới tính' xuất hiện nhiều lần (các cột D, E)",
    ]
    assert result.missing == ["Họ và tên"]
    assert result.unknown == ["Ghi chu"]
    relaxed = match_headers(["Họ và tên", "Ghi chu"], MEMBER_COLUMNS, ignore_unknown=True)
    assert relaxed.errors == [] and relaxed.unknown == ["Ghi chu"]


def test_header_detector_skips_title_rows():
    detect = header_detector(MEMBER_COLUMNS)
    assert not detect(["DANH SÁCH HỘI VIÊN NĂM 2025", ""])
    assert not detect(["Đơn vị: xã A", "Năm: 2025"])
    assert detect(["STT", "HỌ VÀ TÊN", "Giới tính"])


# ---------------------------------------------------------------------- validate


def test_error_message_text_is_exact():
    result = validate(
        table(["Họ và tên", "Ngày sinh"], [["An", "01/01/1960"]] * 15 + [["Bình", "31/02/1960"]]),
        MEMBER_COLUMNS,
    )
    assert [str(e) for e in result.errors] == [
        "Trang 'Hội viên', dòng 17, cột Ngày sinh: '31/02/1960' không phải ngày hợp lệ"
    ]
    assert result.errors[0] == CellError(
        "Hội viên", 17, "Ngày sinh", "'31/02/1960' không phải ngày hợp lệ"
    )


def test_every_row_and_every_cell_is_validated():
    header = ["Họ và tên", "Ngày sinh", "Giới tính", "CCCD", "Điện thoại", "Dân tộc"]
    rows = [
        ["Nguyễn Văn An", dt.date(1960, 1, 2), "Nam", "001060000001", "0912345678", "Kinh"],
        ["", "31/02/1960", "x", "123", "12", "Kinhh"],
        ["  ", 22068.0, "nu", 1060000003.0, "+84 912 345 679", "muong"],
        ["Lê Văn C", "abc", "Nam", "", "", ""],
    ]
    result = validate(table(header, rows), MEMBER_COLUMNS)
    assert [(e.row, e.column_header) for e in result.errors] == [
        (3, "Họ và tên"),
        (3, "Ngày sinh"),
        (3, "Giới tính"),
        (3, "Số CCCD"),
        (3, "Điện thoại"),
        (3, "Dân tộc"),
        (4, "Họ và tên"),
        (5, "Ngày sinh"),
    ]
    assert (
        str(result.errors[0])
        == "Trang 'Hội viên', dòng 3, cột Họ và tên: Chưa nhập giá trị (cột bắt buộc)"
    )
    assert [row.number for row in result.rows] == [2]
    assert result.rows[0].values == {
        "full_name": "Nguyễn Văn An",
        "birth_date": dt.date(1960, 1, 2),
        "gender": "Nam",
        "cccd": "001060000001",
        "phone": "0912345678",
        "ethnicity": "Kinh",
    }
    assert result.row_count == 4
    assert not result.ok


def test_missing_columns_report_once_and_rows_still_validated():
    result = validate(table(["Giới tính"], [["x"], ["Nam"]], first_row=2), MEMBER_COLUMNS)
    assert [str(e) for e in result.errors] == [
        "Trang 'Hội viên', dòng 1: Thiếu cột bắt buộc 'Họ và tên'",
        "Trang 'Hội viên', dòng 2, cột Giới tính: 'x' không phải giới tính hợp lệ (Nam, Nữ hoặc Khác)",
    ]
    assert [r.values["gender"] for r in result.rows] == ["Nam"]
    assert result.rows[0].values["full_name"] is None


def test_data_in_a_column_without_header_is_reported():
    result = validate(
        table(["Họ và tên", ""], [["An", ""], ["Bình", "ghi chú lạc"]]), MEMBER_COLUMNS
    )
    assert [str(e) for e in result.errors] == [
        "Trang 'Hội viên', dòng 1: Cột B có dữ liệu (từ dòng 3) nhưng không có tên cột"
    ]


def test_row_check_for_cross_column_rules():
    columns = (*MEMBER_COLUMNS, Column("joined", "Ngày vào hội", parse=parse_date))

    def joined_after_birth(values):
        if values["joined"] and values["birth_date"] and values["joined"] < values["birth_date"]:
            yield "joined", "Ngày vào hội phải sau ngày sinh"
        if values["full_name"] == "X":
            yield None, "Tên không hợp lệ"

    result = validate(
        table(
            ["Họ và tên", "Ngày sinh", "Ngày vào hội"],
            [
                ["An", "01/01/1960", "01/01/1950"],
                ["X", "", ""],
                ["Bình", "01/01/1960", "01/01/2000"],
            ],
        ),
        columns,
        row_check=joined_after_birth,
    )
    assert [str(e) for e in result.errors] == [
        "Trang 'Hội viên', dòng 2, cột Ngày vào hội: Ngày vào hội phải sau ngày sinh",
        "Trang 'Hội viên', dòng 3: Tên không hợp lệ",
    ]
    assert [r.number for r in result.rows] == [4]


def test_find_duplicates_names_both_rows():
    rows = [
        ["An", "001060000001"],
        ["Bình", "001060000002"],
        ["Cường", "001 060 000 001"],
        ["Dung", ""],
    ]
    result = validate(table(["Họ và tên", "CCCD"], rows), MEMBER_COLUMNS)
    errors = find_duplicates(result.rows, lambda v: v["cccd"], "CCCD", sheet=result.sheet)
    assert [str(e) for e in errors] == [
        "Trang 'Hội viên', dòng 4, cột CCCD: CCCD '001060000001' trùng với dòng 2"
    ]
    added = result.add_duplicate_errors(
        lambda v: (fold(v["full_name"]), v["cccd"]) if v["cccd"] else None, "Người"
    )
    assert added == []
    assert find_duplicates(result, lambda v: v["cccd"], "CCCD") == errors  # adds to result
    assert [r.number for r in result.rows] == [2, 3, 5]
    assert result.errors == errors


def test_read_and_validate_finds_header_below_titles():
    data = xlsx_bytes(
        [
            ["HỘI KHUYẾN HỌC XÃ A", None],
            ["Đơn vị: thôn 1", "Năm: 2025"],
            ["HỌ VÀ TÊN", "Giới tính"],
            ["An", "nam"],
        ]
    )
    result = read_and_validate(data, MEMBER_COLUMNS, filename="a.xlsx")
    assert result.ok, result.messages()
    assert result.header_row == 3
    assert [(r.number, r["gender"]) for r in result.rows] == [(4, "Nam")]


def test_read_and_validate_csv_serial_and_text_dates():
    data = csv_bytes(["Họ và tên;Ngày sinh", "An;02/01/1960", "Bình;1960-01-02"], delimiter=";")
    result = read_and_validate(data, MEMBER_COLUMNS, filename="a.csv")
    assert [r["birth_date"] for r in result.rows] == [dt.date(1960, 1, 2)] * 2


def test_misspelt_headers_are_reported_not_mistaken_for_a_missing_header():
    data = xlsx_bytes([["DANH SÁCH"], ["Ho ten day du", "Gioi tinh"], ["An", "Nam"]])
    result = read_and_validate(data, MEMBER_COLUMNS, filename="a.xlsx")
    assert result.header_row == 2
    assert [str(e) for e in result.errors] == [
        "Trang 'Hội viên', dòng 2: Cột 'Ho ten day du' (cột A) không có trong mẫu nhập; "
        "hãy sửa lại tên cột cho đúng mẫu hoặc xoá cột này",
        "Trang 'Hội viên', dòng 2: Thiếu cột bắt buộc 'Họ và tên'",
    ]
