"""Long work with a progress bar: a Job row, a handler per kind, run by the task worker.

An area registers a handler:

    @register_job("awards.certificates_pdf")
    def build_pdf(job: Job, progress: Progress) -> None:
        for i, item in enumerate(items):
            ...
            progress(i + 1, len(items), _("Certificate %(n)s") % {"n": i + 1})
        job_attach_file(job, name="giay-khen.pdf", content=pdf_bytes)

and starts work with `job_start(kind=…, node=…, user=…, params={…})`. The page polls
`core:job_progress` (an htmx partial) until the job is done.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Job, JobStatus

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
_handlers: dict[str, Callable[[Job, Progress], None]] = {}


def register_job(kind: str):
    def deco(fn):
        _handlers[kind] = fn
        return fn

    return deco


def job_start(*, kind: str, node, user=None, params: dict | None = None) -> Job:
    if kind not in _handlers:
        raise KeyError(f"no job handler for {kind!r}")
    job = Job.objects.create(kind=kind, node=node, created_by=user if getattr(user, "pk", None) else None, params=params or {})
    # Enqueue after commit so the worker finds the row.
    transaction.on_commit(lambda: run_job_task.enqueue(job.pk))
    return job


def job_attach_file(job: Job, *, name: str, content: bytes) -> None:
    job.result_file.save(name, ContentFile(content), save=False)
    job.result_name = name
    job.save(update_fields=["result_file", "result_name"])


def run_job(job_id: int) -> Job:
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return job
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    last = {"t": 0.0}

    def progress(done: int, total: int, message: str = "") -> None:
        now = timezone.now().timestamp()
        # Write at most about four times a second; the last step always.
        if done < total and now - last["t"] < 0.25:
            return
        last["t"] = now
        Job.objects.filter(pk=job.pk).update(done=done, total=total, message=message[:300])

    try:
        _handlers[job.kind](job, progress)
    except Exception as exc:  # noqa: BLE001 - the person sees the failure on the progress page
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=f"{exc}\n\n{traceback.format_exc()}"[:5000], finished_at=timezone.now()
        )
    else:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


@task()
def run_job_task(job_id: int) -> None:
    run_job(job_id)
