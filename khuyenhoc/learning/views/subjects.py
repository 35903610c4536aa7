"""Clans, units and citizens; the chapter's public form link and the self-assessments sent through it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, get_for_user, has_cap
from khuyenhoc.core.views import apply_validation_error, node_view

from .. import selectors, services
from ..forms import CitizenForm, ClanForm, StaffForm, UnitForm, this_year
from ..models import CitizenSubmission, Clan, Household, HouseholdMember, Unit
from ..services.public import PUBLIC_KINDS, matching_members
from ..services.subjects import _association_path
from .common import head, year_of


@node_view(Cap.TITLES_EDIT)
def clan_create(request, node):
    form = ClanForm(request.POST or None, initial={"since_year": this_year()})
    if request.method == "POST" and form.is_valid():
        try:
            clan = services.clan_create(actor=request.user, node=node, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("learning:clan_detail", clan_id=clan.pk)
    return render(request, "learning/simple_form.html", {**head(request, node), "form": form, "heading": _("New clan")})


@login_required
def clan_detail(request, clan_id):
    clan = get_for_user(Clan.objects.select_related("node"), request.user, clan_id, Cap.VIEW)
    can_edit = has_cap(request.user, clan.node, Cap.TITLES_EDIT)
    members = list(clan.households.select_related("node").order_by("head_sort"))
    candidates = []
    if can_edit:
        scope = _association_path(clan.node)
        chosen = {h.pk for h in members}
        candidates = [
            h for h in Household.objects.filter(node__path__startswith=scope, head_name__startswith=clan.surname + " ")
            .select_related("node").order_by("node__path", "head_sort")[:400]
            if h.pk not in chosen
        ]
    if request.method == "POST":
        if not can_edit:
            return redirect("learning:clan_detail", clan_id=clan.pk)
        ids = {int(x) for x in request.POST.getlist("household") if x.isdigit()}
        households = list(Household.objects.filter(pk__in=ids).select_related("node"))
        try:
            services.clan_update(actor=request.user, clan=clan, households=households)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Saved."))
        return redirect("learning:clan_detail", clan_id=clan.pk)
    return render(request, "learning/clan_detail.html", {
        **head(request, clan.node), "clan": clan, "members": members, "candidates": candidates, "can_edit": can_edit,
        "evaluations": clan.evaluations.order_by("-year"),
    })


@node_view(Cap.TITLES_EDIT)
def unit_create(request, node):
    form = UnitForm(request.POST or None, initial={"since_year": this_year(), "name": node.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_create(actor=request.user, node=node, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect(reverse("learning:subject_list", args=[node.pk]) + "?title=unit")
    return render(request, "learning/simple_form.html", {**head(request, node), "form": form, "heading": _("New unit")})


@login_required
def unit_edit(request, unit_id):
    unit = get_for_user(Unit.objects.select_related("node"), request.user, unit_id, Cap.TITLES_EDIT)
    form = StaffForm(request.POST or None, initial={"staff_count": unit.staff_count})
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, staff_count=form.cleaned_data["staff_count"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect(reverse("learning:subject_list", args=[unit.node_id]) + "?title=unit")
    return render(request, "learning/simple_form.html", {**head(request, unit.node), "form": form, "heading": unit.name})


@node_view(Cap.TITLES_EDIT)
def citizen_create(request, node):
    form = CitizenForm(request.POST or None, initial={"since_year": this_year()})
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_create(actor=request.user, node=node, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect(reverse("learning:subject_list", args=[node.pk]) + "?title=citizen")
    return render(request, "learning/simple_form.html", {**head(request, node), "form": form, "heading": _("New citizen")})


# ------------------------------------------------------------------ the public form


@node_view(Cap.TITLES_EDIT)
def submissions(request, node):
    """The self-assessments people sent through the public form, and the form's address."""
    link = None
    if node.kind in PUBLIC_KINDS:
        link = services.public_link_for(node)
    pending = list(selectors.pending_submissions(node)[:200])
    for sub in pending:
        sub.matches = matching_members(sub)
    return render(request, "learning/submissions.html", {
        **head(request, node), "link": link, "pending": pending, "year": year_of(request, node),
        "public_url": request.build_absolute_uri(reverse("learning_public:citizen_form", args=[link.token])) if link else "",
    })


@node_view(Cap.TITLES_EDIT)
@require_POST
def public_link_rotate(request, node):
    if node.kind not in PUBLIC_KINDS:
        return redirect("learning:submissions", node_id=node.pk)
    services.public_link_rotate(actor=request.user, node=node)
    messages.success(request, _("The form has a new address; the old one no longer works."))
    return redirect("learning:submissions", node_id=node.pk)


@login_required
@require_POST
def submission_handle(request, submission_id):
    sub = get_for_user(CitizenSubmission.objects.select_related("node"), request.user, submission_id, Cap.TITLES_EDIT)
    try:
        if request.POST.get("action") == "reject":
            services.submission_reject(actor=request.user, submission=sub)
            messages.success(request, _("Rejected."))
        else:
            member = None
            member_id = request.POST.get("member")
            if member_id and member_id.isdigit():
                member = get_for_user(HouseholdMember.objects.select_related("household__node"), request.user,
                                      int(member_id), Cap.TITLES_EDIT, node_field="household__node")
            ev = services.submission_confirm(actor=request.user, submission=sub, member=member)
            messages.success(request, _("Confirmed: %(name)s is registered and self-assessed.") % {"name": ev.citizen.full_name})
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return redirect("learning:submissions", node_id=sub.node_id)

