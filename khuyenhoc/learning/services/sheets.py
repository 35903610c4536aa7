"""Excel sheets of a village: households with their members, and the year's points.

Both go through the shared import pipeline's pure parts (``imports.reading`` and
``imports.columns``): every cell is checked and every problem is reported by sheet,
row and column before anything is written; then one transaction writes everything.
``HouseholdImport`` plugs the household sheet into the pipeline's registry
(``imports.registry``), so the generic import pages list it too.

The household sheet has one row per person; rows sharing a village code and a
household code make one household, whose head is the row marked "Chủ hộ".
The points sheet has one row per household and one column per item of the criteria
set, so a village is scored in one go.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.imports.columns import CellError, Column, integer, read_and_validate, text, year
from khuyenhoc.imports.reading import ImportFileError
from khuyenhoc.imports.registry import ImportKind, Plan, register
from khuyenhoc.imports.templates_xlsx import write_rows, write_template
from khuyenhoc.organizations.models import Node

from ..models import CriteriaSetVersion, Evaluation, Household, Status, Title
from .households_bulk import HouseholdData, UpsertResult, households_upsert
from .subjects import HOUSEHOLD_KINDS, clean_member
from .workflow import CAN_SELF_ASSESS, evaluations_register, evaluations_self_assess

RELATIONS = {"Chủ hộ": "head", "Vợ/chồng": "spouse", "Con": "child", "Bố/mẹ": "parent", "Cháu": "grandchild", "Khác": "other"}
SCHOOLING = {"Chưa đến tuổi đi học": "not_yet", "Đang đi học": "in_school", "Đã học xong": "completed", "Bỏ học": "dropped_out"}
GENDERS = {"Nam": "m", "Nữ": "f"}
YES_NO = {"Có": True, "Không": False}
_BACK = {
    "relation": {v: k for k, v in RELATIONS.items()},
    "schooling": {v: k for k, v in SCHOOLING.items()},
    "gender": {v: k for k, v in GENDERS.items()},
}

HOUSEHOLD_COLUMNS = (
    Column("village", "Mã thôn, tổ", aliases=("Mã chi hội", "Thôn, tổ"), parse=text(max_length=40),
           help="Mã chi hội của thôn, tổ dân phố (ví dụ BK-DX-01). Để trống khi nhập cho chính chi hội đó."),
    Column("code", "Mã hộ", required=True, parse=text(max_length=40),
           help="Mã của hộ trong chi hội. Các dòng cùng mã hộ là người của cùng một hộ; nhập lại sẽ cập nhật hộ đó."),
    Column("address", "Địa chỉ", parse=text(max_length=200)),
    Column("full_name", "Họ và tên", required=True, parse=text(max_length=120)),
    Column("birth_year", "Năm sinh", required=True, parse=year()),
    Column("gender", "Giới tính", required=True, choices=tuple(GENDERS)),
    Column("relation", "Quan hệ với chủ hộ", required=True, choices=tuple(RELATIONS),
           help="Mỗi hộ có đúng một người ghi Chủ hộ."),
    Column("schooling", "Tình trạng đi học", choices=tuple(SCHOOLING)),
    Column("literate", "Biết chữ", choices=tuple(YES_NO), help="Để trống là Có."),
    Column("studies_topic", "Học chuyên đề trong năm", choices=tuple(YES_NO),
           help="Người lớn học ít nhất một chuyên đề trong năm."),
)
# Columns a sheet may leave out; their stored values then stay as they are.
OPTIONAL_KEYS = frozenset({"address", "schooling", "literate", "studies_topic"})
HOUSEHOLD_EXAMPLE = {
    "village": "BK-DX-01", "code": "0001", "address": "Tổ 1, phường Đức Xuân", "full_name": "Hoàng Văn An",
    "birth_year": 1978, "gender": "Nam", "relation": "Chủ hộ", "schooling": "Đã học xong",
    "literate": "Có", "studies_topic": "Có",
}
HOUSEHOLD_NOTES = """Danh sách hộ gia đình và nhân khẩu của một thôn, tổ dân phố.
Mỗi dòng là một người. Các dòng cùng mã thôn, tổ và cùng mã hộ là một hộ.
Mỗi hộ có đúng một người ghi "Chủ hộ" ở cột Quan hệ với chủ hộ.
Nhập lại cùng tệp sẽ cập nhật các hộ đã có (theo mã hộ), không tạo hộ trùng."""


class SheetRefused(Exception):
    """The sheet was not imported; ``messages`` name every problem (sheet, row, column)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _read(data: bytes, columns, *, filename: str, example_row=None):
    try:
        return read_and_validate(data, columns, filename=filename, example_row=example_row)
    except ImportFileError as exc:
        raise SheetRefused([str(exc)]) from None


# ------------------------------------------------------------------------ households


@dataclass
class HouseholdPlan:
    items: list[HouseholdData] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    rows: int = 0
    sheet: str = ""


def _villages(node: Node, codes: set[str]) -> dict[str, Node]:
    return {n.code: n for n in Node.objects.filter(code__in=codes)} if codes else {}


def plan_households(rows, *, node: Node, sheet: str) -> HouseholdPlan:
    """Group clean rows into households under ``node``; every problem becomes a CellError."""
    plan = HouseholdPlan(sheet=sheet, rows=len(rows))
    header = {c.key: c.header for c in HOUSEHOLD_COLUMNS}
    villages = _villages(node, {r["village"] for r in rows if r["village"]})
    groups: OrderedDict[tuple[int, str], list] = OrderedDict()
    for row in rows:
        code = row["village"]
        if code:
            village = villages.get(code)
            if village is None:
                plan.errors.append(CellError(sheet, row.number, header["village"], f"Không có thôn, tổ nào mang mã '{code}'"))
                continue
            if not village.path.startswith(node.path) or village.kind not in HOUSEHOLD_KINDS:
                plan.errors.append(CellError(
                    sheet, row.number, header["village"],
                    f"Thôn, tổ '{code}' ({village.name}) không thuộc {node.name}",
                ))
                continue
        elif node.kind in HOUSEHOLD_KINDS:
            village = node
        else:
            plan.errors.append(CellError(sheet, row.number, header["village"],
                                         f"Cần ghi mã thôn, tổ khi nhập cho {node.name}"))
            continue
        groups.setdefault((village.pk, row["code"]), []).append((village, row))
    for (_pk, code), members in groups.items():
        village = members[0][0]
        heads = [r for _v, r in members if r["relation"] == "Chủ hộ"]
        if len(heads) != 1:
            where = heads[1].number if len(heads) > 1 else members[0][1].number
            plan.errors.append(CellError(
                sheet, where, header["relation"],
                f"Hộ '{code}' phải có đúng một người là Chủ hộ (đang có {len(heads)})",
            ))
            continue
        cleaned = []
        for _v, r in members:
            try:
                cleaned.append(clean_member({
                    "full_name": r["full_name"], "birth_year": r["birth_year"], "gender": GENDERS[r["gender"]],
                    "relation": RELATIONS[r["relation"]], "schooling": SCHOOLING.get(r["schooling"] or "", ""),
                    "literate": YES_NO.get(r["literate"] or "Có", True),
                    "studies_topic": YES_NO.get(r["studies_topic"] or "Không", False),
                }))
            except ValidationError as exc:
                plan.errors.extend(CellError(sheet, r.number, None, m) for m in exc.messages)
        address = next((r["address"] for _v, r in members if r["address"]), "")
        plan.items.append(HouseholdData(node=village, code=code, members=cleaned, address=address))
    plan.errors.sort(key=lambda e: e.row or 0)
    return plan


def household_sheet_import(*, actor, node: Node, data: bytes, filename: str, since_year: int | None = None) -> UpsertResult:
    """Through the shared pipeline: read, check every cell, then write all households or none."""
    from khuyenhoc.imports import pipeline

    kind = HouseholdImport(since_year=since_year)
    try:
        plan = pipeline.run(kind, data, filename=filename, node=node, actor=actor)
    except ImportFileError as exc:
        raise SheetRefused([str(exc)]) from None
    if plan.errors:
        raise SheetRefused([str(e) for e in plan.errors])
    if not plan.result:
        raise SheetRefused([_("The sheet has no households.")])
    return plan.result["upsert"]


def household_template() -> bytes:
    return write_template(HOUSEHOLD_COLUMNS, sheet_title="Hộ gia đình", example_row=HOUSEHOLD_EXAMPLE, notes=HOUSEHOLD_NOTES)


def household_export(node: Node) -> bytes:
    """The households under ``node`` in the import layout: edit in Excel, import back."""
    rows = []
    households = Household.objects.filter(node__path__startswith=node.path).select_related("node").prefetch_related("members").order_by("node__path", "code")
    for h in households:
        for m in h.members.all():
            rows.append({
                "village": h.node.code, "code": h.code, "address": h.address, "full_name": m.full_name,
                "birth_year": m.birth_year, "gender": _BACK["gender"][m.gender],
                "relation": _BACK["relation"][m.relation], "schooling": _BACK["schooling"].get(m.schooling),
                "literate": "Có" if m.literate else "Không", "studies_topic": "Có" if m.studies_topic else "Không",
            })
    return write_rows(HOUSEHOLD_COLUMNS, rows, sheet_title="Hộ gia đình")


class HouseholdImport(ImportKind):
    """The household sheet in the shared pipeline's registry."""

    code = "learning_households"
    label = gettext_lazy("Households and their members")
    sheet_title = "Hộ gia đình"
    file_stem = "mau-nhap-ho-gia-dinh"
    columns = HOUSEHOLD_COLUMNS
    example_row = HOUSEHOLD_EXAMPLE
    notes = HOUSEHOLD_NOTES
    natural_key = "mã thôn, tổ + mã hộ"
    cap = Cap.TITLES_EDIT

    def __init__(self, since_year: int | None = None) -> None:
        self.since_year = since_year

    def plan(self, rows, *, node, sheet, present=frozenset(), progress=None) -> Plan:
        hp = plan_households(rows, node=node, sheet=sheet)
        existing = set(
            Household.objects.filter(node__in={d.node.pk for d in hp.items}, code__in={d.code for d in hp.items})
            .values_list("node_id", "code")
        )
        plan = Plan(kind=self.code, sheet=sheet, rows_total=len(rows), errors=hp.errors)
        for d in hp.items:
            (plan.changed if (d.node.pk, d.code) in existing else plan.new).append(d)
        plan.samples = [{"Mã hộ": d.code, "Chủ hộ": d.head_name, "Nhân khẩu": len(d.members)} for d in hp.items[:5]]
        # A column left out of the sheet leaves what is stored alone.
        plan.result = {"keep": frozenset(OPTIONAL_KEYS - set(present))} if present else {}
        return plan

    def commit(self, plan: Plan, *, actor, node, progress=None) -> dict:
        from django.utils import timezone

        items = [*plan.new, *plan.changed]
        if not items:
            return {}
        result = households_upsert(
            actor=actor, scope=node, items=items, since_year=self.since_year or timezone.localdate().year,
            keep=plan.result.get("keep", frozenset()),
        )
        return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                "upsert": result}

    def snapshot(self, node):
        from django.db.models import Count, Max

        return tuple(Household.objects.filter(node__path__startswith=node.path).aggregate(n=Count("id"), t=Max("updated_at")).values())


def register_import_kind() -> None:
    register(HouseholdImport())


# ---------------------------------------------------------------------------- points


def score_columns(cset) -> tuple[Column, ...]:
    items = tuple(
        Column(f"item:{it.code}", f"Mục {it.code}", required=True, parse=integer(min_value=0, max_value=it.max_points),
               help=f"{it.name} (0–{it.max_points} điểm)")
        for it in cset.items if not it.from_input
    )
    return (
        Column("village", "Mã thôn, tổ", required=True, parse=text(max_length=40)),
        Column("code", "Mã hộ", required=True, parse=text(max_length=40)),
        Column("head_name", "Chủ hộ", parse=text(max_length=120), help="Chỉ để đối chiếu; không nhập lại."),
        *items,
    )


def family_set_for(node: Node, year: int) -> CriteriaSetVersion:
    from .criteria import default_set

    cset = default_set(Title.FAMILY, year, node=node)
    if cset is None:
        raise ValidationError(_("There is no criteria set for %(title)s valid in %(year)s.") % {"title": Title.FAMILY.label, "year": year})
    return cset


def scores_sheet(node: Node, year: int) -> bytes:
    """The village's households, one row each, with this year's points where known."""
    cset = family_set_for(node, year)
    parsed = cset.parsed()
    columns = score_columns(parsed)
    evs = {e.household_id: e for e in Evaluation.objects.filter(title=Title.FAMILY, year=year, node__path__startswith=node.path)}
    rows = []
    for h in Household.objects.existing_in(year).filter(node__path__startswith=node.path).select_related("node").order_by("node__path", "code"):
        row = {"village": h.node.code, "code": h.code, "head_name": h.head_name}
        ev = evs.get(h.pk)
        if ev is not None:
            row.update({f"item:{k}": v for k, v in ev.answers.items()})
        rows.append(row)
    return write_rows(columns, rows, sheet_title="Tự đánh giá")


@transaction.atomic
def scores_sheet_import(*, actor, node: Node, data: bytes, filename: str, year: int) -> list[Evaluation]:
    """Register (if needed) and self-assess every household of the sheet, or none."""
    cset = family_set_for(node, year)
    parsed = cset.parsed()
    columns = score_columns(parsed)
    result = _read(data, columns, filename=filename)
    errors = list(result.errors)
    header = {c.key: c.header for c in columns}
    villages = _villages(node, {r["village"] for r in result.rows})
    wanted = {}
    for r in result.rows:
        village = villages.get(r["village"])
        if village is None or not village.path.startswith(node.path):
            errors.append(CellError(result.sheet, r.number, header["village"], f"Thôn, tổ '{r['village']}' không thuộc {node.name}"))
            continue
        wanted[(village.pk, r["code"])] = r
    households = {(h.node_id, h.code): h for h in Household.objects.filter(node__in={k[0] for k in wanted}, code__in={k[1] for k in wanted}).select_related("node")}
    for key, r in wanted.items():
        if key not in households:
            errors.append(CellError(result.sheet, r.number, header["code"], f"Không có hộ mã '{r['code']}' ở thôn, tổ '{r['village']}'"))
    evs = {e.household_id: e for e in Evaluation.objects.filter(title=Title.FAMILY, year=year, household__in=[h.pk for h in households.values()])}
    for key, r in wanted.items():
        h = households.get(key)
        ev = evs.get(h.pk) if h else None
        if ev is not None and ev.criteria_set_id != cset.pk:
            errors.append(CellError(result.sheet, r.number, None, f"Hộ '{r['code']}' đã đăng ký với bộ tiêu chí khác"))
        elif ev is not None and ev.status not in CAN_SELF_ASSESS:
            errors.append(CellError(result.sheet, r.number, None, f"Hồ sơ của hộ '{r['code']}' đang ở bước {Status(ev.status).label}, không nhập lại điểm được"))
    if errors:
        raise SheetRefused([str(e) for e in sorted(errors, key=lambda e: e.row or 0)])
    if not wanted:
        raise SheetRefused([_("The sheet has no households.")])
    new = [h for key, h in households.items() if key in wanted and h.pk not in evs]
    if new:
        for ev in evaluations_register(actor=actor, title=Title.FAMILY, subjects=new, year=year, criteria_set=cset, node=node):
            evs[ev.household_id] = ev
    items = []
    for key, r in wanted.items():
        h = households[key]
        answers = {k.removeprefix("item:"): v for k, v in r.values.items() if k.startswith("item:")}
        items.append((evs[h.pk], answers, None))
    return evaluations_self_assess(actor=actor, items=items, node=node)


__all__ = [
    "HOUSEHOLD_COLUMNS",
    "HouseholdImport",
    "SheetRefused",
    "household_export",
    "household_sheet_import",
    "household_template",
    "scores_sheet",
    "scores_sheet_import",
]
