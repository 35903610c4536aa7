"""Households: the list of a unit, one household's page, adding and editing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, get_for_user, has_cap
from khuyenhoc.core.text import initials_name
from khuyenhoc.core.views import apply_validation_error, node_view

from .. import selectors, services
from ..forms import HouseholdForm, MemberFormSet, this_year
from ..models import Household, Status, Title
from ..services.subjects import HOUSEHOLD_KINDS
from .common import head, page_of, year_of, years_around


@node_view(Cap.VIEW)
def household_list(request, node):
    year = year_of(request, node)
    q = request.GET.get("q", "")[:100]
    page = page_of(request, selectors.households_in(node, year, q=q))
    return render(request, "learning/household_list.html", {
        **head(request, node), "year": year, "years": years_around(year), "q": q, "page": page,
        "can_add": node.kind in HOUSEHOLD_KINDS and has_cap(request.user, node, Cap.TITLES_EDIT),
        "can_edit": has_cap(request.user, node, Cap.TITLES_EDIT),
        "status_labels": dict(Status.choices),
    })


def _member_rows(members, can_personal: bool, year: int, citizens: dict):
    """Members as shown: a minor's full name only to those who may see personal data."""
    rows = []
    for m in members:
        age = year - m.birth_year
        name = m.full_name if can_personal or age >= 18 else initials_name(m.full_name)
        rows.append({"m": m, "name": name, "age": age, "adult": age >= 18, "citizen": citizens.get(m.pk)})
    return rows


@login_required
def household_detail(request, household_id):
    h = get_for_user(Household.objects.select_related("node"), request.user, household_id, Cap.VIEW)
    year = year_of(request, h.node)
    can_personal = has_cap(request.user, h.node, Cap.VIEW_PERSONAL)
    citizens = selectors.adults_with_citizen_title(h, year)
    titles = selectors.household_titles(h)
    this = next((e for e in titles if e.year == year), None)
    return render(request, "learning/household_detail.html", {
        **head(request, h.node), "h": h, "year": year, "years": years_around(year),
        "members": _member_rows(h.members.all(), can_personal, year, citizens),
        "titles": titles, "this": this, "can_personal": can_personal,
        "can_edit": has_cap(request.user, h.node, Cap.TITLES_EDIT),
        "holders": sum(1 for e in citizens.values() if e.status in ("approved", "recognised")),
    })


def _members_from(formset) -> list[dict]:
    out = []
    for f in formset.forms:
        data = getattr(f, "cleaned_data", None)
        if not data or data.get("DELETE") or not data.get("full_name"):
            continue
        out.append({k: data[k] for k in ("id", "full_name", "birth_year", "gender", "relation", "schooling", "literate", "studies_topic")})
    return out


@node_view(Cap.TITLES_EDIT)
def household_create(request, node):
    form = HouseholdForm(request.POST or None, initial={"since_year": this_year()})
    formset = MemberFormSet(request.POST or None, prefix="m", initial=[{"relation": "head", "literate": True}])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            h = services.household_create(actor=request.user, node=node, members=_members_from(formset), **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Household of %(name)s added.") % {"name": h.head_name})
            return redirect("learning:household_detail", household_id=h.pk)
    return render(request, "learning/household_form.html", {**head(request, node), "form": form, "formset": formset, "h": None})


@login_required
def household_edit(request, household_id):
    h = get_for_user(Household.objects.select_related("node"), request.user, household_id, Cap.TITLES_EDIT)
    form = HouseholdForm(request.POST or None, initial={"code": h.code, "address": h.address, "since_year": h.since_year})
    initial = [
        {k: getattr(m, k) for k in ("id", "full_name", "birth_year", "gender", "relation", "schooling", "literate", "studies_topic")}
        for m in h.members.all()
    ]
    formset = MemberFormSet(request.POST or None, prefix="m", initial=initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.household_update(
                actor=request.user, household=h, code=form.cleaned_data["code"] or h.code,
                address=form.cleaned_data["address"], members=_members_from(formset),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("learning:household_detail", household_id=h.pk)
    return render(request, "learning/household_form.html", {**head(request, h.node), "form": form, "formset": formset, "h": h})


@login_required
@require_POST
def household_register(request, household_id):
    h = get_for_user(Household.objects.select_related("node"), request.user, household_id, Cap.TITLES_EDIT)
    year = year_of(request, h.node)
    try:
        ev = services.evaluation_register(actor=request.user, title=Title.FAMILY, subject=h, year=year)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("learning:household_detail", household_id=h.pk)
    messages.success(request, _("Registered for %(title)s %(year)s.") % {"title": Title.FAMILY.label, "year": year})
    return redirect("learning:evaluation_detail", evaluation_id=ev.pk)
