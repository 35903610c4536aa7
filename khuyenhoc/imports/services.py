"""Import records: upload, check (preview), commit — for every import kind.

Small files are checked and imported inside the request (well under a second). Large
ones run as a background job (`khuyenhoc.core.jobs`, run by `manage.py db_worker`,
which `make run` starts), and the page shows a progress bar until the job ends.
The command line (`manage.py import`) calls the same functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.jobs import Progress, job_start, register_job
from khuyenhoc.core.models import Job
from khuyenhoc.organizations.models import Node

from . import pipeline
from .models import ImportJob, ImportStatus
from .reading import MESSAGES as READING_MESSAGES
from .reading import ImportFileError, sniff_format
from .registry import ImportKind, Plan, get_kind

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 40 * 1024 * 1024
# Files up to this size are checked and imported inside the request.
INLINE_BYTES = 300_000
MAX_STORED_ERRORS = 20_000
# Uploaded files hold personal data: a file not imported within this many days is
# dropped (its record, counts and errors stay).
KEEP_UPLOADS_DAYS = 7
ANALYSE_TASK = "imports.analyse"
COMMIT_TASK = "imports.commit"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_upload(*, file_name: str, data: bytes) -> None:
    """Refuse at once what can never be a sheet: empty, too large, or another file type
    (decided from the content, not the name)."""
    if not data or not data.strip():
        raise ValidationError({"file": READING_MESSAGES["empty_file"].format(filename=file_name)})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB. Split it into several files.") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}}
        )
    kind = sniff_format(data)
    if kind == "binary":
        raise ValidationError({"file": READING_MESSAGES["not_spreadsheet"].format(filename=file_name)})
    if kind == "markup":
        raise ValidationError({"file": READING_MESSAGES["html_disguised"].format(filename=file_name)})


def import_uploads_purge(*, now=None) -> int:
    """Drop the bytes of uploads older than KEEP_UPLOADS_DAYS that were never imported."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_UPLOADS_DAYS)
    return ImportJob.objects.filter(created_at__lt=cutoff).exclude(data=b"").exclude(status__in=[ImportStatus.QUEUED, ImportStatus.ANALYSING, ImportStatus.COMMITTING]).update(data=b"")


@transaction.atomic
def import_job_create(*, actor, node: Node, kind: ImportKind, file_name: str, data: bytes) -> ImportJob:
    check_upload(file_name=file_name, data=data)
    import_uploads_purge()
    return ImportJob.objects.create(
        node=node,
        kind=kind.code,
        created_by=actor if getattr(actor, "pk", None) else None,
        file_name=file_name[:255],
        sha256=_sha256(data),
        size=len(data),
        data=data,
    )


def previous_import(job: ImportJob) -> ImportJob | None:
    """The same file imported before into the same unit (shown as a warning)."""
    return (
        ImportJob.objects.defer("data")
        .filter(node=job.node, kind=job.kind, sha256=job.sha256, status=ImportStatus.DONE)
        .exclude(pk=job.pk)
        .order_by("-committed_at")
        .first()
    )


def _error_rows(plan: Plan) -> list[list[Any]]:
    return [[e.sheet, e.row, e.column_header, e.message] for e in plan.errors[:MAX_STORED_ERRORS]]


def _store_plan(job: ImportJob, plan: Plan, status: str) -> None:
    job.status = status
    job.counts = plan.counts()
    job.errors = _error_rows(plan)
    job.error_count = len(plan.errors)
    job.samples = plan.samples[:40]
    job.message = ""
    if plan.skipped_example:
        job.message = _("The template's example row was left in the file and was skipped.")


def _set_status(job: ImportJob, status: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    job.status = status


def import_job_analyse(*, job: ImportJob, report: Progress | None = None) -> ImportJob:
    """Check every row and count what an import would do; writes nothing else."""
    kind = get_kind(job.kind)
    _set_status(job, ImportStatus.ANALYSING)
    try:
        plan = pipeline.analyse(kind, bytes(job.data), filename=job.file_name, node=job.node, report=report)
    except ImportFileError as exc:
        job.status, job.message, job.counts, job.errors, job.error_count = ImportStatus.FAILED, str(exc), {}, [], 0
    else:
        _store_plan(job, plan, ImportStatus.INVALID if plan.errors else ImportStatus.READY)
    job.save(update_fields=["status", "counts", "errors", "error_count", "samples", "message"])
    return job


def import_job_commit(*, actor, job: ImportJob, report: Progress | None = None) -> ImportJob:
    """Check again and write every row in one transaction; nothing if any row is wrong."""
    kind = get_kind(job.kind)
    actor = actor if getattr(actor, "pk", None) else None
    _set_status(job, ImportStatus.COMMITTING)

    def finish(plan: Plan) -> None:
        # Inside the pipeline's transaction: the record, its audit row and the
        # members are written together or not at all.
        _store_plan(job, plan, ImportStatus.DONE)
        job.result = plan.result
        job.committed_by = actor
        job.committed_at = timezone.now()
        job.data = b""  # the file holds personal data: keep only its hash
        job.save()
        audit_log(
            actor=actor,
            action="imports.job.committed",
            node=job.node,
            target=job,
            after={"kind": job.kind, "file": job.file_name, "sha256": job.sha256, **job.counts, **plan.result},
        )

    try:
        plan = pipeline.run(kind, bytes(job.data), filename=job.file_name, node=job.node, actor=actor, report=report, on_commit=finish)
    except ImportFileError as exc:
        job.status, job.message = ImportStatus.FAILED, str(exc)
        job.save(update_fields=["status", "message"])
        return job
    except IntegrityError:
        log.exception("import %s hit a constraint", job.pk)
        job.status = ImportStatus.FAILED
        job.message = _("Someone changed the register while this file was being imported; nothing was written. Check the file again.")
        job.save(update_fields=["status", "message"])
        return job
    if plan.errors:
        # The register changed since the preview and some rows no longer fit.
        _store_plan(job, plan, ImportStatus.INVALID)
        job.save(update_fields=["status", "counts", "errors", "error_count", "samples", "message"])
    return job


def import_file(*, actor, node: Node, kind: ImportKind, file_name: str, data: bytes, dry_run: bool = False, report: Progress | None = None) -> ImportJob:
    """Upload, check and (unless `dry_run` or an error) import in one go: the command line."""
    job = import_job_create(actor=actor, node=node, kind=kind, file_name=file_name, data=data)
    if dry_run:
        return import_job_analyse(job=job, report=report)
    return import_job_commit(actor=actor, job=job, report=report)


# ------------------------------------------------------------------- background runs


def _runs_inline(job: ImportJob) -> bool:
    return job.size <= INLINE_BYTES


def import_job_check(*, actor, job: ImportJob) -> ImportJob:
    """Check a freshly uploaded file now (small) or in the background (large)."""
    if _runs_inline(job):
        return import_job_analyse(job=job)
    task = job_start(kind=ANALYSE_TASK, node=job.node, user=actor, params={"import_job": job.pk})
    ImportJob.objects.filter(pk=job.pk).update(task=task)
    job.task = task
    return job


def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """The person pressed "Import": commit now (small) or in the background (large)."""
    if job.status != ImportStatus.READY:
        raise ValidationError(_("This file cannot be imported in its current state."))
    if not job.data:
        raise ValidationError(_("The uploaded file was removed after %(days)s days. Upload it again.") % {"days": KEEP_UPLOADS_DAYS})
    if _runs_inline(job):
        return import_job_commit(actor=actor, job=job)
    _set_status(job, ImportStatus.COMMITTING)
    task = job_start(kind=COMMIT_TASK, node=job.node, user=actor, params={"import_job": job.pk})
    ImportJob.objects.filter(pk=job.pk).update(task=task)
    job.task = task
    return job


def _job_for(task: Job) -> ImportJob:
    return ImportJob.objects.select_related("node").get(pk=task.params["import_job"])


def _mark_failed(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, message=_("The check stopped on an unexpected error. Try again or tell the administrator.")
    )


@register_job(ANALYSE_TASK)
def _analyse_task(task: Job, progress: Progress) -> None:
    job = _job_for(task)
    try:
        import_job_analyse(job=job, report=progress)
    except Exception:
        _mark_failed(job)
        raise


@register_job(COMMIT_TASK)
def _commit_task(task: Job, progress: Progress) -> None:
    job = _job_for(task)
    try:
        import_job_commit(actor=task.created_by, job=job, report=progress)
    except Exception:
        _mark_failed(job)
        raise
