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
from django.db.models import Count, Q, Value

from .providers import grouped_rows, in_nodes


class MembersApi:
    def __init__(self, Period, Member):
        self.Period = Period
        self.Member = Member
        from khuyenhoc.members.selectors import AGE_BANDS

        self.age_bands = AGE_BANDS

    def _rows(self, node_ids: list[int], year: int) -> list[dict]:
        """The stays covering 31/12, read once and grouped by unit and ethnicity, every
        breakdown a conditional count over that one scan (a province's million members are
        read once, not once per breakdown). A stay carries copies of its member's kind,
        gender, year of birth, ethnicity and merged state, so the scan reads the stays
        alone. Joined and left come from the few stays that began or ended in the year,
        found through the (unit, start) and (unit, end) indexes."""
        end = dt.date(year, 12, 31)
        one = Value(1)  # COUNT(1) FILTER (…): no column to read beyond the filter's
        counts = {
            "total": Count("*"),
            "individual": Count(one, filter=Q(kind="individual")),
            "collective": Count(one, filter=Q(kind="collective")),
            "honorary": Count(one, filter=Q(kind="honorary")),
            "male": Count(one, filter=Q(gender="male")),
            "female": Count(one, filter=Q(gender="female")),
        }
        for code, low, high, _label in self.age_bands:
            # A comparison with a missing year of birth is never true: the NULL test is
            # needed only for a band without bounds (per row and band, it cost a tenth of
            # the province's members count).
            bounds = []
            if high is not None:
                bounds.append(Q(birth_year__gte=year - high))
            if low is not None:
                bounds.append(Q(birth_year__lte=year - low))
            q = Q(*bounds) if bounds else Q(birth_year__isnull=False)
            counts[f"age_{code}"] = Count(one, filter=q)
        live = self.Period.objects.filter(in_nodes("node_id", node_ids), merged=False)
        at_end = (
            live.filter(start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gt=end))
            .values_list("node_id", "ethnicity")
            .annotate(**counts)
            .order_by()
        )
        names = ["node_id", "ethnicity", *counts]
        rows = [dict(zip(names, row, strict=True)) for row in grouped_rows(at_end, node_ids, index="members_period_roll_up")]
        # Two grouped reads in one statement, each a range of its own index.
        joined = live.filter(start__year=year, start_reason__in=("joined", "rejoined")).annotate(move=Value("joined"))
        left = live.filter(end__year=year, end_reason="left").annotate(move=Value("left"))
        moves = [qs.values_list("node_id", "move").annotate(n=Count("*")).order_by() for qs in (joined, left)]
        for node_id, move, n in moves[0].union(moves[1], all=True):
            rows.append({"node_id": node_id, "ethnicity": None, move: n})
        return rows

    def figures(self, node_ids: list[int], year: int) -> tuple[dict[int, dict[str, int]], dict[str, int]]:
        by_node: dict[int, dict[str, int]] = {}
        ethnic: dict[str, int] = {}
        for r in self._rows(node_ids, year):
            node_id = r.pop("node_id")
            code = r.pop("ethnicity") or "unknown"
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
