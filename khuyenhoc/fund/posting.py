"""The statements of a posting, written out in SQL.

Approving a voucher is the one write that must sustain hundreds per second from several
people at once (issue #5: ≥ 500 vouchers/s from 4 writers on PostgreSQL). Through the ORM
an approval cost about 13 ms of Python per voucher, four fifths of it building queries and
model instances, for about 1 ms of database work. Here each step is one plain statement on
Django's cursor (same connection, same transaction, the backends' own parameter adaptation),
so an approval is ten short round trips and little Python. The rules stay in
`services.vouchers_approve`; this module only reads and writes.

Every statement runs on PostgreSQL and on SQLite. SQLite has no row locks: its IMMEDIATE
transactions (settings) already serialise writers, so the FOR UPDATE clauses are dropped there.
On PostgreSQL the statements are prepared on the server (planned once per connection, not once
per approval: planning was half of the server's work). Django turns prepared statements off
for the sake of transaction-pooling PgBouncer before 1.21; `FUND_PREPARED_STATEMENTS = False`
in the settings turns them off here too (docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from khuyenhoc.core.models import AuditEvent
from khuyenhoc.organizations.models import PATH_STEP, Node

from .ledger import FORMAT, GENESIS, entry_hash
from .models import (
    VOUCHER_PREFIX,
    AccountBalance,
    Fund,
    FundYearLock,
    LedgerEntry,
    Voucher,
    VoucherKind,
    VoucherSequence,
)

_NODE_FIELDS = [f for f in Node._meta.concrete_fields]
_FUND_FIELDS = [f for f in Fund._meta.concrete_fields]
_VOUCHER_FIELDS = [f for f in Voucher._meta.concrete_fields]


def _db():
    """The default database's wrapper itself (`django.db.connection` is a proxy that looks the
    wrapper up on every attribute; on this path that lookup alone cost more than a statement)."""
    return connections[DEFAULT_DB_ALIAS]


class _PreparedCursor:
    """A psycopg cursor with server-side binding whose statements are prepared once per
    connection; database errors come out as Django's, as from the ORM."""

    def __init__(self, db, raw):
        self.db = db
        self.raw = raw

    def execute(self, sql: str, params=()):
        with self.db.wrap_database_errors:
            self.raw.execute(sql, params, prepare=True)

    def fetchone(self):
        return self.raw.fetchone()

    def fetchall(self):
        return self.raw.fetchall()

    @property
    def rowcount(self) -> int:
        return self.raw.rowcount


@contextmanager
def _cursor(db):
    if db.vendor == "postgresql" and settings.FUND_PREPARED_STATEMENTS:
        import psycopg

        db.ensure_connection()
        conn = db.connection
        if conn.prepare_threshold is None:
            # Django leaves it off (None disables even an explicit prepare=True). Its own
            # cursors bind on the client and never prepare; a huge threshold keeps it so for
            # any other cursor: only the statements here, asked explicitly, are prepared.
            conn.prepare_threshold = 1 << 30
        with psycopg.Cursor(conn) as raw:
            yield _PreparedCursor(db, raw)
    else:
        with db.cursor() as cur:
            yield cur


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


_SQL: dict = {}


def _sql(db, name: str, build, *shape) -> str:
    """A statement's text, built once per database vendor and shape (e.g. how many ids)."""
    key = (db.vendor, name, shape)
    text = _SQL.get(key)
    if text is None:
        text = _SQL[key] = build(db, *shape)
    return text


def _select_list(db, alias: str, fields) -> str:
    qn = db.ops.quote_name
    return ", ".join(f"{alias}.{qn(f.column)}" for f in fields)


def _for_update(db, of: str = "") -> str:
    if not db.features.has_select_for_update:
        return ""
    if of and db.features.has_select_for_update_of:
        return f" FOR UPDATE OF {of}"
    return " FOR UPDATE"


_CONVERTERS: dict = {}


def _converters(db, model, fields) -> list:
    """Per field, the converters the ORM applies to a value read from this database."""
    key = (model, db.vendor)
    if key not in _CONVERTERS:
        out = []
        for f in fields:
            col = f.get_col(model._meta.db_table)
            out.append([(conv, col) for conv in db.ops.get_db_converters(col) + f.get_db_converters(db)])
        _CONVERTERS[key] = (out, [f.attname for f in fields])
    return _CONVERTERS[key]


def _from_db(db, model, fields, values):
    """A model instance from a row, converted as the ORM would (dates on SQLite, etc.)."""
    converters, names = _converters(db, model, fields)
    converted = list(values)
    for i, convs in enumerate(converters):
        if convs and converted[i] is not None:
            for conv, col in convs:
                converted[i] = conv(converted[i], col, db)
    return model.from_db(db.alias, names, converted)


def _lock_vouchers_sql(db, n: int) -> str:
    return (
        f"SELECT {_select_list(db, 'v', _VOUCHER_FIELDS)} FROM {Voucher._meta.db_table} v "  # noqa: S608 - names from the model
        f"WHERE v.id IN ({_marks(n)}) OR v.transfer_pair_id IN ({_marks(n)}) ORDER BY v.id{_for_update(db)}"
    )


def lock_vouchers(ids: list[int]) -> list[Voucher]:
    """The vouchers and the other side of each transfer, locked, in id order."""
    db = _db()
    with _cursor(db) as cur:
        cur.execute(_sql(db, "lock_vouchers", _lock_vouchers_sql, len(ids)), [*ids, *ids])
        return [_from_db(db, Voucher, _VOUCHER_FIELDS, row) for row in cur.fetchall()]


def _lock_funds_sql(db, n: int, roles: int) -> str:
    from khuyenhoc.accounts.models import RoleGrant

    nodes = Node._meta.db_table
    return (
        f"SELECT {_select_list(db, 'f', _FUND_FIELDS)}, {_select_list(db, 'n', _NODE_FIELDS)}, "  # noqa: S608 - names from the models
        f"EXISTS (SELECT 1 FROM {RoleGrant._meta.db_table} g JOIN {nodes} gn ON gn.id = g.node_id "
        f"WHERE g.user_id = %s AND g.revoked_at IS NULL AND gn.status = 'active' AND g.role IN ({_marks(roles) or 'NULL'}) "
        f"AND substr(n.path, 1, length(gn.path)) = gn.path) "
        f"FROM {Fund._meta.db_table} f JOIN {nodes} n ON n.id = f.node_id "
        f"WHERE f.id IN ({_marks(n)}) ORDER BY f.id{_for_update(db, 'f')}"
    )


def lock_funds(fund_ids: Iterable[int], *, approver_id: int | None = None, roles: Iterable[str] = ()) -> dict[int, Fund]:
    """Lock fund rows in id order (only the fund rows: other areas update the unit rows) and
    read each fund's unit. Each fund also gets `may_approve`: whether `approver_id` holds one
    of `roles` on the fund's unit or above it (an active grant on an active unit)."""
    db = _db()
    ids = sorted(set(fund_ids))
    roles = list(roles)
    out = {}
    nf, nn = len(_FUND_FIELDS), len(_NODE_FIELDS)
    with _cursor(db) as cur:
        cur.execute(_sql(db, "lock_funds", _lock_funds_sql, len(ids), len(roles)), [approver_id or 0, *roles, *ids])
        for row in cur.fetchall():
            fund = _from_db(db, Fund, _FUND_FIELDS, row[:nf])
            fund.node = _from_db(db, Node, _NODE_FIELDS, row[nf : nf + nn])
            fund.may_approve = bool(row[-1])
            out[fund.pk] = fund
    return out


def _closed_years_sql(db, paths: int, years: int) -> str:
    from khuyenhoc.reports.models import (
        YearClose,  # the association's year close freezes its money too
    )

    part = "SELECT n.path, c.year FROM {table} c JOIN {nodes} n ON n.id = c.node_id WHERE c.year IN ({y}) AND n.path IN ({p})"
    return " UNION ALL ".join(
        part.format(table=m._meta.db_table, nodes=Node._meta.db_table, y=_marks(years), p=_marks(paths)) for m in (FundYearLock, YearClose)
    )


def closed_years(paths: Iterable[str], years: Iterable[int]) -> set[tuple[str, int]]:
    """(unit path, year) pairs closed for posting among `paths`: the fund's own year lock
    and the association's year close (reports), in one statement."""
    db = _db()
    paths, years = sorted(set(paths)), sorted(set(years))
    with _cursor(db) as cur:
        cur.execute(_sql(db, "closed_years", _closed_years_sql, len(paths), len(years)), [*years, *paths, *years, *paths])
        return {(p, int(y)) for p, y in cur.fetchall()}


def account_balances(account_ids: Iterable[int]) -> dict[int, int]:
    """The accounts' current balances (kept per account by the ledger's trigger, migration 0008);
    an account without a row has no ledger rows yet. The caller holds the fund rows' locks."""
    db = _db()
    ids = sorted(set(account_ids))
    sql = f"SELECT account_id, balance FROM {AccountBalance._meta.db_table} WHERE account_id IN ({_marks(len(ids))})"  # noqa: S608
    with _cursor(db) as cur:
        cur.execute(sql, ids)
        found = dict(cur.fetchall())
    return {a: int(found.get(a, 0)) for a in ids}


_SEQ = VoucherSequence._meta.db_table
_T_VOUCHER = Voucher._meta.db_table
_T_LEDGER = LedgerEntry._meta.db_table
_T_AUDIT = AuditEvent._meta.db_table
_LEDGER_COLUMNS = (
    "fund_id", "seq", "account_id", "node_id", "voucher_id", "voucher_code", "date", "amount", "kind",
    "party_kind", "purpose", "counter_node_id", "posted_at", "prev_hash", "hash",
)  # fmt: skip
_AUDIT_COLUMNS = ("at", "actor_id", "node_id", "node_path", "action", "target_type", "target_id", "before", "after")
_LEDGER_HEAD = f"SELECT seq, hash FROM {_T_LEDGER} WHERE fund_id = %s ORDER BY seq DESC LIMIT 1"  # noqa: S608


def _upsert_sql(db, keys: int) -> str:
    # One statement creates or advances each (fund, kind, year) row and returns its new last
    # number (PostgreSQL, and SQLite >= 3.35). The row locks are held until commit.
    return (
        f"INSERT INTO {_SEQ} (fund_id, kind, year, last_number) VALUES {', '.join(['(%s, %s, %s, %s)'] * keys)} "  # noqa: S608
        f"ON CONFLICT (fund_id, kind, year) DO UPDATE SET last_number = {_SEQ}.last_number + excluded.last_number "
        f"RETURNING fund_id, kind, year, last_number"
    )


def _reserve_one_fund_sql(db, keys: int) -> str:
    # PostgreSQL, one fund: the numbers and the chain's head in one round trip. The fund row is
    # already locked, so the head read by this statement's snapshot is the last one.
    return (
        f"WITH s AS ({_upsert_sql(db, keys)}) "  # noqa: S608 - names from the models
        f"SELECT s.fund_id, s.kind, s.year, s.last_number, h.seq, h.hash FROM s "
        f"LEFT JOIN ({_LEDGER_HEAD}) h ON TRUE"
    )


def reserve(counts: dict[tuple[int, str, int], int]) -> tuple[dict[tuple[int, str, int], range], dict[int, tuple[int, str]]]:
    """Reserve `count` consecutive voucher numbers per (fund, kind, year) and read the hash
    chain's head (last seq and hash) of each fund. The caller holds the fund rows' locks.

    The upsert locks each sequence row until commit, so a number is never given twice and,
    the transaction being all or nothing, never skipped."""
    db = _db()
    keys = list(counts)
    params = [x for k in keys for x in (*k, counts[k])]
    funds = list(dict.fromkeys(k[0] for k in keys))
    numbers, heads = {}, {}
    with _cursor(db) as cur:
        if db.vendor == "postgresql" and len(funds) == 1:
            cur.execute(_sql(db, "reserve_one_fund", _reserve_one_fund_sql, len(keys)), [*params, funds[0]])
            rows = cur.fetchall()
            heads[funds[0]] = (rows[0][4], rows[0][5]) if rows[0][4] is not None else (0, GENESIS)
        else:
            cur.execute(_sql(db, "upsert", _upsert_sql, len(keys)), params)
            rows = cur.fetchall()
            for fund_id in funds:
                cur.execute(_LEDGER_HEAD, [fund_id])
                row = cur.fetchone()
                heads[fund_id] = (row[0], row[1]) if row else (0, GENESIS)
    for fund_id, kind, year, last, *_head in rows:
        count = counts[(fund_id, kind, int(year))]
        numbers[(fund_id, kind, int(year))] = range(last - count + 1, last + 1)
    return numbers, heads


def _ledger_params(db, fund: Fund, rows: list[dict], head: tuple[int, str], posted_at) -> list:
    """The INSERT parameters of rows appended to a fund's chain after `head` (seq, hash).
    Each row has account_id, amount, kind, date and optionally party_kind, purpose,
    voucher_code, voucher_id, counter_node_id. The hash follows `ledger.canonical_line`."""
    adapt_date = db.ops.adapt_datefield_value
    seq, prev = head
    node_id = int(fund.node_id)
    params = []
    for row in rows:
        seq += 1
        party_kind, purpose, code = row.get("party_kind") or "", row.get("purpose") or "", row.get("voucher_code") or ""
        counter = row.get("counter_node_id")
        digest = entry_hash(
            fund_id=fund.pk, seq=seq, date=row["date"], account_id=row["account_id"], amount=row["amount"], kind=row["kind"],
            party_kind=party_kind, purpose=purpose, voucher_code=code, node_id=node_id, counter_node_id=counter, prev_hash=prev,
        )  # fmt: skip
        params += [
            fund.pk, seq, row["account_id"], node_id, row.get("voucher_id"), code, adapt_date(row["date"]),
            row["amount"], row["kind"], party_kind, purpose, counter, posted_at, prev, digest,
        ]  # fmt: skip
        prev = digest
    return params


def _audit_params(db, actor_id, action: str, items, at) -> list:
    json_field = AuditEvent._meta.get_field("after")
    params = []
    for node, target, before, after in items:
        params += [
            at, actor_id, node.pk, node.path, action, target._meta.label_lower, str(target.pk),
            json_field.get_db_prep_save(before, db), json_field.get_db_prep_save(after, db),
        ]  # fmt: skip
    return params


def _insert_sql(db, table: str, columns: tuple, rows: int) -> str:
    one = f"({_marks(len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)}"  # noqa: S608 - names from the models


def _mark_parts(n: int) -> tuple[str, str]:
    """Mark drafts posted with their numbers: one UPDATE for the batch; only drafts match.
    Returns the statement's WITH part (empty for one voucher) and its UPDATE."""
    t = _T_VOUCHER
    if n == 1:
        return "", (
            f"UPDATE {t} SET number = %s, year = %s, node_id = %s, status = %s, approved_by_id = %s, posted_at = %s "  # noqa: S608
            f"WHERE id = %s AND status = %s"
        )
    # Django's bulk_update builds a CASE per row and field, which costs more than the posting itself.
    cols = "CAST(column1 AS BIGINT) AS vid, CAST(column2 AS INTEGER) AS n, CAST(column3 AS INTEGER) AS y, CAST(column4 AS BIGINT) AS nid"
    return f"p AS (SELECT {cols} FROM (VALUES {', '.join(['(%s, %s, %s, %s)'] * n)}) AS t)", (  # noqa: S608 - placeholders only
        f"UPDATE {t} SET number = (SELECT n FROM p WHERE p.vid = {t}.id), year = (SELECT y FROM p WHERE p.vid = {t}.id), "  # noqa: S608
        f"node_id = (SELECT nid FROM p WHERE p.vid = {t}.id), status = %s, approved_by_id = %s, posted_at = %s "
        f"WHERE id IN (SELECT vid FROM p) AND status = %s"
    )


def _mark_sql(db, n: int) -> str:
    cte, update = _mark_parts(n)
    return f"WITH {cte} {update}" if cte else update


def _write_sql(db, marks: int, entries: int, audits: int) -> str:
    # PostgreSQL: the vouchers' update, the ledger rows and the audit rows in one statement
    # (data-modifying CTEs always run to completion); it returns how many vouchers changed.
    cte, update = _mark_parts(marks)
    return (
        f"WITH {cte + ', ' if cte else ''}u AS ({update} RETURNING 1), "  # noqa: S608 - names from the models
        f"l AS ({_insert_sql(db, _T_LEDGER, _LEDGER_COLUMNS, entries)} RETURNING 1), "
        f"a AS ({_insert_sql(db, _T_AUDIT, _AUDIT_COLUMNS, audits)} RETURNING 1) "
        f"SELECT (SELECT COUNT(*) FROM u)"
    )


def write_posting(
    vouchers: list[Voucher],
    *,
    actor_id: int,
    now: dt.datetime,
    posted: str,
    draft: str,
    entries: list[tuple[Fund, list[dict], tuple[int, str]]],
    audit: tuple[str, list],
) -> int:
    """Mark `vouchers` posted (their number, year and node already set on them), append each
    fund's ledger rows after its head, and write the audit rows. Returns how many of the
    vouchers were still drafts and changed (the caller refuses the batch otherwise)."""
    db = _db()
    posted_at = db.ops.adapt_datetimefield_value(now)
    if len(vouchers) == 1:
        v = vouchers[0]
        mark_params = [v.number, v.year, v.node_id, posted, actor_id, posted_at, v.pk, draft]
    else:
        mark_params = [x for v in vouchers for x in (v.pk, v.number, v.year, v.node_id)] + [posted, actor_id, posted_at, draft]
    ledger_params = []
    for fund, rows, head in entries:
        ledger_params += _ledger_params(db, fund, rows, head, posted_at)
    n_entries = len(ledger_params) // len(_LEDGER_COLUMNS)
    action, items = audit
    audit_params = _audit_params(db, actor_id, action, items, posted_at)
    with _cursor(db) as cur:
        if db.vendor == "postgresql":
            cur.execute(_sql(db, "write", _write_sql, len(vouchers), n_entries, len(items)), [*mark_params, *ledger_params, *audit_params])
            return cur.fetchone()[0]
        cur.execute(_sql(db, "mark", _mark_sql, len(vouchers)), mark_params)
        updated = cur.rowcount
        cur.execute(_sql(db, "ledger_insert", _insert_sql, _T_LEDGER, _LEDGER_COLUMNS, n_entries), ledger_params)
        cur.execute(_sql(db, "audit_insert", _insert_sql, _T_AUDIT, _AUDIT_COLUMNS, len(items)), audit_params)
    if updated < 0:  # sqlite3 reports no count for a statement that starts with WITH
        updated = Voucher.objects.filter(pk__in=[v.pk for v in vouchers], status=posted, posted_at=now).count()
    return updated


def append_entries(fund: Fund, rows: list[dict], now: dt.datetime) -> int:
    """Append rows (see `_ledger_params`) to the fund's chain with one INSERT; the caller
    holds the lock on the fund row."""
    if not rows:
        return 0
    db = _db()
    with _cursor(db) as cur:
        cur.execute(_LEDGER_HEAD, [fund.pk])
        row = cur.fetchone()
        head = (row[0], row[1]) if row else (0, GENESIS)
        params = _ledger_params(db, fund, rows, head, db.ops.adapt_datetimefield_value(now))
        cur.execute(_sql(db, "ledger_insert", _insert_sql, _T_LEDGER, _LEDGER_COLUMNS, len(rows)), params)
    return len(rows)


# --- PostgreSQL: the everyday approval in one call ------------------------------------------


def _approve_one_sql(db) -> str:
    cols = ", ".join(f"(r.voucher).{db.ops.quote_name(f.column)}" for f in _VOUCHER_FIELDS)
    return f"SELECT r.problem, r.info, {cols} FROM fund_approve_one(%s, %s, %s, %s, %s, %s, %s, %s, %s) r"  # noqa: S608 - names from the model


def fast_approval_available() -> bool:
    """Whether `approve_one` can be used (PostgreSQL, with the function of migration 0003)."""
    return _db().vendor == "postgresql" and settings.FUND_FAST_APPROVAL


def approve_one(voucher_id: int, *, actor_id: int, roles: list[str], now: dt.datetime, draft_code: str) -> tuple[str | None, str | None, Voucher | None]:
    """Approve and post one voucher with `fund_approve_one` (see migration 0003 for what it does
    and refuses). Returns (problem code or None, info, the voucher as it now stands). Outside a
    transaction the call is its own transaction: one round trip in all."""
    db = _db()
    params = [
        voucher_id, actor_id, list(roles), now, draft_code,
        VOUCHER_PREFIX[VoucherKind.RECEIPT], VOUCHER_PREFIX[VoucherKind.PAYMENT], FORMAT, PATH_STEP,
    ]  # fmt: skip
    with _cursor(db) as cur:
        cur.execute(_sql(db, "approve_one", _approve_one_sql), params)
        row = cur.fetchone()
    problem, info, values = row[0], row[1], row[2:]
    voucher = _from_db(db, Voucher, _VOUCHER_FIELDS, values) if values[0] is not None else None
    return problem, info, voucher
