"""A unit's learning-title pages: counts, registration, the review table, recognition."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, has_cap, scope_queryset
from khuyenhoc.core.views import apply_validation_error, node_view

from .. import selectors, services
from ..forms import CommentForm, RecogniseForm, RegisterForm
from ..models import SUBJECT_FIELD, CriteriaSetVersion, Evaluation, Recognition, Status, Title
from .common import head, is_htmx, page_of, year_of, years_around

SUBJECT_LIST_TITLES = (Title.CLAN, Title.COMMUNITY, Title.UNIT, Title.CITIZEN)


def _title(request, default: str = Title.FAMILY) -> str:
    value = request.GET.get("title") or request.POST.get("title") or default
    return value if value in Title.values else default


@node_view(Cap.VIEW)
def node_titles(request, node):
    year = year_of(request, node)
    counts = selectors.title_counts(node, year)
    # Reads every member of the subtree (a second or two for a province of a million
    # households) and changes slowly: kept for ten minutes.
    denominators = cache.get_or_set(
        f"learning:denominators:{node.pk}:{year}", lambda: selectors.citizen_denominators(node, year), 600
    )
    ctx = {
        **head(request, node),
        "year": year,
        "years": years_around(year),
        "counts": [counts[t] for t in Title.values],
        "adults": denominators["adults"],
        "staff": denominators["staff"],
        "children": selectors.title_counts_by_child(node, year),
        "pending": selectors.pending_submissions(node).count(),
        "recognitions": Recognition.objects.filter(node__path__startswith=node.path, year=year).select_related("node")[:20],
        "titles": Title.choices,
        "is_chapter": node.kind in ("chapter", "subchapter", "board"),
    }
    return render(request, "learning/node_titles.html", ctx)


@node_view(Cap.VIEW)
def subject_list(request, node):
    title = _title(request, Title.CLAN)
    if title == Title.FAMILY:
        return redirect(reverse("learning:household_list", args=[node.pk]) + f"?{request.GET.urlencode()}")
    year = year_of(request, node)
    page = page_of(request, selectors.subjects_in(node, title, year))
    return render(request, "learning/subject_list.html", {
        **head(request, node), "title": title, "title_label": Title(title).label, "year": year,
        "page": page, "subject_titles": [(t, Title(t).label) for t in SUBJECT_LIST_TITLES],
        "can_personal": has_cap(request.user, node, Cap.VIEW_PERSONAL), "status_labels": dict(Status.choices),
    })


@node_view(Cap.TITLES_EDIT)
@require_POST
def subjects_sync(request, node):
    from ..forms import this_year

    c, u = services.subjects_sync_from_tree(actor=request.user, node=node, since_year=this_year())
    messages.success(request, _("Added %(c)s village communities and %(u)s units from the tree.") % {"c": c, "u": u})
    return redirect(reverse("learning:subject_list", args=[node.pk]) + "?title=community")


def _sets_for(title: str):
    return CriteriaSetVersion.objects.filter(title=title, active=True).order_by("code", "-version")


@node_view(Cap.TITLES_EDIT)
def register(request, node):
    """Register this year's subjects of a title under the unit: all not yet registered, or those ticked."""
    title = _title(request)
    year = year_of(request, node)
    form = RegisterForm(request.POST or None, initial={"title": title, "year": year}, sets=_sets_for(title))
    candidates = selectors.unregistered(node, title, year).order_by("node__path", "pk")
    total = candidates.count()
    shown = list(candidates[:500])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = request.POST.getlist("subject")
        subjects = list(selectors.unregistered(node, data["title"], data["year"]))
        if chosen and request.POST.get("scope") != "all":
            wanted = {int(x) for x in chosen if x.isdigit()}
            subjects = [s for s in subjects if s.pk in wanted]
        try:
            evs = services.evaluations_register(
                actor=request.user, title=data["title"], subjects=subjects, year=data["year"],
                criteria_set=data["criteria_set"], node=node,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Registered %(n)s for %(title)s %(year)s.") % {
                "n": len(evs), "title": Title(data["title"]).label, "year": data["year"]})
            return redirect(reverse("learning:review", args=[node.pk]) + f"?title={data['title']}&year={data['year']}")
    return render(request, "learning/register.html", {
        **head(request, node), "form": form, "title": title, "title_label": Title(title).label, "year": year,
        "candidates": shown, "total": total, "titles": Title.choices,
    })


# ------------------------------------------------------------------------ review table

BULK_ACTIONS = {
    "accept": (Cap.TITLES_REVIEW, services.evaluations_accept),
    "approve": (Cap.TITLES_REVIEW, services.evaluations_approve),
    "not_met": (Cap.TITLES_REVIEW, services.evaluations_mark_not_met),
    "return": (Cap.TITLES_REVIEW, services.evaluations_return),
    "withdraw": (Cap.TITLES_EDIT, services.evaluations_withdraw),
}


@node_view(Cap.VIEW)
def review(request, node):
    """The review table: one row per dossier, filters, and actions on the ticked rows."""
    title = _title(request)
    year = year_of(request, node)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in selectors.OUTCOMES else ""
    q = request.GET.get("q", "")[:100]
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in BULK_ACTIONS:
            return HttpResponseBadRequest()
        cap, fn = BULK_ACTIONS[action]
        ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
        # Only rows under this unit that the user may act on, whatever the form says.
        chosen = scope_queryset(Evaluation.objects.filter(pk__in=ids, node__path__startswith=node.path), request.user, cap)
        form = CommentForm(request.POST)
        form.is_valid()
        comment = form.cleaned_data.get("comment", "")
        if not has_cap(request.user, node, cap):
            raise PermissionDenied
        try:
            if not ids:
                raise ValidationError(_("Tick at least one row."))
            if len(ids) != chosen.count():
                raise ValidationError(_("Some ticked rows are outside what you may change."))
            if action == "withdraw":
                n = fn(actor=request.user, evaluations=chosen, comment=comment, node=node)
            else:
                n = len(fn(actor=request.user, evaluations=chosen, comment=comment, node=node))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Done for %(n)s dossiers.") % {"n": n})
            return redirect(request.get_full_path())
    summary = selectors.review_summary(node, title, year, status=status, q=q)
    rows = selectors.review_rows(node, title, year, status=status, outcome=outcome, q=q)
    # The summary already counted the rows this filter shows: no second COUNT.
    page = page_of(request, rows, count=summary[outcome or "all"])
    can_personal = has_cap(request.user, node, Cap.VIEW_PERSONAL)
    for ev in page.object_list:
        ev.display_name = selectors.display_name(ev, can_personal)
    statuses = summary["statuses"]
    ctx = {
        **head(request, node), "title": title, "title_label": Title(title).label, "year": year, "years": years_around(year),
        "status": status, "outcome": outcome, "q": q, "page": page, "error": error,
        "summary": summary,
        "status_line": [
            (label, n) for code, label in Status.choices if (n := statuses.get(code))
        ],
        "status_choices": Status.choices, "titles": Title.choices, "subject_field": SUBJECT_FIELD[title],
        "can_review": has_cap(request.user, node, Cap.TITLES_REVIEW),
        "can_edit": has_cap(request.user, node, Cap.TITLES_EDIT),
        "can_personal": can_personal,
        "outcomes": [
            ("", _("All")), ("passed", _("Meets the criteria")), ("failed", _("Does not meet")),
            ("borderline", _("Borderline")), ("changed", _("Changed from last year")), ("unscored", _("Not scored")),
        ],
    }
    if is_htmx(request) and request.method == "GET":
        return render(request, "learning/_review_table.html", ctx)
    return render(request, "learning/review.html", ctx)


# ------------------------------------------------------------------------- recognition


@node_view(Cap.TITLES_REVIEW)
def recognise(request, node):
    """Record the decision recognising every approved dossier of a title and year under the unit."""
    title = _title(request)
    year = year_of(request, node)
    approved = Evaluation.objects.filter(title=title, year=year, status=Status.APPROVED, node_id__in=selectors.subtree_ids(node))
    count = approved.count()
    form = RecogniseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rec = services.evaluations_recognise(
                actor=request.user, node=node, evaluations=approved, title=title, year=year, **data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Decision %(number)s recorded for %(n)s titles.") % {
                "number": rec.number, "n": rec.evaluations.count()})
            return redirect("learning:recognition_detail", recognition_id=rec.pk)
    return render(request, "learning/recognise.html", {
        **head(request, node), "form": form, "title": title, "title_label": Title(title).label, "year": year,
        "count": count, "titles": Title.choices,
    })
