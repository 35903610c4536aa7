"""Member sheets for pipeline tests, generated in memory as real xlsx/xls/csv files."""

from __future__ import annotations

import datetime as dt

from khuyenhoc.imports import services
from khuyenhoc.members.importing import MEMBER_IMPORT
from tests.imports.builders import csv_bytes, xls_bytes, xlsx_bytes

HEADERS = ["Mã chi hội", "Họ và tên", "Giới tính", "Năm sinh", "Ngày sinh", "Dân tộc", "Số CCCD", "Điện thoại", "Địa chỉ", "Ngày vào hội"]

PEOPLE = [
    ("Nguyễn Văn Ẩn", "Nam", 1960, dt.date(1960, 3, 12), "Kinh", "006060001111", "0912000001", "Tổ 1"),
    ("Hoàng Thị Lan", "Nữ", 1972, None, "Tày", "006172002222", "0912000002", "Tổ 2"),
    ("Nông Văn Dũng", "Nam", 1955, None, "Nùng", None, None, "Tổ 3"),
    ("Triệu Thị Mùi", "Nữ", 1981, None, "Dao", "006181003333", None, "Thôn Nà Pài"),
]


def member_rows(code: str, people=PEOPLE, joined=dt.date(2015, 10, 2)) -> list[list]:
    return [[code, name, gender, year, born, ethnic, cccd, phone, address, joined] for name, gender, year, born, ethnic, cccd, phone, address in people]


def sheet(code: str, *, rows=None, headers=HEADERS) -> bytes:
    return xlsx_bytes([headers, *(rows if rows is not None else member_rows(code))])


def legacy_sheet(code: str) -> bytes:
    return xls_bytes([HEADERS, *member_rows(code)])


def csv_sheet(code: str, *, encoding="utf-8", bom=False) -> bytes:
    lines = ["|".join(HEADERS)]
    for row in member_rows(code):
        lines.append("|".join("" if v is None else (v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else str(v)) for v in row))
    data = csv_bytes(lines, encoding=encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def run(node, data: bytes, *, actor=None, dry_run=False, file_name="hoi-vien.xlsx"):
    return services.import_file(actor=actor, node=node, kind=MEMBER_IMPORT, file_name=file_name, data=data, dry_run=dry_run)


def messages(job) -> list[str]:
    return [f"{row}|{column}|{message}" for _sheet, row, column, message in job.errors]
