from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import (
    Cap,
    accessible_nodes,
    active_grants,
    get_for_user,
    user_caps,
)
from khuyenhoc.core.views import apply_validation_error, node_view

from . import selectors, services
from .forms import (
    NodeCloseForm,
    NodeCreateForm,
    NodeEditForm,
    NodeMergeForm,
    NodeMoveForm,
    OfficerForm,
)
from .models import ALLOWED_CHILDREN, Officer


@login_required
def home(request):
    grants = list(active_grants(request.user))
    roots = []
    seen = set()
    for g in sorted(grants, key=lambda g: g.node.path):
        if not any(g.node.path.startswith(p) for p in seen):
            seen.add(g.node.path)
            roots.append(g.node)
    if len(roots) == 1:
        return redirect("organizations:node", node_id=roots[0].pk)
    return render(request, "organizations/home.html", {"roots": roots, "grants": grants})


@node_view(Cap.VIEW)
def node_detail(request, node):
    ctx = {
        "node": node,
        "ancestors": selectors.ancestors(node).filter(pk__in=accessible_nodes(request.user)),
        "children": selectors.children_with_counts(node),
        "counts": selectors.descendant_counts(node),
        "officers": selectors.current_officers(node),
        "caps": user_caps(request.user, node),
        "can_add_child": bool(ALLOWED_CHILDREN.get(node.kind)) and node.is_active,
    }
    if request.headers.get("HX-Request") and request.GET.get("part") == "children":
        return render(request, "organizations/_children.html", ctx)
    return render(request, "organizations/node_detail.html", ctx)


@node_view(Cap.MANAGE_TREE)
def node_create(request, node):
    form = NodeCreateForm(request.POST or None, parent=node)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.node_create(actor=request.user, parent=node, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Created %(name)s.") % {"name": child.name})
            return redirect("organizations:node", node_id=child.pk)
    return render(request, "organizations/form.html", {"node": node, "form": form, "title": _("New unit under %(name)s") % {"name": node.name}})


@node_view(Cap.MANAGE_TREE)
def node_edit(request, node):
    initial = {f: getattr(node, f) for f in ("name", "code", "chapter_type", "admin_unit_code", "place_name")}
    form = NodeEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        from .admin_units import lookup

        unit = lookup(data["admin_unit_code"]) if data["admin_unit_code"] else None
        try:
            services.node_update(
                actor=request.user,
                node=node,
                name=data["name"],
                code=data["code"],
                chapter_type=data["chapter_type"],
                admin_unit_code=data["admin_unit_code"],
                admin_unit_name=unit[1] if unit else "",
                place_name=data["place_name"],
                effective=data["effective"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("organizations:node", node_id=node.pk)
    return render(request, "organizations/form.html", {"node": node, "form": form, "title": _("Edit %(name)s") % {"name": node.name}})


@node_view(Cap.MANAGE_TREE)
def node_move(request, node):
    candidates = accessible_nodes(request.user, Cap.MANAGE_TREE).filter(
        kind__in=[k for k, v in ALLOWED_CHILDREN.items() if node.kind in v], status="active"
    ).exclude(path__startswith=node.path)
    form = NodeMoveForm(request.POST or None, candidates=candidates, initial={"effective": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.node_move(actor=request.user, node=node, new_parent=form.cleaned_data["new_parent"], effective=form.cleaned_data["effective"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Moved."))
            return redirect("organizations:node", node_id=node.pk)
    return render(request, "organizations/form.html", {"node": node, "form": form, "title": _("Move %(name)s") % {"name": node.name}})


@node_view(Cap.MANAGE_TREE)
def node_close(request, node):
    form = NodeCloseForm(request.POST or None, initial={"on": timezone.localdate()})
    blockers = services.close_blockers(node) if node.is_active else []
    if request.method == "POST" and form.is_valid():
        try:
            services.node_close(actor=request.user, node=node, on=form.cleaned_data["on"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Closed %(name)s.") % {"name": node.name})
            return redirect("organizations:node", node_id=node.pk)
    return render(request, "organizations/form.html", {"node": node, "form": form, "blockers": blockers, "title": _("Close %(name)s") % {"name": node.name}})


@node_view(Cap.MANAGE_TREE)
def node_merge(request, node):
    candidates = accessible_nodes(request.user, Cap.MANAGE_TREE).filter(kind=node.kind, status="active").exclude(pk=node.pk).exclude(path__startswith=node.path)
    form = NodeMergeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.node_merge(
                actor=request.user,
                sources=list(form.cleaned_data["sources"]),
                into=node,
                effective=form.cleaned_data["effective"],
                decision=form.cleaned_data["decision"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Merged into %(name)s.") % {"name": node.name})
            return redirect("organizations:node", node_id=node.pk)
    return render(request, "organizations/form.html", {"node": node, "form": form, "title": _("Merge units into %(name)s") % {"name": node.name}})


@node_view(Cap.MANAGE_OFFICERS)
def officer_create(request, node):
    form = OfficerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_add(actor=request.user, node=node, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Officer recorded."))
            return redirect("organizations:node", node_id=node.pk)
    return render(request, "organizations/form.html", {"node": node, "form": form, "title": _("New officer of %(name)s") % {"name": node.name}})


@login_required
@require_POST
def officer_end(request, officer_id):
    officer = get_for_user(Officer.objects.select_related("node"), request.user, officer_id, Cap.MANAGE_OFFICERS)
    services.officer_end(actor=request.user, officer=officer, term_end=timezone.localdate())
    messages.success(request, _("Term ended."))
    return redirect("organizations:node", node_id=officer.node_id)


@node_view(Cap.VIEW_AUDIT)
def node_audit(request, node):
    from khuyenhoc.core.audit import action_label
    from khuyenhoc.core.models import AuditEvent

    events = AuditEvent.objects.filter(node_path__startswith=node.path).select_related("actor")[:200]
    rows = [(e, action_label(e.action)) for e in events]
    return render(request, "organizations/audit.html", {"node": node, "rows": rows})


@node_view(Cap.VIEW)
def node_history(request, node):
    versions = node.versions.select_related("parent").order_by("valid_from")
    return render(request, "organizations/history.html", {"node": node, "versions": versions, "predecessors": node.predecessors.all()})


