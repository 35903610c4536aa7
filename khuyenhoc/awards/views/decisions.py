"""Decisions: issue, print (DOCX, PDF), pay through the fund, certificates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, has_cap, user_caps
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.models import Job
from khuyenhoc.core.views import apply_validation_error, node_view

from .. import selectors, services
from ..documents import certificates
from ..documents import decision as decision_doc
from ..forms import DecisionForm, PayForm, ReasonForm
from ..jobs import CERTIFICATES_JOB, certificates_job_start
from ..models import NominationStatus, Programme
from ._base import PERSONAL_CAPS, flash_error

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _personal(user, node) -> bool:
    return any(has_cap(user, node, cap) for cap in PERSONAL_CAPS)


def _file_stem(decision) -> str:
    return "quyet-dinh-" + slugify(decision.code.replace("/", "-").replace("Đ", "D")) + f"-{decision.year}"


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@node_view(Cap.AWARDS_DECIDE)
def decision_create(request, node):
    programmes = Programme.objects.filter(node=node).annotate(
        n_approved=Count("nominations", filter=Q(nominations__status=NominationStatus.APPROVED))
    ).filter(n_approved__gt=0)
    chosen = list(programmes.filter(pk__in=request.GET.getlist("programme"))) or list(programmes)
    initial = services.decision_defaults(node, chosen, timezone.localdate())
    initial["programmes"] = [p.pk for p in chosen]
    form = DecisionForm(request.POST or None, programmes=programmes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            decision = services.decision_issue(actor=request.user, node=node, programmes=list(data.pop("programmes")), **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Decision %(code)s issued with %(n)s awards.") % {"code": decision.code, "n": decision.awards.count()})
            return redirect("awards:decision_detail", decision_id=decision.pk)
    return render(request, "awards/decision_form.html", {"node": node, "form": form, "programmes": programmes})


@login_required
def decision_detail(request, decision_id):
    decision = selectors.get_decision(request.user, decision_id)
    caps = user_caps(request.user, decision.node)
    job = None
    if request.GET.get("job"):
        job = Job.objects.filter(pk=request.GET["job"], kind=CERTIFICATES_JOB, node=decision.node, params__decision_id=decision.pk).first()
    awards = decision.awards.select_related("programme", "node").order_by("line")
    personal = _personal(request.user, decision.node)
    return render(request, "awards/decision_detail.html", {
        "decision": decision,
        "node": decision.node,
        "caps": caps,
        "awards": awards,
        "personal": personal,
        "pay": selectors.payment_state(decision),
        "job": job,
        "revoke_form": ReasonForm(),
    })


def _require_personal(request, decision) -> bool:
    if _personal(request.user, decision.node):
        return True
    messages.error(request, _("The list names pupils in full: only the association's officers may print it."))
    return False


@login_required
def decision_docx(request, decision_id):
    decision = selectors.get_decision(request.user, decision_id)
    if not _require_personal(request, decision):
        return redirect("awards:decision_detail", decision_id=decision.pk)
    content = decision_doc.render_docx(decision)
    audit_log(actor=request.user, action="awards.decision.exported", node=decision.node, target=decision, after={"format": "docx"})
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{_file_stem(decision)}.docx"'
    return response


@login_required
def decision_pdf(request, decision_id):
    decision = selectors.get_decision(request.user, decision_id)
    if not _require_personal(request, decision):
        return redirect("awards:decision_detail", decision_id=decision.pk)
    content = decision_doc.render_pdf(decision)
    audit_log(actor=request.user, action="awards.decision.exported", node=decision.node, target=decision, after={"format": "pdf"})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_file_stem(decision)}.pdf"'
    return response


def _accounts(decision):
    try:
        from khuyenhoc.fund.models import AccountKind, FundAccount, FundStatus
    except ImportError:  # pragma: no cover - the fund app ships with the product
        return []
    return list(
        FundAccount.objects.filter(fund__node=decision.node, fund__status=FundStatus.ACTIVE)
        .exclude(kind=AccountKind.IN_KIND)
        .select_related("fund")
        .order_by("fund__name", "kind", "pk")
    )


@login_required
def decision_pay(request, decision_id):
    decision = selectors.get_decision(request.user, decision_id, Cap.FUND_DRAFT)
    accounts = _accounts(decision)
    form = PayForm(request.POST or None, accounts=accounts, initial={"date": timezone.localdate()})
    state = selectors.payment_state(decision)
    if request.method == "POST" and form.is_valid():
        account = form.cleaned_data["account"]
        try:
            vouchers = services.decision_pay(actor=request.user, decision=decision, fund=account.fund, account=account, date=form.cleaned_data["date"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(n)s payment vouchers drafted; the fund's approver posts them.") % {"n": len(vouchers)})
            return redirect("awards:decision_detail", decision_id=decision.pk)
    return render(request, "awards/decision_pay.html", {"decision": decision, "node": decision.node, "form": form, "pay": state, "accounts": accounts})


@login_required
@require_POST
def decision_approve_payments(request, decision_id):
    decision = selectors.get_decision(request.user, decision_id, Cap.FUND_APPROVE)
    try:
        n = services.decision_approve_payments(actor=request.user, decision=decision)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("%(n)s payment vouchers approved and posted.") % {"n": n})
    return redirect("awards:decision_detail", decision_id=decision.pk)


@login_required
@require_POST
def decision_certificates(request, decision_id):
    decision = selectors.get_decision(request.user, decision_id)
    if not _require_personal(request, decision):
        return redirect("awards:decision_detail", decision_id=decision.pk)
    job = certificates_job_start(actor=request.user, decision=decision, base_url=_base_url(request))
    return redirect(reverse("awards:decision_detail", args=[decision.pk]) + f"?job={job.pk}")


@login_required
def award_certificate(request, award_id):
    award = selectors.get_award(request.user, award_id)
    if not (_personal(request.user, award.decision.node) or _personal(request.user, award.node)):
        messages.error(request, _("Only the association's officers may print certificates."))
        return redirect("awards:node_awards", node_id=award.node_id)
    content = certificates.render_certificates([award], base_url=_base_url(request))
    audit_log(actor=request.user, action="awards.certificates.printed", node=award.decision.node, target=award, after={"all": False})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-khen-{award.register_number}-{award.decision.year}.pdf"'
    return response


@login_required
@require_POST
def award_revoke(request, award_id):
    award = selectors.get_award(request.user, award_id, Cap.AWARDS_DECIDE)
    try:
        services.award_revoke(actor=request.user, award=award, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The certificate of %(name)s is revoked; its check page says so.") % {"name": award.nominee_name})
    if selectors.decisions_for_user(request.user).filter(pk=award.decision_id).exists():
        return redirect("awards:decision_detail", decision_id=award.decision_id)
    return redirect("awards:nomination_detail", nomination_id=award.nomination_id)
