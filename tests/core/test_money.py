"""Tests for khuyenhoc.core.money: đồng formatting, parsing and amounts in words."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from khuyenhoc.core.money import (
    amount_in_words,
    format_million,
    format_number,
    format_vnd,
    million_text,
    parse_vnd,
)

# --- format_number / format_vnd ------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "0"), (999, "999"), (1000, "1.000"), (11089, "11.089"), (-1500, "-1.500")],
)
def test_format_number_uses_dots_for_thousands(number, expected):
    assert format_number(number) == expected


def test_format_vnd_adds_the_dong_sign():
    assert format_vnd(768_000_000) == "768.000.000 đ"


def test_format_vnd_puts_the_minus_sign_first():
    assert format_vnd(-1500) == "-1.500 đ"


def test_format_vnd_without_suffix():
    assert format_vnd(2_500, suffix=False) == "2.500"


def test_format_vnd_accepts_a_whole_decimal():
    assert format_vnd(Decimal("1500.00")) == "1.500 đ"


@pytest.mark.parametrize("bad", [1500.0, 12.5, Decimal("1.5"), Decimal("NaN"), True, "1500", None])
def test_format_vnd_refuses_anything_but_whole_dong(bad):
    with pytest.raises(TypeError):
        format_vnd(bad)


# --- format_million ------------------------------------------------------------


def test_million_text_truncates_to_whole_millions():
    assert million_text(768_450_000) == "768 triệu đồng"
    assert million_text(999_999) == "0 triệu đồng"


def test_format_million_with_decimals_uses_a_decimal_comma_and_truncates():
    assert format_million(768_450_000, 1) == "768,4 triệu đồng"
    assert format_million(768_459_999, decimals=2) == "768,45 triệu đồng"
    assert format_million(5_000_000, decimals=1) == "5,0 triệu đồng"


def test_format_million_groups_thousands_of_millions():
    assert format_million(12_345_000_000) == "12.345 triệu đồng"


def test_format_million_without_suffix_and_negative():
    assert format_million(-2_500_000, suffix=False) == "-2"
    assert format_million(-2_500_000, 1) == "-2,5 triệu đồng"


def test_format_million_refuses_float():
    with pytest.raises(TypeError):
        format_million(1.5e6)


# --- parse_vnd -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1.000.000",
        "1000000",
        "1 000 000",
        "1\u00a0000\u00a0000",
        "1.000.000 đ",
        "1.000.000đ",
        "1.000.000 đồng",
        "1.000.000 VNĐ",
        "1.000.000 vnd",
        "1.000.000 ₫",
        "1,000,000",
        "  1.000.000  ",
    ],
)
def test_parse_vnd_accepts_common_spellings_of_a_million(text):
    assert parse_vnd(text) == 1_000_000


def test_parse_vnd_small_amounts_and_zero():
    assert parse_vnd("0") == 0
    assert parse_vnd("500") == 500
    assert parse_vnd("2.500 đồng") == 2500


@pytest.mark.parametrize("text", ["1.000.000,5", "12.5", "1,000,000.00", "1.5 đ", "0,5"])
def test_parse_vnd_rejects_decimals_with_a_vietnamese_message(text):
    with pytest.raises(ValueError, match="chỉ nhận số nguyên đồng") as err:
        parse_vnd(text)
    assert f"'{text}'" in str(err.value)


def test_parse_vnd_decimal_message_is_exact():
    with pytest.raises(ValueError) as err:
        parse_vnd("1.000.000,5")
    assert str(err.value) == "Số tiền '1.000.000,5' không hợp lệ: chỉ nhận số nguyên đồng"


def test_parse_vnd_rejects_a_single_comma_group_as_ambiguous():
    with pytest.raises(ValueError, match="không rõ ràng"):
        parse_vnd("1,000")


@pytest.mark.parametrize("text", ["abc", "1.00.000", "1.000 000", "10.000.00", "1e6", "--5", "đ"])
def test_parse_vnd_rejects_garbage(text):
    with pytest.raises(ValueError, match="không hợp lệ"):
        parse_vnd(text)


def test_parse_vnd_rejects_empty_input():
    with pytest.raises(ValueError, match="Chưa nhập số tiền"):
        parse_vnd("   ")


def test_parse_vnd_rejects_negatives_by_default():
    with pytest.raises(ValueError, match="không được là số âm"):
        parse_vnd("-1.500 đ")


def test_parse_vnd_allows_negatives_when_asked():
    assert parse_vnd("-1.500 đ", allow_negative=True) == -1500
    assert parse_vnd("\u22121.500", allow_negative=True) == -1500
    assert parse_vnd("-0") == 0


def test_parse_vnd_takes_whole_numbers_from_spreadsheet_cells():
    assert parse_vnd(1_000_000) == 1_000_000
    assert parse_vnd(1_000_000.0) == 1_000_000
    assert parse_vnd(Decimal("250000")) == 250_000


@pytest.mark.parametrize("cell", [12.5, float("nan"), float("inf"), True])
def test_parse_vnd_rejects_fractional_or_odd_spreadsheet_cells(cell):
    with pytest.raises(ValueError):
        parse_vnd(cell)


@given(st.integers(min_value=0, max_value=10**18))
def test_parse_vnd_reads_back_what_format_vnd_wrote(amount):
    assert parse_vnd(format_vnd(amount)) == amount
    assert parse_vnd(format_vnd(amount, suffix=False)) == amount
    assert parse_vnd(str(amount)) == amount


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_parse_vnd_round_trips_negatives_when_allowed(amount):
    assert parse_vnd(format_vnd(amount), allow_negative=True) == amount


# --- num2words' own Vietnamese output (num2words 0.5.x) ------------------------
# Pinned so that an upgrade that changes it is noticed. Lone groups 1..999 are
# right and are what amount_in_words builds on; the joining of groups is not.


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi bốn"),
        (105, "một trăm lẻ năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn lẻ năm"),
        (105_000, "một trăm lẻ năm nghìn"),
        (1_000_000_000, "một tỷ"),
        (481_250_000, "bốn trăm tám mươi mốt triệu hai trăm năm mươi nghìn"),
        (768_000_000, "bảy trăm sáu mươi tám triệu"),
    ],
)
def test_num2words_vietnamese_output_we_rely_on(number, words):
    assert num2words(number, lang="vi") == words


@pytest.mark.parametrize(
    ("number", "upstream_words"),
    [
        # "lẻ mười" is not Vietnamese; receipts say "không trăm mười".
        (1010, "một nghìn lẻ mười"),
        (2024, "hai nghìn lẻ hai mươi bốn"),
        # Drops the "không trăm lẻ", so it reads like 1.000.000 + 5.000 said loosely.
        (1_005_000, "một triệu năm nghìn"),
        # Wrong scale: this says 10**14.
        (10**15, "một trăm nghìn tỷ"),
        (10**18, "một Quintillion"),
    ],
)
def test_num2words_vietnamese_quirks_that_amount_in_words_corrects(number, upstream_words):
    assert num2words(number, lang="vi") == upstream_words


# --- amount_in_words -----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (1005, "Một nghìn không trăm lẻ năm đồng"),
        (1010, "Một nghìn không trăm mười đồng"),
        (2024, "Hai nghìn không trăm hai mươi bốn đồng"),
        (105_000, "Một trăm lẻ năm nghìn đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_000_100, "Một triệu một trăm đồng"),
        (1_005_000, "Một triệu không trăm lẻ năm nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_000_000_005, "Một tỷ không trăm lẻ năm đồng"),
        (481_250_000, "Bốn trăm tám mươi mốt triệu hai trăm năm mươi nghìn đồng"),
        (768_000_000, "Bảy trăm sáu mươi tám triệu đồng"),
        (2_000_005_000_000, "Hai nghìn tỷ không trăm lẻ năm triệu đồng"),
        (10**15, "Một triệu tỷ đồng"),
        (-1500, "Âm một nghìn năm trăm đồng"),
    ],
)
def test_amount_in_words_reads_like_a_receipt(amount, words):
    assert amount_in_words(amount) == words


def test_amount_in_words_can_use_northern_linh():
    assert amount_in_words(105_005, zero_tens="linh") == (
        "Một trăm linh năm nghìn không trăm linh năm đồng"
    )


def test_amount_in_words_refuses_float():
    with pytest.raises(TypeError):
        amount_in_words(1000.0)


DIGITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "lăm": 5,
          "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}  # fmt: skip
SCALES = {"nghìn": 10**3, "triệu": 10**6}


def words_to_int(text: str) -> int:
    """A small independent reader for the words, to check nothing is lost."""
    tokens = text.removesuffix(" đồng").lower().split()
    negative = tokens[:1] == ["âm"]
    total = section = small = digit = 0
    for token in tokens[negative:]:
        if token in DIGITS:
            digit = DIGITS[token]
        elif token == "mười":
            small += 10
        elif token == "mươi":
            small, digit = small + digit * 10, 0
        elif token == "trăm":
            small, digit = small + digit * 100, 0
        elif token in SCALES:
            section, small, digit = section + (small + digit) * SCALES[token], 0, 0
        elif token == "tỷ":
            total = (total + section + small + digit) * 10**9
            section = small = digit = 0
        else:
            assert token in ("lẻ", "linh"), token
    value = total + section + small + digit
    return -value if negative else value


@given(st.integers(min_value=-(10**21), max_value=10**21))
def test_amount_in_words_says_exactly_the_amount(amount):
    words = amount_in_words(amount)
    assert words_to_int(words) == amount
    assert words[0].isupper() and words.endswith(" đồng") and "  " not in words


@given(st.integers(min_value=1000, max_value=10**15))
def test_amount_in_words_never_uses_the_broken_upstream_joins(amount):
    words = amount_in_words(amount, zero_tens="linh")
    assert words_to_int(words) == amount
    # Every group after the first is read in full, so "lẻ/linh" only ever
    # precedes a single digit, never "mười" or "... mươi".
    assert not re.search(r"\b(?:lẻ|linh) (?:mười|\w+ mươi)", words)
    assert "lẻ" not in words
