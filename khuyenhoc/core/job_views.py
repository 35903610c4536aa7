from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from khuyenhoc.accounts.permissions import Cap, get_for_user

from .models import Job


@login_required
def job_progress(request, job_id):
    job = get_for_user(Job.objects.all(), request.user, job_id, Cap.VIEW)
    template = "core/_job_progress.html" if request.headers.get("HX-Request") else "core/job_page.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, job_id):
    job = get_for_user(Job.objects.all(), request.user, job_id, Cap.VIEW)
    if not job.result_file:
        raise Http404
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name or None)
