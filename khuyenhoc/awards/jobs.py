"""Long work of the awards area, run by the shared job runner (khuyenhoc.core.jobs)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.jobs import job_attach_file, job_start, register_job

from .documents.certificates import render_certificates
from .models import Award, Decision

CERTIFICATES_JOB = "awards.certificates_pdf"


def certificates_filename(decision: Decision) -> str:
    return f"giay-khen-{slugify(decision.code.replace('/', '-').replace('Đ', 'D'))}-{decision.year}.pdf"


@register_job(CERTIFICATES_JOB)
def build_certificates_pdf(job, progress) -> None:
    decision = Decision.objects.select_related("node").get(pk=job.params["decision_id"])
    awards = Award.objects.filter(decision=decision, revoked_at__isnull=True).select_related("decision__node", "programme").order_by("line")
    total = awards.count()
    progress(0, total, "")
    pdf = render_certificates(awards, base_url=job.params["base_url"], progress=progress)
    job_attach_file(job, name=certificates_filename(decision), content=pdf)


@transaction.atomic
def certificates_job_start(*, actor, decision: Decision, base_url: str):
    """Start printing every valid certificate of a decision into one PDF; returns the job."""
    job = job_start(kind=CERTIFICATES_JOB, node=decision.node, user=actor, params={"decision_id": decision.pk, "base_url": base_url})
    audit_log(actor=actor, action="awards.certificates.printed", node=decision.node, target=decision, after={"job": job.pk, "all": True})
    return job
