"""One nomination: its record, its way up the tree, evidence, and the actions of each level."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, has_cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.views import apply_validation_error

from .. import selectors, services
from ..forms import EvidenceForm, NominationForm, NoteForm, ReasonForm, ScoreForm
from ..models import NominationStatus
from ._base import flash_error, personal_paths, sees_personal, shown_name


def _can(user, node, *caps) -> bool:
    return any(has_cap(user, node, cap) for cap in caps)


def _actions(user, n) -> dict:
    top = n.is_at_top
    pending = n.status == NominationStatus.PENDING
    review_here = _can(user, n.at_node, Cap.AWARDS_NOMINATE, Cap.AWARDS_DECIDE)
    council = top and has_cap(user, n.programme.node, Cap.AWARDS_DECIDE)
    proposer = has_cap(user, n.node, Cap.AWARDS_NOMINATE)
    return {
        "forward": pending and not top and review_here,
        "return": (pending and review_here and (not top or council)) or (n.status == NominationStatus.APPROVED and council),
        "edit": n.status in (NominationStatus.PENDING, NominationStatus.RETURNED) and review_here,
        "resubmit": n.status == NominationStatus.RETURNED and proposer,
        "withdraw": n.status in (NominationStatus.PENDING, NominationStatus.RETURNED) and proposer,
        "score": pending and council and bool(n.programme.rubric),
        "approve": pending and council,
        "reject": n.status in (NominationStatus.PENDING, NominationStatus.APPROVED) and council,
        "evidence": n.status in (NominationStatus.PENDING, NominationStatus.RETURNED, NominationStatus.APPROVED)
        and (review_here or proposer),
    }


@login_required
def nomination_detail(request, nomination_id):
    n = selectors.get_nomination(request.user, nomination_id)
    paths = personal_paths(request.user)
    personal = sees_personal(paths, n.node)
    actions = _actions(request.user, n)
    award = getattr(n, "award", None) if n.status == NominationStatus.AWARDED else None
    decision_visible = award is not None and selectors.decisions_for_user(request.user).filter(pk=award.decision_id).exists()
    initial_scores = {f"score_{k}": v for k, v in (n.scores or {}).items()}
    ctx = {
        "n": n,
        "node": n.node,
        "programme": n.programme,
        "name": shown_name(n, paths),
        "personal": personal,
        "steps": n.steps.select_related("actor", "from_node", "to_node"),
        "evidence": n.evidence.all() if personal else [],
        "evidence_count": n.evidence.count(),
        "actions": actions,
        "award": award,
        "decision_visible": decision_visible,
        "score_form": ScoreForm(programme=n.programme, initial=initial_scores) if actions["score"] else None,
        "reason_form": ReasonForm(),
        "note_form": NoteForm(),
        "evidence_form": EvidenceForm(),
        "score_rows": [(i["label"], n.scores.get(i["key"]), i["max"]) for i in n.programme.rubric if i["key"] in (n.scores or {})],
    }
    return render(request, "awards/nomination_detail.html", ctx)


@login_required
def nomination_edit(request, nomination_id):
    n = selectors.get_nomination(request.user, nomination_id)
    if not _actions(request.user, n)["edit"]:
        messages.error(request, _("This nomination cannot be corrected by you now."))
        return redirect("awards:nomination_detail", nomination_id=n.pk)
    fields = ("nominee_kind", "nominee_name", "birth_year", "class_name", "school", "address", "poor_household", "achievement")
    form = NominationForm(request.POST or None, nodes=None, programme=n.programme, editing=True, initial={f: getattr(n, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_update(actor=request.user, nomination=n, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("awards:nomination_detail", nomination_id=n.pk)
    return render(request, "awards/nomination_form.html", {"programme": n.programme, "node": n.node, "form": form, "nomination": n,
                                                           "title": _("Correct the nomination of %(name)s") % {"name": n.nominee_name}})


def _post_action(request, nomination_id, do, success: str):
    n = selectors.get_nomination(request.user, nomination_id)
    try:
        do(n)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, success)
    return redirect("awards:nomination_detail", nomination_id=n.pk)


def _reason(request) -> str:
    return request.POST.get("reason", "")


@login_required
@require_POST
def nomination_forward(request, nomination_id):
    return _post_action(request, nomination_id, lambda n: services.nomination_forward(actor=request.user, nomination=n, note=request.POST.get("note", "")),
                        _("Forwarded to the level above."))


@login_required
@require_POST
def nomination_return(request, nomination_id):
    return _post_action(request, nomination_id, lambda n: services.nomination_return(actor=request.user, nomination=n, reason=_reason(request)),
                        _("Returned to the unit that proposed it."))


@login_required
@require_POST
def nomination_resubmit(request, nomination_id):
    return _post_action(request, nomination_id, lambda n: services.nomination_resubmit(actor=request.user, nomination=n), _("Sent again."))


@login_required
@require_POST
def nomination_withdraw(request, nomination_id):
    return _post_action(request, nomination_id, lambda n: services.nomination_withdraw(actor=request.user, nomination=n, reason=_reason(request)),
                        _("Withdrawn."))


@login_required
@require_POST
def nomination_score(request, nomination_id):
    n = selectors.get_nomination(request.user, nomination_id)
    form = ScoreForm(request.POST, programme=n.programme)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[f].label}: {e}" for f, errs in form.errors.items() if f in form.fields for e in errs))
        return redirect("awards:nomination_detail", nomination_id=n.pk)
    return _post_action(request, nomination_id, lambda n: services.nomination_score(actor=request.user, nomination=n, scores=form.scores()),
                        _("Score saved."))


@login_required
@require_POST
def nomination_approve(request, nomination_id):
    return _post_action(request, nomination_id, lambda n: services.nomination_approve(actor=request.user, nomination=n), _("Approved."))


@login_required
@require_POST
def nomination_reject(request, nomination_id):
    return _post_action(request, nomination_id, lambda n: services.nomination_reject(actor=request.user, nomination=n, reason=_reason(request)),
                        _("Marked as not approved."))


@login_required
@require_POST
def evidence_upload(request, nomination_id):
    n = selectors.get_nomination(request.user, nomination_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect("awards:nomination_detail", nomination_id=n.pk)
    return _post_action(
        request, nomination_id,
        lambda n: services.evidence_add(actor=request.user, nomination=n, upload=form.cleaned_data["file"], description=form.cleaned_data["description"]),
        _("Evidence attached."),
    )


@login_required
def evidence_download(request, evidence_id):
    evidence = selectors.get_evidence(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    audit_log(actor=request.user, action="awards.evidence.viewed", node=evidence.nomination.node, target=evidence)
    response = FileResponse(handle, content_type=evidence.content_type, filename=evidence.original_name)
    response["Cache-Control"] = "private, no-store"
    return response
