"""Pieces the learning pages share: the year being looked at, paging, the page head."""

from __future__ import annotations

from django.core.paginator import Paginator

from khuyenhoc.accounts.permissions import accessible_nodes, user_caps
from khuyenhoc.organizations.selectors import ancestors

from ..forms import YEAR_MAX, YEAR_MIN, this_year
from ..models import Evaluation
from ..selectors import subtree_ids

PER_PAGE = 50


def year_of(request, node=None) -> int:
    """The year in ?year=, else the latest year with titles under ``node``, else this year."""
    raw = request.GET.get("year") or request.POST.get("year")
    try:
        year = int(raw)
        if YEAR_MIN <= year <= YEAR_MAX:
            return year
    except (TypeError, ValueError):
        pass
    if node is not None:
        # The year of the bulk of the work (families), so that a few early registrations
        # for next year do not hide the year being closed. ORDER BY … LIMIT 1 walks the
        # (year, title, node) index from the top instead of reading every title.
        below = Evaluation.objects.filter(node_id__in=subtree_ids(node), year__lte=this_year() + 1)
        latest = (
            below.filter(title="family").order_by("-year").values_list("year", flat=True).first()
            or below.order_by("-year").values_list("year", flat=True).first()
        )
        if latest:
            return latest
    return this_year()


def page_of(request, qs, per_page: int = PER_PAGE, count: int | None = None):
    paginator = Paginator(qs, per_page)
    if count is not None:
        paginator.count = count  # known already; saves a COUNT over the whole filter
    return paginator.get_page(request.GET.get("page"))


def head(request, node) -> dict:
    """Context for learning/_head.html: breadcrumbs, tabs and the user's capabilities."""
    return {
        "node": node,
        "ancestors": ancestors(node).filter(pk__in=accessible_nodes(request.user)),
        "caps": user_caps(request.user, node),
    }


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def years_around(year: int) -> list[int]:
    return list(range(max(YEAR_MIN, min(year, this_year()) - 4), this_year() + 2))
