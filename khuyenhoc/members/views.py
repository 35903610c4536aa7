"""Pages of the member register. Thin: forms in, services and selectors do the work."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, accessible_nodes, get_for_user, has_cap, user_caps
from khuyenhoc.core.jobs import job_start
from khuyenhoc.core.views import apply_validation_error, node_view
from khuyenhoc.organizations.models import Node, NodeStatus
from khuyenhoc.organizations.selectors import ancestors

from . import exports, selectors, services
from .ethnicities import name_for
from .forms import (
    BulkDuesForm,
    DuesForm,
    FilterForm,
    LeaveForm,
    MemberEditForm,
    MemberForm,
    RejoinForm,
    TransferForm,
    filter_from,
    units_of,
)
from .models import Dues, Member, MemberStatus
from .services import MEMBER_NODE_KINDS, mask

PAGE_SIZE = 50


def _member(request, member_id, cap: Cap = Cap.VIEW) -> Member:
    return get_for_user(Member.objects.select_related("node"), request.user, member_id, cap)


def _node_ctx(request, node: Node) -> dict:
    return {"node": node, "caps": user_caps(request.user, node)}


def _this_year() -> int:
    return timezone.localdate().year


def _shown(members, paths: list[str], paid_ids: set[int] | None = None) -> list[Member]:
    """Attach what the reader may see: personal numbers in full or masked."""
    for m in members:
        personal = selectors.may_see_personal(paths, m.node)
        m.shown_phone = m.phone if personal else mask(m.phone)
        m.shown_citizen_id = m.citizen_id if personal else mask(m.citizen_id)
        m.ethnicity_name = name_for(m.ethnicity)
        if paid_ids is not None:
            m.paid = m.pk in paid_ids
    return members


@node_view(Cap.VIEW)
def node_members(request, node):
    form = FilterForm(request.GET or None, units=units_of(node))
    f, year = filter_from(form)
    paths = selectors.personal_paths(request.user)
    results = selectors.MemberResults(node, f, personal=selectors.may_see_personal(paths, node))
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    members = list(page.object_list)
    paid_ids = set(Dues.objects.filter(year=year, member__in=[m.pk for m in members]).values_list("member_id", flat=True))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        **_node_ctx(request, node),
        "form": form,
        "page": page,
        "members": _shown(members, paths, paid_ids),
        "year": year,
        "query": query.urlencode(),
        "unpaid_filter": f.paid is False,
        "more_filters": any(request.GET.get(k) for k in ("kind", "status", "gender", "ethnicity", "year", "paid", "joined")),
        "can_edit": has_cap(request.user, node, Cap.EDIT_MEMBERS),
    }
    if request.headers.get("HX-Request"):
        return render(request, "members/_list.html", ctx)
    return render(request, "members/node_members.html", ctx)


def _create_units(request, node):
    return units_of(node).filter(pk__in=accessible_nodes(request.user, Cap.EDIT_MEMBERS).values("pk"))


def _member_form_values(data: dict) -> dict:
    keys = ("full_name", "kind", "gender", "birth_year", "birth_date", "ethnicity", "citizen_id", "phone", "address", "joined_on")
    return {k: data[k] for k in keys if k in data}


@node_view(Cap.EDIT_MEMBERS)
def member_create(request, node):
    units = _create_units(request, node)
    fixed = node if node.kind in MEMBER_NODE_KINDS and not units.exclude(pk=node.pk).exists() else None
    show_confirm = request.method == "POST" and "confirm_not_duplicate" in request.POST
    form = MemberForm(request.POST or None, units=units, fixed_unit=fixed, show_confirm=show_confirm)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_create(
                actor=request.user,
                node=data["node"],
                confirm_not_duplicate=data.get("confirm_not_duplicate", False),
                **_member_form_values(data),
            )
        except services.DuplicateMemberError as exc:
            duplicates = exc.candidates
            if not exc.blocking and "confirm_not_duplicate" not in form.fields:
                form = MemberForm(request.POST, units=units, fixed_unit=fixed, show_confirm=True)
                form.is_valid()
            apply_validation_error(form, exc)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": member.full_name})
            return redirect("members:member", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {**_node_ctx(request, node), "form": form, "duplicates": duplicates, "title": _("New member of %(name)s") % {"name": node.name}},
    )


@login_required
def member_detail(request, member_id):
    member = _member(request, member_id)
    paths = selectors.personal_paths(request.user)
    _shown([member], paths)
    ctx = {
        "member": member,
        "node": member.node,
        "ancestors": ancestors(member.node),
        "periods": member.periods.select_related("node").order_by("start", "id"),
        "transfers": member.transfers.select_related("from_node", "to_node", "created_by").order_by("on", "id"),
        "dues": member.dues.select_related("node").order_by("-year"),
        "can_edit": has_cap(request.user, member.node, Cap.EDIT_MEMBERS) and member.status != MemberStatus.MERGED,
        "personal": selectors.may_see_personal(paths, member.node),
        "dues_form": DuesForm(initial={"year": _this_year(), "paid_on": timezone.localdate()}),
        "merged_records": member.merged_records.select_related("node"),
    }
    return render(request, "members/member_detail.html", ctx)


@login_required
def member_edit(request, member_id):
    member = _member(request, member_id, Cap.EDIT_MEMBERS)
    personal = has_cap(request.user, member.node, Cap.VIEW_PERSONAL)
    initial = {f: getattr(member, f) for f in services.EDITABLE_FIELDS}
    show_confirm = request.method == "POST" and "confirm_not_duplicate" in request.POST
    form = MemberEditForm(request.POST or None, initial=initial, units=Node.objects.none(), show_confirm=show_confirm, personal=personal)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_update(
                actor=request.user,
                member=member,
                confirm_not_duplicate=data.get("confirm_not_duplicate", False),
                **_member_form_values(data),
            )
        except services.DuplicateMemberError as exc:
            duplicates = exc.candidates
            if not exc.blocking and "confirm_not_duplicate" not in form.fields:
                form = MemberEditForm(request.POST, initial=initial, units=Node.objects.none(), show_confirm=True, personal=personal)
                form.is_valid()
            apply_validation_error(form, exc)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:member", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {"node": member.node, "member": member, "form": form, "duplicates": duplicates, "title": _("Edit %(name)s") % {"name": member.full_name}},
    )


def _simple_form(request, member, form, action, title, success):
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("members:member", member_id=member.pk)
    return render(request, "members/form.html", {"node": member.node, "member": member, "form": form, "title": title})


@login_required
def member_leave(request, member_id):
    member = _member(request, member_id, Cap.EDIT_MEMBERS)
    form = LeaveForm(request.POST or None)
    return _simple_form(
        request,
        member,
        form,
        lambda d: services.member_leave(actor=request.user, member=member, on=d["on"], reason=d["reason"]),
        _("%(name)s leaves the association") % {"name": member.full_name},
        _("Recorded."),
    )


@login_required
def member_rejoin(request, member_id):
    member = _member(request, member_id, Cap.EDIT_MEMBERS)
    form = RejoinForm(request.POST or None)
    return _simple_form(
        request,
        member,
        form,
        lambda d: services.member_rejoin(actor=request.user, member=member, on=d["on"]),
        _("%(name)s rejoins") % {"name": member.full_name},
        _("Recorded."),
    )


@login_required
def member_transfer(request, member_id):
    member = _member(request, member_id, Cap.EDIT_MEMBERS)
    units = Node.objects.filter(
        pk__in=accessible_nodes(request.user, Cap.EDIT_MEMBERS).values("pk"), kind__in=MEMBER_NODE_KINDS, status=NodeStatus.ACTIVE
    ).exclude(pk=member.node_id).order_by("path")
    form = TransferForm(request.POST or None, units=units)
    return _simple_form(
        request,
        member,
        form,
        lambda d: services.member_transfer(actor=request.user, member=member, to_node=d["to_node"], on=d["on"], note=d["note"]),
        _("Transfer %(name)s to another chapter") % {"name": member.full_name},
        _("Transferred."),
    )


@login_required
@require_POST
def member_dues(request, member_id):
    member = _member(request, member_id, Cap.EDIT_MEMBERS)
    form = DuesForm(request.POST)
    if form.is_valid():
        try:
            services.dues_record(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, _("Dues recorded."))
    return redirect("members:member", member_id=member.pk)


@login_required
@require_POST
def dues_cancel(request, dues_id):
    dues = get_for_user(Dues.objects.select_related("node", "member"), request.user, dues_id, Cap.EDIT_MEMBERS)
    member_id = dues.member_id
    services.dues_cancel(actor=request.user, dues=dues)
    messages.success(request, _("Dues record cancelled."))
    return redirect("members:member", member_id=member_id)


@login_required
def member_merge(request, member_id):
    """Merge another record of the same person into this one, after a confirmation.

    Without `duplicate` the page offers the likely candidates (same name and year of
    birth in units the user may edit) and a box for any member id."""
    keep = _member(request, member_id, Cap.EDIT_MEMBERS)
    paths = selectors.personal_paths(request.user)
    duplicate_id = request.POST.get("duplicate") or request.GET.get("duplicate")
    if not duplicate_id:
        candidates = (
            selectors.members_for_user(request.user, Cap.EDIT_MEMBERS)
            .filter(search_key=keep.search_key)
            .exclude(pk=keep.pk)
            .select_related("node")
            .order_by("sort_key", "id")[:50]
        )
        return render(request, "members/merge.html", {"node": keep.node, "keep": _shown([keep], paths)[0], "candidates": _shown(list(candidates), paths)})
    duplicate = _member(request, duplicate_id, Cap.EDIT_MEMBERS)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            services.member_merge(actor=request.user, keep=keep, duplicate=duplicate)
        except ValidationError as exc:
            for e in exc.messages:
                messages.error(request, e)
        else:
            messages.success(request, _("Merged the two records."))
            return redirect("members:member", member_id=keep.pk)
    return render(request, "members/merge.html", {"node": keep.node, "keep": _shown([keep], paths)[0], "duplicate": _shown([duplicate], paths)[0]})


@node_view(Cap.EDIT_MEMBERS)
def node_duplicates(request, node):
    paths = selectors.personal_paths(request.user)
    groups = [_shown(group, paths) for group in selectors.possible_duplicates(node)]
    return render(request, "members/duplicates.html", {**_node_ctx(request, node), "groups": groups})


@node_view(Cap.VIEW)
def node_stats(request, node):
    try:
        year = int(request.GET.get("year") or _this_year())
    except ValueError:
        year = _this_year()
    year = min(max(year, 1990), _this_year() + 1)
    ctx = {
        **_node_ctx(request, node),
        "year": year,
        "stats": selectors.current_stats(node, year=year),
        "by_chapter": selectors.counts_by_chapter(node),
        "year_stats": selectors.year_stats(node, year),
    }
    return render(request, "members/stats.html", ctx)


@node_view(Cap.EDIT_MEMBERS)
@require_POST
def node_dues(request, node):
    """Record the same dues for the members ticked on the list (a chapter meeting)."""
    ids = [int(v) for v in request.POST.getlist("members") if v.isdigit()]
    form = BulkDuesForm(request.POST, member_ids=ids)
    back = reverse("members:node_members", args=[node.pk]) + "?" + urlencode({"year": request.POST.get("year", ""), "paid": "0"})
    if not ids:
        messages.error(request, _("Tick at least one member."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(back)
    members = list(
        selectors.in_subtree(node).filter(pk__in=form.cleaned_data["members"]).filter(
            node__in=accessible_nodes(request.user, Cap.EDIT_MEMBERS)
        )
    )
    d = form.cleaned_data
    try:
        n = services.dues_record_many(actor=request.user, members=members, year=d["year"], amount=d["amount"], paid_on=d["paid_on"])
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
    else:
        messages.success(request, _("Dues recorded for %(count)s members.") % {"count": n})
    return redirect(back)


# -------------------------------------------------------------------------- export


@node_view(Cap.VIEW)
def node_export(request, node):
    """The filtered list as XLSX in the template's columns (so it can come back)."""
    filters = {k: v for k, v in request.GET.items() if v and k != "page"}
    f = exports.member_filter(node, filters)
    if selectors.member_list(node, f).count() > exports.INLINE_EXPORT_ROWS:
        job = job_start(kind=exports.EXPORT_TASK, node=node, user=request.user, params={"filters": filters})
        return redirect("core:job_progress", job_id=job.pk)
    data = exports.export_members(actor=request.user, node=node, filters=filters)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_name(node)}"'
    return response
