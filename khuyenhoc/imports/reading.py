"""Read an uploaded spreadsheet (xlsx/xlsm/xlsb, xls, ods or csv) into a plain `Table`.

This is the first half of the single Excel import pipeline: bytes in, header + rows
out, with every refusal explained in Vietnamese through `ImportFileError`. It never
touches the database; `khuyenhoc.imports.columns` does the per-column parsing.

Decisions worth knowing:

* The format is decided from the bytes (zip / OLE2 magic), never from the file name:
  users rename files, and many Vietnamese government systems export HTML as ".xls".
* Excel formats go through python-calamine (Rust, fast). Before calamine sees a file we
  check the container ourselves, because calamine either cannot tell us (an encrypted
  OOXML is an OLE2 file, not a zip) or silently turns the problem into an empty cell
  (formulas without a cached value, Excel error values such as ``#N/A``).
* Formulas: calamine returns the value Excel cached when it last saved the file. A
  formula cell *without* a cached value (files produced by scripts and never opened
  in Excel) would read as empty, so for xlsx/xlsm we scan the sheet XML and refuse the
  file naming those cells; a formula whose cached result is empty text (t="str") is
  fine. Excel error values (``t="e"``, e.g. #N/A, which calamine also turns into "")
  are refused the same way. Legacy .xls is not scanned (that would mean parsing BIFF
  records): Excel always stores a cached result there, and a formula without one
  reads as an empty cell.
* Merged cells from the header row down are refused naming the range (a merge leaves
  all but its top-left cell empty, which would silently lose data). Merges above the
  header (titles such as "DANH SÁCH HỘI VIÊN") are fine. calamine only reports merges
  for xlsx and xls; for xlsb/ods they cannot be detected.
* Password-protected workbooks: an encrypted xlsx is an OLE2 compound file holding an
  "EncryptionInfo" stream; `ole2_stream_names` reads the OLE2 directory to tell it
  from a real .xls ("Workbook" stream) or a Word file. calamine reports an encrypted
  BIFF .xls with PasswordError, mapped to the same message (untested: no tool at hand
  writes one).
* The header is `header_row=` if given, else the first of the first 30 rows accepted
  by `is_header` (`columns.header_detector` recognises known column names), else the
  first row with two filled cells, so title rows above it are skipped.
* Text is normalised to Unicode NFC: Vietnamese typed on macOS arrives decomposed and
  cp1258 decodes to base letters + combining tone marks. CSV: UTF-8 with or without
  BOM, UTF-16 with BOM (Excel "Unicode Text"), else Windows-1258; delimiter , ; or tab.
* A leading apostrophe in front of = + - @ is removed: `templates_xlsx` adds it on
  export to defuse formula injection, so exports come back exactly (see `unguard_text`).
* Fully blank rows are skipped (they keep the Excel numbering of the other rows) and
  do not count towards `max_rows`.
* Size: rows are counted while they stream (calamine's iter_rows, csv.reader over a
  decoding stream) and the file is refused as soon as the count passes `max_rows`, so
  no Python objects are built beyond the limit and a huge CSV is not even decoded to
  the end. calamine itself parses a whole sheet into (compact, Rust) memory before the
  first row comes out; `MAX_UNCOMPRESSED_BYTES` bounds what it can be asked to parse.
* The cyclic garbage collector is paused while rows are built (`pause_gc`): they hold
  no cycles, and its repeated scans of millions of new objects cost ~30% of the time.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gc
import io
import itertools
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree import ElementTree

import python_calamine as pc

# The cell types calamine hands back; CSV cells are always str. Readers never yield
# None (empty cells are ""), but Tables built by hand may hold it.
CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

DEFAULT_MAX_ROWS = 200_000
# Upper bound of decompressed bytes we accept from a zip-based workbook: protects the
# server against zip bombs. 1 GB is ~10x what a 200,000 x 20 sheet needs.
MAX_UNCOMPRESSED_BYTES = 1_000_000_000
# How far down we look for the header row before giving up.
HEADER_SEARCH_ROWS = 30
# Cells listed in one refusal message before we summarise the rest.
MAX_LISTED_CELLS = 20

# All user-facing messages live here so they can move into gettext later.
MESSAGES: dict[str, str] = {
    "empty_file": "Tệp '{filename}' rỗng.",
    "not_spreadsheet": "Tệp '{filename}' không phải bảng tính Excel hoặc CSV.",
    "html_disguised": (
        "Tệp '{filename}' thực chất là trang web (HTML/XML) được đặt đuôi bảng tính. "
        "Hãy mở tệp bằng Excel rồi chọn Lưu thành (Save As) định dạng .xlsx."
    ),
    "encrypted": (
        "Tệp '{filename}' được đặt mật khẩu. Hãy mở bằng Excel, gỡ mật khẩu "
        "(Tệp → Thông tin → Bảo vệ sổ làm việc) rồi tải lên lại."
    ),
    "corrupt": "Tệp '{filename}' bị hỏng hoặc không đọc được ({detail}).",
    "too_big_unzipped": "Tệp '{filename}' quá lớn sau khi giải nén, không thể xử lý.",
    "no_sheets": "Tệp '{filename}' không có trang tính nào.",
    "sheet_not_found": "Không tìm thấy trang '{sheet}' trong tệp '{filename}'. Các trang có: {names}.",
    "empty_sheet": "Trang '{sheet}' không có dữ liệu.",
    "no_header": (
        "Trang '{sheet}' không có dòng tiêu đề (cần một dòng ghi tên các cột "
        "trong {limit} dòng đầu)."
    ),
    "too_many_rows": (
        "Tệp có hơn {limit} dòng, vượt giới hạn {limit} dòng cho một lần nhập. "
        "Hãy chia thành nhiều tệp nhỏ hơn."
    ),
    "merged_cells": (
        "Trang '{sheet}' có ô gộp trong vùng dữ liệu: {ranges}. "
        "Hãy bỏ gộp ô (Merge & Center → Unmerge Cells) và điền đủ giá trị cho từng dòng."
    ),
    "formula_no_value": (
        "Trang '{sheet}' có ô chứa công thức chưa được tính giá trị: {cells}. "
        "Hãy mở tệp bằng Excel, để Excel tính lại rồi lưu và tải lên lại."
    ),
    "excel_error_value": (
        "Trang '{sheet}' có ô chứa lỗi Excel: {cells}. Hãy sửa các ô này rồi tải lên lại."
    ),
    "more_cells": "và {count} ô khác",
    "bad_container": "cấu trúc tệp bị hỏng, có thể tải lên chưa hết",
    "csv_encoding": (
        "Không đọc được bảng mã của tệp '{filename}'. Hãy lưu tệp CSV với bảng mã UTF-8."
    ),
}


class ImportFileError(Exception):
    """The whole file is refused; `str()` is a Vietnamese message for the user.

    `code` is the key of the message in `MESSAGES` ("encrypted", "too_many_rows", …)
    for callers and tests that need to branch on the reason.
    """

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(slots=True)
class Table:
    """One sheet: its header and its non-blank data rows.

    `rows` holds (Excel row number, cell values); the numbers are 1-based and are the
    numbers the user sees in Excel (for CSV: the record number, header included).
    Cell values are aligned with `header` (CSV rows are padded with "").
    """

    sheet: str
    header: list[str]
    rows: list[tuple[int, list[CellValue]]]
    header_row: int = 1
    format: str = "xlsx"
    sheet_names: list[str] = field(default_factory=list)
    # 0-based index of the first column of `header` in the sheet (calamine trims
    # leading empty columns); used to name cells as A1 references.
    first_column: int = 0

    def column_letter(self, index: int) -> str:
        """Excel column letter of `header[index]`."""
        return column_letter(self.first_column + index)


# ---------------------------------------------------------------------------- helpers


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → "B5"."""
    return f"{column_letter(col)}{row + 1}"


def _format_limit(n: int) -> str:
    # Vietnamese groups thousands with a dot: 200.000
    return f"{n:,}".replace(",", ".")


def _refuse(code: str, **values: object) -> ImportFileError:
    """The refusal for MESSAGES[code], formatted with `values`."""
    return ImportFileError(MESSAGES[code].format(**values), code=code)


def _list_cells(cells: Sequence[str]) -> str:
    shown = ", ".join(cells[:MAX_LISTED_CELLS])
    if len(cells) > MAX_LISTED_CELLS:
        shown += " " + MESSAGES["more_cells"].format(count=len(cells) - MAX_LISTED_CELLS)
    return shown


_GUARD_RE = re.compile(r"'+[=+\-@]")


def unguard_text(value: str) -> str:
    """Undo the formula-injection guard added by `templates_xlsx.guard_text`.

    The writer prefixes one apostrophe to any text matching ``'*[=+-@]…``; so on the way
    back we remove exactly one apostrophe from text matching ``'+[=+-@]…``. A value
    such as "'abc" is left alone, so every string round-trips unchanged.
    """
    if value[:1] == "'" and _GUARD_RE.match(value):
        return value[1:]
    return value


_nfc = unicodedata.normalize
_is_nfc = unicodedata.is_normalized


def _normalise_row(row: list[CellValue]) -> bool:
    """Normalise the strings of `row` in place; return True if any cell has content.

    This runs for every row of the file, so the common case (ASCII or already-NFC
    text, no apostrophe) is decided for the whole row with a few C-level calls on the
    joined text; only rows that need work are walked cell by cell. Readers never
    produce None, so every non-str cell (number, date, bool) counts as content.
    """
    strings = [v for v in row if v.__class__ is str]
    joined = "\x1f".join(strings)
    if "'" in joined or not (joined.isascii() or _is_nfc("NFC", joined)):
        for i, value in enumerate(row):
            if value.__class__ is str and value:
                if not value.isascii():
                    value = _nfc("NFC", value)
                if value[0] == "'" and _GUARD_RE.match(value):
                    value = value[1:]
                row[i] = value
        joined = "\x1f".join(v for v in row if v.__class__ is str)
    # "\x1f" counts as whitespace for str.isspace(), so a row of "" and "  " is blank.
    return len(strings) != len(row) or bool(joined) and not joined.isspace()


def _filled_at_least(cells: Sequence[CellValue], needed: int) -> bool:
    filled = 0
    for value in cells:
        if value.__class__ is str:
            if value.strip():
                filled += 1
        elif value is not None:
            filled += 1
        if filled >= needed:
            return True
    return False


def _default_is_header(cells: Sequence[CellValue]) -> bool:
    """Two filled cells, or one if the sheet is a single column wide (calamine rows
    always span the sheet's full width)."""
    return _filled_at_least(cells, min(2, len(cells)))


def _csv_is_header(cells: Sequence[CellValue]) -> bool:
    """Two filled fields: CSV rows vary in length, so a one-field title line is not it."""
    return _filled_at_least(cells, 2)


@contextlib.contextmanager
def pause_gc() -> Iterator[None]:
    """Suspend the cyclic garbage collector during a bulk load.

    Reading 100,000 rows allocates millions of small lists/dicts, none of them in
    reference cycles; the collector's repeated generation scans cost ~30% of the import
    time. It is restored (if it was on) as soon as the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ------------------------------------------------------------------- format sniffing

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# Binary formats people upload by mistake; recognised so they are never read as CSV.
_BINARY_MAGICS = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
    b"{\\rtf",
    b"MZ",
)
_MARKUP_RE = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|table|head|body|meta|"
    rb"workbook|\?mso-application)",
    re.IGNORECASE | re.DOTALL,
)


def sniff_format(data: bytes) -> str:
    """Return "zip", "ole2", "markup", "binary" or "text" from the leading bytes."""
    head = data[:8]
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head == OLE2_MAGIC:
        return "ole2"
    if head.startswith(_BINARY_MAGICS):
        return "binary"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary"
    probe = sample.lstrip(codecs.BOM_UTF8)
    if _MARKUP_RE.match(probe[:2048]):
        return "markup"
    return "text"


# ----------------------------------------------------------------------------- OLE2

_ENDOFCHAIN = 0xFFFFFFFE
_MAX_SECTOR = 0xFFFFFFFA


def ole2_stream_names(data: bytes) -> list[str]:
    """Names of the streams/storages in an OLE2 compound file (a minimal reader).

    Only the directory is read: enough to tell a legacy .xls ("Workbook"/"Book") from
    a password-protected OOXML ("EncryptionInfo" + "EncryptedPackage") or a Word file.
    Raises ValueError when the structure is inconsistent.
    """
    if len(data) < 512 or data[:8] != OLE2_MAGIC:
        raise ValueError("not an OLE2 file")
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise ValueError("bad sector size")
    sector_size = 1 << sector_shift
    num_fat = struct.unpack_from("<I", data, 0x2C)[0]
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    first_difat = struct.unpack_from("<I", data, 0x44)[0]
    # Sectors after the header (which fills sector "-1"); the last may be truncated.
    n_sectors = (len(data) - 1) // sector_size

    def sector(n: int) -> bytes:
        if n > _MAX_SECTOR or n >= n_sectors:
            raise ValueError("sector out of range")
        start = (n + 1) * sector_size
        chunk = data[start : start + sector_size]
        if len(chunk) < sector_size:
            chunk = chunk.ljust(sector_size, b"\xff")  # tolerate truncated last sector
        return chunk

    # FAT sector numbers: 109 in the header, the rest in the DIFAT chain.
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s <= _MAX_SECTOR]
    per_sector = sector_size // 4
    difat = first_difat
    seen: set[int] = set()
    while difat <= _MAX_SECTOR and len(fat_sectors) < num_fat:
        if difat in seen:
            raise ValueError("DIFAT loop")
        seen.add(difat)
        entries = struct.unpack(f"<{per_sector}I", sector(difat))
        fat_sectors.extend(s for s in entries[:-1] if s <= _MAX_SECTOR)
        difat = entries[-1]
    fat: list[int] = []
    for s in fat_sectors[:num_fat] if num_fat else fat_sectors:
        fat.extend(struct.unpack(f"<{per_sector}I", sector(s)))

    names: list[str] = []
    current = first_dir
    seen = set()
    while current <= _MAX_SECTOR:
        if current in seen or len(seen) > 100_000:
            raise ValueError("directory loop")
        seen.add(current)
        block = sector(current)
        for off in range(0, sector_size, 128):
            entry_type = block[off + 0x42]
            name_len = struct.unpack_from("<H", block, off + 0x40)[0]
            if entry_type in (1, 2, 5) and 2 <= name_len <= 64:
                names.append(block[off : off + name_len - 2].decode("utf-16-le", "replace"))
        if current >= len(fat):
            raise ValueError("FAT too short")
        current = fat[current]
    if not names:
        raise ValueError("empty directory")
    return names


def is_encrypted_ooxml(data: bytes) -> bool:
    """True for a password-protected xlsx/docx: an OLE2 file with an EncryptionInfo stream.

    Office wraps an encrypted OOXML package in an OLE2 compound file holding the streams
    "EncryptionInfo" and "EncryptedPackage" (MS-OFFCRYPTO 2.3.4). If the directory is
    unreadable we fall back to looking for the UTF-16 stream name in the raw bytes.
    """
    if data[:8] != OLE2_MAGIC:
        return False
    try:
        return "EncryptionInfo" in ole2_stream_names(data)
    except ValueError:
        return "EncryptionInfo".encode("utf-16-le") in data


# ------------------------------------------------------------------------ entrypoint


def read_table(
    data: bytes,
    *,
    filename: str,
    sheet: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    header_row: int | None = None,
    is_header: Callable[[Sequence[CellValue]], bool] | None = None,
) -> Table:
    """Read one sheet of an uploaded file.

    `sheet`: sheet name (matched exactly, then ignoring case/accents); default the first
    visible worksheet. `header_row`: 1-based Excel row of the header; default the first
    row accepted by `is_header` (default: a row with at least two filled cells) within
    the first 30 rows. Raises `ImportFileError` with a Vietnamese message on refusal.
    """
    # (strip() copies; only look at the whole file when its start is blank)
    if not data or (not data[:4096].strip() and not data.strip()):
        raise _refuse("empty_file", filename=filename)
    with pause_gc():
        return _read_table(data, filename, sheet, max_rows, header_row, is_header)


def _read_table(
    data: bytes,
    filename: str,
    sheet: str | None,
    max_rows: int,
    header_row: int | None,
    is_header: Callable[[Sequence[CellValue]], bool] | None,
) -> Table:
    kind = sniff_format(data)
    if kind == "zip":
        return _read_zip(data, filename, sheet, max_rows, header_row, is_header)
    if kind == "ole2":
        return _read_ole2(data, filename, sheet, max_rows, header_row, is_header)
    if kind == "markup":
        raise _refuse("html_disguised", filename=filename)
    if kind == "binary":
        raise _refuse("not_spreadsheet", filename=filename)
    return _read_csv(data, filename, max_rows, header_row, is_header)


# ---------------------------------------------------------------------- Excel (zip)

_DOCTYPE = b"<!DOCTYPE"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _read_zip(
    data: bytes,
    filename: str,
    sheet: str | None,
    max_rows: int,
    header_row: int | None,
    is_header: Callable[[Sequence[CellValue]], bool] | None,
) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        # It starts like a zip but is not one: most often a truncated upload.
        raise _refuse("corrupt", filename=filename, detail=MESSAGES["bad_container"]) from exc
    names = {info.filename for info in infos}
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise _refuse("too_big_unzipped", filename=filename)
    if "xl/workbook.xml" in names:
        fmt = "xlsx"
    elif "xl/workbook.bin" in names:
        fmt = "xlsb"
    elif "mimetype" in names and archive.read("mimetype").strip() == (
        b"application/vnd.oasis.opendocument.spreadsheet"
    ):
        fmt = "ods"
    else:
        # docx, a zip of photos, ... renamed to .xlsx
        raise _refuse("not_spreadsheet", filename=filename)
    table, calamine_sheet_index = _read_with_calamine(
        data, filename, fmt, sheet, max_rows, header_row, is_header
    )
    if fmt == "xlsx":
        _check_xlsx_cells(archive, calamine_sheet_index, table)
    return table


def _sheet_xml_path(archive: zipfile.ZipFile, sheet_index: int) -> str | None:
    """Path inside the zip of the n-th sheet listed in xl/workbook.xml."""
    workbook_xml = archive.read("xl/workbook.xml")
    rels_xml = archive.read("xl/_rels/workbook.xml.rels")
    if _DOCTYPE in workbook_xml or _DOCTYPE in rels_xml:
        # OOXML never uses DTDs; refusing them rules out entity-expansion tricks.
        return None
    # Both documents are small and DTD-free (checked above); expat ≥ 2.4 also caps
    # entity amplification, so the stdlib parser is safe here.
    wb_root = ElementTree.fromstring(workbook_xml)  # noqa: S314
    rels_root = ElementTree.fromstring(rels_xml)  # noqa: S314
    sheets = [el for el in wb_root.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"]
    if sheet_index >= len(sheets):
        return None
    rel_id = sheets[sheet_index].get(f"{{{_REL_NS}}}id")
    for rel in rels_root:
        if rel.get("Id") == rel_id:
            target = rel.get("Target") or ""
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePath("xl") / target).replace("\\", "/")
    return None


_CELL_ATTR_T = re.compile(rb'\bt="([^"]*)"')
_CELL_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')


def _check_xlsx_cells(archive: zipfile.ZipFile, sheet_index: int, table: Table) -> None:
    """Refuse formulas without a cached value and Excel error values (calamine shows "").

    The happy path streams the sheet XML once in 1 MB chunks and only runs bytes.find;
    cells are parsed with a regex, in a second pass, only when the sheet holds a formula
    or an error cell at all. Only cells from the header row down are reported.
    """
    try:
        path = _sheet_xml_path(archive, sheet_index)
    except (KeyError, ElementTree.ParseError):
        return
    if not path or path not in archive.NameToInfo:
        return
    with archive.open(path) as fh:
        head = fh.read(4096)
        match = re.search(rb"<(\w+:)?worksheet\b", head)
        prefix = (match.group(1) or b"") if match else b""
        needles = (b"<" + prefix + b"f>", b"<" + prefix + b"f ", b't="e"')
        suspicious = False
        tail = b""
        chunk = head
        while chunk:
            seam = tail + chunk[:8]  # a tag split across two chunks
            if any(needle in chunk or needle in seam for needle in needles):
                suspicious = True
                break
            tail = chunk[-8:]
            chunk = fh.read(1 << 20)
    if not suspicious:
        return
    no_value: list[str] = []
    errors: list[str] = []
    p = re.escape(prefix)
    cell_re = re.compile(rb"<" + p + rb"c ([^>]*?)(/>|>(.*?)</" + p + rb"c>)", re.DOTALL)
    value_re = re.compile(rb"<" + p + rb"v>([^<]*)</" + p + rb"v>")
    cell_open = b"<" + prefix + b"c "
    with archive.open(path) as fh:
        buffer = b""
        while True:
            chunk = fh.read(1 << 20)
            if chunk:
                buffer += chunk
                # Only complete cells are examined; the tail from the last "<c " waits
                # for the next chunk.
                cut = buffer.rfind(cell_open)
                if cut <= 0:
                    continue
                body, buffer = buffer[:cut], buffer[cut:]
            else:
                body, buffer = buffer, b""
            if any(needle in body for needle in needles):
                _scan_cells(body, cell_re, value_re, prefix, table.header_row, no_value, errors)
            if not chunk:
                break
    problems = []
    if no_value:
        problems.append(
            MESSAGES["formula_no_value"].format(sheet=table.sheet, cells=_list_cells(no_value))
        )
    if errors:
        problems.append(
            MESSAGES["excel_error_value"].format(sheet=table.sheet, cells=_list_cells(errors))
        )
    if problems:
        code = "formula_no_value" if no_value else "excel_error_value"
        raise ImportFileError(" ".join(problems), code=code)


def _scan_cells(
    body: bytes,
    cell_re: re.Pattern[bytes],
    value_re: re.Pattern[bytes],
    prefix: bytes,
    header_row: int,
    no_value: list[str],
    errors: list[str],
) -> None:
    f_open = b"<" + prefix + b"f"
    for m in cell_re.finditer(body):
        attrs, inner = m.group(1), m.group(3) or b""
        ref = _CELL_ATTR_R.search(attrs)
        if ref is None or int(ref.group(2)) < header_row:
            continue
        t_match = _CELL_ATTR_T.search(attrs)
        cell_type = t_match.group(1) if t_match else b"n"
        value = value_re.search(inner)
        if cell_type == b"e":
            shown = value.group(1).decode("utf-8", "replace") if value else "#?"
            errors.append(f"{ref.group(1).decode()}{ref.group(2).decode()} ({shown})")
        elif (
            inner.startswith(f_open)
            and (
                value is None
                or (not value.group(1) and cell_type not in (b"str", b"s", b"inlineStr"))
            )
            and b"<" + prefix + b"is>" not in inner
        ):
            no_value.append(f"{ref.group(1).decode()}{ref.group(2).decode()}")


# ---------------------------------------------------------------------- Excel (OLE2)


def _read_ole2(
    data: bytes,
    filename: str,
    sheet: str | None,
    max_rows: int,
    header_row: int | None,
    is_header: Callable[[Sequence[CellValue]], bool] | None,
) -> Table:
    try:
        streams = ole2_stream_names(data)
    except ValueError:
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise _refuse("encrypted", filename=filename) from None
        raise _refuse("corrupt", filename=filename, detail=MESSAGES["bad_container"]) from None
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        raise _refuse("encrypted", filename=filename)
    if "Workbook" not in streams and "Book" not in streams:
        # A .doc, .msg or .ppt renamed to .xls
        raise _refuse("not_spreadsheet", filename=filename)
    table, _ = _read_with_calamine(data, filename, "xls", sheet, max_rows, header_row, is_header)
    return table


# --------------------------------------------------------------------- calamine core


def _fold(text: str) -> str:
    """Accent/case-insensitive key used to find a sheet by name."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def _read_with_calamine(
    data: bytes,
    filename: str,
    fmt: str,
    sheet: str | None,
    max_rows: int,
    header_row: int | None,
    is_header: Callable[[Sequence[CellValue]], bool] | None,
) -> tuple[Table, int]:
    try:
        return _calamine_table(data, filename, fmt, sheet, max_rows, header_row, is_header)
    except ImportFileError:
        raise
    except pc.PasswordError as exc:  # an encrypted BIFF .xls (FILEPASS record)
        raise _refuse("encrypted", filename=filename) from exc
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine errors, and Rust panics (pyo3 PanicException is a BaseException)
        raise _refuse("corrupt", filename=filename, detail=type(exc).__name__) from exc


def _calamine_table(
    data: bytes,
    filename: str,
    fmt: str,
    sheet: str | None,
    max_rows: int,
    header_row: int | None,
    is_header: Callable[[Sequence[CellValue]], bool] | None,
) -> tuple[Table, int]:
    with pc.CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        metas = workbook.sheets_metadata
        names = [meta.name for meta in metas]
        if not names:
            raise _refuse("no_sheets", filename=filename)
        index = _choose_sheet(metas, sheet, filename)
        calamine_sheet = workbook.get_sheet_by_index(index)
        sheet_name = names[index]
        start = calamine_sheet.start
        if start is None:
            raise _refuse("empty_sheet", sheet=sheet_name)
        # iter_rows() first yields `start[0]` padding rows, then the data range; so the
        # i-th yielded row is Excel row i + 1, and cell j is column start[1] + j.
        table = _rows_to_table(
            enumerate(calamine_sheet.iter_rows(), start=1),
            sheet=sheet_name,
            fmt=fmt,
            max_rows=max_rows,
            header_row=header_row,
            is_header=is_header,
            sheet_names=names,
            first_column=start[1],
        )
        merged = calamine_sheet.merged_cell_ranges or []
    bad = [
        (a, b)
        for a, b in merged
        if b[0] + 1 >= table.header_row  # the merge reaches the header or data rows
    ]
    if bad:
        ranges = [
            cell_ref(*a) if a == b else f"{cell_ref(*a)}:{cell_ref(*b)}" for a, b in sorted(bad)
        ]
        raise _refuse("merged_cells", sheet=table.sheet, ranges=_list_cells(ranges))
    return table, index


def _choose_sheet(metas: Sequence[pc.SheetMetadata], wanted: str | None, filename: str) -> int:
    names = [meta.name for meta in metas]
    if wanted is None:
        for i, meta in enumerate(metas):
            if (
                meta.visible == pc.SheetVisibleEnum.Visible
                and meta.typ == pc.SheetTypeEnum.WorkSheet
            ):
                return i
        return 0
    if wanted in names:
        return names.index(wanted)
    folded = _fold(wanted)
    for i, name in enumerate(names):
        if _fold(name) == folded:
            return i
    raise _refuse(
        "sheet_not_found", sheet=wanted, filename=filename, names=", ".join(f"'{n}'" for n in names)
    )


def _rows_to_table(
    numbered_rows: Iterator[tuple[int, list[CellValue]]],
    *,
    sheet: str,
    fmt: str,
    max_rows: int,
    header_row: int | None,
    is_header: Callable[[Sequence[CellValue]], bool] | None,
    sheet_names: list[str],
    first_column: int = 0,
    pad: bool = False,
    default_is_header: Callable[[Sequence[CellValue]], bool] = _default_is_header,
) -> Table:
    """Find the header, then collect non-blank rows while counting against `max_rows`.

    The header is `header_row` if given; else the first of the first 30 rows accepted
    by `is_header`; if that predicate accepts none, the first row accepted by
    `default_is_header` (two filled cells), so a sheet with misspelt headers still
    gets a header and the caller can report exactly which columns are wrong.
    """
    header_at: tuple[int, list[CellValue]] | None = None
    # Non-blank rows already normalised while looking for the header (replayed as
    # data if the header turns out to be above them); never normalised twice, since
    # removing the formula guard is not idempotent.
    examined: list[tuple[int, list[CellValue]]] = []
    pending: list[tuple[int, list[CellValue]]] = []
    for number, row in numbered_rows:
        if header_row is not None:
            if number < header_row:
                continue
            if number > header_row:
                pending.append((number, row))
                break
        elif number > HEADER_SEARCH_ROWS:
            pending.append((number, row))
            break
        if not _normalise_row(row):
            continue
        if header_row is not None or (is_header or default_is_header)(row):
            header_at = (number, row)
            break
        examined.append((number, row))
    replay: list[tuple[int, list[CellValue]]] = []
    if header_at is None and header_row is None and is_header is not None:
        for i, (number, row) in enumerate(examined):
            if default_is_header(row):
                header_at = (number, row)
                replay = examined[i + 1 :]
                break
    if header_at is None:
        raise _refuse("no_header", sheet=sheet, limit=header_row or HEADER_SEARCH_ROWS)
    found_row = header_at[0]
    header = [_header_text(v) for v in header_at[1]]
    # Trailing blank header cells carry no column (CSV and calamine both pad rows).
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows: list[tuple[int, list[CellValue]]] = []
    append = rows.append
    normalise = _normalise_row
    count = 0
    too_many = _refuse("too_many_rows", limit=_format_limit(max_rows))
    for number, row in replay:
        count += 1
        if count > max_rows:
            raise too_many
        if pad and len(row) < width:
            row.extend([""] * (width - len(row)))
        append((number, row))
    for number, row in itertools.chain(pending, numbered_rows):
        if not normalise(row):
            continue
        count += 1
        if count > max_rows:
            raise too_many
        if pad and len(row) < width:
            row.extend([""] * (width - len(row)))
        append((number, row))
    return Table(
        sheet=sheet,
        header=header,
        rows=rows,
        header_row=found_row,
        format=fmt,
        sheet_names=sheet_names,
        first_column=first_column,
    )


def _header_text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# ------------------------------------------------------------------------------ CSV

_CSV_DELIMITERS = (",", ";", "\t")
CSV_SNIFF_LINES = 10


def _csv_encodings(data: bytes) -> tuple[str, ...]:
    """Encodings to try, in order: a UTF-16 BOM decides alone (Excel's "Unicode Text");
    otherwise UTF-8 (with or without BOM: "utf-8-sig" drops it), then Windows-1258,
    the legacy Vietnamese code page."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    return ("utf-8-sig", "cp1258")


def sniff_delimiter(sample: str) -> str | None:
    """The delimiter among , ; and tab occurring most (outside quotes) in `sample`,
    the first lines of the file; None when there is none (a one-column file).
    Ties go to the comma."""
    counts = dict.fromkeys(_CSV_DELIMITERS, 0)
    in_quotes = False
    for ch in sample:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in counts:
            counts[ch] += 1
    best = max(_CSV_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else None


def _read_csv(
    data: bytes,
    filename: str,
    max_rows: int,
    header_row: int | None,
    is_header: Callable[[Sequence[CellValue]], bool] | None,
) -> Table:
    # Each encoding is tried by streaming the file through csv.reader; a decoding error
    # (met wherever it occurs) restarts with the next encoding. Rows are counted as
    # they stream, so an oversized file is refused before it is decoded further.
    for encoding in _csv_encodings(data):
        try:
            return _read_csv_as(data, filename, encoding, max_rows, header_row, is_header)
        except UnicodeDecodeError:
            continue
    raise _refuse("csv_encoding", filename=filename)


def _read_csv_as(
    data: bytes,
    filename: str,
    encoding: str,
    max_rows: int,
    header_row: int | None,
    is_header: Callable[[Sequence[CellValue]], bool] | None,
) -> Table:
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="strict", newline="")
    # The delimiter is sniffed on the first non-empty lines (a title line above the
    # header has none), then the stream restarts.
    sample: list[str] = []
    for line in stream:
        if line.strip():
            sample.append(line)
            if len(sample) == CSV_SNIFF_LINES:
                break
    if not sample:
        raise _refuse("empty_file", filename=filename)
    stream.seek(0)
    delimiter = sniff_delimiter("".join(sample))
    reader = csv.reader(stream, delimiter=delimiter or ",")
    stem = PurePath(filename).stem or filename
    try:
        return _rows_to_table(
            enumerate(reader, start=1),  # type: ignore[arg-type]
            sheet=stem,
            fmt="csv",
            max_rows=max_rows,
            header_row=header_row,
            is_header=is_header,
            sheet_names=[stem],
            pad=True,
            # A one-column CSV is legitimate: there any non-blank row can be the header.
            default_is_header=_csv_is_header if delimiter else _any_content,
        )
    except csv.Error as exc:  # runaway quote, NUL byte, field over csv.field_size_limit
        raise _refuse("corrupt", filename=filename, detail=str(exc)) from exc


def _any_content(cells: Sequence[CellValue]) -> bool:
    return any(isinstance(v, str) and v.strip() for v in cells)
