"""A node's awards tab, new programmes, and the association's certificate and decision templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap, user_caps
from khuyenhoc.core.views import apply_validation_error, node_view

from .. import selectors, services
from ..documents.decision import DEFAULT_TEMPLATE, PLACEHOLDERS
from ..forms import CertificateTemplateForm, DecisionTemplateForm, ProgrammeForm
from ..models import CertificateTemplate, Decision, DecisionTemplate, Nomination, NominationStatus
from ..presets import PRESETS
from ._base import personal_paths, shown_name


@node_view(Cap.VIEW)
def node_awards(request, node):
    caps = user_caps(request.user, node)
    own = (
        node.award_programmes.annotate(
            n_total=Count("nominations"),
            n_waiting=Count("nominations", filter=Q(nominations__status=NominationStatus.PENDING, nominations__at_node=node)),
        )
        .order_by("-year", "name")
    )
    above = selectors.programmes_open_to(node).exclude(node=node).filter(status="open").order_by("-year", "node__path", "name")
    waiting = (
        Nomination.objects.filter(at_node=node, status__in=[NominationStatus.PENDING, NominationStatus.RETURNED])
        .select_related("programme", "node")
        .order_by("programme__name", "name_sort")[:100]
    )
    paths = personal_paths(request.user)
    ctx = {
        "node": node,
        "caps": caps,
        "own": own,
        "above": above,
        "waiting": [(n, shown_name(n, paths)) for n in waiting],
        "decisions": Decision.objects.filter(node=node).order_by("-date", "-number")[:50],
        "presets": PRESETS.values(),
    }
    return render(request, "awards/node_awards.html", ctx)


@node_view(Cap.AWARDS_DECIDE)
def programme_create(request, node):
    today = timezone.localdate()
    preset = PRESETS.get(request.GET.get("preset", ""))
    initial = {"year": today.year, "deadline": today.replace(month=11, day=30) if today.month < 11 else today, "budget": 0, "amount": 0}
    if preset:
        from ..forms import rubric_to_text

        fields = preset.fields(today.year)
        fields["rubric"] = rubric_to_text(fields["rubric"])
        initial.update(fields)
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, node=node, preset=preset.key if preset else "", **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Programme created."))
            return redirect("awards:programme_detail", programme_id=programme.pk)
    return render(request, "awards/form.html", {
        "node": node, "form": form, "back": ("awards:node_awards", node.pk),
        "title": _("New award programme of %(name)s") % {"name": node.name},
        "multipart": False,
    })


@node_view(Cap.AWARDS_DECIDE)
def certificate_template(request, node):
    from ..documents.certificates import look_for

    tpl = CertificateTemplate.objects.filter(node=node).first()
    look = look_for(node, timezone.localdate())
    initial = {k: look[k] for k in ("issuer_parent", "issuer_name", "title", "conferring_body", "signer_title", "signer_name", "place")}
    form = CertificateTemplateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_template_save(actor=request.user, node=node, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Certificate template saved."))
            return redirect("awards:node_awards", node_id=node.pk)
    return render(request, "awards/form.html", {
        "node": node, "form": form, "back": ("awards:node_awards", node.pk), "multipart": True,
        "title": _("Certificate template of %(name)s") % {"name": node.name},
        "intro": _("Shown on every certificate this association issues. Logo and seal: PNG or JPG up to 2 MB.")
        if tpl is None else _("Last changed %(when)s.") % {"when": timezone.localtime(tpl.updated_at).strftime("%d/%m/%Y %H:%M")},
    })


@node_view(Cap.AWARDS_DECIDE)
def decision_template(request, node):
    current = DecisionTemplate.objects.filter(node=node).first()
    form = DecisionTemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("remove"):
        services.decision_template_remove(actor=request.user, node=node)
        messages.success(request, _("The standard template is used again."))
        return redirect("awards:decision_template", node_id=node.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_template_upload(actor=request.user, node=node, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Decision template saved."))
            return redirect("awards:decision_template", node_id=node.pk)
    return render(request, "awards/decision_template.html", {"node": node, "form": form, "current": current, "placeholders": PLACEHOLDERS})


@node_view(Cap.AWARDS_DECIDE)
def decision_template_download(request, node):
    current = DecisionTemplate.objects.filter(node=node).first()
    if current and current.file:
        return FileResponse(current.file.open("rb"), as_attachment=True, filename=current.original_name)
    return FileResponse(DEFAULT_TEMPLATE.open("rb"), as_attachment=True, filename="mau-quyet-dinh-khen-thuong.docx")
