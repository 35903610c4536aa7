from __future__ import annotations

from ninja import Router, Schema

from khuyenhoc.accounts.permissions import Cap, accessible_nodes, get_node_for_user
from khuyenhoc.organizations.selectors import descendant_counts

router = Router(tags=["organizations"])


class NodeOut(Schema):
    id: int
    parent_id: int | None
    name: str
    code: str
    kind: str
    chapter_type: str
    status: str
    admin_unit_code: str
    path: str


class NodeDetailOut(NodeOut):
    counts: dict[str, int]


@router.get("/nodes", response=list[NodeOut])
def list_nodes(request, parent_id: int | None = None, limit: int = 500, offset: int = 0):
    qs = accessible_nodes(request.user, Cap.VIEW).order_by("path")
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    return list(qs[offset : offset + min(limit, 1000)])


@router.get("/nodes/{node_id}", response=NodeDetailOut)
def get_node(request, node_id: int):
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    data = NodeOut.model_validate(node, from_attributes=True).model_dump()
    data["counts"] = descendant_counts(node)
    return data
