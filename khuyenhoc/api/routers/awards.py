"""Awards API: programmes, nominations (read and propose), ranking, decisions — same scopes as the pages."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import ValidationError as SchemaError

from khuyenhoc.accounts.permissions import Cap, get_node_for_user, granted_paths
from khuyenhoc.awards import selectors, services
from khuyenhoc.awards.models import NomineeKind
from khuyenhoc.core.text import initials_name

router = Router(tags=["awards"])


class ProgrammeOut(Schema):
    id: int
    node_id: int
    year: int
    name: str
    nominee_kinds: list[str]
    amount: int
    budget: int
    deadline: dt.date
    status: str
    rubric: list[dict]
    pass_score: int | None


class NominationOut(Schema):
    id: int
    programme_id: int
    node_id: int
    at_node_id: int
    nominee_kind: str
    nominee_name: str
    status: str
    score: int | None
    amount: int


class RankedOut(NominationOut):
    rank: int
    running_total: int


class NominationIn(Schema):
    node_id: int
    nominee_kind: str
    nominee_name: str
    achievement: str
    birth_year: int | None = None
    school: str = ""
    class_name: str = ""
    address: str = ""
    poor_household: bool = False


class AwardOut(Schema):
    line: int
    nominee_kind: str
    name: str
    details: str
    amount: int
    register_code: str
    code: str
    revoked: bool


class DecisionOut(Schema):
    id: int
    node_id: int
    code: str
    date: dt.date
    title: str
    total: int
    payment: str
    awards: list[AwardOut]


def _personal_paths(user) -> list[str]:
    return sorted({p for cap in (Cap.VIEW_PERSONAL, Cap.AWARDS_NOMINATE, Cap.AWARDS_DECIDE) for p in granted_paths(user, cap)})


def _nomination_out(n, paths) -> dict:
    data = NominationOut.model_validate(n, from_attributes=True).model_dump()
    if n.nominee_kind == NomineeKind.STUDENT and not any(n.node.path.startswith(p) for p in paths):
        data["nominee_name"] = initials_name(n.nominee_name)
    return data


def _errors(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {"detail": {k: [str(m) for m in v] for k, v in exc.message_dict.items()}}
    return {"detail": {"__all__": [str(m) for m in exc.messages]}}


@router.get("/nodes/{node_id}/programmes", response=list[ProgrammeOut])
def node_programmes(request, node_id: int):
    """Programmes of this unit and of the associations above it (the ones it can nominate to)."""
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    return list(selectors.programmes_open_to(node).order_by("-year", "name"))


@router.get("/programmes/{programme_id}", response=ProgrammeOut)
def get_programme(request, programme_id: int):
    return selectors.get_programme(request.user, programme_id)


@router.get("/programmes/{programme_id}/nominations", response=list[NominationOut])
def programme_nominations(request, programme_id: int, status: str = "", limit: int = 500, offset: int = 0):
    programme = selectors.get_programme(request.user, programme_id)
    qs = selectors.nominations_for_user(request.user).filter(programme=programme).select_related("node").order_by("name_sort", "id")
    if status:
        qs = qs.filter(status=status)
    paths = _personal_paths(request.user)
    return [_nomination_out(n, paths) for n in qs[offset : offset + min(max(limit, 1), 1000)]]


@router.post("/programmes/{programme_id}/nominations", response={201: NominationOut, 422: dict})
def propose_nomination(request, programme_id: int):
    """Propose a nominee. The body is read only after the scope check, so an outsider learns nothing."""
    programme = selectors.get_programme(request.user, programme_id)
    try:
        data = NominationIn.model_validate(json.loads(request.body or b"{}"))
    except (ValueError, SchemaError) as exc:
        return Status(422, {"detail": {"__all__": [str(exc)[:500]]}})
    node = get_node_for_user(request.user, data.node_id, Cap.AWARDS_NOMINATE)
    fields = data.model_dump()
    fields.pop("node_id")
    try:
        n = services.nomination_create(actor=request.user, programme=programme, node=node, **fields)
    except ValidationError as exc:
        return Status(422, _errors(exc))
    return Status(201, _nomination_out(n, _personal_paths(request.user)))


@router.get("/programmes/{programme_id}/ranking", response=list[RankedOut])
def programme_ranking(request, programme_id: int, limit: int = 500, offset: int = 0):
    programme = selectors.get_programme(request.user, programme_id, Cap.AWARDS_DECIDE)
    rows = selectors.ranked_nominations(programme)[offset : offset + min(max(limit, 1), 5000)]
    return [{**NominationOut.model_validate(n, from_attributes=True).model_dump(), "rank": n.rank, "running_total": n.running_total} for n in rows]


@router.get("/nominations/{nomination_id}", response=NominationOut)
def get_nomination(request, nomination_id: int):
    n = selectors.get_nomination(request.user, nomination_id)
    return _nomination_out(n, _personal_paths(request.user))


@router.get("/decisions/{decision_id}", response=DecisionOut)
def get_decision(request, decision_id: int):
    decision = selectors.get_decision(request.user, decision_id)
    personal = any(decision.node.path.startswith(p) for p in _personal_paths(request.user))
    payment = selectors.payment_state(decision)["state"]
    return {
        "id": decision.pk,
        "node_id": decision.node_id,
        "code": decision.code,
        "date": decision.date,
        "title": decision.title,
        "total": decision.total,
        "payment": payment,
        "awards": [
            {"line": a.line, "nominee_kind": a.nominee_kind, "name": a.nominee_name if personal else a.public_name, "details": a.details,
             "amount": a.amount, "register_code": a.register_code, "code": a.code, "revoked": a.is_revoked}
            for a in decision.awards.select_related("decision").order_by("line")
        ],
    }
