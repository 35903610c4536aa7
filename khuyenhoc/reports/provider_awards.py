"""Adapter from the awards area (khuyenhoc.awards) to the reports' provider interface.

An award counts for the association that issued its decision, in the decision's year
(the city's own awards are the city's; a ward's are the ward's). Revoked awards do not
count. Keys: ``awards`` and ``amount`` (đồng); ``certificates`` and
``certificates_<nominee kind>`` (collective, individual, clan, family, student, …);
``programme_<id>_count`` and ``programme_<id>_amount`` per award programme.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count, Sum

from .providers import in_nodes


class AwardsApi:
    def __init__(self, Award):
        self.Award = Award

    def by_node(self, node_ids: list[int], year: int) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}
        rows = (
            self.Award.objects.filter(in_nodes("decision__node_id", node_ids), decision__year=year, revoked_at__isnull=True)
            .values_list("decision__node_id", "nominee_kind", "programme_id")
            .annotate(n=Count("id"), s=Sum("amount"))
            .order_by()
        )
        for node_id, kind, programme_id, n, s in rows:
            f = out.setdefault(node_id, {})
            s = int(s or 0)
            for key, value in (
                ("awards", n),
                ("amount", s),
                ("certificates", n),
                (f"certificates_{kind}", n),
                (f"programme_{programme_id}_count", n),
                (f"programme_{programme_id}_amount", s),
            ):
                f[key] = f.get(key, 0) + value
        return out


def api() -> AwardsApi | None:
    try:
        Award = apps.get_model("awards", "Award")
    except LookupError:
        return None
    fields = {f.name for f in Award._meta.get_fields()}
    if not {"decision", "nominee_kind", "amount", "revoked_at", "programme"} <= fields:
        return None
    from .providers import has_table

    if not has_table(Award):
        return None
    return AwardsApi(Award)
