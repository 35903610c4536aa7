"""Member register API: the same scopes, search and masking as the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from khuyenhoc.accounts.permissions import Cap, get_for_user, get_node_for_user
from khuyenhoc.members import selectors
from khuyenhoc.members.ethnicities import name_for
from khuyenhoc.members.models import Member, MemberStatus
from khuyenhoc.members.services import mask

router = Router(tags=["members"])
MAX_LIMIT = 500


class MemberOut(Schema):
    id: int
    node_id: int
    node_code: str
    full_name: str
    kind: str
    gender: str
    birth_year: int | None
    birth_date: dt.date | None
    ethnicity: str
    ethnicity_name: str
    phone: str
    citizen_id: str
    address: str
    joined_on: dt.date
    left_on: dt.date | None
    status: str


class MemberPage(Schema):
    count: int
    # True when more than `count` members match: counting stops at 10,000.
    more: bool
    items: list[MemberOut]


def _out(m: Member, paths: list[str]) -> dict:
    personal = selectors.may_see_personal(paths, m.node)
    return {
        "id": m.pk,
        "node_id": m.node_id,
        "node_code": m.node.code,
        "full_name": m.full_name,
        "kind": m.kind,
        "gender": m.gender,
        "birth_year": m.birth_year,
        "birth_date": m.birth_date,
        "ethnicity": m.ethnicity,
        "ethnicity_name": name_for(m.ethnicity),
        "phone": m.phone if personal else mask(m.phone),
        "citizen_id": m.citizen_id if personal else mask(m.citizen_id),
        "address": m.address,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
        "status": m.status,
    }


@router.get("/nodes/{node_id}/members", response=MemberPage)
def list_members(request, node_id: int, q: str = "", status: str = MemberStatus.ACTIVE, limit: int = 50, offset: int = 0):
    """Members of a unit's subtree in Vietnamese name order; `q` ignores accents and case."""
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    paths = selectors.personal_paths(request.user)
    f = selectors.MemberFilter(q=q, status="" if status == "all" else status)
    results = selectors.MemberResults(node, f, personal=selectors.may_see_personal(paths, node))
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    capped = results.capped
    count = results.COUNT_CAP if capped else results.count()
    return {"count": count, "more": capped, "items": [_out(m, paths) for m in results[offset : offset + limit]]}


@router.get("/{member_id}", response=MemberOut)
def get_member(request, member_id: int):
    member = get_for_user(Member.objects.select_related("node"), request.user, member_id, Cap.VIEW)
    return _out(member, selectors.personal_paths(request.user))
