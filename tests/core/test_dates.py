"""Tests for khuyenhoc.core.dates: dd/mm/yyyy, lenient parsing, document date lines."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khuyenhoc.core.dates import admin_date_line, format_date, parse_date_vn

JAN_5 = dt.date(2023, 1, 5)


def test_format_date_pads_day_and_month():
    assert format_date(JAN_5) == "05/01/2023"
    assert format_date(dt.date(2022, 12, 30)) == "30/12/2022"


def test_format_date_pads_old_years_to_four_digits():
    assert format_date(dt.date(999, 3, 1)) == "01/03/0999"


@pytest.mark.parametrize(
    "value",
    [
        "05/01/2023",
        "5/1/2023",
        "05-01-2023",
        "05.01.2023",
        "2023-01-05",
        "2023-1-5",
        " 05/01/2023 ",
    ],
)
def test_parse_date_vn_reads_day_first_and_iso_strings(value):
    assert parse_date_vn(value) == JAN_5


def test_parse_date_vn_passes_dates_through_and_drops_time():
    assert parse_date_vn(JAN_5) == JAN_5
    assert parse_date_vn(dt.datetime(2023, 1, 5, 23, 59, tzinfo=dt.UTC)) == JAN_5


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (44931, JAN_5),
        (44931.75, JAN_5),
        (2_958_465, dt.date(9999, 12, 31)),
    ],
)
def test_parse_date_vn_reads_excel_serial_numbers(serial, expected):
    assert parse_date_vn(serial) == expected


@pytest.mark.parametrize("serial", [0, -1, 60, 2_958_466, float("nan"), float("inf")])
def test_parse_date_vn_rejects_impossible_excel_serials(serial):
    # 60 is Excel's 1900-02-29, a day that never existed.
    with pytest.raises(ValueError, match="không phải ngày hợp lệ"):
        parse_date_vn(serial)


def test_parse_date_vn_message_for_an_impossible_date():
    with pytest.raises(ValueError) as err:
        parse_date_vn("31/02/1960")
    assert str(err.value) == "'31/02/1960' không phải ngày hợp lệ"


@pytest.mark.parametrize(
    "value", ["05/01/23", "05/01-2023", "2023/01/05", "01/13/2023", "hôm qua", "44931", True, [1]]
)
def test_parse_date_vn_rejects_other_input(value):
    with pytest.raises(ValueError, match="không phải ngày hợp lệ"):
        parse_date_vn(value)


def test_parse_date_vn_rejects_empty_input():
    with pytest.raises(ValueError, match="Chưa nhập ngày"):
        parse_date_vn("")


@given(st.dates())
def test_parse_date_vn_reads_back_format_date(d):
    assert parse_date_vn(format_date(d)) == d
    assert parse_date_vn(d.isoformat()) == d


@given(st.dates(min_value=dt.date(1900, 3, 1)))
def test_excel_serials_after_the_fake_leap_day_count_from_1899_12_30(d):
    assert parse_date_vn((d - dt.date(1899, 12, 30)).days) == d


@pytest.mark.parametrize(
    ("d", "line"),
    [
        (JAN_5, "Bắc Kạn, ngày 05 tháng 01 năm 2023"),
        (dt.date(2023, 2, 5), "Bắc Kạn, ngày 05 tháng 02 năm 2023"),
        (dt.date(2023, 3, 15), "Bắc Kạn, ngày 15 tháng 3 năm 2023"),
        (dt.date(2022, 12, 30), "Bắc Kạn, ngày 30 tháng 12 năm 2022"),
        (dt.date(2023, 10, 1), "Bắc Kạn, ngày 01 tháng 10 năm 2023"),
    ],
)
def test_admin_date_line_pads_days_below_10_and_only_months_1_and_2(d, line):
    assert admin_date_line("Bắc Kạn", d) == line


def test_admin_date_line_normalises_the_place_and_allows_it_empty():
    assert admin_date_line("  Chợ  Mới ", JAN_5) == "Chợ Mới, ngày 05 tháng 01 năm 2023"
    assert admin_date_line("", JAN_5) == "ngày 05 tháng 01 năm 2023"
