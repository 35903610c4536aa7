"""Reports API: a node's year statistics, closed years and target progress (same scopes as the pages)."""

from __future__ import annotations

from ninja import Router, Schema

from khuyenhoc.accounts.permissions import Cap, get_node_for_user
from khuyenhoc.reports import selectors

router = Router(tags=["reports"])


class ChildOut(Schema):
    node_id: int
    code: str
    name: str
    reported: bool
    figures: dict[str, dict[str, int]]


class StatisticsOut(Schema):
    node_id: int
    year: int
    closed: bool
    closed_at: str | None
    available: dict[str, bool]
    total: dict[str, dict[str, int]]
    reported: dict[str, dict[str, int]]
    own: dict[str, dict[str, int]]
    children: list[ChildOut]
    changed_since_close: list[dict]


class TargetOut(Schema):
    programme: str
    indicator: str
    year: int
    target: str
    above: bool
    unconfirmed: bool
    actual: str | None
    met: bool | None


@router.get("/nodes/{node_id}/statistics", response=StatisticsOut)
def statistics(request, node_id: int, year: int | None = None):
    """The year's statistics (default: the newest year with records), with what changed since a close."""
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    year = year or selectors.latest_year(node)
    s = selectors.year_statistics(node, year)
    return {
        "node_id": node.pk,
        "year": year,
        "closed": s.is_closed,
        "closed_at": s.closed.closed_at.isoformat() if s.closed else None,
        "available": s.available,
        "total": s.total,
        "reported": s.reported,
        "own": s.own,
        "children": [
            {"node_id": c.node_id, "code": c.code, "name": c.name, "reported": c.reported, "figures": c.figures}
            for c in s.children
        ],
        "changed_since_close": [
            {"group": d.group, "key": d.key, "closed": d.closed, "live": d.live, "delta": d.delta} for d in s.differences
        ],
    }


@router.get("/nodes/{node_id}/targets", response=list[TargetOut])
def targets(request, node_id: int, year: int | None = None):
    """Each target that applies to the node in the year, with the figure reached."""
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    year = year or selectors.latest_year(node)
    s = selectors.year_statistics(node, year, compare=False)
    return [
        {
            "programme": c.target.programme.code,
            "indicator": c.target.indicator,
            "year": c.target.year,
            "target": str(c.target.value),
            "above": c.target.above,
            "unconfirmed": c.target.unconfirmed,
            "actual": None if c.actual is None else str(c.actual),
            "met": c.met,
        }
        for c in selectors.progress(node, s)
    ]
