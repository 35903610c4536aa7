"""Where the year's figures come from: one provider per figure group.

A provider reads one area's tables and answers, for a list of node ids (a subtree as it
stood at the year's end) and a year:

* ``provider(node_ids, year) -> dict[str, int]`` — the group's figures over those nodes,
  or ``None`` when the area that records them is not installed yet (shown as "—");
* ``provider.by_node(node_ids, year) -> {node_id: {key: int}}`` — the figures that the
  tables sent up break down by child association, grouped by the node each record
  belongs to (one grouped query, whatever the size of the tree);
* ``provider.breakdown(node_ids, year) -> {key: int}`` — figures shown for the total only
  (members by ethnicity or age band), also one query each.

Keys are stable codes (they are stored in closed years' snapshots and in reported
figures); labels live in ``FIGURE_LABELS``. Amounts are integer đồng.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.apps import apps
from django.db import connection
from django.db.models import Count, F, Lookup, Q, Sum
from django.utils.translation import pgettext_lazy

from khuyenhoc.organizations.models import Node, NodeKind

ByNode = dict[int, dict[str, int]]


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def add_into(total: dict[str, int], figures: dict[str, int]) -> dict[str, int]:
    for k, v in figures.items():
        total[k] = total.get(k, 0) + int(v)
    return total


def sum_by_node(by_node: ByNode) -> dict[str, int]:
    total: dict[str, int] = {}
    for figures in by_node.values():
        add_into(total, figures)
    return total


class Provider:
    """Base: subclasses set ``group`` and ``label`` and implement ``by_node``."""

    group: str = ""
    label = ""
    # Keys the tables sent up show per child association, in order.
    table_keys: tuple[str, ...] = ()

    def available(self) -> bool:
        return True

    def by_node(self, node_ids: list[int], year: int) -> ByNode:
        raise NotImplementedError

    def breakdown(self, node_ids: list[int], year: int) -> dict[str, int]:
        return {}

    def collect(self, node_ids: list[int], year: int) -> tuple[ByNode, dict[str, int]]:
        """`by_node` and `breakdown` together (a provider may read both in one scan)."""
        return self.by_node(node_ids, year), self.breakdown(node_ids, year)

    def __call__(self, node_ids: list[int], year: int) -> dict[str, int] | None:
        if not self.available():
            return None
        by_node, extra = self.collect(node_ids, year)
        return add_into(sum_by_node(by_node), extra)


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _has_fields(model, *names: str) -> bool:
    if model is None:
        return False
    fields = {f.name for f in model._meta.get_fields()}
    return all(n in fields for n in names) and has_table(model)


_tables_seen: set[str] = set()


def has_table(model) -> bool:
    """Whether the model's table exists: an area whose migrations are not applied yet reads
    as "not available" instead of failing the whole report. Only found tables are cached."""
    from django.db import connection

    table = model._meta.db_table
    if table not in _tables_seen:
        _tables_seen.update(connection.introspection.table_names())
    return table in _tables_seen


class _AnyOf(Lookup):
    """`<column> = ANY(%s::bigint[])`, the node ids as one array parameter."""

    lookup_name = "any_of"  # used as an expression only, never registered
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, [int(i) for i in self.rhs]]


def in_nodes(field: str, node_ids: list[int]):
    """The filter `<field>__in=node_ids` for `.filter(…)`. On PostgreSQL a large roll-up's
    ids travel as one array parameter (`= ANY(…)`) instead of an IN list of a thousand
    literals: the same plan, without building, sending and parsing the list for every
    statement of the roll-up."""
    if connection.vendor == "postgresql" and len(node_ids) >= LARGE_ROLL_UP:
        return _AnyOf(F(field), list(node_ids))
    return Q(**{f"{field}__in": node_ids})


# --- organisation --------------------------------------------------------------------

ASSOCIATION_KINDS = (NodeKind.NATIONAL, NodeKind.PROVINCE, NodeKind.DISTRICT, NodeKind.COMMUNE)


class OrganisationProvider(Provider):
    """Associations and grassroots units as the tree stood at the year's end."""

    group = "org"
    label = pgettext_lazy("figure group", "Organisation")
    table_keys = ("communes", "chapters_and_boards", "chapters", "boards")

    def by_node(self, node_ids: list[int], year: int) -> ByNode:
        out: ByNode = {}
        for pk, kind, chapter_type in Node.objects.filter(in_nodes("id", node_ids)).values_list("id", "kind", "chapter_type"):
            f: dict[str, int] = {}
            if kind == NodeKind.COMMUNE:
                f["communes"] = 1
            elif kind == NodeKind.DISTRICT:
                f["districts"] = 1
            elif kind in (NodeKind.CHAPTER, NodeKind.BOARD):
                f["chapters_and_boards"] = 1
                f["chapters" if kind == NodeKind.CHAPTER else "boards"] = 1
                if chapter_type:
                    f[f"type_{chapter_type}"] = 1
            elif kind == NodeKind.SUBCHAPTER:
                f["subchapters"] = 1
            if f:
                out[pk] = f
        return out


# --- fund ------------------------------------------------------------------------------


class FundProvider(Provider):
    """Receipts by source and payments by purpose posted in the year.

    Transfers between two units that are both inside the roll-up are left out: money a
    ward passes to the city was raised once, not twice.
    """

    group = "fund"
    label = pgettext_lazy("figure group", "Study-promotion fund")
    table_keys = ("receipts", "payments", "payments_award", "payments_support", "balance")

    def available(self) -> bool:
        return _has_fields(_model("fund", "LedgerEntry"), "node", "date", "amount", "kind", "party_kind", "purpose")

    def by_node(self, node_ids: list[int], year: int) -> ByNode:
        LedgerEntry = _model("fund", "LedgerEntry")
        start, end = year_bounds(year)
        inside = set(node_ids)
        out: ByNode = defaultdict(dict)
        rows = (
            LedgerEntry.objects.filter(in_nodes("node_id", node_ids), date__gte=start, date__lte=end, kind__in=("receipt", "payment"))
            .values_list("node_id", "kind", "party_kind", "purpose", "counter_node_id")
            .annotate(s=Sum("amount"), n=Count("id"))
            .order_by()
        )
        for node_id, kind, party_kind, purpose, counter, s, _n in grouped_rows(rows, node_ids):
            if counter is not None and counter in inside:
                continue
            f = out[node_id]
            s = int(s or 0)
            if kind == "receipt":
                add_into(f, {"receipts": s, f"receipts_{party_kind or 'other'}": s})
            else:
                add_into(f, {"payments": -s, f"payments_{purpose or 'other'}": -s})
        balances = (
            LedgerEntry.objects.filter(in_nodes("node_id", node_ids), date__lte=end)
            .values_list("node_id")
            .annotate(s=Sum("amount"))
            .order_by()
        )
        for node_id, s in grouped_rows(balances, node_ids):
            out[node_id]["balance"] = int(s or 0)
        return dict(out)


def fund_by_month(node_ids: list[int], year: int) -> dict[str, list[int]] | None:
    """Money in and out per month (12 values each), transfers inside the roll-up left out.

    Grouped by day, not by an extracted month: SQLite extracts a month in Python, row by
    row, which costs seconds on a province's ledger; a year has at most 366 days."""
    if not FUND.available():
        return None
    LedgerEntry = _model("fund", "LedgerEntry")
    start, end = year_bounds(year)
    inside = set(node_ids)
    money_in = [0] * 12
    money_out = [0] * 12
    rows = (
        LedgerEntry.objects.filter(in_nodes("node_id", node_ids), date__gte=start, date__lte=end, kind__in=("receipt", "payment"))
        .values_list("date", "kind", "counter_node_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for day, kind, counter, s in grouped_rows(rows, node_ids):
        if counter is not None and counter in inside:
            continue
        month = (day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))).month
        if kind == "receipt":
            money_in[month - 1] += int(s or 0)
        else:
            money_out[month - 1] -= int(s or 0)
    return {"in": money_in, "out": money_out}


# --- areas built in parallel: wired when their models appear ----------------------------------


class MembersProvider(Provider):
    """Members at the year's end by kind, gender, ethnicity and age band; joined and left."""

    group = "members"
    label = pgettext_lazy("figure group", "Members")
    table_keys = ("total", "joined", "left", "female")

    def available(self) -> bool:
        return _members_api() is not None

    def by_node(self, node_ids: list[int], year: int) -> ByNode:
        return _members_api().by_node(node_ids, year)

    def breakdown(self, node_ids: list[int], year: int) -> dict[str, int]:
        return _members_api().breakdown(node_ids, year)

    def collect(self, node_ids: list[int], year: int) -> tuple[ByNode, dict[str, int]]:
        return _members_api().figures(node_ids, year)


class LearningProvider(Provider):
    """Per learning title: total, registered and recognised in the year."""

    group = "learning"
    label = pgettext_lazy("figure group", "Learning models")
    table_keys = tuple(
        f"{t}_{c}" for t in ("family", "clan", "community", "unit", "citizen") for c in ("total", "registered", "recognised")
    )

    def available(self) -> bool:
        return _learning_api() is not None

    def by_node(self, node_ids: list[int], year: int) -> ByNode:
        return _learning_api().by_node(node_ids, year)


class AwardsProvider(Provider):
    """Certificates by kind; awards by programme, count and amount."""

    group = "awards"
    label = pgettext_lazy("figure group", "Awards and certificates")
    table_keys = ("awards", "amount", "certificates")

    def available(self) -> bool:
        return _awards_api() is not None

    def by_node(self, node_ids: list[int], year: int) -> ByNode:
        return _awards_api().by_node(node_ids, year)


class CentresProvider(Provider):
    """Community learning centres, classes and learners. No area records them yet: they come
    in the statistics sheet only."""

    group = "clc"
    label = pgettext_lazy("figure group", "Community learning centres")
    table_keys = ("centres", "classes", "learners")

    def available(self) -> bool:
        return False

    def by_node(self, node_ids: list[int], year: int) -> ByNode:
        return {}


# The adapters below read the other areas' tables. Each returns None until the area's
# models exist, so the report shows "—" for that group rather than a wrong zero.


def _members_api():
    from . import provider_members

    return provider_members.api()


def _learning_api():
    from . import provider_learning

    return provider_learning.api()


def _awards_api():
    from . import provider_awards

    return provider_awards.api()


ORG = OrganisationProvider()
MEMBERS = MembersProvider()
LEARNING = LearningProvider()
FUND = FundProvider()
AWARDS = AwardsProvider()
CLC = CentresProvider()

PROVIDERS: tuple[Provider, ...] = (ORG, MEMBERS, LEARNING, FUND, AWARDS, CLC)
BY_GROUP: dict[str, Provider] = {p.group: p for p in PROVIDERS}


def organisation(node_ids: list[int], year: int) -> dict[str, int] | None:
    return ORG(node_ids, year)


def members(node_ids: list[int], year: int) -> dict[str, int] | None:
    return MEMBERS(node_ids, year)


def learning(node_ids: list[int], year: int) -> dict[str, int] | None:
    return LEARNING(node_ids, year)


def fund(node_ids: list[int], year: int) -> dict[str, int] | None:
    return FUND(node_ids, year)


def awards(node_ids: list[int], year: int) -> dict[str, int] | None:
    return AWARDS(node_ids, year)


def centres(node_ids: list[int], year: int) -> dict[str, int] | None:
    return CLC(node_ids, year)


def availability() -> dict[str, bool]:
    return {p.group: p.available() for p in PROVIDERS}


# A roll-up over this many units reads most of a table anyway.
LARGE_ROLL_UP = 200


def grouped_rows(qs, node_ids: list[int], *, index: str | None = None) -> list[tuple]:
    """The rows of a grouped `values_list` queryset, read the fast way for large roll-ups.

    On SQLite a roll-up over a province reads most rows of the table; through the node
    index it would look up every row in random order: seconds for a million rows.
    Reading the table in storage order instead ("NOT INDEXED") is five to ten times
    faster — or, given `index`, reading that covering index alone ("INDEXED BY"), whose
    order is the grouping's, so nothing is sorted either. PostgreSQL chooses its own
    plan and needs no help; small roll-ups keep the planner's choice.
    """
    from django.db import connection

    if connection.vendor != "sqlite" or len(node_ids) < LARGE_ROLL_UP:
        return list(qs)
    sql, params = qs.query.sql_with_params()
    table = connection.ops.quote_name(qs.model._meta.db_table)
    how = f"INDEXED BY {connection.ops.quote_name(index)}" if index else "NOT INDEXED"
    sql = sql.replace(f"FROM {table}", f"FROM {table} {how}", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
