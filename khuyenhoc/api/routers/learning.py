"""Learning titles in the JSON API: counts for a subtree, evaluations, self-assessment.

Same scopes as the pages: every node or evaluation is fetched inside the caller's
subtrees (404 outside), and writes go through the same services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticValidationError

from khuyenhoc.accounts.permissions import Cap, get_for_user, get_node_for_user, has_cap
from khuyenhoc.learning import selectors, services
from khuyenhoc.learning.models import SUBJECT_FIELD, Evaluation, Status, Title

router = Router(tags=["learning"])


class TitleCountOut(Schema):
    title: str
    label: str
    total: int
    registered: int
    recognised: int
    approved: int
    not_met: int


class CountsOut(Schema):
    node_id: int
    year: int
    titles: list[TitleCountOut]
    adults: int
    unit_staff: int


class EvaluationOut(Schema):
    id: int
    title: str
    year: int
    node_id: int
    subject_id: int
    subject: str
    status: str
    criteria_set: str
    self_total: int | None
    total: int | None
    max_total: int | None
    passed: bool | None
    grade: str
    reasons: list[str]
    recognition_number: str | None


class EvaluationDetailOut(EvaluationOut):
    answers: dict[str, int]
    self_answers: dict[str, int]


class SelfAssessmentIn(Schema):
    answers: dict[str, int]
    inputs: dict[str, float] | None = None
    comment: str = ""


def _out(ev: Evaluation, can_personal: bool = True) -> dict:
    field = SUBJECT_FIELD[ev.title]
    return {
        "id": ev.pk, "title": ev.title, "year": ev.year, "node_id": ev.node_id,
        "subject_id": getattr(ev, f"{field}_id"), "subject": selectors.display_name(ev, can_personal), "status": ev.status,
        "criteria_set": f"{ev.criteria_set.code} v{ev.criteria_set.version}", "self_total": ev.self_total,
        "total": ev.total, "max_total": ev.max_total, "passed": ev.passed, "grade": ev.grade,
        "reasons": ev.reason_list, "recognition_number": ev.recognition.number if ev.recognition_id else None,
    }


@router.get("/nodes/{node_id}/counts", response=CountsOut)
def counts(request, node_id: int, year: int | None = None):
    """Total subjects, registered and recognised for each title, over the node's subtree."""
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    year = year or timezone.localdate().year
    c = selectors.title_counts(node, year)
    d = selectors.citizen_denominators(node, year)
    return {
        "node_id": node.pk, "year": year,
        "titles": [{"title": t, "label": str(c[t].label), "total": c[t].total, "registered": c[t].registered,
                    "recognised": c[t].recognised, "approved": c[t].approved, "not_met": c[t].not_met}
                   for t in Title.values],
        "adults": d["adults"], "unit_staff": d["staff"],
    }


@router.get("/nodes/{node_id}/evaluations", response=list[EvaluationOut])
def evaluations(request, node_id: int, year: int | None = None, title: str = "family", status: str = "", outcome: str = "",
                limit: int = 100, offset: int = 0):
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    year = year or timezone.localdate().year
    if title not in Title.values:
        raise HttpError(400, "title")
    qs = selectors.review_rows(node, title, year, status=status if status in Status.values else "",
                               outcome=outcome if outcome in selectors.OUTCOMES else "")
    qs = qs.select_related("criteria_set", "recognition").defer(None)
    personal = has_cap(request.user, node, Cap.VIEW_PERSONAL)
    return [_out(e, personal) for e in qs[offset: offset + min(max(limit, 1), 500)]]


def _evaluation(request, evaluation_id: int, cap: Cap = Cap.VIEW) -> Evaluation:
    qs = Evaluation.objects.select_related("node", "criteria_set", "recognition", *SUBJECT_FIELD.values())
    return get_for_user(qs, request.user, evaluation_id, cap)


@router.get("/evaluations/{evaluation_id}", response=EvaluationDetailOut)
def evaluation(request, evaluation_id: int):
    ev = _evaluation(request, evaluation_id)
    personal = has_cap(request.user, ev.node, Cap.VIEW_PERSONAL)
    return {**_out(ev, personal), "answers": ev.answers, "self_answers": ev.self_points}


@router.post(
    "/evaluations/{evaluation_id}/self-assessment", response=EvaluationDetailOut,
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": SelfAssessmentIn.model_json_schema()}}}},
)
def self_assess(request, evaluation_id: int):
    """Points per item code; refused (422, the message naming the item) without any change.

    The body is read after the evaluation is found in the caller's subtrees, so an
    outsider learns nothing, not even whether the body was well formed.
    """
    ev = _evaluation(request, evaluation_id, Cap.TITLES_EDIT)
    try:
        body = SelfAssessmentIn.model_validate_json(request.body or b"{}")
    except PydanticValidationError as exc:
        raise HttpError(422, str(exc)) from None
    try:
        ev = services.evaluation_self_assess(actor=request.user, evaluation=ev, answers=body.answers,
                                             inputs=body.inputs, comment=body.comment)
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    ev = _evaluation(request, ev.pk)
    return {**_out(ev), "answers": ev.answers, "self_answers": ev.self_points}
