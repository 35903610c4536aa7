"""Adapter from the member register (khuyenhoc.members) to the reports' provider interface.

Members of a year are the stays (`MembershipPeriod`) covering 31/12 of that year, placed
in the tree as it stood then (the node ids the roll-up passes in): a member transferred
or a chapter merged later still counts where it stood. Records merged into another one
never count. Joined: stays started in the year by joining or rejoining; left: stays
ended in the year by leaving (transfers are neither).
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import Count, Q

from .providers import grouped_rows


class MembersApi:
    def __init__(self, Period, Member):
        self.Period = Period
        self.Member = Member
        from khuyenhoc.members.selectors import AGE_BANDS

        self.age_bands = AGE_BANDS

    def _rows(self, node_ids: list[int], year: int) -> list[dict]:
        """The stays covering 31/12, read once and grouped by unit and ethnicity, every
        breakdown a conditional count over that one scan (a province's million members are
        read once, not once per breakdown); joined and left from the few stays that began
        or ended in the year."""
        end = dt.date(year, 12, 31)
        counts = {
            "total": Count("id"),
            "individual": Count("id", filter=Q(member__kind="individual")),
            "collective": Count("id", filter=Q(member__kind="collective")),
            "honorary": Count("id", filter=Q(member__kind="honorary")),
            "male": Count("id", filter=Q(member__gender="male")),
            "female": Count("id", filter=Q(member__gender="female")),
        }
        for code, low, high, _label in self.age_bands:
            q = Q(member__birth_year__isnull=False)
            if high is not None:
                q &= Q(member__birth_year__gte=year - high)
            if low is not None:
                q &= Q(member__birth_year__lte=year - low)
            counts[f"age_{code}"] = Count("id", filter=q)
        at_end = (
            self.Period.objects.filter(node_id__in=node_ids, start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gt=end))
            .exclude(member__status="merged")
            .values_list("node_id", "member__ethnicity")
            .annotate(**counts)
            .order_by()
        )
        names = ["node_id", "member__ethnicity", *counts]
        rows = [dict(zip(names, row, strict=True)) for row in grouped_rows(at_end, node_ids)]
        joined = Q(start__year=year, start_reason__in=("joined", "rejoined"))
        left = Q(end__year=year, end_reason="left")
        moves = (
            self.Period.objects.filter(node_id__in=node_ids)
            .filter(joined | left)
            .exclude(member__status="merged")
            .values_list("node_id")
            .annotate(joined=Count("id", filter=joined), left=Count("id", filter=left))
            .order_by()
        )
        for node_id, j, le in grouped_rows(moves, node_ids):
            rows.append({"node_id": node_id, "member__ethnicity": None, "joined": j, "left": le})
        return rows

    def figures(self, node_ids: list[int], year: int) -> tuple[dict[int, dict[str, int]], dict[str, int]]:
        by_node: dict[int, dict[str, int]] = {}
        ethnic: dict[str, int] = {}
        for r in self._rows(node_ids, year):
            node_id = r.pop("node_id")
            code = r.pop("member__ethnicity") or "unknown"
            f = by_node.setdefault(node_id, {})
            for k, v in r.items():
                if v:
                    f[k] = f.get(k, 0) + v
            if r.get("total"):
                ethnic[f"ethnicity_{code}"] = ethnic.get(f"ethnicity_{code}", 0) + r["total"]
        return by_node, ethnic

    def by_node(self, node_ids: list[int], year: int) -> dict[int, dict[str, int]]:
        return self.figures(node_ids, year)[0]

    def breakdown(self, node_ids: list[int], year: int) -> dict[str, int]:
        return self.figures(node_ids, year)[1]


def api() -> MembersApi | None:
    try:
        Period = apps.get_model("members", "MembershipPeriod")
        Member = apps.get_model("members", "Member")
    except LookupError:
        return None
    from .providers import has_table

    if not (has_table(Period) and has_table(Member)):
        return None
    return MembersApi(Period, Member)
