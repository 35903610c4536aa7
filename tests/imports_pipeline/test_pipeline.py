"""The import pipeline with the member sheet: all or nothing, every error named, no duplicates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.core.models import AuditEvent
from khuyenhoc.imports.models import ImportStatus
from khuyenhoc.imports.reading import DEFAULT_MAX_ROWS
from khuyenhoc.members.importing import MEMBER_IMPORT, export_rows
from khuyenhoc.members.models import Member, MembershipPeriod, MemberStatus, MemberTransfer
from khuyenhoc.members.services import member_create
from tests.imports.builders import ole2_bytes, xlsx_bytes
from tests.members.factories import add_chapter

from .sheets import HEADERS, PEOPLE, csv_sheet, legacy_sheet, member_rows, messages, run, sheet

pytestmark = pytest.mark.django_db


def test_a_good_sheet_is_written_whole_with_history(world):
    job = run(world.commune_a, sheet("TP-A-01"), actor=world.admin_a)
    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts == {"rows": 4, "new": 4, "changed": 0, "unchanged": 0, "error_rows": 0, "errors": 0}
    an = Member.objects.get(citizen_id="006060001111")
    assert (an.full_name, an.node, an.gender, an.ethnicity, an.birth_date) == ("Nguyễn Văn Ẩn", world.chapter_a, "male", "01", dt.date(1960, 3, 12))
    assert an.search_key == "nguyen van an"
    assert MembershipPeriod.objects.count() == 4
    assert job.data == b""  # the uploaded file is not kept after the commit
    event = AuditEvent.objects.get(action="imports.job.committed")
    assert event.actor == world.admin_a and event.after["sha256"] == job.sha256 and event.after["created"] == 4


def test_importing_the_same_file_twice_creates_no_duplicates(world):
    data = sheet("TP-A-01")
    run(world.commune_a, data)
    again = run(world.commune_a, data)
    assert again.status == ImportStatus.DONE
    assert (again.counts["new"], again.counts["changed"], again.counts["unchanged"]) == (0, 0, 4)
    assert Member.objects.count() == 4


def test_one_bad_row_writes_nothing_and_names_row_column_and_value(world):
    rows = member_rows("TP-A-01")
    rows[2][4] = "31/02/1960"
    job = run(world.commune_a, sheet("TP-A-01", rows=rows))
    assert job.status == ImportStatus.INVALID
    assert messages(job) == ["4|Ngày sinh|'31/02/1960' không phải ngày hợp lệ"]
    assert job.counts["error_rows"] == 1
    assert not Member.objects.exists()


def test_a_chapter_import_may_leave_the_chapter_code_empty(world):
    rows = [[None, *r[1:]] for r in member_rows("")]
    assert run(world.chapter_a, sheet("", rows=rows)).status == ImportStatus.DONE
    assert Member.objects.filter(node=world.chapter_a).count() == 4
    # At commune level an empty code cannot be placed.
    job = run(world.commune_a, sheet("", rows=[[None, "Ma Văn Mới", "Nam", 1970, None, "Tày", None, None, "", dt.date(2020, 1, 1)]]))
    assert messages(job) == ["2|Mã chi hội|Chưa ghi mã chi hội"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((4, dt.date(2999, 1, 1)), "Ngày sinh|'01/01/2999' là ngày trong tương lai"),
        ((0, "XX-99"), "Mã chi hội|'XX-99' không phải chi hội hoặc ban khuyến học của Hội Khuyến học phường An Bình"),
        ((6, "0061234"), "Số CCCD|CCCD phải gồm 12 chữ số (đang ghi '0061234')"),
        ((7, "12345"), "Điện thoại|'12345' không phải số điện thoại di động hợp lệ"),
        ((5, "Người sao Hỏa"), "Dân tộc|'Người sao Hỏa' không có trong danh sách cho phép"),
        ((3, 1961), "Năm sinh|Năm sinh 1961 không khớp với ngày sinh 12/03/1960"),
        ((9, dt.date(1950, 1, 1)), "Ngày vào hội|'01/01/1950' trước ngày sinh"),
        ((1, None), "Họ và tên|Chưa nhập giá trị (cột bắt buộc)"),
    ],
)
def test_each_bad_cell_gets_a_clear_vietnamese_message_and_nothing_is_written(world, change, expected):
    rows = member_rows("TP-A-01")
    col, value = change
    rows[0][col] = value
    job = run(world.commune_a, sheet("TP-A-01", rows=rows))
    assert job.status == ImportStatus.INVALID
    assert any(m.startswith("2|") and expected in m for m in messages(job)), messages(job)
    assert not Member.objects.exists()


def test_every_problem_is_listed_not_only_the_first(world):
    rows = member_rows("TP-A-01")
    rows[0][4] = "31/02/1960"
    rows[1][6] = "123"
    rows[3][0] = "XX"
    job = run(world.commune_a, sheet("TP-A-01", rows=rows))
    assert [m.split("|")[:2] for m in messages(job)] == [["2", "Ngày sinh"], ["3", "Số CCCD"], ["5", "Mã chi hội"]]


def test_the_same_person_twice_in_one_file_is_refused_on_the_later_row(world):
    rows = member_rows("TP-A-01")
    rows.append(list(rows[0]))
    twin = list(rows[2])
    twin[1] = "nông văn DŨNG"  # same person, typed differently, no CCCD
    rows.append(twin)
    job = run(world.commune_a, sheet("TP-A-01", rows=rows))
    found = messages(job)
    assert found == [
        "6|Số CCCD|CCCD 006060001111 đã có ở dòng 2: một người ghi hai lần",
        "7|Họ và tên|nông văn DŨNG, sinh năm 1955, chi hội TP-A-01 đã có ở dòng 4: một người ghi hai lần",
    ]
    assert not Member.objects.exists()


def test_a_cccd_registered_in_another_commune_is_refused(world):
    member_create(actor=None, node=world.chapter_b, full_name="Hoàng Thị Lan", birth_year=1972, citizen_id="006172002222", joined_on=dt.date(2010, 1, 1))
    job = run(world.commune_a, sheet("TP-A-01"))
    assert job.status == ImportStatus.INVALID
    assert any(m.startswith("3|Số CCCD|") for m in messages(job))
    assert "Bến Đò" not in " ".join(messages(job))  # the other unit is not revealed
    assert Member.objects.count() == 1


def test_the_register_is_matched_by_cccd_then_by_name_year_and_chapter(world):
    existing = member_create(actor=None, node=world.chapter_a, full_name="Nông Văn Dũng", birth_year=1955, joined_on=dt.date(2015, 10, 2), address="Cũ")
    by_cccd = member_create(actor=None, node=world.chapter_a, full_name="Hoang Thi Lan", citizen_id="006172002222", birth_year=1972, joined_on=dt.date(2015, 10, 2))
    job = run(world.commune_a, sheet("TP-A-01"))
    assert job.status == ImportStatus.DONE
    assert (job.counts["new"], job.counts["changed"]) == (2, 2)
    existing.refresh_from_db()
    by_cccd.refresh_from_db()
    assert existing.address == "Tổ 3" and by_cccd.full_name == "Hoàng Thị Lan"
    assert Member.objects.count() == 4


def test_an_export_comes_back_unchanged_and_a_correction_by_member_id_updates(world):
    run(world.commune_a, sheet("TP-A-01"))
    members = list(Member.objects.select_related("node").order_by("sort_key"))
    rows = list(export_rows(members, personal_paths=[world.commune_a.path]))
    data = MEMBER_IMPORT.export(rows)
    again = run(world.commune_a, data)
    assert (again.counts["unchanged"], again.counts["changed"], again.counts["new"]) == (4, 0, 0), again.errors
    # A corrected name keeps its member through the id column.
    target = next(r for r in rows if r["full_name"] == "Nông Văn Dũng")
    target["full_name"] = "Nông Văn Dủng"
    corrected = run(world.commune_a, MEMBER_IMPORT.export(rows))
    assert (corrected.counts["changed"], corrected.counts["new"]) == (1, 0)
    assert Member.objects.get(pk=target["member_id"]).full_name == "Nông Văn Dủng"


def test_masked_numbers_in_an_export_keep_the_stored_values(world):
    run(world.commune_a, sheet("TP-A-01"))
    members = list(Member.objects.select_related("node"))
    rows = list(export_rows(members, personal_paths=[]))
    assert {r["citizen_id"] for r in rows} >= {"••••••••1111"}
    job = run(world.commune_a, MEMBER_IMPORT.export(rows))
    assert job.counts["unchanged"] == 4
    assert Member.objects.filter(citizen_id="006060001111").exists()


def test_a_new_chapter_code_for_a_known_member_is_a_transfer_and_a_leave_date_a_leave(world):
    other = add_chapter(world.commune_a, "TP-A-02")
    run(world.commune_a, sheet("TP-A-01"))
    rows = member_rows("TP-A-01")
    rows[0][0] = "TP-A-02"
    headers = [*HEADERS, "Ngày ra hội", "Lý do ra hội"]
    rows = [[*r, None, None] for r in rows]
    rows[1][-2:] = [dt.date(2022, 6, 1), "Chuyển nơi ở"]
    job = run(world.commune_a, sheet("", rows=rows, headers=headers))
    assert job.status == ImportStatus.DONE and job.counts["changed"] == 2, job.errors
    moved = Member.objects.get(citizen_id="006060001111")
    assert moved.node == other and MemberTransfer.objects.filter(member=moved).exists()
    left = Member.objects.get(citizen_id="006172002222")
    assert (left.status, left.left_on) == (MemberStatus.LEFT, dt.date(2022, 6, 1))


def test_header_variants_and_a_title_row_above_are_tolerated(world):
    headers = ["STT", "Mã đơn vị", "HỌ VÀ TÊN (*)", "Giới tính", "Năm sinh", "Ngày tháng năm sinh", "Dân tộc", "CCCD", "SĐT", "Thôn, tổ dân phố", "Ngày kết nạp"]
    rows = [[i, *r] for i, r in enumerate(member_rows("TP-A-01"), start=1)]
    data = xlsx_bytes([["DANH SÁCH HỘI VIÊN"], [], headers, *rows])
    job = run(world.commune_a, data)
    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts["new"] == 4


def test_the_templates_example_row_is_skipped(world):
    data = MEMBER_IMPORT.template()
    job = run(world.commune_a, data, dry_run=True)
    assert job.status == ImportStatus.READY
    assert job.counts["rows"] == 1 and job.counts["new"] == 0
    assert "ví dụ" in job.message or "example" in job.message


def test_legacy_xls_and_csv_files_are_read(world):
    assert run(world.commune_a, legacy_sheet("TP-A-01"), file_name="a.xls", dry_run=True).counts["new"] == 4
    for encoding, bom in (("utf-8", False), ("utf-8", True), ("cp1258", False)):
        job = run(world.commune_a, csv_sheet("TP-A-01", encoding=encoding, bom=bom), file_name="a.csv", dry_run=True)
        assert job.status == ImportStatus.READY, (encoding, bom, job.errors, job.message)
        assert job.counts["new"] == 4
    job = run(world.commune_a, csv_sheet("TP-A-01", encoding="cp1258"), file_name="a.csv")
    assert Member.objects.get(citizen_id="006060001111").full_name == "Nguyễn Văn Ẩn"


def test_a_dry_run_writes_nothing(world):
    job = run(world.commune_a, sheet("TP-A-01"), dry_run=True)
    assert job.status == ImportStatus.READY and job.counts["new"] == 4
    assert not Member.objects.exists()


# --------------------------------------------------------------- files refused whole


def test_an_empty_file_is_refused_at_upload(world):
    with pytest.raises(ValidationError, match="rỗng"):
        run(world.commune_a, b"")


def test_a_renamed_pdf_is_refused_by_its_content(world):
    with pytest.raises(ValidationError, match="không phải bảng tính"):
        run(world.commune_a, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", file_name="hoi-vien.xlsx")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (ole2_bytes(["EncryptionInfo", "EncryptedPackage"]), "mật khẩu"),
        (xlsx_bytes([HEADERS, *member_rows("TP-A-01")], merges=["A2:A3"]), "ô gộp"),
        (xlsx_bytes([HEADERS, [*member_rows("TP-A-01")[0][:3], "=1900+60", *member_rows("TP-A-01")[0][4:]]]), "công thức"),
    ],
    ids=["password", "merged-cells", "formula"],
)
def test_files_that_cannot_be_read_safely_are_refused_with_a_message(world, data, expected):
    job = run(world.commune_a, data)
    assert job.status == ImportStatus.FAILED
    assert expected in job.message
    assert not Member.objects.exists()


def test_a_sheet_with_the_wrong_header_names_each_unknown_and_missing_column(world):
    job = run(world.commune_a, xlsx_bytes([["Tên", "Tuổi"], ["A", 1]]))
    assert job.status == ImportStatus.INVALID
    found = " ".join(messages(job))
    assert "Cột 'Tên' (cột A) không có trong mẫu nhập" in found
    assert "Thiếu cột bắt buộc 'Họ và tên'" in found and "Thiếu cột bắt buộc 'Ngày vào hội'" in found
    assert not Member.objects.exists()


def test_a_header_missing_a_required_column_is_refused(world):
    headers = [h for h in HEADERS if h != "Ngày vào hội"]
    rows = [r[:-1] for r in member_rows("TP-A-01")]
    job = run(world.commune_a, sheet("", rows=rows, headers=headers))
    assert job.status == ImportStatus.INVALID
    assert any("Thiếu cột bắt buộc 'Ngày vào hội'" in m for m in messages(job))


def test_a_file_above_the_row_limit_is_refused_without_reading_it_all(world):
    assert DEFAULT_MAX_ROWS == MEMBER_IMPORT.max_rows == 200_000
    lines = "Họ và tên,Ngày vào hội\r\n" + "A,01/01/2020\r\n" * 1_000_001
    job = run(world.commune_a, lines.encode(), file_name="trieu-dong.csv")
    assert job.status == ImportStatus.FAILED
    assert "vượt giới hạn 200.000 dòng" in job.message
    assert not Member.objects.exists()


def test_a_file_over_the_size_limit_is_refused_at_upload(world, monkeypatch):
    from khuyenhoc.imports import services

    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(ValidationError, match="MB"):
        run(world.commune_a, sheet("TP-A-01"))


def test_people_above_the_data_rows_are_counted_once(world):
    assert len(PEOPLE) == 4


def test_two_rows_that_find_the_same_member_are_refused(world):
    run(world.commune_a, sheet("TP-A-01"))
    dung = Member.objects.select_related("node").get(full_name="Nông Văn Dũng")
    rows = list(export_rows([dung], personal_paths=[world.commune_a.path]))
    again = dict(rows[0], member_id=None, row_no=2, address="Tổ 9")  # found by name + year + chapter
    job = run(world.commune_a, MEMBER_IMPORT.export([*rows, again]))
    assert job.status == ImportStatus.INVALID
    assert messages(job) == [f"3|None|Dòng này và dòng 2 là cùng một hội viên (mã {dung.pk})"]
