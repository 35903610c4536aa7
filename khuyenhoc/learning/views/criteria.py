"""Criteria sets in the pages: list, read, copy, edit (as a table or as the file), new version."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, accessible_nodes, get_for_user, granted_paths
from khuyenhoc.core.views import apply_validation_error
from khuyenhoc.organizations.models import NodeKind

from .. import services
from ..criteria import Criterion, Grade, Item, PassRule
from ..forms import (
    CriteriaCopyForm,
    CriteriaNewForm,
    CriteriaTextForm,
    GradeFormSet,
    ItemFormSet,
    SetHeaderForm,
)
from ..models import CriteriaSetVersion, Title
from ..selectors import visible_sets
from ..services.criteria import is_locked

ASSOCIATION_KINDS = [NodeKind.NATIONAL, NodeKind.PROVINCE, NodeKind.DISTRICT, NodeKind.COMMUNE]


def _visible(request, set_id) -> CriteriaSetVersion:
    try:
        return visible_sets(granted_paths(request.user, Cap.VIEW)).get(pk=set_id)
    except (CriteriaSetVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _editable(request, set_id) -> CriteriaSetVersion:
    return get_for_user(CriteriaSetVersion.objects.filter(node__isnull=False).select_related("node"),
                        request.user, set_id, Cap.MANAGE_TREE)


def _owners(request):
    return accessible_nodes(request.user, Cap.MANAGE_TREE).filter(kind__in=ASSOCIATION_KINDS, status="active").order_by("path")


@login_required
def criteria_list(request):
    sets = visible_sets(granted_paths(request.user, Cap.VIEW)).order_by("title", "audience", "code", "-version")
    groups = [(label, [s for s in sets if s.title == code]) for code, label in Title.choices]
    return render(request, "learning/criteria_list.html", {
        "groups": [g for g in groups if g[1]], "can_create": _owners(request).exists(),
    })


@login_required
def criteria_detail(request, set_id):
    row = _visible(request, set_id)
    owners = _owners(request)
    can_manage = row.node_id is not None and any(
        row.node.path.startswith(p) for p in granted_paths(request.user, Cap.MANAGE_TREE)
    )
    return render(request, "learning/criteria_detail.html", {
        "row": row, "cset": row.parsed(), "locked": is_locked(row), "can_manage": can_manage,
        "can_copy": owners.exists(), "in_use": row.evaluations.count(),
    })


@login_required
def criteria_download(request, set_id):
    row = _visible(request, set_id)
    response = HttpResponse(row.toml, content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{row.code}-v{row.version}.toml"'
    return response


@login_required
def criteria_copy(request, set_id):
    row = _visible(request, set_id)
    owners = _owners(request)
    if not owners.exists():
        raise Http404
    form = CriteriaCopyForm(request.POST or None, owners=owners, initial={
        "owner": owners.first(), "code": f"{row.code}_copy", "name": row.name})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.criteria_set_copy(actor=request.user, source=row, node=form.cleaned_data["owner"],
                                             code=form.cleaned_data["code"], name=form.cleaned_data["name"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Copied. Adapt it to your province's document."))
            return redirect("learning:criteria_edit", set_id=new.pk)
    return render(request, "learning/criteria_form.html", {"form": form, "row": row, "heading": _("Copy a criteria set")})


@login_required
def criteria_new(request):
    owners = _owners(request)
    if not owners.exists():
        raise Http404
    form = CriteriaNewForm(request.POST or None, request.FILES or None, owners=owners, initial={"owner": owners.first()})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.criteria_set_create(actor=request.user, node=form.cleaned_data["owner"], text=form.cleaned_data["toml"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("learning:criteria_detail", set_id=new.pk)
    return render(request, "learning/criteria_form.html", {"form": form, "heading": _("New criteria set"), "multipart": True})


def _item_rows(cset):
    return [
        {"criterion": c.code, "criterion_name": c.name, "code": it.code, "name": it.name, "max_points": it.max_points,
         "mandatory": it.mandatory, "min_if_mandatory": it.min_points_if_mandatory or None}
        for c in cset.criteria for it in c.items if not it.from_input
    ]


def _build(base, header: dict, items: list[dict], grades: list[dict]):
    """An engine set from the table editor; items read from figures are kept as they were."""
    criteria: dict[str, tuple[str, list[Item]]] = {}
    for row in items:
        name, lst = criteria.setdefault(row["criterion"].strip(), (row["criterion_name"].strip(), []))
        mandatory = bool(row.get("mandatory"))
        minimum = row.get("min_if_mandatory")
        lst.append(Item(
            code=row["code"].strip(), name=row["name"].strip(), max_points=row["max_points"], mandatory=mandatory,
            min_points_if_mandatory=(minimum if minimum is not None else row["max_points"]) if mandatory else 0,
            placeholder=False,
        ))
    for crit in base.criteria:
        for it in crit.items:
            if it.from_input:
                criteria.setdefault(crit.code, (crit.name, []))[1].append(it)
    return dataclasses.replace(
        base,
        name=header["name"], issuer=header["issuer"], official=header["official"], is_sample=header["is_sample"],
        valid_from=header["valid_from"], valid_to=header["valid_to"],
        criteria=tuple(Criterion(code=code, name=name, items=tuple(lst)) for code, (name, lst) in criteria.items()),
        grades=tuple(Grade(code=g["code"].strip(), label=g["label"].strip(), min_points=g["min_points"], max_points=g["max_points"]) for g in grades),
        pass_rule=PassRule(min_total=header["pass_min_total"], min_per_item=header["min_per_item"],
                           confirmed=header["pass_confirmed"], note=base.pass_rule.note),
    )


def _kept(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")]


@login_required
def criteria_edit(request, set_id):
    """Items, points and thresholds as tables; the whole file for what the tables do not show."""
    row = _editable(request, set_id)
    if is_locked(row):
        messages.error(request, _("This set is used by a closed year: create a new version instead."))
        return redirect("learning:criteria_detail", set_id=row.pk)
    base = row.parsed()
    mode = request.GET.get("mode", "table")
    errors: list[str] = []
    if mode == "file":
        form = CriteriaTextForm(request.POST or None, initial={"toml": row.toml})
        if request.method == "POST" and form.is_valid():
            try:
                services.criteria_set_update(actor=request.user, row=row, text=form.cleaned_data["toml"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("learning:criteria_detail", set_id=row.pk)
        return render(request, "learning/criteria_form.html", {"form": form, "row": row, "heading": _("Edit the file of %(name)s") % {"name": row.name}})
    header = SetHeaderForm(request.POST or None, initial={
        "name": base.name, "issuer": base.issuer, "official": base.official, "is_sample": base.is_sample,
        "valid_from": base.valid_from, "valid_to": base.valid_to, "pass_min_total": base.pass_rule.min_total,
        "min_per_item": base.pass_rule.min_per_item, "pass_confirmed": base.pass_rule.confirmed,
    })
    items = ItemFormSet(request.POST or None, prefix="it", initial=_item_rows(base))
    grades = GradeFormSet(request.POST or None, prefix="gr", initial=[
        {"code": g.code, "label": g.label, "min_points": g.min_points, "max_points": g.max_points} for g in base.grades])
    if request.method == "POST":
        if header.is_valid() and items.is_valid() and grades.is_valid():
            try:
                cset = _build(base, header.cleaned_data, _kept(items), _kept(grades))
                services.criteria_set_update(actor=request.user, row=row, cset=cset)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Saved."))
                return redirect("learning:criteria_detail", set_id=row.pk)
        else:
            errors = [_("Check the fields marked below.")]
    derived = [it for c in base.criteria for it in c.items if it.from_input]
    return render(request, "learning/criteria_edit.html", {
        "row": row, "header": header, "items": items, "grades": grades, "errors": errors, "derived": derived,
        "prerequisites": base.prerequisites, "levels": base.levels,
    })


@login_required
@require_POST
def criteria_supersede(request, set_id):
    row = _visible(request, set_id)
    owners = _owners(request)
    owner = row.node if row.node_id and owners.filter(pk=row.node_id).exists() else None
    if owner is None:
        # A national set is superseded by a copy owned by the user's association.
        if not owners.exists():
            raise Http404
        try:
            new = services.criteria_set_copy(actor=request.user, source=row, node=owners.first(),
                                             code=f"{row.code}_{owners.first().code.lower()}".replace("-", "_")[:80])
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("learning:criteria_detail", set_id=row.pk)
    else:
        new = services.criteria_set_supersede(actor=request.user, source=row)
    messages.success(request, _("New version created; edit it, then it is offered for registrations."))
    return redirect("learning:criteria_edit", set_id=new.pk)


@login_required
@require_POST
def criteria_toggle(request, set_id):
    row = _editable(request, set_id)
    services.criteria_set_set_active(actor=request.user, row=row, active=not row.active)
    return redirect("learning:criteria_detail", set_id=row.pk)
