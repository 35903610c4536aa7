"""Roles, the capabilities they give, and the one way to fetch a node for a user.

Every view and API route obtains nodes through `accessible_nodes` or
`get_node_for_user`, which put the user's subtrees in the query itself: an object
outside them answers 404, so its existence never leaks.
"""

from __future__ import annotations

from contextvars import ContextVar
from enum import StrEnum
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from khuyenhoc.organizations.models import Node

from .models import Role, RoleGrant


class Cap(StrEnum):
    VIEW = "view"
    MANAGE_TREE = "manage_tree"
    MANAGE_USERS = "manage_users"
    MANAGE_OFFICERS = "manage_officers"
    EDIT_MEMBERS = "edit_members"
    VIEW_PERSONAL = "view_personal"
    FUND_DRAFT = "fund_draft"
    FUND_APPROVE = "fund_approve"
    TITLES_EDIT = "titles_edit"
    TITLES_REVIEW = "titles_review"
    AWARDS_NOMINATE = "awards_nominate"
    AWARDS_DECIDE = "awards_decide"
    REPORTS_CLOSE = "reports_close"
    VIEW_AUDIT = "view_audit"


ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.ADMIN: frozenset(Cap),
    Role.SECRETARY: frozenset(
        {
            Cap.VIEW,
            Cap.MANAGE_OFFICERS,
            Cap.EDIT_MEMBERS,
            Cap.VIEW_PERSONAL,
            Cap.TITLES_EDIT,
            Cap.TITLES_REVIEW,
            Cap.AWARDS_NOMINATE,
            Cap.REPORTS_CLOSE,
            Cap.VIEW_AUDIT,
        }
    ),
    Role.TREASURER: frozenset({Cap.VIEW, Cap.FUND_DRAFT, Cap.FUND_APPROVE}),
    Role.COUNCIL: frozenset({Cap.VIEW, Cap.TITLES_REVIEW, Cap.AWARDS_DECIDE}),
    Role.CHAPTER_HEAD: frozenset(
        {Cap.VIEW, Cap.EDIT_MEMBERS, Cap.VIEW_PERSONAL, Cap.TITLES_EDIT, Cap.AWARDS_NOMINATE, Cap.FUND_DRAFT}
    ),
    Role.VIEWER: frozenset({Cap.VIEW}),
}


def roles_with(cap: Cap) -> list[str]:
    return [role for role, caps in ROLE_CAPS.items() if cap in caps]


def active_grants(user) -> QuerySet[RoleGrant]:
    if not getattr(user, "is_authenticated", False):
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(
        user=user, revoked_at__isnull=True, node__status="active"
    ).select_related("node")


# The grants read during the current web request, per user id (`GrantMemoMiddleware`): a
# page asks "may this person …?" many times (the view, its tabs, its buttons); the answer
# comes from one query. Outside a request (services, commands, tests) nothing is kept.
_REQUEST_GRANTS: ContextVar[dict | None] = ContextVar("request_grants", default=None)


def _grants(user) -> list[tuple[str, str]]:
    """(role, unit path) of the user's active grants on active units."""
    if not getattr(user, "is_authenticated", False):
        return []
    memo = _REQUEST_GRANTS.get()
    if memo is not None and user.pk in memo:
        return memo[user.pk]
    rows = list(
        RoleGrant.objects.filter(user=user, revoked_at__isnull=True, node__status="active").values_list("role", "node__path")
    )
    if memo is not None:
        memo[user.pk] = rows
    return rows


def forget_grants(user) -> None:
    """Drop what this request read of `user`'s grants (after a grant is added or revoked)."""
    memo = _REQUEST_GRANTS.get()
    if memo is not None:
        memo.pop(getattr(user, "pk", None), None)


class GrantMemoMiddleware:
    """Reads each user's grants at most once per request (see `_REQUEST_GRANTS`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _REQUEST_GRANTS.set({})
        try:
            return self.get_response(request)
        finally:
            _REQUEST_GRANTS.reset(token)


def granted_paths(user, cap: Cap = Cap.VIEW) -> list[str]:
    roles = set(roles_with(cap))
    paths = sorted(path for role, path in _grants(user) if role in roles)
    # Drop paths already covered by an ancestor grant: shorter queries.
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def subtree_q(paths: list[str], field: str = "path") -> Q:
    """A filter matching rows whose `field` (a node path) lies under any of `paths`."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def accessible_nodes(user, cap: Cap = Cap.VIEW) -> QuerySet[Node]:
    return Node.objects.filter(subtree_q(granted_paths(user, cap)))


def scope_queryset(qs: QuerySet, user, cap: Cap = Cap.VIEW, node_field: str = "node") -> QuerySet:
    """Limit any queryset of node-owned rows to the user's subtrees."""
    return qs.filter(subtree_q(granted_paths(user, cap), f"{node_field}__path"))


def get_node_for_user(user, node_id, cap: Cap = Cap.VIEW) -> Node:
    try:
        return accessible_nodes(user, cap).get(pk=node_id)
    except (Node.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_for_user(qs: QuerySet, user, pk, cap: Cap = Cap.VIEW, node_field: str = "node"):
    """Fetch one node-owned object inside the user's subtrees, else 404."""
    try:
        return scope_queryset(qs, user, cap, node_field).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def has_cap(user, node: Node, cap: Cap) -> bool:
    return any(node.path.startswith(p) for p in granted_paths(user, cap))


def user_caps(user, node: Node) -> set[str]:
    caps: set[str] = set()
    for role, path in _grants(user):
        if node.path.startswith(path):
            caps |= ROLE_CAPS.get(role, frozenset())
    return caps
