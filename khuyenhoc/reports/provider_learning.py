"""Adapter from the learning titles (khuyenhoc.learning) to the reports' provider interface.

Per title, grouped by node: ``<title>_total`` subjects that existed in the year,
``<title>_registered`` registered for it (any status), ``<title>_recognised`` recognised.
Also ``adults`` (household members aged 18 or more: the denominator of the
learning-citizen targets) and ``unit_staff``. The same definitions as
``learning.selectors.title_counts``, grouped by node in one query per table.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count, Q, Sum

from .providers import grouped_rows, in_nodes


class LearningApi:
    def __init__(self):
        from khuyenhoc.learning import selectors

        self.selectors = selectors
        self.Evaluation = apps.get_model("learning", "Evaluation")
        self.HouseholdMember = apps.get_model("learning", "HouseholdMember")

    def by_node(self, node_ids: list[int], year: int) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}

        def put(node_id: int, key: str, value) -> None:
            if value:
                f = out.setdefault(node_id, {})
                f[key] = f.get(key, 0) + int(value)

        # Evaluations are counted from their covering index (year, title, node, status),
        # grouped in the index's order with COUNT(*) alone (an index-only scan, no
        # per-row filter): one row per title, unit and status.
        rows = (
            self.Evaluation.objects.filter(in_nodes("node_id", node_ids), year=year)
            .values_list("title", "node_id", "status")
            .annotate(n=Count("*"))
            .order_by()
        )
        for title, node_id, status, n in rows:
            put(node_id, f"{title}_registered", n)
            if status == "recognised":
                put(node_id, f"{title}_recognised", n)
        for title, model in self.selectors.SUBJECT_MODELS.items():
            qs = model.objects.existing_in(year).filter(in_nodes("node_id", node_ids)).values_list("node_id").order_by()
            if title == "unit":
                for node_id, n, staff in grouped_rows(qs.annotate(n=Count("id"), staff=Sum("staff_count")), node_ids):
                    put(node_id, "unit_total", n)
                    put(node_id, "unit_staff", staff)
            else:
                # Counted from the (node, since_year, until_year) index alone.
                for node_id, n in qs.annotate(n=Count("*")):
                    put(node_id, f"{title}_total", n)
        adults = (
            self.HouseholdMember.objects.filter(
                in_nodes("household__node_id", node_ids),
                birth_year__lte=year - self.selectors.ADULT_AGE,
                household__since_year__lte=year,
            )
            .filter(Q(household__until_year__isnull=True) | Q(household__until_year__gte=year))
            .values_list("household__node_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for node_id, n in grouped_rows(adults, node_ids):
            put(node_id, "adults", n)
        return out


def api() -> LearningApi | None:
    from .providers import has_table

    try:
        from khuyenhoc.learning import selectors

        models = [apps.get_model("learning", "Evaluation"), apps.get_model("learning", "HouseholdMember")]
        models += list(selectors.SUBJECT_MODELS.values())
    except (LookupError, ImportError, AttributeError):
        return None
    if not all(has_table(m) for m in models):
        return None
    return LearningApi()
