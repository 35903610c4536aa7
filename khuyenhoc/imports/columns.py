"""Declarative import columns: header matching, per-cell parsing and row validation.

Each import kind (members, households, bank statements, statistics sheets) declares
a tuple of `Column`s; `validate()` turns a `reading.Table` into clean Python values
plus a complete list of Vietnamese errors, one `CellError` per bad cell, never stopping
at the first. No database access happens here.

Parsers are plain callables ``parse(value) -> clean value`` that raise `InvalidValue`
with a Vietnamese message. They are never called with an empty cell: `validate()`
handles emptiness (None, "" or whitespace) and the `required` flag itself. Parser
factories attach optional metadata used by `templates_xlsx`: ``number_format`` (Excel
format of the column) and ``choices`` (drop-down list).

Performance: `validate()` precomputes one (index, key, parser) plan per matched column
and the parsers test the common cell types first (exact `str` lookups, `date` objects
straight from calamine), so the happy path raises no exception.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from khuyenhoc.core.dates import format_date, parse_date_vn
from khuyenhoc.imports.reading import (
    DEFAULT_MAX_ROWS,
    CellValue,
    Table,
    column_letter,
    pause_gc,
    read_table,
)

# All user-facing messages, in one place so they can move into gettext later.
MESSAGES: dict[str, str] = {
    "required": "Chưa nhập giá trị (cột bắt buộc)",
    "invalid_text": "'{value}' không phải văn bản hợp lệ",
    "text_too_long": "Dài {length} ký tự, vượt quá giới hạn {max} ký tự",
    "invalid_int": "'{value}' không phải số nguyên",
    "int_too_small": "'{value}' phải lớn hơn hoặc bằng {min}",
    "int_too_large": "'{value}' phải nhỏ hơn hoặc bằng {max}",
    "invalid_year": "'{value}' không phải năm hợp lệ (từ {min} đến {max})",
    "invalid_date": "'{value}' không phải ngày hợp lệ",
    "invalid_date_format": (
        "'{value}' không phải ngày hợp lệ (hãy ghi theo dạng ngày/tháng/năm, ví dụ 25/12/1960)"
    ),
    "year_in_date": "'{value}' là một năm, không phải ngày; hãy ghi đủ ngày/tháng/năm",
    "future_date": "'{value}' là ngày trong tương lai",
    "date_too_old": "'{value}' quá xa trong quá khứ (phải từ năm {min} trở đi)",
    "invalid_choice": "'{value}' không có trong danh sách cho phép: {options}",
    "invalid_choice_long": "'{value}' không có trong danh sách cho phép (xem danh sách trong tệp mẫu)",
    "ambiguous_choice": "'{value}' không rõ là {options}; hãy gõ đủ dấu",
    "invalid_gender": "'{value}' không phải giới tính hợp lệ (Nam, Nữ hoặc Khác)",
    "digits_length": "{label} phải gồm {length} chữ số (đang ghi '{value}')",
    "invalid_phone": (
        "'{value}' không phải số điện thoại di động hợp lệ "
        "(gồm 10 chữ số, bắt đầu bằng 0, ví dụ 0912345678)"
    ),
    "money_decimal": "'{value}' phải là số tiền tròn đồng, không có phần lẻ",
    "invalid_money": "'{value}' không phải số tiền hợp lệ",
    "negative_money": "'{value}' không được là số âm",
    "missing_column": "Thiếu cột bắt buộc '{header}'",
    "unknown_column": (
        "Cột '{header}' (cột {letter}) không có trong mẫu nhập; hãy sửa lại tên cột "
        "cho đúng mẫu hoặc xoá cột này"
    ),
    "duplicate_column": "Cột '{header}' xuất hiện nhiều lần (các cột {letters})",
    "data_without_header": "Cột {letter} có dữ liệu (từ dòng {row}) nhưng không có tên cột",
    "duplicate_row": "{label} '{value}' trùng với dòng {other}",
    "cell_error": "Trang '{sheet}', dòng {row}, cột {column}: {message}",
    "row_error": "Trang '{sheet}', dòng {row}: {message}",
    "sheet_error": "Trang '{sheet}': {message}",
}

# Vietnam has had no daylight saving since 1975: a fixed UTC+7 offset is exact and
# avoids depending on Django settings or the tz database in this pure module.
VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
MIN_YEAR = 1900

Parser = Callable[[Any], Any]


class InvalidValue(ValueError):
    """Raised by a parser; `message` is shown to the user after the cell position."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------------- folding


def fold(text: str) -> str:
    """Accent-, case- and spacing-insensitive key: "  HỌ  và Tên " → "ho va ten"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


_HEADER_NOISE_RE = re.compile(r"\(\s*\*\s*\)|\*|:$")
_PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def header_key(text: str) -> str:
    """Key used to match a header cell: folded, without required-markers "*", "(*)"."""
    return " ".join(_HEADER_NOISE_RE.sub(" ", fold(text)).split())


def _header_key_loose(text: str) -> str:
    # Second chance: ignore explanations in brackets, "Ngày sinh (dd/mm/yyyy)".
    return " ".join(_PAREN_RE.sub(" ", header_key(text)).split())


def show(value: Any) -> str:
    """A cell value as the user would recognise it in an error message."""
    if value is None:
        return ""
    if value.__class__ is float and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return format_date(value)
        return f"{format_date(value)} {value:%H:%M}"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, str):
        return value.strip()
    return str(value)


def _annotate(
    fn: Parser, *, number_format: str | None = None, choices: Sequence[str] | None = None
) -> Parser:
    fn.number_format = number_format  # type: ignore[attr-defined]
    fn.choices = tuple(choices) if choices is not None else None  # type: ignore[attr-defined]
    return fn


_today_cache: list[Any] = [None, 0.0]


def today() -> dt.date:
    """Today in Vietnam; cached for a minute because parsers call it per cell."""
    now = time.monotonic()
    if now >= _today_cache[1]:
        _today_cache[0] = dt.datetime.now(VN_TZ).date()
        _today_cache[1] = now + 60.0
    return _today_cache[0]


# -------------------------------------------------------------------------- parsers


def text(*, max_length: int | None = None, collapse_spaces: bool = True) -> Parser:
    """Text, NFC-composed and trimmed; inner runs of spaces collapse unless disabled."""

    def parse_text(value: Any) -> str:
        if value.__class__ is str:
            result = " ".join(value.split()) if collapse_spaces else value.strip()
            if not result.isascii():
                result = unicodedata.normalize("NFC", result)
        elif value.__class__ is float:
            result = str(int(value)) if value.is_integer() else repr(value)
        elif isinstance(value, (int, dt.date, dt.time)) and not isinstance(value, bool):
            result = show(value)
        else:
            raise InvalidValue(MESSAGES["invalid_text"].format(value=show(value)))
        if max_length is not None and len(result) > max_length:
            raise InvalidValue(MESSAGES["text_too_long"].format(length=len(result), max=max_length))
        return result

    return _annotate(parse_text, number_format="@")


parse_text = text()

# No thousands separators or decimals in text: "12.000" is twelve thousand to a
# Vietnamese reader and 12 to a program, so it is refused rather than guessed.
_INT_RE = re.compile(r"[+-]?\d+")


def _to_int(value: Any) -> int | None:
    """An int from an int, an integral float or a plain integer string; else None."""
    cls = value.__class__
    if cls is int:
        return value
    if cls is float:
        return int(value) if value.is_integer() else None
    if cls is str:
        candidate = value.strip().replace(" ", "")
        if _INT_RE.fullmatch(candidate):
            return int(candidate)
    return None


def integer(*, min_value: int | None = None, max_value: int | None = None) -> Parser:
    """Whole number, optionally bounded."""

    def parse_int(value: Any) -> int:
        if value.__class__ is float and value.is_integer():
            number: int | None = int(value)  # the common case: calamine numbers
        else:
            number = _to_int(value)
        if number is None:
            raise InvalidValue(MESSAGES["invalid_int"].format(value=show(value)))
        if min_value is not None and number < min_value:
            raise InvalidValue(MESSAGES["int_too_small"].format(value=show(value), min=min_value))
        if max_value is not None and number > max_value:
            raise InvalidValue(MESSAGES["int_too_large"].format(value=show(value), max=max_value))
        return number

    return _annotate(parse_int, number_format="0")


parse_int = integer()


def year(*, min_year: int = MIN_YEAR) -> Parser:
    """A calendar year from `min_year` to the current year."""

    def parse_year(value: Any) -> int:
        if value.__class__ is float and value.is_integer():
            number: int | None = int(value)
        else:
            number = _to_int(value)
        latest = today().year
        if number is None or not (min_year <= number <= latest):
            raise InvalidValue(
                MESSAGES["invalid_year"].format(value=show(value), min=min_year, max=latest)
            )
        return number

    return _annotate(parse_year, number_format="0")


parse_year = year()

# ----- dates
#
# The conversion itself is `core.dates.parse_date_vn`, shared with the web forms so a
# date typed in a form and in a sheet is read the same way (day first; "yyyy-mm-dd";
# Excel 1900-system serials with the fake 29/02/1900). Here we add what only imports
# need: a fast path for the date objects calamine returns, a trailing time of day
# ("1960-02-01 00:00:00" from CSV exports), and clearer messages.

_TIME_SUFFIX_RE = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_DATE_SHAPE_RE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2}")


def date(*, not_future: bool = False, min_year: int = MIN_YEAR) -> Parser:
    """A calendar date from a calamine date/datetime, an Excel serial number, or text
    "dd/mm/yyyy", "d/m/yyyy" (also with "-" or "."), "yyyy-mm-dd".

    Bare numbers are Excel serials in the 1900 date system (1904-system workbooks are
    converted by calamine for date-formatted cells; a bare number cannot be told
    apart). A whole number 1900..2100 is refused as a year typed into a date column:
    as a serial it would silently become a day in 1905.
    """
    earliest = dt.date(min_year, 1, 1)

    def parse_date(value: Any) -> dt.date:
        cls = value.__class__
        if cls is dt.date:
            result = value
        elif cls is dt.datetime:
            result = value.date()
        elif cls is str:
            stripped = value.strip()
            candidate = _TIME_SUFFIX_RE.sub("", stripped)
            try:
                result = parse_date_vn(candidate)
            except ValueError:
                if candidate.isdigit() and len(candidate) == 4:
                    key = "year_in_date"
                elif _DATE_SHAPE_RE.fullmatch(candidate):
                    key = "invalid_date"  # right shape, impossible day: 31/02/1960
                else:
                    key = "invalid_date_format"
                raise InvalidValue(MESSAGES[key].format(value=stripped)) from None
        elif cls is float or cls is int:
            if MIN_YEAR <= value <= 2100 and int(value) == value:
                raise InvalidValue(MESSAGES["year_in_date"].format(value=show(value)))
            try:
                result = parse_date_vn(value)
            except ValueError:
                raise InvalidValue(MESSAGES["invalid_date"].format(value=show(value))) from None
        else:
            raise InvalidValue(MESSAGES["invalid_date"].format(value=show(value)))
        if result < earliest:
            raise InvalidValue(MESSAGES["date_too_old"].format(value=show(value), min=min_year))
        if not_future and result > today():
            raise InvalidValue(MESSAGES["future_date"].format(value=show(value)))
        return result

    return _annotate(parse_date, number_format="DD/MM/YYYY")


parse_date = date()

# ----- choices


class _Ambiguous(tuple):
    """Marker for a folded key shared by several choices ("Mường" / "Mương")."""

    __slots__ = ()


def choice(options: Sequence[str], *, synonyms: Mapping[str, str] | None = None) -> Parser:
    """One of `options`, matched exactly, then ignoring case/spacing, then accents.

    Returns the canonical spelling. A folded spelling that fits two options is an
    error asking for the accents rather than a guess.
    """
    canonical = tuple(unicodedata.normalize("NFC", o) for o in options)
    exact: dict[str, str] = {}
    folded: dict[str, str | _Ambiguous] = {}
    for option in canonical:
        exact[option] = option
        exact[" ".join(option.casefold().split())] = option
    for option in canonical:
        key = fold(option)
        previous = folded.get(key)
        if previous is None or previous == option:
            folded[key] = option
        elif isinstance(previous, _Ambiguous):
            folded[key] = _Ambiguous((*previous, option))
        else:
            folded[key] = _Ambiguous((previous, option))
    for alias, target in (synonyms or {}).items():
        if target not in exact:
            raise ValueError(f"synonym target {target!r} is not an option")
        exact.setdefault(" ".join(alias.casefold().split()), exact[target])
        folded.setdefault(fold(alias), exact[target])
    listed = ", ".join(canonical)

    def parse_choice(value: Any) -> str:
        if value.__class__ is not str:
            value = show(value)
        found = exact.get(value)
        if found is not None:
            return found
        found = exact.get(" ".join(value.casefold().split()))
        if found is not None:
            return found
        match = folded.get(fold(value))
        if match is None:
            if len(canonical) <= 10 and len(listed) <= 200:
                message = MESSAGES["invalid_choice"].format(value=show(value), options=listed)
            else:
                message = MESSAGES["invalid_choice_long"].format(value=show(value))
            raise InvalidValue(message)
        if isinstance(match, _Ambiguous):
            raise InvalidValue(
                MESSAGES["ambiguous_choice"].format(
                    value=show(value), options=" hay ".join(f"'{m}'" for m in match)
                )
            )
        return match

    return _annotate(parse_choice, number_format="@", choices=canonical)


GENDERS = ("Nam", "Nữ", "Khác")
_gender_choice = choice(
    GENDERS, synonyms={"male": "Nam", "female": "Nữ", "other": "Khác", "phụ nữ": "Nữ"}
)


def parse_gender(value: Any) -> str:
    """Nam / Nữ / Khác, accent- and case-insensitive ("nu", "NỮ", "nữ" → "Nữ")."""
    try:
        return _gender_choice(value)
    except InvalidValue:
        raise InvalidValue(MESSAGES["invalid_gender"].format(value=show(value))) from None


_annotate(parse_gender, number_format="@", choices=GENDERS)

# ----- identifiers and money

_DIGIT_SEPARATORS = str.maketrans("", "", " .-\u00a0")


def _numeric_text(value: Any) -> tuple[str, bool]:
    """(text, was_number): the digits Excel shows for a number cell, or the stripped text."""
    cls = value.__class__
    if cls is int:
        return str(value), True
    if cls is float:
        return (str(int(value)), True) if value.is_integer() else (repr(value), True)
    if cls is str:
        return value.strip(), False
    return show(value), False


def digits(length: int, *, label: str, restore_zeros: int = 0) -> Parser:
    """A code of exactly `length` digits, kept as text (e.g. CCCD: 12 digits).

    Spaces, dots and dashes typed for readability are removed from text. When the cell
    holds a *number*, Excel has already dropped its leading zeros; up to
    `restore_zeros` of them are put back (a CCCD starts with a province code 001-096,
    so at most two can be lost).
    """

    def parse_digits(value: Any) -> str:
        if value.__class__ is str and len(value) == length and value.isdigit() and value.isascii():
            return value  # the common case: a text cell typed without separators
        raw, was_number = _numeric_text(value)
        if was_number:
            result = raw
            if result.isdigit() and length - restore_zeros <= len(result) < length:
                result = result.zfill(length)
        else:
            result = raw.translate(_DIGIT_SEPARATORS)
        if len(result) != length or not result.isascii() or not result.isdigit():
            raise InvalidValue(
                MESSAGES["digits_length"].format(label=label, length=length, value=raw)
            )
        return result

    return _annotate(parse_digits, number_format="@")


parse_cccd = digits(12, label="CCCD", restore_zeros=2)

_PHONE_SEPARATORS = str.maketrans("", "", " .-()\u00a0")
_MOBILE_RE = re.compile(r"0[1-9]\d{8}")


def parse_phone(value: Any) -> str:
    """Vietnamese mobile number → "0xxxxxxxxx" (10 digits); +84 / 84 / 0084 accepted."""
    if value.__class__ is str and len(value) == 10 and _MOBILE_RE.fullmatch(value):
        return value  # the common case: already "0xxxxxxxxx"
    raw, was_number = _numeric_text(value)
    number = raw if was_number else raw.translate(_PHONE_SEPARATORS)
    if number.startswith("+84"):
        number = "0" + number[3:]
    elif number.startswith("0084"):
        number = "0" + number[4:]
    elif number.startswith("84") and len(number) == 11:
        number = "0" + number[2:]
    elif was_number and len(number) == 9:
        number = "0" + number  # Excel dropped the leading zero of a number cell
    if not _MOBILE_RE.fullmatch(number):
        raise InvalidValue(MESSAGES["invalid_phone"].format(value=raw))
    return number


_annotate(parse_phone, number_format="@")

_MONEY_SUFFIX_RE = re.compile(r"\s*(?:vnđ|vnd|đồng|đ|₫|d)\.?$", re.IGNORECASE)
_MONEY_PLAIN_RE = re.compile(r"-?\d+")
_MONEY_DOTS_RE = re.compile(r"-?\d{1,3}(?:\.\d{3})+")
_MONEY_COMMAS_RE = re.compile(r"-?\d{1,3}(?:,\d{3})+")
# A one- or two-digit tail after the last separator is a fraction, never a thousands group.
_MONEY_FRACTION_RE = re.compile(r"(-?\d[\d.,]*)([.,])(\d{1,2})")


def _whole_amount(text: str, fraction_separator: str | None = None) -> int | None:
    """Integer from "1500000", "1.500.000" or "1,500,000"; the grouping separator
    must differ from `fraction_separator` when there is one."""
    if _MONEY_PLAIN_RE.fullmatch(text):
        return int(text)
    if fraction_separator != "." and _MONEY_DOTS_RE.fullmatch(text):
        return int(text.replace(".", ""))
    if fraction_separator != "," and _MONEY_COMMAS_RE.fullmatch(text):
        return int(text.replace(",", ""))
    return None


def money(*, allow_negative: bool = False) -> Parser:
    """Whole đồng. "1.500.000", "1,500,000", "1 500 000 đ" → 1500000.

    Vietnamese writes thousands with dots, so "1.500" is 1500. A fraction is refused
    ("1500,5", "1.5"), except an all-zero one as bank exports write it
    ("1.500.000,00", "1,500,000.00"), which is still a whole number of đồng.
    """

    def parse_money(value: Any) -> int:
        cls = value.__class__
        if cls is int:
            amount = value
        elif cls is float:
            if not value.is_integer():
                raise InvalidValue(MESSAGES["money_decimal"].format(value=show(value)))
            amount = int(value)
        elif cls is str:
            raw = value.strip()
            candidate = _MONEY_SUFFIX_RE.sub("", raw).replace(" ", "").replace("\u00a0", "")
            whole = _whole_amount(candidate)
            if whole is None:
                fraction = _MONEY_FRACTION_RE.fullmatch(candidate)
                if fraction is None:
                    raise InvalidValue(MESSAGES["invalid_money"].format(value=raw))
                integer_part, separator, digits_after = fraction.groups()
                whole = _whole_amount(integer_part, separator)
                if whole is None or digits_after.strip("0"):
                    raise InvalidValue(MESSAGES["money_decimal"].format(value=raw))
            amount = whole
        else:
            raise InvalidValue(MESSAGES["invalid_money"].format(value=show(value)))
        if amount < 0 and not allow_negative:
            raise InvalidValue(MESSAGES["negative_money"].format(value=show(value)))
        return amount

    return _annotate(parse_money, number_format="#,##0")


parse_money = money()

# -------------------------------------------------------------------------- columns


@dataclass(frozen=True, slots=True)
class Column:
    """One importable column.

    `choices` given without a `parse` makes the column a `choice(choices)` column; a
    parser made by `choice()` lends its options to `choices` for template drop-downs.
    """

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    parse: Parser = parse_text
    help: str = ""
    choices: Sequence[str] | None = None
    width: int | None = None

    def __post_init__(self) -> None:
        if self.choices is not None and self.parse is parse_text:
            object.__setattr__(self, "parse", choice(self.choices))
        if self.choices is None and getattr(self.parse, "choices", None):
            object.__setattr__(self, "choices", self.parse.choices)  # type: ignore[attr-defined]
        if isinstance(self.aliases, str):
            object.__setattr__(self, "aliases", (self.aliases,))

    @property
    def number_format(self) -> str | None:
        return getattr(self.parse, "number_format", None)


@dataclass(frozen=True, slots=True)
class CellError:
    """One problem, positioned like the user sees it in Excel."""

    sheet: str
    row: int | None
    column_header: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return MESSAGES["sheet_error"].format(sheet=self.sheet, message=self.message)
        if self.column_header is None:
            return MESSAGES["row_error"].format(
                sheet=self.sheet, row=self.row, message=self.message
            )
        return MESSAGES["cell_error"].format(
            sheet=self.sheet, row=self.row, column=self.column_header, message=self.message
        )


@dataclass(slots=True)
class HeaderMatch:
    """Result of `match_headers`: column key → index in the header row, and problems."""

    mapping: dict[str, int]
    errors: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _column_keys(columns: Sequence[Column]) -> tuple[dict[str, Column], dict[str, Column]]:
    strict: dict[str, Column] = {}
    loose: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            strict.setdefault(header_key(name), column)
            loose.setdefault(_header_key_loose(name), column)
    return strict, loose


def match_headers(
    header_row: Sequence[str],
    columns: Sequence[Column],
    *,
    ignore_unknown: bool = False,
    first_column: int = 0,
) -> HeaderMatch:
    """Map each column to its position, tolerating accents, case, spacing and aliases.

    Reports missing required columns, unknown headers (unless `ignore_unknown`: a typo
    in a header would otherwise silently drop that column's data) and columns given twice.
    """
    strict, loose = _column_keys(columns)
    positions: dict[str, list[int]] = {}
    result = HeaderMatch(mapping={})
    for index, cell in enumerate(header_row):
        label = " ".join(str(cell).split()) if cell is not None else ""
        if not label:
            continue
        column = strict.get(header_key(label)) or loose.get(_header_key_loose(label))
        if column is None:
            result.unknown.append(label)
            if not ignore_unknown:
                result.errors.append(
                    MESSAGES["unknown_column"].format(
                        header=label, letter=column_letter(first_column + index)
                    )
                )
            continue
        positions.setdefault(column.key, []).append(index)
    for column in columns:
        found = positions.get(column.key)
        if not found:
            if column.required:
                result.missing.append(column.header)
                result.errors.append(MESSAGES["missing_column"].format(header=column.header))
            continue
        if len(found) > 1:
            letters = ", ".join(column_letter(first_column + i) for i in found)
            result.errors.append(
                MESSAGES["duplicate_column"].format(header=column.header, letters=letters)
            )
        result.mapping[column.key] = found[0]
    return result


def header_detector(columns: Sequence[Column]) -> Callable[[Sequence[CellValue]], bool]:
    """Predicate for `read_table(is_header=…)`: a row naming at least two known columns
    (or the only one), so title rows above the real header are skipped."""
    strict, loose = _column_keys(columns)
    needed = min(2, len(columns))

    def is_header(cells: Sequence[CellValue]) -> bool:
        hits = 0
        for cell in cells:
            if cell.__class__ is str and cell.strip():
                if header_key(cell) in strict or _header_key_loose(cell) in loose:
                    hits += 1
                    if hits >= needed:
                        return True
        return False

    return is_header


# ----------------------------------------------------------------------- validation


@dataclass(slots=True)
class CleanRow:
    """A valid row: its Excel row number and clean values keyed by column key."""

    number: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


RowCheck = Callable[[dict[str, Any]], Iterable[tuple[str | None, str]] | None]


@dataclass(slots=True)
class ValidationResult:
    """Clean rows (only rows without any error) and every error found, in file order."""

    sheet: str
    rows: list[CleanRow]
    errors: list[CellError]
    row_count: int = 0
    header_row: int = 1
    mapping: dict[str, int] = field(default_factory=dict)
    skipped_example: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self) -> list[str]:
        return [str(error) for error in self.errors]

    def add_duplicate_errors(
        self, key_fn: Callable[[dict[str, Any]], Any], label: str
    ) -> list[CellError]:
        """Flag rows sharing `key_fn(values)`; later duplicates leave `rows`."""
        found = _duplicates(self.rows, key_fn, label, self.sheet)
        if found:
            bad = {error.row for error in found}
            self.rows = [row for row in self.rows if row.number not in bad]
            self.errors.extend(found)
            self.errors.sort(key=lambda e: e.row or 0)
        return found


def _is_empty(value: CellValue) -> bool:
    return value is None or (value.__class__ is str and (not value or value.isspace()))


def validate(
    table: Table,
    columns: Sequence[Column],
    *,
    row_check: RowCheck | None = None,
    example_row: Mapping[str, Any] | None = None,
    ignore_unknown: bool = False,
) -> ValidationResult:
    """Parse every cell of every row; collect every error.

    `row_check(values)` runs on rows whose cells all parsed, for cross-column rules;
    it yields (column key or None, message) pairs. `example_row` (the dict given to
    `write_template`) makes a row equal to the template's example be skipped, so a
    forgotten example line is not imported as a real person.
    """
    with pause_gc():
        return _validate(table, columns, row_check, example_row, ignore_unknown)


def _validate(
    table: Table,
    columns: Sequence[Column],
    row_check: RowCheck | None,
    example_row: Mapping[str, Any] | None,
    ignore_unknown: bool,
) -> ValidationResult:
    sheet = table.sheet
    errors: list[CellError] = []
    match = match_headers(
        table.header, columns, ignore_unknown=ignore_unknown, first_column=table.first_column
    )
    for message in match.errors:
        errors.append(CellError(sheet, table.header_row, None, message))

    by_key = {column.key: column for column in columns}
    plan = [
        (index, column.key, column.parse, column.required, column.header)
        for column in columns
        if (index := match.mapping.get(column.key)) is not None
    ]
    template = dict.fromkeys(by_key)
    header_width = len(table.header)
    unnamed = [i for i, label in enumerate(table.header) if not label]
    example = _clean_example(example_row, columns) if example_row else None

    rows: list[CleanRow] = []
    skipped_example = False
    unnamed_reported: set[int] = set()
    for number, cells in table.rows:
        values = template.copy()
        row_errors = 0
        width = len(cells)
        for index, key, parse, required, header in plan:
            value = cells[index] if index < width else None
            if value is None or (value.__class__ is str and (not value or value.isspace())):
                if required:
                    errors.append(CellError(sheet, number, header, MESSAGES["required"]))
                    row_errors += 1
                continue
            try:
                values[key] = parse(value)
            except InvalidValue as exc:
                errors.append(CellError(sheet, number, header, exc.message))
                row_errors += 1
        if unnamed or width > header_width:
            for index in (*unnamed, *range(header_width, width)):
                if index not in unnamed_reported and index < width and not _is_empty(cells[index]):
                    unnamed_reported.add(index)
                    errors.append(
                        CellError(
                            sheet,
                            table.header_row,
                            None,
                            MESSAGES["data_without_header"].format(
                                letter=table.column_letter(index), row=number
                            ),
                        )
                    )
        if row_errors:
            continue
        if example is not None and not skipped_example and values == example:
            skipped_example = True
            continue
        if row_check is not None:
            problems = list(row_check(values) or ())
            if problems:
                for key, message in problems:
                    column = by_key.get(key) if key else None
                    errors.append(
                        CellError(sheet, number, column.header if column else None, message)
                    )
                continue
        rows.append(CleanRow(number, values))
    return ValidationResult(
        sheet=sheet,
        rows=rows,
        errors=errors,
        row_count=len(table.rows),
        header_row=table.header_row,
        mapping=match.mapping,
        skipped_example=skipped_example,
    )


def _clean_example(
    example_row: Mapping[str, Any], columns: Sequence[Column]
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for column in columns:
        raw = example_row.get(column.key)
        if _is_empty(raw):
            values[column.key] = None
            continue
        try:
            values[column.key] = column.parse(raw)
        except InvalidValue:
            return None
    return values


def find_duplicates(
    rows: Sequence[CleanRow] | ValidationResult,
    key_fn: Callable[[dict[str, Any]], Any],
    label: str,
    *,
    sheet: str = "",
) -> list[CellError]:
    """Errors for rows whose `key_fn(values)` repeats an earlier row (None keys skipped).

    Each error sits on the later row and names the first one, e.g.
    "Trang 'Hội viên', dòng 25, cột CCCD: CCCD '001…' trùng với dòng 17".
    Given a `ValidationResult`, the errors are also added to it and the later
    duplicates leave its `rows` (see `ValidationResult.add_duplicate_errors`); given
    a list of rows, pass the `sheet` name for the messages.
    """
    if isinstance(rows, ValidationResult):
        return rows.add_duplicate_errors(key_fn, label)
    return _duplicates(rows, key_fn, label, sheet)


def _duplicates(
    rows: Sequence[CleanRow],
    key_fn: Callable[[dict[str, Any]], Any],
    label: str,
    sheet: str,
) -> list[CellError]:
    first_seen: dict[Any, int] = {}
    errors: list[CellError] = []
    for row in rows:
        key = key_fn(row.values)
        if key is None:
            continue
        earlier = first_seen.get(key)
        if earlier is None:
            first_seen[key] = row.number
            continue
        shown = ", ".join(show(k) for k in key) if isinstance(key, tuple) else show(key)
        errors.append(
            CellError(
                sheet,
                row.number,
                label,
                MESSAGES["duplicate_row"].format(label=label, value=shown, other=earlier),
            )
        )
    return errors


def read_and_validate(
    data: bytes,
    columns: Sequence[Column],
    *,
    filename: str,
    sheet: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    row_check: RowCheck | None = None,
    example_row: Mapping[str, Any] | None = None,
    ignore_unknown: bool = False,
) -> ValidationResult:
    """`read_table` (header found by the column names) then `validate`.

    Raises `reading.ImportFileError` when the file itself is refused.
    """
    table = read_table(
        data,
        filename=filename,
        sheet=sheet,
        max_rows=max_rows,
        is_header=header_detector(columns),
    )
    return validate(
        table,
        columns,
        row_check=row_check,
        example_row=example_row,
        ignore_unknown=ignore_unknown,
    )
