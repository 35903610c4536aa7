"""The member sheet: its columns, how a row finds its member, and the bulk commit.

Natural key, in this order: "Mã hội viên" (the register's id, present in every
export), else the CCCD, else normalised name + year of birth + chapter. So importing
the same file twice changes nothing the second time, and an exported list can be
corrected in Excel and imported back (a corrected name keeps its member through the
id column).

The same person twice in one file (same id, same CCCD, or same name + year of birth +
chapter without two different CCCDs) is an error on the later row naming the earlier.
A CCCD already registered in a unit outside the import's subtree is an error too: the
person must be transferred, not registered twice.

Masked values ("••••••••4567", exported to someone who may not see personal data)
keep what is stored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyenhoc.core.dates import format_date
from khuyenhoc.imports.bulk import chunked
from khuyenhoc.imports.columns import (
    GENDERS,
    CellError,
    CleanRow,
    Column,
    choice,
    date,
    integer,
    parse_cccd,
    parse_gender,
    parse_phone,
    text,
    year,
)
from khuyenhoc.imports.registry import ImportKind, Plan, Progress, no_progress
from khuyenhoc.organizations.models import Node, NodeKind, NodeStatus

from . import ethnicities
from .models import Gender, Member, MemberKind, MemberStatus
from .services import MEMBER_NODE_KINDS, mask, members_bulk_create, members_bulk_update, name_keys

KIND_LABELS = {MemberKind.INDIVIDUAL: "Cá nhân", MemberKind.COLLECTIVE: "Tập thể", MemberKind.HONORARY: "Danh dự"}
KIND_CODES = {label: code for code, label in KIND_LABELS.items()}
GENDER_LABELS = {Gender.MALE: GENDERS[0], Gender.FEMALE: GENDERS[1], Gender.OTHER: GENDERS[2]}
GENDER_CODES = {label: code for code, label in GENDER_LABELS.items()}


class _Keep:
    """A masked personal value in the sheet: keep what the register holds."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()
MASK_CHAR = "•"


def _personal(parse):
    def parse_personal(value: Any):
        if value.__class__ is str and MASK_CHAR in value:
            return KEEP
        return parse(value)

    parse_personal.number_format = "@"  # type: ignore[attr-defined]
    parse_personal.choices = None  # type: ignore[attr-defined]
    return parse_personal


def _ignore(value: Any) -> None:
    return None


_ignore.number_format = None  # type: ignore[attr-defined]
_ignore.choices = None  # type: ignore[attr-defined]

COLUMNS: tuple[Column, ...] = (
    Column("row_no", "STT", aliases=("Số TT", "TT", "Số thứ tự"), parse=_ignore, help="Số thứ tự, không bắt buộc; phần mềm bỏ qua cột này."),
    Column(
        "chapter_code",
        "Mã chi hội",
        aliases=("Mã đơn vị", "Mã chi hội/ban", "Mã chi hội, ban khuyến học"),
        parse=text(max_length=40),
        help="Mã chi hội hoặc ban khuyến học, ví dụ BK-DX-01 (xem ở trang của đơn vị). "
        "Có thể để trống khi nhập ngay tại trang của một chi hội.",
        width=14,
    ),
    Column(
        "member_id",
        "Mã hội viên",
        aliases=("Mã HV", "Mã số hội viên"),
        parse=integer(min_value=1),
        help="Để trống với hội viên mới. Danh sách xuất từ phần mềm có sẵn mã: giữ nguyên để cập nhật đúng người.",
        width=12,
    ),
    Column("full_name", "Họ và tên", aliases=("Họ tên", "Tên hội viên", "Họ và tên hội viên"), required=True, parse=text(max_length=150), width=26),
    Column(
        "kind",
        "Loại hội viên",
        aliases=("Loại",),
        parse=choice(tuple(KIND_LABELS.values())),
        help="Cá nhân, Tập thể (cơ quan, trường học, doanh nghiệp vào hội) hoặc Danh dự. Để trống: Cá nhân.",
    ),
    Column("gender", "Giới tính", aliases=("Nam/Nữ", "Giới"), parse=parse_gender),
    Column("birth_year", "Năm sinh", parse=year(), help="Ví dụ 1965. Có thể chỉ ghi năm sinh, hoặc ghi ngày sinh."),
    Column("birth_date", "Ngày sinh", aliases=("Ngày tháng năm sinh",), parse=date(not_future=True), help="Ngày/tháng/năm, ví dụ 25/12/1965."),
    Column(
        "ethnicity",
        "Dân tộc",
        parse=choice(ethnicities.NAMES, synonyms=ethnicities.ALIASES),
        help="Tên dân tộc theo danh mục 54 dân tộc của Tổng cục Thống kê, ví dụ Kinh, Tày, Nùng, Dao, Mông.",
    ),
    Column(
        "citizen_id",
        "Số CCCD",
        aliases=("CCCD", "Số căn cước", "Số căn cước công dân", "Số định danh cá nhân", "Số CCCD/CMND"),
        parse=_personal(parse_cccd),
        help="12 chữ số, không bắt buộc. Ghi dạng văn bản để giữ số 0 ở đầu.",
        width=16,
    ),
    Column("phone", "Điện thoại", aliases=("Số điện thoại", "SĐT", "Điện thoại di động"), parse=_personal(parse_phone), help="10 chữ số, bắt đầu bằng 0.", width=14),
    Column("address", "Địa chỉ", aliases=("Thôn, tổ dân phố", "Nơi ở", "Địa chỉ (thôn, tổ)"), parse=text(max_length=200), width=24),
    Column("joined_on", "Ngày vào hội", aliases=("Ngày vào Hội", "Ngày kết nạp"), required=True, parse=date(not_future=True), help="Ngày/tháng/năm vào hội."),
    Column("left_on", "Ngày ra hội", aliases=("Ngày thôi sinh hoạt",), parse=date(not_future=True), help="Chỉ ghi khi hội viên đã ra hội."),
    Column("leave_reason", "Lý do ra hội", parse=text(max_length=200)),
)
BY_KEY = {c.key: c for c in COLUMNS}
# Column key → model field, for the columns that store a value as it is.
STORED = ("full_name", "kind", "gender", "birth_year", "birth_date", "ethnicity", "citizen_id", "phone", "address", "joined_on", "left_on", "leave_reason")

EXAMPLE_ROW = {
    "row_no": 1,
    "chapter_code": "MA-CHI-HOI",
    "member_id": None,
    "full_name": "Nguyễn Văn Mẫu",
    "kind": "Cá nhân",
    "gender": "Nam",
    "birth_year": 1965,
    "birth_date": dt.date(1965, 5, 19),
    "ethnicity": "Kinh",
    "citizen_id": "001065012345",
    "phone": "0912345678",
    "address": "Tổ 1",
    "joined_on": dt.date(2015, 10, 2),
    "left_on": None,
    "leave_reason": None,
}

NOTES = """Mẫu nhập danh sách hội viên Hội Khuyến học.
Mỗi dòng là một hội viên. Các cột có dấu (*) là bắt buộc: Họ và tên, Ngày vào hội.
Phần mềm nhận ra hội viên đã có theo thứ tự: Mã hội viên, rồi Số CCCD, rồi Họ và tên + Năm sinh + Chi hội. Nhập lại cùng một tệp không tạo hội viên trùng.
Nếu có bất kỳ dòng nào sai, không dòng nào được ghi; trang kết quả liệt kê mọi lỗi theo dòng và cột để sửa.
Ngày ghi theo dạng ngày/tháng/năm (25/12/1965) hoặc để Excel định dạng ngày.
Số CCCD và điện thoại là dữ liệu cá nhân: chỉ người có quyền mới xem được; ô hiện dạng ••••1234 khi tải về sẽ được giữ nguyên khi nhập lại."""


def _kind_code(label: str | None) -> str | None:
    return KIND_CODES.get(label) if label else None


class MemberImport(ImportKind):
    code = "members"
    label = gettext_lazy("Members")
    sheet_title = "Hội viên"
    file_stem = "mau-nhap-hoi-vien"
    columns = COLUMNS
    example_row = EXAMPLE_ROW
    notes = NOTES
    natural_key = gettext_lazy("member id, else CCCD, else name + year of birth + chapter")

    # ------------------------------------------------------------------ per row

    def row_check(self, v: dict[str, Any]):
        problems = None
        bd, by, joined, left = v["birth_date"], v["birth_year"], v["joined_on"], v["left_on"]
        if bd is not None:
            if by is not None and by != bd.year:
                problems = [("birth_year", _("Year of birth %(year)s does not match the date of birth %(date)s") % {"year": by, "date": format_date(bd)})]
            if joined is not None and joined < bd:
                problems = (problems or []) + [("joined_on", _("'%(date)s' is before the date of birth") % {"date": format_date(joined)})]
        if left is not None and joined is not None and left < joined:
            problems = (problems or []) + [("left_on", _("'%(date)s' is before the join date") % {"date": format_date(left)})]
        return problems

    # --------------------------------------------------------------------- plan

    def plan(self, rows: list[CleanRow], *, node: Node, sheet: str, present: frozenset[str], progress: Progress = no_progress) -> Plan:
        plan = Plan(kind=self.code, sheet=sheet)
        errors = plan.errors

        def error(row: int, key: str | None, message: str) -> None:
            errors.append(CellError(sheet, row, BY_KEY[key].header if key else None, message))

        units = {
            n.code.casefold(): n
            for n in Node.objects.filter(path__startswith=node.path, status=NodeStatus.ACTIVE, kind__in=MEMBER_NODE_KINDS)
        }
        default_unit = node if node.kind in MEMBER_NODE_KINDS and node.kind != NodeKind.COMMUNE else None

        # Every live member of the subtree, once: (id, node, name key, year, CCCD).
        by_id: dict[int, tuple] = {}
        by_cccd: dict[str, int] = {}
        by_name: dict[tuple, list[int]] = defaultdict(list)
        existing = (
            Member.objects.filter(node__path__startswith=node.path)
            .exclude(status=MemberStatus.MERGED)
            .values_list("id", "node_id", "search_key", "birth_year", "citizen_id")
        )
        for pk, node_id, skey, byear, cccd in existing.iterator(chunk_size=10_000):
            by_id[pk] = (node_id, cccd)
            if cccd:
                by_cccd[cccd] = pk
            by_name[(node_id, skey, byear)].append(pk)
        progress(1, 4)

        foreign = _registered_elsewhere(
            [v for r in rows if (v := r.values["citizen_id"]).__class__ is str and v not in by_cccd], node
        )
        progress(2, 4)

        seen_id: dict[int, int] = {}
        seen_cccd: dict[str, int] = {}
        seen_name: dict[tuple, tuple[int, Any]] = {}
        seen_target: dict[int, int] = {}
        matched: list[tuple[int, int, dict[str, Any], Node | None]] = []
        new = plan.new
        node_label = node.name
        for row in rows:
            v = row.values
            n = row.number
            bad = False
            code = v["chapter_code"]
            unit = None
            if code:
                unit = units.get(code.casefold())
                if unit is None:
                    error(n, "chapter_code", _("'%(code)s' is not a chapter or study board of %(unit)s") % {"code": code, "unit": node_label})
                    bad = True
            else:
                unit = default_unit
            name = v["full_name"]
            skey, _sort = name_keys(name)
            bd = v["birth_date"]
            by = v["birth_year"] or (bd.year if bd else None)
            cccd = v["citizen_id"]
            mid = v["member_id"]
            if mid is not None:
                if mid in seen_id:
                    error(n, "member_id", _("Member id %(id)s is also on row %(row)s") % {"id": mid, "row": seen_id[mid]})
                    bad = True
                else:
                    seen_id[mid] = n
            twice = False
            if cccd.__class__ is str:
                if cccd in seen_cccd:
                    error(n, "citizen_id", _("CCCD %(cccd)s is also on row %(row)s: the same person twice") % {"cccd": cccd, "row": seen_cccd[cccd]})
                    bad = twice = True
                else:
                    seen_cccd[cccd] = n
                if cccd in foreign:
                    error(n, "citizen_id", _("CCCD %(cccd)s is already registered in a unit outside %(unit)s; ask for a transfer instead of registering the person again") % {"cccd": cccd, "unit": node_label})
                    bad = True
            if unit is not None and mid is None and not twice:
                key = (unit.pk, skey, by)
                earlier = seen_name.get(key)
                if earlier is not None and not (cccd.__class__ is str and earlier[1].__class__ is str and cccd != earlier[1]):
                    error(n, "full_name", _("%(name)s, born %(year)s, in %(code)s is also on row %(row)s: the same person twice") % {"name": name, "year": by or "?", "code": unit.code, "row": earlier[0]})
                    bad = True
                elif earlier is None:
                    seen_name[key] = (n, cccd)
            if bad:
                continue

            target = None
            if mid is not None:
                if mid not in by_id:
                    error(n, "member_id", _("There is no member with id %(id)s in %(unit)s") % {"id": mid, "unit": node_label})
                    continue
                target = mid
            elif cccd.__class__ is str and cccd in by_cccd:
                target = by_cccd[cccd]
            elif unit is not None:
                candidates = [pk for pk in by_name.get((unit.pk, skey, by), ()) if not by_id[pk][1] or cccd.__class__ is not str or by_id[pk][1] == cccd]
                if len(candidates) > 1:
                    error(n, "full_name", _("%(count)s members of %(code)s have this name and year of birth; add their member id") % {"count": len(candidates), "code": unit.code})
                    continue
                target = candidates[0] if candidates else None
            if cccd.__class__ is str and target is not None and by_cccd.get(cccd, target) != target:
                error(n, "citizen_id", _("CCCD %(cccd)s belongs to member id %(id)s") % {"cccd": cccd, "id": by_cccd[cccd]})
                continue
            if target is not None:
                if target in seen_target:
                    error(n, None, _("This row and row %(row)s are the same member (id %(id)s)") % {"row": seen_target[target], "id": target})
                    continue
                seen_target[target] = n
            if target is None:
                if unit is None:
                    error(n, "chapter_code", _("Enter the chapter code"))
                    continue
                if cccd is KEEP or v["phone"] is KEEP:
                    key = "citizen_id" if cccd is KEEP else "phone"
                    error(n, key, _("The number is hidden (••••); enter it in full or leave the cell empty"))
                    continue
                # The row's own dict becomes the new member (no copy: 100,000 of them).
                v["row"] = n
                v["node_id"] = unit.pk
                v["kind"] = _kind_code(v["kind"]) or MemberKind.INDIVIDUAL
                v["gender"] = GENDER_CODES.get(v["gender"], "") if v["gender"] else ""
                v["birth_year"] = by
                v["ethnicity"] = ethnicities.NAME_TO_CODE.get(v["ethnicity"], "") if v["ethnicity"] else ""
                new.append(v)
            else:
                matched.append((n, target, v, unit))
        progress(3, 4)
        changed_rows = self._classify(plan, matched, present, node, len(by_id))
        plan.samples = [
            {"row": r["row"], "name": r["full_name"], "what": _("new")} for r in plan.new[:20]
        ] + [
            {"row": row, "name": m.full_name, "what": ", ".join(str(BY_KEY["chapter_code" if f == "node_id" else f].header) for f in change)}
            for row, (m, change) in changed_rows[:20]
        ]
        progress(4, 4)
        return plan

    def _classify(self, plan: Plan, matched: list, present: frozenset[str], node: Node, subtree_size: int) -> list[tuple[int, tuple]]:
        """Compare matched rows with the stored members: changed or unchanged.

        Returns (row number, (member, change)) for the changed rows, for the preview.
        Members are loaded as light records (what `members_bulk_update` reads), not
        model instances: a re-import of 100,000 rows loads 100,000 of them."""
        fields = ("pk", "node_id", "status", *STORED)
        wanted = {target for _n, target, _v, _u in matched}
        members: dict[int, SimpleNamespace] = {}
        if len(wanted) > subtree_size // 5:
            # Most of the unit comes back (a corrected export): one streaming query.
            rows = Member.objects.filter(node__path__startswith=node.path).values_list(*fields).iterator(chunk_size=10_000)
        else:
            rows = (v for part in chunked(sorted(wanted)) for v in Member.objects.filter(pk__in=part).values_list(*fields))
        for values in rows:
            if values[0] in wanted:
                members[values[0]] = SimpleNamespace(**dict(zip(fields, values, strict=True)))
        compare = [f for f in STORED if f in present]
        if "birth_date" in present and "birth_year" not in compare:
            compare.append("birth_year")
        changed_rows = []
        for n, target, v, unit in matched:
            m = members[target]
            new_values = {
                "full_name": v["full_name"],
                "kind": _kind_code(v["kind"]) or m.kind,
                "gender": GENDER_CODES.get(v["gender"], "") if v["gender"] else "",
                "birth_year": v["birth_year"] or (v["birth_date"].year if v["birth_date"] else None),
                "birth_date": v["birth_date"],
                "ethnicity": ethnicities.NAME_TO_CODE.get(v["ethnicity"], "") if v["ethnicity"] else "",
                "citizen_id": m.citizen_id if v["citizen_id"] is KEEP else (v["citizen_id"] or ""),
                "phone": m.phone if v["phone"] is KEEP else (v["phone"] or ""),
                "address": v["address"] or "",
                "joined_on": v["joined_on"],
                # The import records a leave but never a rejoin: a blank keeps what is stored.
                "left_on": v["left_on"] or m.left_on,
                "leave_reason": v["leave_reason"] or ("" if v["left_on"] is None and m.left_on is None else m.leave_reason),
            }
            change = {f: new_values[f] for f in compare if new_values[f] != getattr(m, f)}
            if unit is not None and unit.pk != m.node_id and m.status == MemberStatus.ACTIVE:
                change["node_id"] = unit.pk
            if change:
                plan.changed.append((m, change))
                changed_rows.append((n, (m, change)))
            else:
                plan.unchanged += 1
        return changed_rows

    def snapshot(self, node: Node) -> tuple:
        agg = Member.objects.filter(node__path__startswith=node.path).aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at"))
        units = Node.objects.filter(path__startswith=node.path, status=NodeStatus.ACTIVE).count()
        return (agg["n"], agg["last"], agg["changed"], units)

    # ------------------------------------------------------------------- commit

    def commit(self, plan: Plan, *, actor, node: Node, progress: Progress = no_progress) -> dict[str, Any]:
        total = len(plan.new) + len(plan.changed)

        def created_progress(done: int, _total: int) -> None:
            progress(done, total or 1)

        ids = members_bulk_create(rows=plan.new, progress=created_progress)
        updated = members_bulk_update(actor=actor, changes=plan.changed, on=timezone.localdate())
        progress(total, total or 1)
        return {"created": len(ids), "updated": updated, "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None}


MEMBER_IMPORT = MemberImport()


def _registered_elsewhere(cccds: list[str], node: Node) -> set[str]:
    """The CCCDs among `cccds` held by a live member outside `node`'s subtree.

    Plain SQL: Django takes longer to compile a 5,000-item IN list than the database
    takes to answer it, and a large sheet needs twenty of them."""
    found: set[str] = set()
    if not cccds:
        return found
    member, unit = Member._meta.db_table, Node._meta.db_table
    with connection.cursor() as cur:
        for part in chunked(cccds, 2000):
            marks = ", ".join(["%s"] * len(part))
            cur.execute(
                f"SELECT m.citizen_id FROM {member} m JOIN {unit} n ON n.id = m.node_id "  # noqa: S608 - table names from model meta
                f"WHERE m.citizen_id IN ({marks}) AND m.status <> %s AND n.path NOT LIKE %s",
                [*part, MemberStatus.MERGED, node.path + "%"],
            )
            found.update(row[0] for row in cur.fetchall())
    return found


def export_rows(members, *, personal_paths: list[str]):
    """Rows for `MemberImport.export`: the template's columns, personal data masked
    unless the reader may see it on the member's unit."""
    for i, m in enumerate(members, start=1):
        personal = any(m.node.path.startswith(p) for p in personal_paths)
        yield {
            "row_no": i,
            "chapter_code": m.node.code,
            "member_id": m.pk,
            "full_name": m.full_name,
            "kind": KIND_LABELS.get(m.kind, ""),
            "gender": GENDER_LABELS.get(m.gender, ""),
            "birth_year": m.birth_year,
            "birth_date": m.birth_date,
            "ethnicity": ethnicities.name_for(m.ethnicity),
            "citizen_id": m.citizen_id if personal else mask(m.citizen_id),
            "phone": m.phone if personal else mask(m.phone),
            "address": m.address,
            "joined_on": m.joined_on,
            "left_on": m.left_on,
            "leave_reason": m.leave_reason,
        }
