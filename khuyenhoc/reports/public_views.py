"""The year's figures for the public: headline figures per association, no personal data.

A closed year shows its frozen figures; an open year is labelled provisional. Only
associations (national, province, district, commune) are listed, never a chapter's
members or anyone's name.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from khuyenhoc.organizations.models import Node, NodeKind

from . import selectors
from .narrative import award_money
from .report import headline

TOP_KINDS = (NodeKind.NATIONAL, NodeKind.PROVINCE, NodeKind.DISTRICT)
ASSOCIATION_KINDS = (*TOP_KINDS, NodeKind.COMMUNE)


def _year(request, node: Node) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        raise Http404 from None
    if not year:
        return selectors.latest_year(node)
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    return year


def figures(request):
    """Every association above the communes with its latest year's headline figures."""
    version = selectors.data_version()
    associations = list(Node.objects.filter(kind__in=TOP_KINDS, status="active").order_by("path")[:50])
    cards = []
    for a in associations:
        year = selectors.latest_year(a)
        stats = selectors.cached_year_statistics(a, year, version=version)
        cards.append({"node": a, "year": year, "stats": stats, "headline": headline(stats), "awards": award_money(stats)})
    return render(request, "reports/public_figures.html", {"cards": cards})


def association_figures(request, association_code: str):
    node = Node.objects.filter(code=association_code, kind__in=ASSOCIATION_KINDS).first()
    if node is None:
        raise Http404
    year = _year(request, node)
    version = selectors.data_version()
    stats = selectors.cached_year_statistics(node, year, version=version)
    children = [c for c in stats.children if c.kind in selectors.ASSOCIATION_KINDS]
    codes = dict(Node.objects.filter(pk__in=[c.node_id for c in children]).values_list("id", "code"))
    rows = [
        {
            "name": c.name,
            "code": codes.get(c.node_id, ""),
            "chapters": c.figures.get("org", {}).get("chapters_and_boards", 0),
            "members": c.figures.get("members", {}).get("total") if stats.available.get("members") else None,
            "families": c.figures.get("learning", {}).get("family_recognised") if stats.available.get("learning") else None,
            "receipts": c.figures.get("fund", {}).get("receipts") if stats.available.get("fund") else None,
            "reported": c.reported,
        }
        for c in children
    ]
    closed = selectors.closed_years(node)
    years = sorted(set(closed) | {year, selectors.latest_year(node)})
    return render(
        request,
        "reports/public_association.html",
        {
            "node": node,
            "year": year,
            "years": years,
            "stats": stats,
            "headline": headline(stats),
            "awards": award_money(stats),
            "rows": rows,
        },
    )
