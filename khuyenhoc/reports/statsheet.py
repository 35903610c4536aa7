"""The province's statistics sheet: figures of units that do not use the system yet.

An import kind of the shared pipeline (khuyenhoc.imports): one row per unit and year,
found by its code; a "Tổng cộng" row, if present, must equal the sum of the other rows
of its year. A row is refused when the unit records those figures in the system itself
(they would count twice), when the unit is not under the importing association, or when
the year is closed there. Figures are stored as ``ReportedFigures`` and roll up marked as
reported, not recorded.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_lazy as _

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.core.money import format_number
from khuyenhoc.imports.columns import CellError, Column, fold, integer, money, text, year
from khuyenhoc.imports.registry import ImportKind, Plan, no_progress
from khuyenhoc.organizations.models import Node

from . import selectors, services
from .labels import GROUP_LABELS
from .models import ReportedFigures

count = integer(min_value=0)
amount = money()

# (column key, header, group, figure key, parser)
FIGURE_COLUMNS: tuple[tuple[str, str, str, str, Any], ...] = (
    ("chapters_and_boards", "Chi hội, Ban khuyến học", "org", "chapters_and_boards", count),
    ("members", "Hội viên", "members", "total", count),
    ("members_female", "Hội viên nữ", "members", "female", count),
    ("members_joined", "Kết nạp mới", "members", "joined", count),
    ("family_total", "Số hộ", "learning", "family_total", count),
    ("family_registered", "GĐHT đăng ký", "learning", "family_registered", count),
    ("family_recognised", "GĐHT công nhận", "learning", "family_recognised", count),
    ("clan_total", "Số dòng họ", "learning", "clan_total", count),
    ("clan_registered", "DHHT đăng ký", "learning", "clan_registered", count),
    ("clan_recognised", "DHHT công nhận", "learning", "clan_recognised", count),
    ("community_total", "Số thôn, tổ dân phố", "learning", "community_total", count),
    ("community_registered", "CĐHT đăng ký", "learning", "community_registered", count),
    ("community_recognised", "CĐHT công nhận", "learning", "community_recognised", count),
    ("unit_total", "Số cơ quan, đơn vị", "learning", "unit_total", count),
    ("unit_registered", "ĐVHT đăng ký", "learning", "unit_registered", count),
    ("unit_recognised", "ĐVHT công nhận", "learning", "unit_recognised", count),
    ("citizen_recognised", "CDHT công nhận", "learning", "citizen_recognised", count),
    ("fund_receipts", "Thu quỹ (đồng)", "fund", "receipts", amount),
    ("fund_payments", "Chi quỹ (đồng)", "fund", "payments", amount),
    ("fund_awards", "Chi khen thưởng, học bổng (đồng)", "fund", "payments_award", amount),
    ("fund_balance", "Số dư cuối năm (đồng)", "fund", "balance", amount),
    ("awards", "Số suất khen thưởng", "awards", "awards", count),
    ("awards_amount", "Tiền khen thưởng (đồng)", "awards", "amount", amount),
    ("clc_centres", "Số TTHTCĐ", "clc", "centres", count),
    ("clc_classes", "Số lớp", "clc", "classes", count),
    ("clc_learners", "Lượt người học", "clc", "learners", count),
)
TOTAL_WORDS = {"tong", "tong cong", "cong", "tc", "total"}
# Parts that cannot exceed their whole: (part, whole).
BOUNDS = (
    ("members_female", "members"),
    ("members_joined", "members"),
    ("family_registered", "family_total"),
    ("family_recognised", "family_registered"),
    ("clan_registered", "clan_total"),
    ("clan_recognised", "clan_registered"),
    ("community_registered", "community_total"),
    ("community_recognised", "community_registered"),
    ("unit_registered", "unit_total"),
    ("unit_recognised", "unit_registered"),
)
HEADERS = {key: header for key, header, *_rest in FIGURE_COLUMNS}


def is_total(code: str) -> bool:
    return fold(code or "") in TOTAL_WORDS


def figures_of(values: dict[str, Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for key, _header, group, figure, _parse in FIGURE_COLUMNS:
        v = values.get(key)
        if v is not None:
            out.setdefault(group, {})[figure] = int(v)
    return out


class StatisticsSheetImport(ImportKind):
    code = "statistics"
    label = _("Statistics sheet (units not using the system)")
    sheet_title = "Biểu thống kê"
    file_stem = "bieu-thong-ke"
    cap = Cap.REPORTS_CLOSE
    max_rows = 5_000
    natural_key = "mã đơn vị + năm"
    columns = (
        Column("code", "Mã đơn vị", aliases=("Mã", "Mã hội"), required=True, parse=text(max_length=40)),
        Column("name", "Tên đơn vị", aliases=("Đơn vị", "Tên hội")),
        Column("year", "Năm", aliases=("Năm báo cáo",), required=True, parse=year(min_year=2000)),
        *(Column(key, header, parse=parse) for key, header, _g, _f, parse in FIGURE_COLUMNS),
    )
    example_row = {"code": "BK-DX", "name": "Hội Khuyến học phường Đức Xuân", "year": 2022, "members": 1200}
    notes = (
        "Mỗi dòng là số liệu một năm của một hội hoặc chi hội chưa dùng hệ thống, tìm theo mã đơn vị.\n"
        "Dòng có mã 'Tổng cộng' (nếu có) phải bằng tổng các dòng cùng năm.\n"
        "Đơn vị đã nhập số liệu nào trên hệ thống thì không được báo cáo lại số liệu đó (sẽ bị tính hai lần).\n"
        "Số tiền ghi bằng đồng."
    )

    def row_check(self, values: dict[str, Any]):
        for part, whole in BOUNDS:
            p, w = values.get(part), values.get(whole)
            if p is not None and w is not None and p > w:
                yield part, f"{HEADERS[part]} ({format_number(p)}) lớn hơn {HEADERS[whole]} ({format_number(w)})"

    def plan(self, rows, *, node: Node, sheet: str, present: frozenset[str], progress=no_progress) -> Plan:
        plan = Plan(kind=self.code, sheet=sheet)
        header = dict((c.key, c.header) for c in self.columns)
        data_rows = [r for r in rows if not is_total(r["code"])]
        total_rows = [r for r in rows if is_total(r["code"])]
        codes = {r["code"] for r in data_rows}
        nodes = {n.code: n for n in Node.objects.filter(code__in=codes)}
        existing = {
            (rf.node_id, rf.year): rf
            for rf in ReportedFigures.objects.filter(node__code__in=codes, year__in={r["year"] for r in data_rows})
        }
        seen: dict[tuple[str, int], int] = {}
        sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for i, row in enumerate(data_rows):
            progress(i, len(data_rows))
            code, y = row["code"], row["year"]

            def err(msg: str, col: str = "code", number: int = row.number) -> None:
                plan.errors.append(CellError(sheet, number, header[col], msg))

            if (code, y) in seen:
                err(f"Mã '{code}' năm {y} trùng với dòng {seen[(code, y)]}")
                continue
            seen[(code, y)] = row.number
            unit = nodes.get(code)
            if unit is None:
                err(f"Không có đơn vị nào mã '{code}'")
                continue
            if not unit.path.startswith(node.path) or unit.pk == node.pk:
                err(f"{unit.name} ({code}) không thuộc {node.name}")
                continue
            figures = figures_of(row.values)
            for key, v in figures_of(row.values).items():
                for k, n in v.items():
                    sums[y][f"{key}.{k}"] += n
            if not figures:
                err("Dòng không có số liệu nào", "code")
                continue
            if selectors.is_year_closed(unit, y):
                err(f"Năm {y} đã chốt số liệu tại {unit.name} hoặc cấp trên", "year")
                continue
            conflicts = services.recorded_conflicts(unit, y, figures)
            if conflicts:
                groups = ", ".join(str(GROUP_LABELS[g]).lower() for g in conflicts)
                err(
                    f"{unit.name} đã nhập {groups} năm {y} trên hệ thống; nhập thêm từ biểu sẽ bị tính hai lần"
                )
                continue
            old = existing.get((unit.pk, y))
            item = {"node": unit, "year": y, "figures": figures}
            if old is None:
                plan.new.append(item)
            elif old.figures != figures:
                plan.changed.append(item)
            else:
                plan.unchanged += 1
            if len(plan.samples) < 20:
                plan.samples.append({"Mã đơn vị": code, "Đơn vị": unit.name, "Năm": y})
        for row in total_rows:
            y = row["year"]
            for key, _header, group, figure, _parse in FIGURE_COLUMNS:
                stated = row.values.get(key)
                if stated is None:
                    continue
                summed = sums[y].get(f"{group}.{figure}", 0)
                if stated != summed:
                    plan.errors.append(
                        CellError(
                            sheet,
                            row.number,
                            header[key],
                            f"Dòng tổng cộng năm {y} ghi {format_number(stated)} nhưng cộng các dòng được {format_number(summed)}",
                        )
                    )
        progress(1, 1)
        return plan

    def commit(self, plan: Plan, *, actor, node: Node, progress=no_progress) -> dict[str, Any]:
        items = [*plan.new, *plan.changed]
        for i, item in enumerate(items):
            # The service checks again inside the pipeline's transaction (and audits).
            services.reported_figures_save(
                actor=actor, node=item["node"], year=item["year"], figures=item["figures"], source_file=f"{self.sheet_title}: {plan.sheet}"
            )
            progress(i + 1, len(items))
        return {"units": len(items)}


STATISTICS_SHEET = StatisticsSheetImport()


def template_for(node: Node, year: int) -> bytes:
    """The sheet for `node`'s child associations, their codes and names filled in."""
    from khuyenhoc.imports.templates_xlsx import write_rows

    tree = selectors.tree_as_of(node, selectors.year_end(year))
    children = tree.children if tree else []
    rows = [{"code": c.code, "name": c.name, "year": year} for c in children]
    rows.append({"code": "Tổng cộng", "year": year})
    return write_rows(STATISTICS_SHEET.columns, rows, sheet_title=STATISTICS_SHEET.sheet_title)
