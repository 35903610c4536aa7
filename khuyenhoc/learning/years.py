"""Whether a year is closed for the learning titles at a node — the one place that answers.

Closing a year is the reports area's act (``reports.services.year_close`` freezes the
figures in ``reports.YearClose``). A year closed at a node is closed for its whole
subtree, so closing the city closes every ward and chapter below it. Learning reads
the reports table through these two functions only; every service calls them before
any change to a title of that year.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps

from khuyenhoc.organizations.models import Node


def _closes():
    return apps.get_model("reports", "YearClose")


def is_year_closed(node: Node, year: int) -> bool:
    """True when ``year`` is closed at ``node`` or at any unit above it."""
    return _closes().objects.filter(year=year, node__path__in=node.ancestor_paths()).exists()


def closed_paths(years: Iterable[int]) -> list[tuple[int, str]]:
    """(year, path) of every close in ``years``: a row under ``path`` in ``year`` is frozen."""
    return list(_closes().objects.filter(year__in=set(years)).values_list("year", "node__path"))
