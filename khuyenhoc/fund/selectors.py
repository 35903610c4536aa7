"""Reads of funds: balances, books, statements, subtree totals, chain verification.

Balances are sums of the ledger, never a stored running total. A statement for a period
counts opening-balance rows dated up to the period's end in the opening balance, and
reversals net against what they reverse because they carry the same kind with the
opposite sign.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Substr

from khuyenhoc.accounts.permissions import Cap, granted_paths, scope_queryset, subtree_q
from khuyenhoc.core.text import initials_name
from khuyenhoc.organizations.models import PATH_STEP, Node

from .ledger import ChainBreak, verify_rows
from .models import (
    BENEFICIARY_PURPOSES,
    PRIVATE_PARTIES,
    AccountBalance,
    AccountKind,
    EntryKind,
    Fund,
    FundAccount,
    FundYearLock,
    LedgerEntry,
    PartyKind,
    Purpose,
    Voucher,
    VoucherKind,
    VoucherStatus,
)

# --- scope -------------------------------------------------------------------


def visible_funds(user, cap: Cap = Cap.VIEW) -> QuerySet[Fund]:
    return scope_queryset(Fund.objects.select_related("node"), user, cap)


def visible_vouchers(user, cap: Cap = Cap.VIEW) -> QuerySet[Voucher]:
    return scope_queryset(
        Voucher.objects.select_related("fund", "fund__node", "account", "created_by", "approved_by"),
        user,
        cap,
        node_field="fund__node",
    )


def funds_of_node(node: Node) -> QuerySet[Fund]:
    return Fund.objects.filter(node=node).order_by("status", "name")


def awaiting_approval(user, node: Node) -> QuerySet[Voucher]:
    """Drafts in `node`'s subtree that `user` may approve (not their own)."""
    paths = [p for p in granted_paths(user, Cap.FUND_APPROVE)]
    return (
        Voucher.objects.filter(status=VoucherStatus.DRAFT, fund__node__path__startswith=node.path)
        .filter(subtree_q(paths, "fund__node__path"))
        .exclude(created_by=user)
        .select_related("fund", "fund__node", "account", "created_by")
        .order_by("date", "id")
    )


# --- balances ------------------------------------------------------------------


def _sum(qs) -> int:
    return int(qs.aggregate(s=Coalesce(Sum("amount"), 0))["s"])


def fund_balance(fund: Fund, on: dt.date | None = None) -> int:
    if on is None:
        return int(AccountBalance.objects.filter(account__fund=fund).aggregate(s=Coalesce(Sum("balance"), 0))["s"])
    return _sum(LedgerEntry.objects.filter(fund=fund, date__lte=on))


def account_balance(account: FundAccount, on: dt.date | None = None) -> int:
    if on is None:
        return int(AccountBalance.objects.filter(account=account).values_list("balance", flat=True).first() or 0)
    return _sum(LedgerEntry.objects.filter(account=account, date__lte=on))


def account_balances(fund: Fund) -> list[tuple[FundAccount, int]]:
    """Every account of the fund with its balance, in one query."""
    return [(a, int(a.stored)) for a in fund.accounts.annotate(stored=Coalesce(F("current__balance"), 0))]


def balances_by_fund(funds: list[Fund]) -> dict[int, int]:
    rows = AccountBalance.objects.filter(account__fund__in=funds).values("account__fund").annotate(s=Sum("balance"))
    return {fid: int(s) for fid, s in rows.values_list("account__fund", "s")}


def balance_mismatches(fund_ids: list[int] | None = None) -> list[tuple[int, int, int]]:
    """Accounts whose stored balance (`AccountBalance`, kept by a trigger) differs from the sum
    of their ledger rows: (account id, stored, sum). Empty when all agree."""
    sums = LedgerEntry.objects.all()
    stored = AccountBalance.objects.all()
    if fund_ids is not None:
        sums, stored = sums.filter(fund_id__in=fund_ids), stored.filter(account__fund_id__in=fund_ids)
    summed = {a: int(s) for a, s in sums.values("account").annotate(s=Sum("amount")).values_list("account", "s")}
    kept = dict(stored.values_list("account_id", "balance"))
    return sorted((a, kept.get(a, 0), summed.get(a, 0)) for a in summed.keys() | kept.keys() if kept.get(a, 0) != summed.get(a, 0))


def is_year_closed(node: Node, year: int) -> bool:
    """Whether `year` is closed for posting at `node` or at a unit above it: by the year
    close of the reports area (the association's figures are frozen), or by a fund lock."""
    from khuyenhoc.reports.selectors import is_year_closed as year_closed_in_reports

    if year_closed_in_reports(node, year):
        return True
    return FundYearLock.objects.filter(year=year, node__path__in=node.ancestor_paths()).exists()


# --- books -------------------------------------------------------------------


@dataclass
class BookRow:
    entry: LedgerEntry
    receipt: int
    payment: int
    balance: int


@dataclass
class Book:
    account: FundAccount
    start: dt.date
    end: dt.date
    opening: int
    rows: list[BookRow]
    receipts: int
    payments: int
    closing: int


def _opening_q(start: dt.date, end: dt.date) -> Q:
    return Q(date__lt=start) | Q(kind=EntryKind.OPENING, date__lte=end)


def book(account: FundAccount, start: dt.date, end: dt.date) -> Book:
    """The cash book or bank book of one account: opening balance, each movement, running balance."""
    base = LedgerEntry.objects.filter(account=account)
    opening = _sum(base.filter(_opening_q(start, end)))
    entries = (
        base.filter(date__gte=start, date__lte=end)
        .exclude(kind=EntryKind.OPENING)
        .select_related("voucher")
        .order_by("date", "seq")
    )
    rows = []
    balance = opening
    receipts = payments = 0
    for e in entries:
        balance += e.amount
        r = e.amount if e.amount > 0 else 0
        p = -e.amount if e.amount < 0 else 0
        receipts += r
        payments += p
        rows.append(BookRow(entry=e, receipt=r, payment=p, balance=balance))
    return Book(account, start, end, opening, rows, receipts, payments, balance)


# --- statements ------------------------------------------------------------------


@dataclass
class Statement:
    start: dt.date
    end: dt.date
    opening: int = 0
    receipts_by_source: dict[str, int] = field(default_factory=dict)
    payments_by_purpose: dict[str, int] = field(default_factory=dict)
    receipts_in_kind: int = 0
    internal_transfers: int = 0

    @property
    def receipts(self) -> int:
        return sum(self.receipts_by_source.values())

    @property
    def payments(self) -> int:
        return sum(self.payments_by_purpose.values())

    @property
    def closing(self) -> int:
        return self.opening + self.receipts - self.payments

    def source_rows(self) -> list[tuple[str, str, int]]:
        return [(c, str(PartyKind(c).label), self.receipts_by_source[c]) for c in PartyKind.values if self.receipts_by_source.get(c)]

    def purpose_rows(self) -> list[tuple[str, str, int]]:
        return [(c, str(Purpose(c).label), self.payments_by_purpose[c]) for c in Purpose.values if self.payments_by_purpose.get(c)]

    def add(self, kind: str, party_kind: str, purpose: str, amount: int, in_kind: bool = False) -> None:
        if kind == EntryKind.RECEIPT:
            self.receipts_by_source[party_kind] = self.receipts_by_source.get(party_kind, 0) + amount
            if in_kind:
                self.receipts_in_kind += amount
        elif kind == EntryKind.PAYMENT:
            self.payments_by_purpose[purpose] = self.payments_by_purpose.get(purpose, 0) - amount


def fund_statement(fund: Fund, start: dt.date, end: dt.date, upto_seq: int | None = None) -> Statement:
    """Receipts by source and payments by purpose of one fund for a period (two queries)."""
    qs = LedgerEntry.objects.filter(fund=fund)
    if upto_seq is not None:
        qs = qs.filter(seq__lte=upto_seq)
    st = Statement(start, end, opening=_sum(qs.filter(_opening_q(start, end))))
    rows = (
        qs.filter(date__gte=start, date__lte=end)
        .exclude(kind=EntryKind.OPENING)
        .values("kind", "party_kind", "purpose", "account__kind")
        .annotate(s=Sum("amount"))
    )
    for r in rows:
        st.add(r["kind"], r["party_kind"], r["purpose"], int(r["s"]), r["account__kind"] == AccountKind.IN_KIND)
    return st


@dataclass
class SubtreeRow:
    node: Node
    own: bool  # True for the unit's own funds, False for a child's whole subtree
    statement: Statement


@dataclass
class SubtreeStatement:
    node: Node
    total: Statement
    rows: list[SubtreeRow]


def _subtree_groups(node: Node, step: int, start: dt.date, end: dt.date) -> list[dict]:
    """The subtree's ledger up to `end`, summed by (bucket: the path prefix of the child each row
    falls under, before: whether it folds into the opening balance, kind, party kind, purpose,
    counter unit).

    PostgreSQL groups by bucket itself, reading the covering index `fund_ledger_node_date_cover`
    unit by unit. SQLite would sort half a million rows for that; instead it sums in the order
    of its own covering index (unit, kind, party kind, purpose, counter unit …, migration 0007),
    which needs no sort, and the units are folded into buckets here.
    """
    # Rows before the period (and opening balances) fold into the opening balance.
    opening = Q(date__lt=start) | Q(kind=EntryKind.OPENING)
    if connection.vendor == "postgresql":
        return list(
            LedgerEntry.objects.filter(node__path__startswith=node.path, date__lte=end)
            .annotate(
                bucket=Substr("node__path", 1, step),
                before=Case(When(opening, then=Value(True)), default=Value(False), output_field=BooleanField()),
            )
            .values("bucket", "before", "kind", "party_kind", "purpose", "counter_node")
            .annotate(s=Sum("amount"))
            .order_by()
        )
    # `node_id IN (subquery)`, not a join: SQLite then walks its index in order, one unit after
    # another, and sums without sorting (a join made it start from the units in path order).
    units = Node.objects.filter(path__startswith=node.path).values("pk")
    per_unit = (
        LedgerEntry.objects.filter(node_id__in=units, date__lte=end)
        .values("node_id", "kind", "party_kind", "purpose", "counter_node")
        .annotate(
            s=Sum("amount"),
            n=Count("*"),
            s_before=Sum(Case(When(opening, then="amount"), default=0, output_field=BigIntegerField())),
            n_before=Sum(Case(When(opening, then=1), default=0)),
        )
        .values_list("node_id", "kind", "party_kind", "purpose", "counter_node", "s", "n", "s_before", "n_before")
        .order_by()
    )
    # Tens of thousands of plain rows: read as tuples, without the ORM's per-row conversions.
    sql, params = per_unit.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        unit_rows = cur.fetchall()
    # Read after the sums, so every unit they name is here (units are never deleted); one moved
    # out of the subtree in between is left out, as a statement read a moment later would.
    bucket_of_unit = {pk: path[:step] for pk, path in Node.objects.filter(path__startswith=node.path).values_list("pk", "path")}
    sums: dict[tuple, int] = {}
    for unit, kind, party_kind, purpose, counter, s, n, s_before, n_before in unit_rows:
        bucket = bucket_of_unit.get(unit)
        if bucket is None:
            continue
        key = (bucket, kind, party_kind, purpose, counter)
        if n_before:
            sums[(True, *key)] = sums.get((True, *key), 0) + s_before
        if n - n_before:
            sums[(False, *key)] = sums.get((False, *key), 0) + s - s_before
    return [
        {"before": before, "bucket": bucket, "kind": kind, "party_kind": party_kind, "purpose": purpose, "counter_node": counter, "s": s}
        for (before, bucket, kind, party_kind, purpose, counter), s in sums.items()
    ]


def subtree_statement(node: Node, start: dt.date, end: dt.date) -> SubtreeStatement:
    """Totals of every fund in `node`'s subtree, with one row for the unit itself and one per child.

    Transfers between two units inside a row's subtree are netted out of that row (money
    that a ward passes to the city is not raised twice); they show as internal transfers.
    The ledger is read once, grouped in the database by the child each row falls under
    (a prefix of the unit's path), so the work in Python does not grow with the tree.
    """
    step = len(node.path) + PATH_STEP
    children = sorted(node.children.all(), key=lambda n: (n.status, n.name))
    bucket_of_prefix = {c.path: c.pk for c in children}
    bucket_of_prefix[node.path] = node.pk
    stmts: dict[int, Statement] = {pk: Statement(start, end) for pk in bucket_of_prefix.values()}
    total = Statement(start, end)

    grouped = _subtree_groups(node, step, start, end)
    counters = {r["counter_node"] for r in grouped if r["counter_node"]}
    counter_paths = dict(Node.objects.filter(pk__in=counters).values_list("pk", "path")) if counters else {}

    def counter_bucket(counter_id: int | None) -> int | None:
        path = counter_paths.get(counter_id) if counter_id else None
        if path is None or not path.startswith(node.path):
            return None
        return bucket_of_prefix.get(path[:step], node.pk if path == node.path else None)

    for r in grouped:
        amount = int(r["s"])
        b = bucket_of_prefix.get(r["bucket"])
        if r["before"]:
            if b is not None:
                stmts[b].opening += amount
            total.opening += amount
            continue
        counter = r["counter_node"]
        inside = counter is not None and counter in counter_paths and counter_paths[counter].startswith(node.path)
        if inside:
            total.internal_transfers += abs(amount) if r["kind"] == EntryKind.PAYMENT else 0
        else:
            total.add(r["kind"], r["party_kind"], r["purpose"], amount)
        if b is None:
            continue
        if inside and counter_bucket(counter) == b:
            if r["kind"] == EntryKind.PAYMENT:
                stmts[b].internal_transfers += abs(amount)
            continue
        stmts[b].add(r["kind"], r["party_kind"], r["purpose"], amount)

    # Gifts in kind are few: read them apart instead of joining every row to its account.
    in_kind_accounts = FundAccount.objects.filter(kind=AccountKind.IN_KIND, fund__node__path__startswith=node.path).values("pk")
    in_kind = (
        LedgerEntry.objects.filter(account_id__in=in_kind_accounts, kind=EntryKind.RECEIPT, date__gte=start, date__lte=end)
        .annotate(bucket=Substr("node__path", 1, step))
        .values("bucket")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for r in in_kind:
        amount = int(r["s"])
        total.receipts_in_kind += amount
        b = bucket_of_prefix.get(r["bucket"])
        if b is not None:
            stmts[b].receipts_in_kind += amount

    rows = [SubtreeRow(node, True, stmts[node.pk])] + [SubtreeRow(c, False, stmts[c.pk]) for c in children]
    return SubtreeStatement(node, total, rows)


# --- disclosure ------------------------------------------------------------------


def public_name(party_kind: str, name: str) -> str:
    """How a payee or donor is named in public: people by given name and initials only."""
    if party_kind in PRIVATE_PARTIES:
        return initials_name(name)
    return name


def disclosure_figures(fund: Fund, start: dt.date, end: dt.date, upto_seq: int) -> dict:
    """The figures a public statement publishes, as plain JSON-ready data (codes, not labels)."""
    st = fund_statement(fund, start, end, upto_seq=upto_seq)
    entries = (
        LedgerEntry.objects.filter(fund=fund, seq__lte=upto_seq, date__gte=start, date__lte=end)
        .exclude(kind=EntryKind.OPENING)
        .select_related("voucher", "voucher__reverses")
        .order_by("seq")
    )
    donors: dict[int, dict] = {}
    unnamed = {"count": 0, "amount": 0}
    beneficiaries: dict[int, dict] = {}
    for e in entries:
        v = e.voucher
        if v is None:
            continue
        original = v.reverses or v
        if e.kind == EntryKind.RECEIPT:
            if original.party_kind in (PartyKind.ASSOCIATION, PartyKind.BANK):
                continue
            if original.party_public and original.party_kind != PartyKind.ANONYMOUS and original.party_name:
                d = donors.setdefault(original.pk, {"name": original.party_name, "kind": original.party_kind, "amount": 0})
                d["amount"] += e.amount
            else:
                unnamed["amount"] += e.amount
                if not v.reverses_id:
                    unnamed["count"] += 1
        elif e.kind == EntryKind.PAYMENT and original.purpose in BENEFICIARY_PURPOSES:
            b = beneficiaries.setdefault(
                original.pk,
                {"name": public_name(original.party_kind, original.party_name), "purpose": original.purpose, "amount": 0},
            )
            b["amount"] -= e.amount
    last = LedgerEntry.objects.filter(fund=fund, seq=upto_seq).values_list("hash", flat=True).first() or ""
    return {
        "format": 1,
        "fund": fund.name,
        "node": fund.node.name,
        "period": [start.isoformat(), end.isoformat()],
        "opening": st.opening,
        "receipts": st.receipts,
        "receipts_in_kind": st.receipts_in_kind,
        "payments": st.payments,
        "closing": st.closing,
        "receipts_by_source": [{"code": c, "amount": a} for c, _label, a in st.source_rows()],
        "payments_by_purpose": [{"code": c, "amount": a} for c, _label, a in st.purpose_rows()],
        "donors": sorted((d for d in donors.values() if d["amount"]), key=lambda d: (-d["amount"], d["name"])),
        "unnamed_donors": unnamed,
        "beneficiaries": sorted((b for b in beneficiaries.values() if b["amount"]), key=lambda b: (b["purpose"], b["name"])),
        "closing_seq": upto_seq,
        "closing_hash": last,
    }


# --- the chain -------------------------------------------------------------------

ROW_FIELDS = (
    "id", "seq", "date_text", "account_id", "amount", "kind", "party_kind", "purpose", "voucher_code", "node_id", "counter_node_id",
    "prev_hash", "hash",
)


def _with_date_text(qs):
    # The date as the database writes it (YYYY-MM-DD): no date objects to build and format back.
    return qs.annotate(date_text=Cast("date", CharField()))


def chain_rows(fund_id: int, upto: int | None = None):
    qs = LedgerEntry.objects.filter(fund_id=fund_id).order_by("seq")
    if upto is not None:
        qs = qs.filter(seq__lte=upto)
    return _with_date_text(qs).values_list(*ROW_FIELDS)


def verify_fund_chain(fund: Fund | int, upto: int | None = None) -> tuple[int, ChainBreak | None, str]:
    fund_id = fund if isinstance(fund, int) else fund.pk
    return verify_rows(fund_id, chain_rows(fund_id, upto).iterator(chunk_size=5000), upto=upto)


def verify_all_chains(fund_ids: list[int] | None = None) -> Iterator[tuple[int, int, ChainBreak | None]]:
    """Every fund's chain in one ordered pass over the ledger: (fund id, rows checked, break)."""
    qs = _with_date_text(LedgerEntry.objects.order_by("fund_id", "seq"))
    if fund_ids is not None:
        qs = qs.filter(fund_id__in=fund_ids)
    current: int | None = None
    buffer: list[tuple] = []

    def flush():
        checked, brk, _ = verify_rows(current, buffer)
        return current, checked, brk

    for row in qs.values_list("fund_id", *ROW_FIELDS).iterator(chunk_size=20000):
        if row[0] != current:
            if current is not None:
                yield flush()
            current, buffer = row[0], []
        buffer.append(row[1:])
    if current is not None:
        yield flush()
    # Funds without any row have nothing to verify.


def posted_amount_mismatches(fund: Fund) -> list[Voucher]:
    """Posted vouchers whose amount no longer equals their ledger entry (the chain covers the entry)."""
    bad = []
    for v in Voucher.objects.filter(fund=fund, status=VoucherStatus.POSTED).select_related("entry"):
        entry = getattr(v, "entry", None)
        if entry is None or entry.amount != v.signed_amount or entry.voucher_code != v.code:
            bad.append(v)
    return bad


def voucher_label(kind: str) -> str:
    return str(VoucherKind(kind).label)
