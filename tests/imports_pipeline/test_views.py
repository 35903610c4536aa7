"""Import pages: template, upload, preview with every error, commit, progress, CSV of errors."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from khuyenhoc.imports import services
from khuyenhoc.imports.models import ImportJob, ImportStatus
from khuyenhoc.members.models import Member

from .sheets import member_rows, sheet

pytestmark = pytest.mark.django_db


def _upload(c, node, data, name="hoi-vien.xlsx"):
    return c.post(f"/app/imports/nodes/{node.pk}/members/upload/", {"file": SimpleUploadedFile(name, data)})


def test_the_template_has_header_notes_dropdowns_and_an_example_row(world, client_for):
    r = client_for(world.viewer_a).get(f"/app/imports/nodes/{world.commune_a.pk}/members/template/")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('mau-nhap-hoi-vien.xlsx"')
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert "Họ và tên (*)" in header and "Ngày vào hội (*)" in header and "Số CCCD" in header
    assert ws.cell(row=1, column=header.index("Số CCCD") + 1).comment is not None
    assert ws.cell(row=2, column=header.index("Họ và tên (*)") + 1).value == "Nguyễn Văn Mẫu"
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert any("Nam" in f for f in lists.values())  # gender drop-down
    assert "Hướng dẫn" in wb.sheetnames


def test_a_good_small_file_is_previewed_then_imported(world, client_for):
    c = client_for(world.admin_a)
    r = _upload(c, world.commune_a, sheet("TP-A-01"))
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/app/imports/{job.pk}/"
    html = c.get(r["Location"]).content.decode()
    assert job.status == ImportStatus.READY and not Member.objects.exists()
    assert 'id="count-new">4<' in html and "Nhập: thêm 4, sửa 0" in html
    r = c.post(f"/app/imports/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Member.objects.count() == 4
    assert "Đã nhập: 4 mới" in c.get(r["Location"]).content.decode()


def test_a_file_with_a_bad_row_lists_the_problem_in_vietnamese_and_cannot_be_committed(world, client_for):
    rows = member_rows("TP-A-01")
    rows[15 % len(rows)][4] = "31/02/1960"
    c = client_for(world.admin_a)
    r = _upload(c, world.commune_a, sheet("TP-A-01", rows=rows))
    job = ImportJob.objects.get()
    html = c.get(r["Location"]).content.decode()
    assert "Dòng 5, cột Ngày sinh: &#x27;31/02/1960&#x27; không phải ngày hợp lệ" in html
    assert 'id="commit-button"' not in html
    assert c.post(f"/app/imports/{job.pk}/commit/").status_code == 302
    assert not Member.objects.exists()
    csv_text = c.get(f"/app/imports/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert "Ngày sinh" in csv_text and "31/02/1960" in csv_text


def test_a_renamed_pdf_is_refused_on_upload_with_a_message(world, client_for):
    c = client_for(world.admin_a)
    r = _upload(c, world.commune_a, b"%PDF-1.4\n1 0 obj\n", name="hoi-vien.xlsx")
    assert r.status_code == 302 and not ImportJob.objects.exists()
    assert "không phải bảng tính" in c.get(r["Location"]).content.decode()


def test_a_viewer_may_download_templates_but_not_upload(world, client_for):
    c = client_for(world.viewer_a)
    html = c.get(f"/app/imports/nodes/{world.commune_a.pk}/").content.decode()
    assert "Tải tệp mẫu" in html and 'type="file"' not in html
    assert _upload(c, world.commune_a, sheet("TP-A-01")).status_code == 404


def test_a_large_file_is_checked_and_imported_in_the_background_with_progress(world, client_for, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "INLINE_BYTES", 10)
    c = client_for(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(c, world.commune_a, sheet("TP-A-01"))
    job = ImportJob.objects.get()
    assert job.task is not None and job.task.kind == "imports.analyse"
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    # Finished work: the progress partial sends the page to reload itself.
    progress = c.get(f"/app/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 204 and progress["HX-Redirect"] == f"/app/imports/{job.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/app/imports/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.task.kind == "imports.commit"
    assert job.task.status == "done" and job.task.percent == 100
    assert Member.objects.count() == 4


def test_while_work_runs_the_page_shows_a_progress_bar(world, client_for):
    from khuyenhoc.core.models import Job

    job = services.import_job_create(actor=world.admin_a, node=world.commune_a, kind=services.get_kind("members"), file_name="a.xlsx", data=sheet("TP-A-01"))
    task = Job.objects.create(kind="imports.analyse", node=world.commune_a, status="running", done=40, total=100, message="Đang kiểm tra từng dòng")
    ImportJob.objects.filter(pk=job.pk).update(task=task, status=ImportStatus.ANALYSING)
    c = client_for(world.admin_a)
    html = c.get(f"/app/imports/{job.pk}/").content.decode()
    assert '<progress max="100" value="40">' in html and "every 1s" in html
    partial = c.get(f"/app/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert "Đang kiểm tra từng dòng" in partial


def test_the_same_file_again_is_flagged_and_changes_nothing(world, client_for):
    c = client_for(world.admin_a)
    data = sheet("TP-A-01")
    r = _upload(c, world.commune_a, data)
    c.post(r["Location"] + "commit/")
    r = _upload(c, world.commune_a, data)
    html = c.get(r["Location"]).content.decode()
    assert "Tệp này đã được nhập lúc" in html and "Mọi dòng đều đã có trong sổ" in html
    assert Member.objects.count() == 4


def test_uploads_never_imported_are_dropped_after_a_week(world, client_for):
    import datetime as dt

    from django.utils import timezone

    c = client_for(world.admin_a)
    r = _upload(c, world.commune_a, sheet("TP-A-01"))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert services.import_uploads_purge() == 1
    c.post(f"/app/imports/{job.pk}/commit/")
    assert "Tệp đã tải lên được xoá sau 7 ngày" in c.get(r["Location"]).content.decode()
    assert not Member.objects.exists()
