"""Builders for import test files, generated in memory (no binary fixtures in git).

xlsx through openpyxl, legacy .xls through xlwt, CSV as plain bytes, and a minimal
OLE2 compound file for the "password-protected workbook" case.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
import xlwt

FREE = 0xFFFFFFFF
END_OF_CHAIN = 0xFFFFFFFE
FAT_SECTOR = 0xFFFFFFFD


def xlsx_bytes(
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Hội viên",
    merges: Sequence[str] = (),
    extra_sheets: Sequence[str] = (),
    start_row: int = 1,
) -> bytes:
    """An xlsx whose first sheet holds `rows` from `start_row` (1-based) in column A."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row, start=1):
            if value is not None:
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "f"
    for ref in merges:
        ws.merge_cells(ref)
    for name in extra_sheets:
        wb.create_sheet(name)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: Iterable[Sequence[Any]], *, title: str = "Hội viên", merges=()) -> bytes:
    """A legacy BIFF8 .xls written by xlwt (dates get a dd/mm/yyyy format)."""
    import datetime as dt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(title)
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    for r1, r2, c1, c2, value in merges:
        ws.write_merge(r1, r2, c1, c2, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(lines: Sequence[str], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = "\r\n".join(delimiter.join(line.split("|")) for line in lines) + "\r\n"
    if encoding == "cp1258":
        return cp1258_bytes(text)
    return text.encode(encoding)


def cp1258_bytes(text: str) -> bytes:
    """Encode like Windows-1258 software does: base vowels with ^ ˘ ơ ư precomposed,
    tone marks as combining characters (cp1258 has no precomposed "ễ")."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        # Compose the base with its shape mark (^ ˘ horn), keep the tone mark combining.
        options = [
            (unicodedata.normalize("NFC", base + m), marks[:i] + marks[i + 1 :])
            for i, m in enumerate(marks)
        ]
        for head, rest_marks in [*options, (base, marks)]:
            rest = "".join(rest_marks)
            try:
                out += head.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:  # pragma: no cover - every Vietnamese letter is encodable this way
            raise UnicodeEncodeError("cp1258", ch, 0, 1, "not encodable")
    return bytes(out)


def _dir_entry(
    name: str,
    entry_type: int,
    *,
    child: int = FREE,
    right: int = FREE,
    start: int = END_OF_CHAIN,
    size: int = 0,
) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    entry = bytearray(128)
    entry[0 : len(encoded)] = encoded
    struct.pack_into("<HBB", entry, 0x40, len(encoded), entry_type, 1)  # length, type, black
    struct.pack_into("<III", entry, 0x44, FREE, right, child)  # left, right, child
    struct.pack_into("<II", entry, 0x74, start, size)
    return bytes(entry)


def ole2_bytes(stream_names: Sequence[str]) -> bytes:
    """A minimal, structurally valid OLE2 compound file (512-byte sectors).

    Sector 0 is the FAT, sector 1 the directory (root + up to 3 streams, chained as
    right siblings), sector 2 a dummy payload shared by the streams: enough for a
    directory reader, which is all the import checks look at.
    """
    assert len(stream_names) <= 3
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)  # minor, major, BOM, shifts
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # directory starts at sector 1
    struct.pack_into("<I", header, 0x38, 4096)  # mini stream cutoff
    struct.pack_into("<IIII", header, 0x3C, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
    difat = [0] + [FREE] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)

    fat = [FAT_SECTOR, END_OF_CHAIN, END_OF_CHAIN] + [FREE] * 125
    fat_sector = struct.pack("<128I", *fat)

    entries = [_dir_entry("Root Entry", 5, child=1 if stream_names else FREE)]
    for i, name in enumerate(stream_names, start=1):
        right = i + 1 if i < len(stream_names) else FREE
        entries.append(_dir_entry(name, 2, right=right, start=2, size=512))
    directory = b"".join(entries).ljust(512, b"\x00")
    payload = b"\x00" * 512
    return bytes(header) + fat_sector + directory + payload


def rewrite_zip_member(data: bytes, member: str, transform) -> bytes:
    """Copy a zip, passing one member's bytes through `transform`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == member:
                content = transform(content)
            dst.writestr(info, content)
    return out.getvalue()


def ods_bytes(rows: Sequence[Sequence[str]], *, title: str = "Hội viên") -> bytes:
    """A minimal OpenDocument spreadsheet (LibreOffice's own format), text cells only."""
    from xml.sax.saxutils import escape, quoteattr

    body = "".join(
        "<table:table-row>"
        + "".join(
            '<table:table-cell office:value-type="string"><text:p>'
            f"{escape(value)}</text:p></table:table-cell>"
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet><table:table table:name={quoteattr(title)}>"
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
