"""The statistics tables sent to the level above, as data: one row per child association,
a row for the association's own records, a total row; each figure beside last year's.

The XLSX export, the DOCX report and the statistics page all render these same tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .labels import is_money
from .selectors import Figures, YearStats


@dataclass(frozen=True)
class Col:
    group: str
    key: str
    label: str

    @property
    def money(self) -> bool:
        return is_money(self.group, self.key)


@dataclass(frozen=True)
class TableSpec:
    code: str
    title: object
    sheet: str
    columns: tuple[Col, ...]


# Column labels are the Vietnamese headings of the forms provinces send; they stay
# Vietnamese in the English interface too, as the sheets go to Vietnamese offices.
TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "org",
        _("Organisation and members"),
        "Biểu 1. Tổ chức, hội viên",
        (
            Col("org", "chapters_and_boards", "Chi hội, Ban khuyến học"),
            Col("org", "chapters", "Chi hội"),
            Col("org", "boards", "Ban khuyến học"),
            Col("members", "total", "Hội viên"),
            Col("members", "joined", "Kết nạp mới"),
            Col("members", "female", "Hội viên nữ"),
        ),
    ),
    TableSpec(
        "learning",
        _("Learning models"),
        "Biểu 2. Mô hình học tập",
        (
            Col("learning", "family_registered", "GĐHT đăng ký"),
            Col("learning", "family_recognised", "GĐHT công nhận"),
            Col("learning", "clan_registered", "DHHT đăng ký"),
            Col("learning", "clan_recognised", "DHHT công nhận"),
            Col("learning", "community_registered", "CĐHT đăng ký"),
            Col("learning", "community_recognised", "CĐHT công nhận"),
            Col("learning", "unit_registered", "ĐVHT đăng ký"),
            Col("learning", "unit_recognised", "ĐVHT công nhận"),
            Col("learning", "citizen_recognised", "CDHT công nhận"),
        ),
    ),
    TableSpec(
        "fund",
        _("Fund, scholarships and prizes (million đồng)"),
        "Biểu 3. Quỹ, khen thưởng",
        (
            Col("fund", "receipts", "Thu quỹ"),
            Col("fund", "payments", "Chi quỹ"),
            Col("fund", "payments_award", "Chi khen thưởng, học bổng"),
            Col("fund", "payments_support", "Chi hỗ trợ học sinh"),
            Col("fund", "balance", "Số dư cuối năm"),
            Col("awards", "awards", "Số suất khen thưởng"),
            Col("awards", "amount", "Tiền khen thưởng"),
        ),
    ),
    TableSpec(
        "clc",
        _("Community learning centres"),
        "Biểu 4. TT học tập cộng đồng",
        (
            Col("clc", "centres", "Số TTHTCĐ"),
            Col("clc", "classes", "Số lớp"),
            Col("clc", "learners", "Lượt người học"),
        ),
    ),
)

SHEET_TITLES = {
    "org": "Biểu 1. Tổ chức và hội viên",
    "learning": "Biểu 2. Các mô hình học tập",
    "fund": "Biểu 3. Quỹ khuyến học, học bổng, giải thưởng (triệu đồng)",
    "clc": "Biểu 4. Trung tâm học tập cộng đồng",
}


@dataclass
class Row:
    name: str
    node_id: int | None
    current: list[int | None]
    previous: list[int | None]
    reported: bool = False
    kind: str = "child"  # child, own or total


@dataclass
class Table:
    spec: TableSpec
    year: int
    rows: list[Row] = field(default_factory=list)

    @property
    def title(self) -> str:
        return SHEET_TITLES[self.spec.code]


def _values(figures: Figures | None, cols, available: dict[str, bool]) -> list[int | None]:
    out = []
    for c in cols:
        if not available.get(c.group):
            out.append(None)
        else:
            out.append((figures or {}).get(c.group, {}).get(c.key, 0))
    return out


def build_tables(stats: YearStats, previous: YearStats | None, own_label: str) -> list[Table]:
    prev_children = {c.node_id: c for c in previous.children} if previous else {}
    prev_avail = previous.available if previous else {}
    tables = []
    for spec in TABLE_SPECS:
        t = Table(spec, stats.year)
        for c in stats.children:
            p = prev_children.get(c.node_id)
            t.rows.append(
                Row(
                    c.name,
                    c.node_id,
                    _values(c.figures, spec.columns, stats.available),
                    _values(p.figures if p else None, spec.columns, prev_avail) if previous and p else [None] * len(spec.columns),
                    reported=c.reported,
                )
            )
        own = _values(stats.own, spec.columns, stats.available)
        if any(v for v in own if v):
            prev_own = _values(previous.own, spec.columns, prev_avail) if previous else [None] * len(spec.columns)
            t.rows.append(Row(own_label, stats.node.pk, own, prev_own, kind="own"))
        total_prev = _values(previous.total, spec.columns, prev_avail) if previous else [None] * len(spec.columns)
        t.rows.append(Row("Tổng cộng", None, _values(stats.total, spec.columns, stats.available), total_prev, kind="total"))
        tables.append(t)
    return tables
