"""Import pages: templates to download, upload, preview with every error, commit."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, get_for_user, has_cap, user_caps
from khuyenhoc.core.views import node_view

from . import services
from .models import ImportJob, ImportStatus
from .registry import all_kinds, get_kind, kind_or_404
from .templates_xlsx import guard_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Errors shown on the page; the full list is a download.
ERRORS_ON_PAGE = 500


def _job(request, import_id) -> ImportJob:
    """The import inside the user's subtrees, with the capability its kind needs."""
    job = get_for_user(ImportJob.objects.defer("data").select_related("node", "task", "created_by"), request.user, import_id, Cap.VIEW)
    try:
        kind = get_kind(job.kind)
    except LookupError:
        raise Http404 from None
    if not has_cap(request.user, job.node, kind.cap):
        raise Http404
    return job


@node_view(Cap.VIEW)
def node_imports(request, node):
    kinds = [(k, has_cap(request.user, node, k.cap)) for k in all_kinds()]
    allowed = [k.code for k, ok in kinds if ok]
    jobs = ImportJob.objects.defer("data").filter(node__path__startswith=node.path, kind__in=allowed).select_related("node", "created_by")[:30]
    return render(
        request,
        "imports/node_imports.html",
        {"node": node, "caps": user_caps(request.user, node), "kinds": kinds, "jobs": jobs, "max_mb": services.MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


@node_view(Cap.VIEW)
def template_download(request, node, kind):
    k = kind_or_404(kind)
    response = HttpResponse(k.template(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{k.file_stem or k.code}.xlsx"'
    return response


@node_view(Cap.VIEW)
@require_POST
def upload(request, node, kind):
    k = kind_or_404(kind)
    if not has_cap(request.user, node, k.cap):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to import."))
        return redirect("imports:node_imports", node_id=node.pk)
    if upload.size > services.MAX_UPLOAD_BYTES:
        messages.error(request, _("The file is larger than %(limit)s MB. Split it into several files.") % {"limit": services.MAX_UPLOAD_BYTES // (1024 * 1024)})
        return redirect("imports:node_imports", node_id=node.pk)
    data = upload.read()
    try:
        job = services.import_job_create(actor=request.user, node=node, kind=k, file_name=upload.name, data=data)
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
        return redirect("imports:node_imports", node_id=node.pk)
    services.import_job_check(actor=request.user, job=job)
    return redirect("imports:job", import_id=job.pk)


def error_text(row, column, message) -> str:
    """ "Dòng 17, cột Ngày sinh: '31/02/1960' không phải ngày hợp lệ" """
    if row and column:
        return _("Row %(row)s, column %(column)s: %(message)s") % {"row": row, "column": column, "message": message}
    if row:
        return _("Row %(row)s: %(message)s") % {"row": row, "message": message}
    return message


def _job_ctx(request, job: ImportJob) -> dict:
    kind = get_kind(job.kind)
    return {
        "job": job,
        "kind": kind,
        "node": job.node,
        "errors": [(sheet, error_text(row, column, message)) for sheet, row, column, message in job.errors[:ERRORS_ON_PAGE]],
        "more_errors": max(job.error_count - ERRORS_ON_PAGE, 0),
        "previous": services.previous_import(job) if job.status in (ImportStatus.READY, ImportStatus.INVALID) else None,
    }


@login_required
def job_detail(request, import_id):
    job = _job(request, import_id)
    return render(request, "imports/job.html", _job_ctx(request, job))


@login_required
def job_progress(request, import_id):
    """The progress partial the job page polls; when the work ends, reload the page."""
    job = _job(request, import_id)
    if not job.busy:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("imports:job", args=[job.pk])
        return response
    return render(request, "imports/_progress.html", {"job": job})


@login_required
@require_POST
def job_commit(request, import_id):
    job = _job(request, import_id)
    try:
        job = services.import_job_confirm(actor=request.user, job=ImportJob.objects.select_related("node").get(pk=job.pk))
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
    else:
        if job.status == ImportStatus.DONE:
            messages.success(request, _("Imported: %(new)s new, %(changed)s changed.") % {"new": job.counts.get("new", 0), "changed": job.counts.get("changed", 0)})
    return redirect("imports:job", import_id=job.pk)


@login_required
def job_errors(request, import_id):
    """Every stored error as CSV (UTF-8 with BOM so Excel opens the Vietnamese right)."""
    job = _job(request, import_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Sheet"), _("Row"), _("Column"), _("Problem")])
    for sheet, row, column, message in job.errors:
        # Cell values quoted in messages come from the uploaded file: defuse formulas.
        writer.writerow([guard_text(sheet or ""), row or "", guard_text(column or ""), guard_text(message)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-{job.pk}.csv"'
    return response
