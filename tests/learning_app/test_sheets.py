"""A village's sheets: households with members in, the same layout out, points for a whole village."""

from __future__ import annotations

import pytest

from khuyenhoc.imports.reading import read_table
from khuyenhoc.imports.templates_xlsx import write_rows
from khuyenhoc.learning.models import Evaluation, Household, HouseholdMember, Status
from khuyenhoc.learning.services import sheets

from .conftest import YEAR, make_household


def _row(code, name, year, gender="Nam", relation="Chủ hộ", village="TP-A-01", **extra):
    return {"village": village, "code": code, "full_name": name, "birth_year": year, "gender": gender,
            "relation": relation, "address": "Tổ 1, phường An Bình", **extra}


def _sheet(rows):
    return write_rows(sheets.HOUSEHOLD_COLUMNS, rows, sheet_title="Hộ gia đình")


ROWS = [
    _row("0001", "Hoàng Văn Ba", 1970),
    _row("0001", "Nông Thị Tư", 1972, "Nữ", "Vợ/chồng", studies_topic="Có"),
    _row("0001", "Hoàng Văn Năm", 2010, relation="Con", schooling="Đang đi học"),
    _row("0002", "Ma Thị Sáu", 1980, "Nữ"),
]


def test_a_village_sheet_creates_households_with_members_and_a_second_import_adds_nothing(world):
    result = sheets.household_sheet_import(actor=world.admin_a, node=world.chapter_a, data=_sheet(ROWS), filename="thon.xlsx", since_year=YEAR)
    assert (result.created, result.members) == (2, 4)
    h = Household.objects.get(code="0001")
    assert h.head_name == "Hoàng Văn Ba" and h.members.count() == 3
    assert h.members.get(full_name="Hoàng Văn Năm").schooling == "in_school"
    again = sheets.household_sheet_import(actor=world.admin_a, node=world.chapter_a, data=_sheet(ROWS), filename="thon.xlsx", since_year=YEAR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Household.objects.count() == 2 and HouseholdMember.objects.count() == 4


def test_a_changed_member_is_updated_in_place_and_keeps_its_identity(world):
    sheets.household_sheet_import(actor=None, node=world.chapter_a, data=_sheet(ROWS), filename="a.xlsx", since_year=YEAR)
    child = HouseholdMember.objects.get(full_name="Hoàng Văn Năm")
    changed = [*ROWS[:2], _row("0001", "Hoàng Văn Năm", 2010, relation="Con", schooling="Bỏ học"), ROWS[3]]
    result = sheets.household_sheet_import(actor=None, node=world.chapter_a, data=_sheet(changed), filename="a.xlsx", since_year=YEAR)
    assert result.updated == 1
    child.refresh_from_db()
    assert child.schooling == "dropped_out"


def test_a_member_of_a_village_outside_the_chapter_refuses_the_whole_sheet(world):
    rows = [*ROWS, _row("0003", "Lý Văn Bảy", 1975, village=world.chapter_b.code)]
    with pytest.raises(sheets.SheetRefused) as exc:
        sheets.household_sheet_import(actor=None, node=world.chapter_a, data=_sheet(rows), filename="thon.xlsx", since_year=YEAR)
    message = "\n".join(exc.value.messages)
    assert "dòng 6" in message and "Mã thôn, tổ" in message and "không thuộc" in message
    assert world.chapter_b.code in message
    assert not Household.objects.exists()


def test_every_bad_cell_is_reported_by_row_and_column_and_nothing_is_saved(world):
    rows = [
        _row("0001", "Hoàng Văn Ba", 1970),
        _row("0001", "Nông Thị Tư", 1972, "Nữ", "Chủ hộ"),  # a second head
        _row("0002", "", 1980),  # no name
        _row("0003", "Ma Văn Tám", 1880),  # impossible year
    ]
    with pytest.raises(sheets.SheetRefused) as exc:
        sheets.household_sheet_import(actor=None, node=world.chapter_a, data=_sheet(rows), filename="x.xlsx", since_year=YEAR)
    text = "\n".join(exc.value.messages)
    assert "dòng 3" in text and "Chủ hộ" in text
    assert "dòng 4" in text and "Họ và tên" in text
    assert "dòng 5" in text and "Năm sinh" in text
    assert not Household.objects.exists()


def test_the_export_reads_back_in_the_import_layout(world):
    sheets.household_sheet_import(actor=None, node=world.chapter_a, data=_sheet(ROWS), filename="a.xlsx", since_year=YEAR)
    data = sheets.household_export(world.commune_a)
    table = read_table(data, filename="export.xlsx")
    assert table.header[:4] == ["Mã thôn, tổ", "Mã hộ", "Địa chỉ", "Họ và tên"]
    assert len(table.rows) == 4
    again = sheets.household_sheet_import(actor=None, node=world.commune_a, data=data, filename="export.xlsx", since_year=YEAR)
    assert (again.created, again.unchanged) == (0, 2)


def test_the_template_has_the_example_row_which_is_not_imported(world):
    template = sheets.household_template()
    with pytest.raises(sheets.SheetRefused) as exc:
        # The example names a village of the demo city, which this tree does not have.
        sheets.household_sheet_import(actor=None, node=world.chapter_a, data=template, filename="mau.xlsx", since_year=YEAR)
    # Only "no households": the example line was skipped, not read as a household.
    assert len(exc.value.messages) == 1 and "dòng" not in exc.value.messages[0]


# ------------------------------------------------------------------------------ points


def _scores(world, year=YEAR):
    return sheets.scores_sheet(world.chapter_a, year)


def test_a_whole_village_is_registered_and_scored_from_its_points_sheet(world, family_set):
    for i in range(3):
        make_household(world.chapter_a, f"{i:04d}", head=f"Hoàng Văn Hộ{i}")
    table = read_table(_scores(world), filename="diem.xlsx")
    header = table.header
    rows = []
    for i, (_n, cells) in enumerate(table.rows):
        values = dict(zip(header, cells, strict=False))
        for it in family_set.parsed().items:
            values[f"Mục {it.code}"] = it.max_points if i < 2 else max(0, it.max_points - 5)
        rows.append(values)
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r[h] for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    evs = sheets.scores_sheet_import(actor=world.admin_a, node=world.chapter_a, data=buf.getvalue(), filename="diem.xlsx", year=YEAR)
    assert len(evs) == 3
    assert sorted(e.passed for e in evs) == [False, True, True]
    assert set(Evaluation.objects.values_list("status", flat=True)) == {Status.SELF_ASSESSED}


def test_points_above_the_maximum_in_the_sheet_name_the_cell_and_change_nothing(world, family_set):
    make_household(world.chapter_a, "0001")
    import io

    from openpyxl import Workbook

    items = [it for it in family_set.parsed().items]
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã thôn, tổ", "Mã hộ", "Chủ hộ", *[f"Mục {it.code}" for it in items]])
    ws.append(["TP-A-01", "0001", "Nguyễn Văn An", *[it.max_points for it in items[:-1]], 25])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(sheets.SheetRefused) as exc:
        sheets.scores_sheet_import(actor=None, node=world.chapter_a, data=buf.getvalue(), filename="diem.xlsx", year=YEAR)
    text = " ".join(exc.value.messages)
    assert "dòng 2" in text and f"Mục {items[-1].code}" in text and "20" in text
    assert not Evaluation.objects.exists()


def test_a_sheet_without_the_optional_columns_leaves_those_values_alone(world):
    sheets.household_sheet_import(actor=None, node=world.chapter_a, data=_sheet(ROWS), filename="a.xlsx", since_year=YEAR)
    short = tuple(c for c in sheets.HOUSEHOLD_COLUMNS if c.key not in sheets.OPTIONAL_KEYS)
    data = write_rows(short, [{k: v for k, v in r.items() if k not in sheets.OPTIONAL_KEYS} for r in ROWS], sheet_title="Hộ gia đình")
    result = sheets.household_sheet_import(actor=None, node=world.chapter_a, data=data, filename="b.xlsx", since_year=YEAR)
    assert result.unchanged == 2
    assert HouseholdMember.objects.get(full_name="Nông Thị Tư").studies_topic is True
    assert Household.objects.get(code="0001").address == "Tổ 1, phường An Bình"


def test_the_household_sheet_is_a_kind_of_the_shared_import_pipeline(world):
    from khuyenhoc.imports.registry import get_kind

    kind = get_kind("learning_households")
    assert kind.cap == "titles_edit" and kind.columns == sheets.HOUSEHOLD_COLUMNS
    assert read_table(kind.template(), filename="mau.xlsx").header[1] == "Mã hộ (*)"
