"""Year statistics rolled up over a subtree, closed years, history series and target progress.

The statistics of year Y read the tree as it stood on 31/12/Y (``NodeVersion``), so units
merged or renamed later report under their old names and in their old places. A closed
year answers from its frozen snapshot; the live figures are computed beside it only to
show what changed since the close.
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q

from khuyenhoc.core.text import collation_key
from khuyenhoc.organizations.models import Node, NodeVersion
from khuyenhoc.organizations.selectors import KIND_ORDER

from . import providers
from .labels import figure_label, is_money
from .models import (
    CloseBasis,
    FiguresCache,
    Indicator,
    Programme,
    ReportedFigures,
    Target,
    YearClose,
)

Figures = dict[str, dict[str, int]]  # group -> key -> value

ASSOCIATION_KINDS = {"national", "province", "district", "commune"}


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


# --- the tree as it stood ------------------------------------------------------------------


@dataclass(frozen=True)
class TreeNode:
    id: int
    parent_id: int | None
    path: str
    name: str
    code: str
    kind: str
    chapter_type: str


@dataclass
class TreeAsOf:
    root: TreeNode
    on: dt.date
    nodes: dict[int, TreeNode]
    children: list[TreeNode]
    _bucket: dict[int, int] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return list(self.nodes)

    def bucket(self, node_id: int) -> int | None:
        """The direct child of the root whose subtree holds `node_id` (the root for itself)."""
        return self._bucket.get(node_id)


def tree_as_of(node: Node, on: dt.date) -> TreeAsOf | None:
    """The subtree of `node` as it stood on `on`, with names and places of that day (one query)."""
    valid = NodeVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)
    rows = list(
        valid.filter(path__startswith=_path_on(node, on, valid))
        .values_list("node_id", "parent_id", "path", "name", "node__code", "node__kind", "node__chapter_type")
        .order_by("path")
    )
    if not rows or rows[0][0] != node.pk:
        return None
    nodes = {r[0]: TreeNode(*r) for r in rows}
    root = nodes[node.pk]
    step = len(root.path) + 9
    children = sorted((n for n in nodes.values() if len(n.path) == step), key=_child_order)
    by_prefix = {c.path: c.id for c in children}
    bucket = {root.id: root.id}
    for n in nodes.values():
        if n.id != root.id:
            child = by_prefix.get(n.path[:step])
            if child is not None:
                bucket[n.id] = child
    return TreeAsOf(root=root, on=on, nodes=nodes, children=children, _bucket=bucket)


def _path_on(node: Node, on: dt.date, valid) -> str:
    own = valid.filter(node=node).values_list("path", flat=True).first()
    return own if own is not None else "\x00"


def _child_order(n: TreeNode):
    return (KIND_ORDER.get(n.kind, 99), n.chapter_type, collation_key(n.name), n.id)


# --- the statistics -------------------------------------------------------------------------


@dataclass
class ChildRow:
    node_id: int
    code: str
    name: str
    kind: str
    figures: Figures
    reported: bool = False


@dataclass
class Difference:
    group: str
    key: str
    closed: int
    live: int

    @property
    def delta(self) -> int:
        return self.live - self.closed

    @property
    def label(self) -> str:
        return figure_label(self.group, self.key)

    @property
    def money(self) -> bool:
        return is_money(self.group, self.key)


@dataclass
class YearStats:
    node: Node
    year: int
    on: dt.date
    total: Figures
    reported: Figures
    own: Figures
    children: list[ChildRow]
    available: dict[str, bool]
    closed: YearClose | None = None
    live: Figures | None = None
    differences: list[Difference] = field(default_factory=list)

    def get(self, group: str, key: str) -> int | None:
        """A figure, or None when its group is not available (shown as "—")."""
        if not self.available.get(group):
            return None
        return self.total.get(group, {}).get(key, 0)

    def own_value(self, group: str, key: str) -> int | None:
        if not self.available.get(group):
            return None
        return self.own.get(group, {}).get(key, 0)

    def reported_value(self, group: str, key: str) -> int:
        return self.reported.get(group, {}).get(key, 0)

    @property
    def is_closed(self) -> bool:
        return self.closed is not None

    @property
    def is_reported_only(self) -> bool:
        return self.closed is not None and self.closed.basis == CloseBasis.REPORTED

    def snapshot(self) -> dict:
        return {
            "total": self.total,
            "reported": self.reported,
            "own": self.own,
            "available": self.available,
            "children": [
                {"node_id": c.node_id, "code": c.code, "name": c.name, "kind": c.kind, "reported": c.reported, "figures": c.figures}
                for c in self.children
            ],
        }


def _add(figures: Figures, group: str, values: dict[str, int]) -> None:
    providers.add_into(figures.setdefault(group, {}), values)


def compute_year_statistics(node: Node, year: int, *, tree: TreeAsOf | None = None) -> YearStats:
    """The live roll-up of `year` over `node`'s subtree as it stood on 31/12/`year`.

    One query for the tree, one or two per provider (grouped by node, whatever the size of
    the tree), one for reported figures.
    """
    on = year_end(year)
    tree = tree or tree_as_of(node, on)
    total: Figures = {}
    reported: Figures = {}
    own: Figures = {}
    available: dict[str, bool] = {}
    if tree is None:
        return YearStats(node, year, on, total, reported, own, [], {p.group: False for p in providers.PROVIDERS})
    rows = {c.id: ChildRow(c.id, c.code, c.name, c.kind, {}) for c in tree.children}
    ids = tree.ids
    concurrent = _concurrent(len(ids))
    with transaction.atomic(), _big_scans(len(ids), snapshot=concurrent):
        for provider in providers.PROVIDERS:
            available[provider.group] = provider.available()
        wanted = [p for p in providers.PROVIDERS if available[p.group]]
        collected = _collect_concurrently(wanted, ids, year) if concurrent else {p.group: p.collect(ids, year) for p in wanted}
        for provider in wanted:
            by_node, extra = collected[provider.group]
            group_total = total.setdefault(provider.group, {})
            for node_id, values in by_node.items():
                providers.add_into(group_total, values)
                b = tree.bucket(node_id)
                if b == tree.root.id:
                    _add(own, provider.group, values)
                elif b is not None:
                    _add(rows[b].figures, provider.group, values)
            if extra:
                providers.add_into(group_total, extra)
    for rf in ReportedFigures.objects.filter(providers.in_nodes("node_id", ids), year=year).order_by("node_id"):
        b = tree.bucket(rf.node_id)
        for group, values in (rf.figures or {}).items():
            clean = {k: int(v) for k, v in values.items() if v is not None}
            if not clean:
                continue
            available[group] = True
            _add(total, group, clean)
            _add(reported, group, clean)
            if b is not None and b != tree.root.id:
                _add(rows[b].figures, group, clean)
                rows[b].reported = True
    return YearStats(node, year, on, total, reported, own, list(rows.values()), available)


@contextmanager
def _big_scans(units: int, *, snapshot: bool = False):
    """A province's roll-up scans million-row tables once each. On PostgreSQL, give those
    scans memory for their hash aggregates instead of spilling to disk, and skip the JIT
    compilation that the planner's cost estimate triggers (it costs more than it saves on
    one-off aggregates). SET LOCAL ends with the surrounding transaction. With `snapshot`
    the transaction reads one snapshot throughout (REPEATABLE READ), which the concurrent
    roll-up shares with its second connection."""
    if connection.vendor == "postgresql" and units >= providers.LARGE_ROLL_UP:
        with connection.cursor() as cursor:
            if snapshot:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _scan_settings(cursor, concurrent=snapshot)
    yield


def _scan_settings(cursor, *, concurrent: bool) -> None:
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL work_mem = '64MB'")
    if concurrent:
        # The two connections already keep two cores busy: parallel workers on top of
        # them only compete (measured: 1.0 s against 1.2–1.5 s for a province).
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


# Read by this connection while the others are read by a second one (the largest first).
ON_MAIN_CONNECTION = ("members",)


def _concurrent(units: int) -> bool:
    """Whether a roll-up reads its tables over two PostgreSQL connections at once.

    A province's members take about as long as every other table together, and two
    connections use two cores better than parallel plans of one query at a time do on
    these aggregates. Only outside a transaction: a second connection cannot see what the
    surrounding transaction has written but not committed (closing a year, tests)."""
    return (
        connection.vendor == "postgresql"
        and units >= providers.LARGE_ROLL_UP
        and not connection.in_atomic_block
        and getattr(settings, "REPORTS_CONCURRENT_ROLL_UP", True)
    )


_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


def _collect_concurrently(wanted: list, ids: list[int], year: int) -> dict[str, tuple]:
    """`provider.collect` of every provider in `wanted`: those of ON_MAIN_CONNECTION here,
    the others at the same time on a second connection that imports this transaction's
    snapshot, so both read exactly the same state of the data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    if not _SNAPSHOT_ID.match(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    here = [p for p in wanted if p.group in ON_MAIN_CONNECTION]
    there = [p for p in wanted if p.group not in ON_MAIN_CONNECTION]

    def read_there() -> dict[str, tuple]:
        from django.db import connection as own  # this thread's own connection

        try:
            with transaction.atomic():
                with own.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # checked above
                    _scan_settings(cursor, concurrent=True)
                return {p.group: p.collect(ids, year) for p in there}
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(read_there)
        out = {p.group: p.collect(ids, year) for p in here}
        out.update(future.result())
    return out


def _from_snapshot(node: Node, year: int, close: YearClose) -> YearStats:
    return _from_dict(node, year, close.figures or {}, close)


def _from_dict(node: Node, year: int, f: dict, close: YearClose | None = None) -> YearStats:
    children = [
        ChildRow(c["node_id"], c.get("code", ""), c["name"], c.get("kind", ""), c.get("figures", {}), c.get("reported", False))
        for c in f.get("children", [])
    ]
    available = f.get("available") or {g: True for g in f.get("total", {})}
    return YearStats(
        node, year, year_end(year), f.get("total", {}), f.get("reported", {}), f.get("own", {}), children, available, closed=close
    )


def year_statistics(node: Node, year: int, *, compare: bool = True) -> YearStats:
    """The statistics shown for `year`: frozen if the year is closed at `node`, else live.

    With `compare`, a closed year on the basis of records is computed again and every
    figure that changed since the close is listed in `differences`. Live figures are kept
    in the cache under the newest audit row (every change to the data writes one), so the
    page, the DOCX and the XLSX of the same moment compute them once.
    """
    close = YearClose.objects.filter(node=node, year=year).select_related("closed_by").first()
    if close is None:
        return live_year_statistics(node, year)
    stats = _from_snapshot(node, year, close)
    if compare and close.basis == CloseBasis.RECORDED:
        live = live_year_statistics(node, year)
        stats.live = live.total
        stats.differences = differences(stats.total, live.total)
    return stats


def live_year_statistics(node: Node, year: int, *, version: int | None = None) -> YearStats:
    """The live figures, computed once per state of the data and shared by every server."""
    version = data_version() if version is None else version
    key = f"stats:{node.pk}:{node.path}:{year}"
    data = shared_get(key, version)
    if data is not None:
        return _from_dict(node, year, data)
    stats = compute_year_statistics(node, year)
    shared_set(key, version, stats.snapshot())
    return stats


def shared_get(key: str, version: int):
    row = FiguresCache.objects.filter(key=key).values_list("version", "data").first()
    if row is not None and row[0] == version:
        return row[1]
    return None


def shared_get_current(key: str):
    """What `key` holds if it was computed from the current state of the data, else None:
    `shared_get(key, data_version())` in one statement (the version compared in the
    database), written in SQL because a warm dashboard request does little else and the
    ORM's compilation of it cost more than the database's work."""
    from khuyenhoc.core.models import AuditEvent

    qn = connection.ops.quote_name
    field = FiguresCache._meta.get_field("data")
    sql = (
        f"SELECT {qn(field.column)} FROM {qn(FiguresCache._meta.db_table)} WHERE {qn('key')} = %s AND {qn('version')} = "  # noqa: S608 - model metadata
        f"(SELECT COALESCE(MAX({qn('id')}), 0) FROM {qn(AuditEvent._meta.db_table)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    return None if row is None else field.from_db_value(row[0], None, connection)


def shared_set(key: str, version: int, data) -> None:
    try:
        with transaction.atomic():
            FiguresCache.objects.update_or_create(key=key, defaults={"version": version, "data": data})
    except IntegrityError:
        pass  # another server stored the same figures a moment ago


def differences(closed: Figures, live: Figures) -> list[Difference]:
    out = []
    for group in sorted(set(closed) | set(live)):
        a, b = closed.get(group, {}), live.get(group, {})
        for key in sorted(set(a) | set(b)):
            if a.get(key, 0) != b.get(key, 0):
                out.append(Difference(group, key, a.get(key, 0), b.get(key, 0)))
    return out


# --- year close -----------------------------------------------------------------------------


def is_year_closed(node: Node, year: int) -> bool:
    """True if `year` is closed at `node` or at a unit above it: its figures are frozen.

    The fund and learning areas call this before any change dated in `year`.
    """
    return YearClose.objects.filter(year=year, node__path__in=node.ancestor_paths()).exists()


def closed_years(node: Node) -> dict[int, YearClose]:
    return {c.year: c for c in YearClose.objects.filter(node=node)}


def children_not_closed(node: Node, year: int) -> list[TreeNode]:
    """Child associations (as the tree stood at the year's end) that have not closed `year`.

    Grassroots units close with their association; a child that sent its figures in the
    statistics sheet (it does not use the system) has nothing to close.
    """
    tree = tree_as_of(node, year_end(year))
    if tree is None:
        return []
    kids = [c for c in tree.children if c.kind in ASSOCIATION_KINDS]
    ids = [c.id for c in kids]
    done = set(YearClose.objects.filter(year=year, node_id__in=ids).values_list("node_id", flat=True))
    done |= set(ReportedFigures.objects.filter(year=year, node_id__in=ids).values_list("node_id", flat=True))
    return [c for c in kids if c.id not in done]


# --- cached figures for dashboards and the public page ------------------------------------------

def data_version() -> int:
    """The newest audit row: every change to members, titles, fund, awards or reports writes
    one, so it names the state of the data a cached figure was computed from."""
    from khuyenhoc.core.models import AuditEvent

    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def cached_year_statistics(node: Node, year: int, *, version: int | None = None) -> YearStats:
    """`year_statistics` without the comparison: a closed year's snapshot, or the shared
    live figures of this state of the data."""
    close = YearClose.objects.filter(node=node, year=year).select_related("closed_by").first()
    if close is not None:
        return _from_snapshot(node, year, close)
    return live_year_statistics(node, year, version=version)


def series_years(node: Node, last_year: int, first_year: int | None = None) -> list[int]:
    """Years worth a point on a chart: closed or reported years, then every year from the
    first one with records up to `last_year`."""
    years = set(YearClose.objects.filter(node=node, year__lte=last_year).values_list("year", flat=True))
    first = first_year or (min(years) if years else last_year)
    years |= set(range(max(first, last_year - 9), last_year + 1))
    return sorted(y for y in years if y <= last_year)


def history(node: Node, last_year: int) -> list[YearStats]:
    """The statistics of every year worth showing up to `last_year` (closed ones from their
    snapshot, open ones from the cache), skipping open years that hold no records at all."""
    version = data_version()
    closed = closed_years(node)
    out = []
    for y in series_years(node, last_year):
        stats = cached_year_statistics(node, y, version=version)
        if y in closed or y == last_year or _has_records(stats):
            out.append(stats)
    return out


def _has_records(stats: YearStats) -> bool:
    return any(
        (stats.get(g, k) or 0) > 0
        for g, k in (("members", "total"), ("learning", "family_recognised"), ("fund", "receipts"), ("awards", "awards"))
    )


# --- targets ------------------------------------------------------------------------------


def rate(numerator: int | None, denominator: int | None) -> Decimal | None:
    """A percentage with one decimal, truncated (a plan is not met by rounding up)."""
    if numerator is None or not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


# How each indicator is measured from the year's figures: (group, numerator, denominator).
INDICATOR_SOURCES: dict[str, tuple[str, str, str | None]] = {
    Indicator.FAMILY_RATE: ("learning", "family_recognised", "family_total"),
    Indicator.CLAN_RATE: ("learning", "clan_recognised", "clan_total"),
    Indicator.CLAN_REGISTERED_RATE: ("learning", "clan_recognised", "clan_registered"),
    Indicator.COMMUNITY_RATE: ("learning", "community_recognised", "community_total"),
    Indicator.UNIT_RATE: ("learning", "unit_recognised", "unit_total"),
    # Adults (18 and over) of the registered households: the denominator the learning
    # area keeps. Staff of units holding the title and working-age people are not recorded
    # yet, so those two indicators show "—" until they are.
    Indicator.CITIZEN_COMMUNITY_RATE: ("learning", "citizen_recognised", "adults"),
    Indicator.CITIZEN_UNIT_RATE: ("learning", "citizen_unit_recognised", "unit_staff"),
    Indicator.CITIZEN_WORKING_AGE_RATE: ("learning", "citizen_recognised", "working_age"),
    Indicator.CITIZEN_DIGITAL_RATE: ("learning", "citizen_digital", "citizen_recognised"),
    Indicator.MEMBERS: ("members", "total", None),
    Indicator.FUND_RECEIPTS: ("fund", "receipts", None),
}


def indicator_value(figures: Figures, available: dict[str, bool], indicator: str) -> Decimal | int | None:
    group, num, den = INDICATOR_SOURCES[indicator]
    if not available.get(group):
        return None
    values = figures.get(group, {})
    if den is None:
        return values.get(num, 0)
    if not values.get(den):
        return None
    return rate(values.get(num, 0), values[den])


@dataclass
class TargetCheck:
    target: Target
    actual: Decimal | int | None

    @property
    def met(self) -> bool | None:
        if self.actual is None:
            return None
        value = Decimal(self.actual)
        return value > self.target.value if self.target.above else value >= self.target.value


class TargetBook:
    """The targets that apply to a unit and its children for one year, read in two queries.

    A unit is held to every state programme and to the plans of itself and the associations
    above it; for each programme and indicator the nearest milestone at or after the year
    counts, and a plan's target for the unit itself wins over the plan's general one.
    """

    def __init__(self, node: Node, year: int, child_ids: list[int] | None = None):
        self.year = year
        child_ids = child_ids or []
        programmes = list(
            Programme.objects.filter(
                Q(node__isnull=True) | Q(node__path__in=node.ancestor_paths()) | Q(node_id__in=child_ids)
            ).filter(year_from__lte=year).select_related("node")
        )
        self.programmes = {p.pk: p for p in programmes}
        self.targets = list(
            Target.objects.filter(programme_id__in=list(self.programmes), year__gte=year)
            .filter(Q(node__isnull=True) | Q(node_id__in=[node.pk, *child_ids]))
            .order_by("year", "id")
        )
        for t in self.targets:
            t.programme = self.programmes[t.programme_id]

    def for_node(self, node_id: int, path: str) -> list[Target]:
        chosen: dict[tuple[int, str], Target] = {}
        for t in self.targets:
            p = t.programme
            if p.node_id is not None and not path.startswith(p.node.path):
                continue
            if t.node_id is not None and t.node_id != node_id:
                continue
            key = (t.programme_id, t.indicator)
            best = chosen.get(key)
            if best is None or (t.year == best.year and t.node_id is not None and best.node_id is None):
                chosen[key] = t
        return sorted(chosen.values(), key=lambda t: (t.programme.kind, t.programme.year_from, t.programme.code, t.indicator))


def targets_for(node: Node, year: int) -> list[Target]:
    return TargetBook(node, year).for_node(node.pk, node.path)


def progress(node: Node, stats: YearStats, book: TargetBook | None = None) -> list[TargetCheck]:
    book = book or TargetBook(node, stats.year)
    return [TargetCheck(t, indicator_value(stats.total, stats.available, t.indicator)) for t in book.for_node(node.pk, node.path)]


def child_progress(node: Node, stats: YearStats, book: TargetBook | None = None) -> list[tuple[ChildRow, list[TargetCheck]]]:
    """Each child association against the targets that apply to it (plans name children)."""
    rows = [r for r in stats.children if r.kind in ASSOCIATION_KINDS]
    paths = dict(Node.objects.filter(pk__in=[r.node_id for r in rows]).values_list("id", "path"))
    book = book or TargetBook(node, stats.year, list(paths))
    out = []
    for row in rows:
        if row.node_id not in paths:
            continue
        checks = [
            TargetCheck(t, indicator_value(row.figures, stats.available, t.indicator))
            for t in book.for_node(row.node_id, paths[row.node_id])
        ]
        out.append((row, checks))
    return out


# --- the default year and the dashboard ---------------------------------------------------------


def latest_year(node: Node) -> int:
    """The newest year with records under `node` (the default year of every page)."""
    key = f"latest:{node.pk}:{node.path}"
    found = shared_get_current(key)
    if found is None:
        version = data_version()
        found = _latest_year(node)
        shared_set(key, version, found)
    return found


def _latest_year(node: Node) -> int:
    from django.apps import apps
    from django.db.models.functions import ExtractYear
    from django.utils import timezone

    this_year = timezone.localdate().year
    years = [
        YearClose.objects.filter(node=node).aggregate(m=Max("year"))["m"],
        ReportedFigures.objects.filter(node__path__startswith=node.path).aggregate(m=Max("year"))["m"],
    ]
    if providers.FUND.available():
        LedgerEntry = apps.get_model("fund", "LedgerEntry")
        d = LedgerEntry.objects.filter(node__path__startswith=node.path).aggregate(m=Max("date"))["m"]
        years.append(d.year if d else None)
    if providers.LEARNING.available():
        Evaluation = apps.get_model("learning", "Evaluation")
        years.append(Evaluation.objects.filter(node__path__startswith=node.path).aggregate(m=Max("year"))["m"])
    if providers.AWARDS.available():
        Award = apps.get_model("awards", "Award")
        years.append(Award.objects.filter(decision__node__path__startswith=node.path).aggregate(m=Max("decision__year"))["m"])
    if providers.MEMBERS.available():
        Period = apps.get_model("members", "MembershipPeriod")
        years.append(
            Period.objects.filter(node__path__startswith=node.path).annotate(y=ExtractYear("start")).aggregate(m=Max("y"))["m"]
        )
    found = [y for y in years if y and y <= this_year]
    return max(found) if found else this_year


def dashboard_data(node: Node, year: int, *, version: int | None = None) -> dict:
    """Everything the dashboard draws, as plain JSON-ready data, shared by every server
    until the data changes."""
    version = data_version() if version is None else version
    key = f"dashboard:{node.pk}:{node.path}:{year}"
    data = shared_get(key, version)
    if data is None:
        data = _dashboard_data(node, year, version)
        shared_set(key, version, data)
    return data


def _dashboard_data(node: Node, year: int, version: int) -> dict:
    from .narrative import award_money

    past = history(node, year)
    stats = past[-1] if past and past[-1].year == year else cached_year_statistics(node, year, version=version)

    tree = tree_as_of(node, year_end(year))
    months = providers.fund_by_month(tree.ids, year) if tree else None
    book = TargetBook(node, year, [c.node_id for c in stats.children])
    children = []
    for row, checks in child_progress(node, stats, book):
        family = next((c for c in checks if c.target.indicator == Indicator.FAMILY_RATE), None)
        children.append(
            {
                "name": row.name,
                "family_rate": _num(indicator_value(row.figures, stats.available, Indicator.FAMILY_RATE)),
                "family_target": _num(family.target.value) if family else None,
                "members": row.figures.get("members", {}).get("total"),
            }
        )
    return {
        "year": year,
        "years": [s.year for s in past],
        "reported_years": [s.year for s in past if s.is_reported_only],
        "members": _series(past, "members", "total"),
        "chapters": _series(past, "org", "chapters_and_boards"),
        "families": _series(past, "learning", "family_recognised"),
        "clans": _series(past, "learning", "clan_recognised"),
        "communities": _series(past, "learning", "community_recognised"),
        "units": _series(past, "learning", "unit_recognised"),
        "fund_in": months["in"] if months else None,
        "fund_out": months["out"] if months else None,
        "children": children,
        "headline": {
            "chapters": stats.get("org", "chapters_and_boards"),
            "members": stats.get("members", "total"),
            "families": stats.get("learning", "family_recognised"),
            "receipts": stats.get("fund", "receipts"),
            "awards": award_money(stats),
        },
        "version": version,
    }


def _num(v) -> float | None:
    # Chart.js reads JSON numbers; rates have one decimal, so float is exact enough to draw.
    return None if v is None else float(v)


def _series(past: list[YearStats], group: str, key: str) -> list[int | None]:
    """One figure per year; None (a gap in the chart) where a year does not give it, as
    a reported year that gave registrations but no recognitions."""
    out: list[int | None] = []
    for s in past:
        values = s.total.get(group, {})
        if group == "learning" and not any(v for k, v in values.items() if k.endswith(("_registered", "_recognised"))):
            # No title registered at all that year: the area was not used yet, not "zero".
            out.append(None)
        elif key in values:
            out.append(values[key])
        elif s.available.get(group) and not s.is_reported_only:
            out.append(0)
        else:
            out.append(None)
    return out
