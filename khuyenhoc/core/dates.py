"""Vietnamese dates: dd/mm/yyyy display, lenient parsing of imports, document date lines.

Parsing is deliberately day-first: Vietnamese spreadsheets never use the US
month-first order, and guessing between the two would silently swap 05/01 and
01/05. Only the ISO form (year first) is read as year-month-day.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from khuyenhoc.core.text import nfc

__all__ = ["admin_date_line", "format_date", "parse_date_vn"]

# Excel's 1900 date system counts 1900-01-01 as serial 1 and, copying a Lotus
# 1-2-3 bug, believes 1900 was a leap year: serial 60 is the non-existent
# 1900-02-29. From serial 61 (1900-03-01) on, counting from 1899-12-30 is right;
# below 60 the epoch is one day later.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_FAKE_LEAP_DAY = 60
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31, the last date Excel can show

_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def format_date(d: dt.date) -> str:
    """Format a date as dd/mm/yyyy: date(2023, 1, 5) -> "05/01/2023"."""
    # f-string instead of strftime: %Y does not zero-pad years < 1000 on glibc.
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _invalid(value: object) -> ValueError:
    return ValueError(f"'{value}' không phải ngày hợp lệ")


def _from_excel_serial(value: int | float | Decimal) -> dt.date:
    if isinstance(value, float) and not math.isfinite(value):
        raise _invalid(value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise _invalid(value)
    serial = math.floor(value)  # a fractional part is the time of day
    if serial < 1 or serial == _EXCEL_FAKE_LEAP_DAY or serial > _EXCEL_MAX_SERIAL:
        raise _invalid(value)
    offset = serial if serial > _EXCEL_FAKE_LEAP_DAY else serial + 1
    return _EXCEL_EPOCH + dt.timedelta(days=offset)


def parse_date_vn(value: object) -> dt.date:
    """Read a date from a form field or a spreadsheet cell.

    Accepts ``date``/``datetime`` objects (a datetime keeps its own calendar
    date), Excel serial numbers (int or float, 1900 date system) and the strings
    "dd/mm/yyyy", "d/m/yyyy", "dd-mm-yyyy", "dd.mm.yyyy" and "yyyy-mm-dd".
    Raises ValueError with a Vietnamese message, e.g.
    "'31/02/1960' không phải ngày hợp lệ".
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _invalid(value)
    if isinstance(value, int | float | Decimal):
        return _from_excel_serial(value)
    if not isinstance(value, str):
        raise _invalid(value)
    text = nfc(value)
    if not text:
        raise ValueError("Chưa nhập ngày")
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _ISO.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        raise _invalid(text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _invalid(text) from None


def admin_date_line(place: str, d: dt.date) -> str:
    """The place-and-date line of an administrative document.

    "Bắc Kạn, ngày 05 tháng 01 năm 2023". Per Decree 30/2020/NĐ-CP (Appendix I),
    days below 10 and the months January and February take a leading zero
    ("tháng 01", "tháng 02"), other months do not ("tháng 3", "tháng 12"); the
    zero on 01/02 stops anyone from adding a digit to turn them into 11/12.
    """
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    line = f"ngày {d.day:02d} tháng {month} năm {d.year}"
    place = nfc(place)
    return f"{place}, {line}" if place else line
