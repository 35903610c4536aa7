"""Reads of the association tree."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from khuyenhoc.core.text import collation_key

from .models import Node, NodeKind, NodeStatus, NodeVersion, Officer

KIND_ORDER = {k: i for i, k in enumerate(NodeKind.values)}


def display_key(node: Node) -> tuple:
    """Active first, then by level, then by name in Vietnamese order with numbers
    compared as numbers ("tổ 2" before "tổ 10")."""
    parts = re.split(r"(\d+)", node.name)
    name_key = tuple((0, int(p), "") if p.isdigit() else (1, 0, collation_key(p)) for p in parts if p)
    return (node.status != NodeStatus.ACTIVE, KIND_ORDER.get(node.kind, 99), node.chapter_type, name_key)


def children_of(node: Node) -> list[Node]:
    return sorted(node.children.all(), key=display_key)


def descendant_counts(node: Node) -> dict[str, int]:
    """Active units below `node` by kind, in one query."""
    rows = (
        Node.objects.filter(path__startswith=node.path, status=NodeStatus.ACTIVE)
        .exclude(pk=node.pk)
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = {r["kind"]: r["n"] for r in rows}
    counts["grassroots"] = counts.get(NodeKind.CHAPTER, 0) + counts.get(NodeKind.BOARD, 0)
    return counts


def children_with_counts(node: Node) -> list[tuple[Node, int]]:
    """Each child and the number of chapters and boards in its subtree (two queries)."""
    children = list(children_of(node))
    grassroots = Node.objects.filter(
        path__startswith=node.path,
        status=NodeStatus.ACTIVE,
        kind__in=[NodeKind.CHAPTER, NodeKind.BOARD],
    ).values_list("path", flat=True)
    counts = {c.pk: 0 for c in children}
    step = len(node.path)
    by_prefix = {c.path: c.pk for c in children}
    for p in grassroots:
        # The child's path is the node's path plus one segment.
        prefix = p[: step + 9]
        if prefix in by_prefix:
            counts[by_prefix[prefix]] += 1
    return [(c, counts[c.pk]) for c in children]


def current_officers(node: Node, on: dt.date | None = None) -> QuerySet[Officer]:
    on = on or timezone.localdate()
    return node.officers.filter(Q(term_end__isnull=True) | Q(term_end__gte=on), term_start__lte=on)


def ancestors(node: Node) -> QuerySet[Node]:
    return Node.objects.filter(path__in=node.ancestor_paths()).exclude(pk=node.pk).order_by("depth")


def subtree_ids_as_of(node: Node, on: dt.date) -> list[int]:
    """Ids of the nodes that stood under `node` on date `on` (node included).

    Reads NodeVersion, so a past year's report keeps the tree of that year even after
    merges and moves.
    """
    valid = NodeVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)
    own = valid.filter(node=node).values_list("path", flat=True).first()
    if own is None:
        return []
    return list(valid.filter(path__startswith=own).values_list("node_id", flat=True))


def name_as_of(node: Node, on: dt.date) -> str:
    v = (
        NodeVersion.objects.filter(node=node, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .first()
    )
    return v.name if v else node.name
