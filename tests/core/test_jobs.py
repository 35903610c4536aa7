"""Long work runs as a job with progress; the database backend's worker runs it."""

import pytest
from django.core.management import call_command

from khuyenhoc.core.jobs import job_attach_file, job_start, register_job, run_job
from khuyenhoc.core.models import Job, JobStatus


@register_job("test.count")
def _count(job, progress):
    n = job.params["n"]
    for i in range(n):
        progress(i + 1, n, f"bước {i + 1}")
    job_attach_file(job, name="ket-qua.txt", content=b"xong")


@register_job("test.boom")
def _boom(job, progress):
    raise ValueError("hỏng")


def test_a_job_reports_progress_and_keeps_its_file(world):
    job = Job.objects.create(kind="test.count", node=world.chapter_a, params={"n": 3})
    job = run_job(job.pk)
    assert job.status == JobStatus.DONE
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.result_file.read() == b"xong"


def test_a_failed_job_says_so(world):
    job = run_job(Job.objects.create(kind="test.boom", node=world.chapter_a).pk)
    assert job.status == JobStatus.FAILED
    assert "hỏng" in job.error


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(world, settings):
    # django-tasks resets its backends when TASKS changes (setting_changed).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = job_start(kind="test.count", node=world.chapter_a, user=world.admin_a, params={"n": 5})
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 5


def test_the_progress_page_shows_the_bar_and_the_download(world, client_for):
    job = run_job(Job.objects.create(kind="test.count", node=world.chapter_a, params={"n": 2}).pk)
    c = client_for(world.admin_a)
    html = c.get(f"/app/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<progress" in html and 'value="100"' in html
    assert c.get(f"/app/jobs/{job.pk}/download/").getvalue() == b"xong"
    outsider = client_for(world.admin_b)
    assert outsider.get(f"/app/jobs/{job.pk}/").status_code == 404
