"""A programme: its nominations, quotas, the council's ranking, and the nomination form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, accessible_nodes, has_cap
from khuyenhoc.core.text import initials_name, search_key
from khuyenhoc.core.views import apply_validation_error

from .. import selectors, services
from ..forms import ApproveRankedForm, NominationForm, ProgrammeForm, QuotaForm
from ..models import LEARNING_KINDS, NominationStatus, ProgrammeStatus
from ._base import flash_error, personal_paths, shown_name

PAGE = 50


def _nominating_nodes(user, programme):
    return accessible_nodes(user, Cap.AWARDS_NOMINATE).filter(path__startswith=programme.node.path, status="active").order_by("path")


@login_required
def programme_detail(request, programme_id):
    programme = selectors.get_programme(request.user, programme_id)
    visible = selectors.nominations_for_user(request.user).filter(programme=programme)
    counts = selectors.status_counts(visible)
    qs = visible.select_related("node", "at_node").order_by("name_sort", "id")
    status = request.GET.get("status", "")
    if status in NominationStatus.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()
    paths = personal_paths(request.user)
    if q:
        # Accent-free ("nguyen" finds "Nguyễn"), and only on the name as this user sees it,
        # so a pupil's full name cannot be guessed by searching.
        key = search_key(q)
        rows = qs.values_list("id", "nominee_name", "nominee_kind", "node__path")[:20000]
        qs = qs.filter(pk__in=[
            pk for pk, name, kind, path in rows
            if key in search_key(name if kind != "student" or any(path.startswith(p) for p in paths) else initials_name(name))
        ])
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    rows = [(n, shown_name(n, paths)) for n in page.object_list]
    can_decide = has_cap(request.user, programme.node, Cap.AWARDS_DECIDE)
    ctx = {
        "programme": programme,
        "node": programme.node,
        "counts": counts,
        "total": sum(counts.values()),
        "page": page,
        "rows": rows,
        "status": status,
        "q": q,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in NominationStatus.choices],
        "can_decide": can_decide,
        "can_nominate": programme.is_open and _nominating_nodes(request.user, programme).exists(),
        "from_recognition": bool(LEARNING_KINDS & set(programme.nominee_kinds)),
        "quotas": selectors.quota_usage(programme) if can_decide else [],
        "committed": selectors.committed_amount(programme) if can_decide else None,
    }
    if request.headers.get("HX-Request") and request.GET.get("part") == "rows":
        return render(request, "awards/_nomination_rows.html", ctx)
    return render(request, "awards/programme_detail.html", ctx)


@login_required
def programme_edit(request, programme_id):
    programme = selectors.get_programme(request.user, programme_id, Cap.AWARDS_DECIDE)
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_from(programme))
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("awards:programme_detail", programme_id=programme.pk)
    return render(request, "awards/form.html", {
        "node": programme.node, "form": form, "back": ("awards:programme_detail", programme.pk),
        "title": _("Edit %(name)s") % {"name": programme.name},
    })


@login_required
@require_POST
def programme_status(request, programme_id):
    programme = selectors.get_programme(request.user, programme_id, Cap.AWARDS_DECIDE)
    status = ProgrammeStatus.CLOSED if programme.is_open else ProgrammeStatus.OPEN
    try:
        services.programme_set_status(actor=request.user, programme=programme, status=status)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The programme is closed.") if status == ProgrammeStatus.CLOSED else _("The programme is open again."))
    return redirect("awards:programme_detail", programme_id=programme.pk)


@login_required
def programme_quotas(request, programme_id):
    programme = selectors.get_programme(request.user, programme_id, Cap.AWARDS_DECIDE)
    nodes = accessible_nodes(request.user, Cap.AWARDS_DECIDE).filter(path__startswith=programme.node.path, status="active").exclude(pk=programme.node_id)
    form = QuotaForm(request.POST or None, nodes=nodes.order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            services.quota_set(actor=request.user, programme=programme, node=form.cleaned_data["node"], max_nominations=form.cleaned_data["max_nominations"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Quota saved."))
            return redirect("awards:programme_quotas", programme_id=programme.pk)
    return render(request, "awards/quotas.html", {"programme": programme, "node": programme.node, "form": form, "quotas": selectors.quota_usage(programme)})


@login_required
def programme_ranking(request, programme_id):
    programme = selectors.get_programme(request.user, programme_id, Cap.AWARDS_DECIDE)
    ranked = selectors.ranked_nominations(programme).select_related("node")
    page = Paginator(ranked, 100).get_page(request.GET.get("page"))
    committed = selectors.committed_amount(programme)
    return render(request, "awards/ranking.html", {
        "programme": programme,
        "node": programme.node,
        "page": page,
        "committed": committed,
        "left": programme.budget - committed,
        "form": ApproveRankedForm(),
    })


@login_required
@require_POST
def programme_approve_ranked(request, programme_id):
    programme = selectors.get_programme(request.user, programme_id, Cap.AWARDS_DECIDE)
    form = ApproveRankedForm(request.POST)
    if form.is_valid():
        try:
            n = services.nominations_approve_ranked(actor=request.user, programme=programme, count=form.cleaned_data["count"])
        except ValidationError as exc:
            flash_error(request, exc)
        else:
            if n:
                messages.success(request, _("%(n)s nominations approved.") % {"n": n})
            else:
                messages.error(request, _("No scored nomination awaiting the council fits the budget left."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("awards:programme_ranking", programme_id=programme.pk)


@login_required
def nomination_create(request, programme_id):
    programme = selectors.get_programme(request.user, programme_id)
    nodes = _nominating_nodes(request.user, programme)
    form = NominationForm(request.POST or None, request.FILES or None, nodes=nodes, programme=programme)
    if not nodes.exists():
        messages.error(request, _("You may not propose nominations in this programme."))
        return redirect("awards:programme_detail", programme_id=programme.pk)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        evidence = data.pop("evidence", None)
        node = data.pop("node")
        try:
            # The nomination and its evidence are saved together or not at all.
            with transaction.atomic():
                nomination = services.nomination_create(actor=request.user, programme=programme, node=node, **data)
                if evidence:
                    services.evidence_add(actor=request.user, nomination=nomination, upload=evidence)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                exc = ValidationError({"evidence": exc.error_dict.pop("file"), **exc.error_dict})
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Nomination of %(name)s sent to %(unit)s.") % {"name": nomination.nominee_name, "unit": nomination.at_node.name})
            return redirect("awards:nomination_detail", nomination_id=nomination.pk)
    return render(request, "awards/nomination_form.html", {"programme": programme, "node": programme.node, "form": form,
                                                           "title": _("Nominate for %(name)s") % {"name": programme.name}})


@login_required
def nominate_from_recognition(request, programme_id):
    from .. import learning_link

    programme = selectors.get_programme(request.user, programme_id)
    candidates = learning_link.recognised_candidates(request.user, programme)
    if request.method == "POST":
        chosen = list(candidates.filter(pk__in=[v for v in request.POST.getlist("evaluation") if v.isdigit()]))
        try:
            made = learning_link.nominations_from_recognitions(actor=request.user, programme=programme, evaluations=chosen)
        except ValidationError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("%(n)s nominations made from recognition records.") % {"n": len(made)})
            return redirect("awards:programme_detail", programme_id=programme.pk)
    page = Paginator(candidates, 100).get_page(request.GET.get("page"))
    rows = [(e, learning_link.subject_name(e), learning_link.recognition_text(e)) for e in page.object_list]
    return render(request, "awards/from_recognition.html", {"programme": programme, "node": programme.node, "page": page, "rows": rows})
