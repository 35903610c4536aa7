"""Money in Vietnamese đồng: formatting, parsing and amounts in words.

Amounts are always an ``int`` number of đồng. The đồng has no subunit in
circulation, and floats silently lose whole đồng above 2**53 and invite
"0.1 + 0.2" bugs in totals, so every function here refuses ``float`` and
fractional ``Decimal`` instead of rounding behind the treasurer's back.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Literal

from num2words import num2words

from khuyenhoc.core.text import nfc

__all__ = [
    "amount_in_words",
    "format_million",
    "format_number",
    "format_vnd",
    "million_text",
    "parse_vnd",
]

CURRENCY_SUFFIX = "đ"
_MINUS_SIGNS = ("-", "\u2212")  # ASCII hyphen-minus and the typographic minus sign


def _as_dong(amount: object) -> int:
    """Return ``amount`` as int, or raise TypeError if it is not a whole number of đồng."""
    # bool is an int subclass, but True đồng is always a bug.
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise TypeError(
            f"Money must be an int number of đồng, got {type(amount).__name__}: {amount!r}"
        )
    if isinstance(amount, Decimal):
        if not amount.is_finite() or amount != amount.to_integral_value():
            raise TypeError(f"Money must be a whole number of đồng, got Decimal {amount}")
        return int(amount)
    return int(amount)


def format_number(number: int) -> str:
    """Format an integer with Vietnamese thousands dots: 11089 -> "11.089"."""
    return f"{_as_dong(number):,}".replace(",", ".")


def format_vnd(amount: int, *, suffix: bool = True) -> str:
    """Format đồng: 768000000 -> "768.000.000 đ", -1500 -> "-1.500 đ".

    ``suffix=False`` drops the " đ" (for table cells under a "Số tiền (đ)" header).
    Raises TypeError for float, bool or a Decimal with a fractional part.
    """
    text = format_number(amount)
    return f"{text} {CURRENCY_SUFFIX}" if suffix else text


def format_million(amount: int, decimals: int = 0, *, suffix: bool = True) -> str:
    """Format an amount in millions for reports: 768_450_000 -> "768 triệu đồng".

    The value is truncated, never rounded up (reports must not claim money
    that is not there), towards zero so negatives mirror positives. With
    ``decimals`` the Vietnamese decimal comma is used: 768_450_000, 1 ->
    "768,4 triệu đồng". ``suffix=False`` gives just "768".
    """
    amount = _as_dong(amount)
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    scale = 10**decimals
    scaled = abs(amount) * scale // 1_000_000  # integer maths: no float rounding
    whole, fraction = divmod(scaled, scale)
    text = format_number(whole)
    if decimals:
        text += f",{fraction:0{decimals}d}"
    if amount < 0 and scaled:
        text = "-" + text
    return f"{text} triệu đồng" if suffix else text


def million_text(amount: int) -> str:
    """Whole millions, truncated: 768_450_000 -> "768 triệu đồng"."""
    return format_million(amount)


# --- parsing -----------------------------------------------------------------

_SUFFIX_RE = re.compile(r"\s*(?:đồng|vnđ|vnd|đ|₫)\.?$", re.IGNORECASE)
# Accepted integer spellings. A single comma group ("1,000") is refused: in
# Vietnamese it reads as one-point-zero, in English as a thousand.
_INTEGER_FORMS = (
    re.compile(r"\d+"),
    re.compile(r"\d{1,3}(?:\.\d{3})+"),
    re.compile(r"\d{1,3}(?: \d{3})+"),
    re.compile(r"\d{1,3}(?:,\d{3}){2,}"),
)
_AMBIGUOUS_COMMA = re.compile(r"\d{1,3},\d{3}")
# Something that would be a number with a fractional part in either convention.
_DECIMAL_LIKE = re.compile(r"\d[\d., ]*[.,]\d+")


def parse_vnd(text: str | int, *, allow_negative: bool = False) -> int:
    """Parse an amount typed by a person or read from a spreadsheet into đồng.

    Accepts "1.000.000", "1000000", "1 000 000", "1.000.000 đ", "1.000.000 đồng",
    "1.000.000 VNĐ" and "1,000,000" (two or more comma groups, so unambiguous).
    Ints pass through, as do whole-valued floats/Decimals (spreadsheet cells).
    Raises ValueError with a Vietnamese message for decimals ("12.5",
    "1.000.000,5"), ambiguous "1,000", negatives unless ``allow_negative``,
    and anything else.
    """
    if isinstance(text, bool):
        raise ValueError(f"Số tiền '{text}' không hợp lệ")
    if isinstance(text, int | float | Decimal):
        return _parse_number(text, allow_negative=allow_negative)
    raw = nfc(text)
    if not raw:
        raise ValueError("Chưa nhập số tiền")
    body = _SUFFIX_RE.sub("", raw)
    negative = body.startswith(_MINUS_SIGNS)
    if negative:
        body = body[1:].lstrip()
    if any(form.fullmatch(body) for form in _INTEGER_FORMS):
        value = int(re.sub(r"[., ]", "", body))
    elif _AMBIGUOUS_COMMA.fullmatch(body):
        raise ValueError(
            f"Số tiền '{raw}' không rõ ràng: hãy dùng dấu chấm để phân cách hàng nghìn (ví dụ 1.000)"
        )
    elif _DECIMAL_LIKE.fullmatch(body):
        raise ValueError(f"Số tiền '{raw}' không hợp lệ: chỉ nhận số nguyên đồng")
    else:
        raise ValueError(f"Số tiền '{raw}' không hợp lệ")
    if negative and value:
        if not allow_negative:
            raise ValueError(f"Số tiền '{raw}' không hợp lệ: không được là số âm")
        value = -value
    return value


def _parse_number(value: int | float | Decimal, *, allow_negative: bool) -> int:
    if isinstance(value, float | Decimal):
        # Spreadsheet readers hand over 1000000.0 for an integer cell.
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite:
            raise ValueError(f"Số tiền '{value}' không hợp lệ")
        if value != int(value):
            raise ValueError(f"Số tiền '{value}' không hợp lệ: chỉ nhận số nguyên đồng")
        value = int(value)
    if value < 0 and not allow_negative:
        raise ValueError(f"Số tiền '{value}' không hợp lệ: không được là số âm")
    return value


# --- amounts in words ----------------------------------------------------------

_SCALES = ("", "nghìn", "triệu")  # within one "tỷ" block; larger amounts recurse
_BILLION = 1_000_000_000


def _group_words(group: int, *, padded: bool, zero_tens: str) -> str:
    """Words for 1..999. ``padded`` groups follow a higher group ("không trăm ...")."""
    # num2words is right for a lone group 1..999 (lẻ, mốt, lăm); what it gets
    # wrong is how groups join up, which the callers below handle themselves.
    words = num2words(group, lang="vi")
    if padded and group < 100:
        words = f"không trăm lẻ {words}" if group < 10 else f"không trăm {words}"
    if zero_tens != "lẻ":
        words = " ".join(zero_tens if w == "lẻ" else w for w in words.split())
    return words


def _below_billion(number: int, *, padded: bool, zero_tens: str) -> list[str]:
    parts: list[str] = []
    groups = (number // 1_000_000, number // 1_000 % 1_000, number % 1_000)
    for group, scale in zip(groups, _SCALES[::-1], strict=True):
        if group:
            # Once a higher group has been said, every later group is read in full
            # (1.005.000 -> "một triệu không trăm lẻ năm nghìn"), as on receipts.
            parts.append(_group_words(group, padded=padded or bool(parts), zero_tens=zero_tens))
            if scale:
                parts.append(scale)
    return parts


def _number_words(number: int, *, padded: bool, zero_tens: str) -> list[str]:
    if number >= _BILLION:
        billions, rest = divmod(number, _BILLION)
        # 2.000.005.000.000 -> "hai nghìn tỷ không trăm lẻ năm triệu": the part
        # before "tỷ" is itself a number, which also covers nghìn tỷ, triệu tỷ...
        parts = [*_number_words(billions, padded=padded, zero_tens=zero_tens), "tỷ"]
        if rest:
            parts += _below_billion(rest, padded=True, zero_tens=zero_tens)
        return parts
    return _below_billion(number, padded=padded, zero_tens=zero_tens)


def amount_in_words(amount: int, *, zero_tens: Literal["lẻ", "linh"] = "lẻ") -> str:
    """Spell out an amount the way treasurers write it on receipts ("Bằng chữ").

    768_000_000 -> "Bảy trăm sáu mươi tám triệu đồng";
    1_005_000 -> "Một triệu không trăm lẻ năm nghìn đồng".
    ``zero_tens="linh"`` gives the northern "một trăm linh năm". Negative amounts
    start with "Âm". num2words is used for each three-digit group only, because
    its own Vietnamese output joins groups wrongly (see tests/core/test_money.py).
    """
    amount = _as_dong(amount)
    if zero_tens not in ("lẻ", "linh"):
        raise ValueError("zero_tens must be 'lẻ' or 'linh'")
    if amount == 0:
        words = ["không"]
    else:
        words = _number_words(abs(amount), padded=False, zero_tens=zero_tens)
        if amount < 0:
            words.insert(0, "âm")
    text = " ".join(" ".join(words).split()) + " đồng"
    return text[0].upper() + text[1:]
