"""One dossier: its points, its history, and the step the user may take next."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, get_for_user, has_cap
from khuyenhoc.core.views import apply_validation_error

from .. import services
from ..forms import AssessForm, CommentForm
from ..models import SUBJECT_FIELD, Evaluation, Recognition, Status, Title
from ..services.scoring import computed_inputs, needed_inputs, subject_id
from ..services.workflow import (
    CAN_APPROVE,
    CAN_MARK_NOT_MET,
    CAN_RETURN,
    CAN_REVIEW,
    CAN_SELF_ASSESS,
    CAN_WITHDRAW,
)
from .common import head


def _evaluation(request, evaluation_id, cap=Cap.VIEW) -> Evaluation:
    qs = Evaluation.objects.select_related("node", "criteria_set", "recognition", *SUBJECT_FIELD.values())
    return get_for_user(qs, request.user, evaluation_id, cap)


def _computed(ev: Evaluation) -> dict:
    needed = needed_inputs(ev.criteria_set.parsed())
    return computed_inputs([(ev.pk, ev.title, ev.year, subject_id(ev))], needed).get(ev.pk, {}) if needed else {}


def _rows(ev: Evaluation, cset):
    """(criterion, [(item, self points, current points)]) for the dossier page."""
    used = ev.used_inputs or {}
    out = []
    for crit in cset.criteria:
        items = []
        for it in crit.items:
            if it.from_input:
                value = used.get(it.from_input)
                points = None
                if value is not None:
                    points = 0
                    for step in it.input_steps:
                        if value >= step.min_value:
                            points = step.points
                items.append((it, None, points, value))
            else:
                items.append((it, ev.self_points.get(it.code) if ev.self_total is not None else None, ev.answers.get(it.code), None))
        out.append((crit, items))
    return out


@login_required
def evaluation_detail(request, evaluation_id):
    ev = _evaluation(request, evaluation_id)
    cset = ev.criteria_set.parsed()
    can_edit = has_cap(request.user, ev.node, Cap.TITLES_EDIT)
    can_review = has_cap(request.user, ev.node, Cap.TITLES_REVIEW)
    return render(request, "learning/evaluation_detail.html", {
        **head(request, ev.node), "ev": ev, "cset": cset, "rows": _rows(ev, cset),
        "steps": ev.steps.select_related("actor").order_by("at", "pk"),
        "can_assess": can_edit and ev.status in CAN_SELF_ASSESS,
        "can_review": can_review and ev.status in CAN_REVIEW,
        "can_approve": can_review and ev.status in CAN_APPROVE and ev.passed,
        "can_return": can_review and ev.status in CAN_RETURN,
        "can_not_met": can_review and ev.status in CAN_MARK_NOT_MET,
        "can_withdraw": can_edit and ev.status in CAN_WITHDRAW,
        "comment_form": CommentForm(),
        "subject_url": _subject_url(ev),
    })


def _subject_url(ev: Evaluation) -> str | None:
    from django.urls import reverse

    if ev.title == Title.FAMILY:
        return reverse("learning:household_detail", args=[ev.household_id])
    if ev.title == Title.CLAN:
        return reverse("learning:clan_detail", args=[ev.clan_id])
    return None


def _assess_page(request, ev, *, review: bool):
    cset = ev.criteria_set.parsed()
    computed = _computed(ev)
    form = AssessForm(
        request.POST or None, cset=cset, answers=ev.answers, inputs=ev.inputs, computed=computed,
        with_comment=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if review:
                services.evaluation_review(actor=request.user, evaluation=ev, answers=form.answers(),
                                           inputs=form.inputs(), comment=form.cleaned_data.get("comment", ""))
            else:
                services.evaluation_self_assess(actor=request.user, evaluation=ev, answers=form.answers(),
                                                inputs=form.inputs(), comment=form.cleaned_data.get("comment", ""))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("learning:evaluation_detail", evaluation_id=ev.pk)
    return render(request, "learning/assess.html", {
        **head(request, ev.node), "ev": ev, "cset": cset, "form": form, "review": review,
    })


@login_required
def evaluation_assess(request, evaluation_id):
    ev = _evaluation(request, evaluation_id, Cap.TITLES_EDIT)
    return _assess_page(request, ev, review=False)


@login_required
def evaluation_review(request, evaluation_id):
    ev = _evaluation(request, evaluation_id, Cap.TITLES_REVIEW)
    return _assess_page(request, ev, review=True)


ACTIONS = {
    "approve": (Cap.TITLES_REVIEW, services.evaluations_approve),
    "return": (Cap.TITLES_REVIEW, services.evaluations_return),
    "not_met": (Cap.TITLES_REVIEW, services.evaluations_mark_not_met),
    "accept": (Cap.TITLES_REVIEW, services.evaluations_accept),
    "withdraw": (Cap.TITLES_EDIT, services.evaluations_withdraw),
}


@login_required
@require_POST
def evaluation_act(request, evaluation_id):
    ev = _evaluation(request, evaluation_id)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return HttpResponseBadRequest()
    cap, fn = ACTIONS[action]
    if not has_cap(request.user, ev.node, cap):
        raise PermissionDenied
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        fn(actor=request.user, evaluations=[ev], comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("learning:evaluation_detail", evaluation_id=ev.pk)
    messages.success(request, _("Saved."))
    if action == "withdraw":
        return redirect("learning:node_titles", node_id=ev.node_id)
    return redirect("learning:evaluation_detail", evaluation_id=ev.pk)


@login_required
def recognition_detail(request, recognition_id):
    rec = get_for_user(Recognition.objects.select_related("node", "created_by"), request.user, recognition_id, Cap.VIEW)
    field = SUBJECT_FIELD[rec.title]
    rows = rec.evaluations.select_related(field, "node").order_by("node__path", "pk")
    return render(request, "learning/recognition_detail.html", {
        **head(request, rec.node), "rec": rec, "rows": rows, "field": field,
        "status": Status,
    })
