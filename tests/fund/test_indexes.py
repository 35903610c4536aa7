"""The indexes every posting writes: none kept twice, and the ones the reads need are there."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, table)
    return {name: c["columns"] for name, c in found.items() if c["index"] or c["unique"]}


@pytest.mark.parametrize(
    ("table", "single", "served_by"),
    [
        ("fund_voucher", "fund_id", ["fund_id", "status", "date"]),
        ("fund_ledgerentry", "fund_id", ["fund_id", "seq"]),
        ("fund_ledgerentry", "account_id", ["account_id", "date", "seq"]),
        ("fund_ledgerentry", "node_id", ["node_id", "date"]),
    ],
)
def test_no_index_is_kept_twice(table, single, served_by):
    indexes = _indexes(table).values()
    assert [single] not in indexes, f"{table}.{single} has an index of its own besides {served_by}"
    assert any(cols[: len(served_by)] == served_by for cols in indexes), f"{table} lost its index on {served_by}"


def test_the_ledger_keeps_its_guard_triggers_after_the_index_migrations():
    # 0006 drops indexes by name precisely so that SQLite does not rebuild the tables (a rebuild
    # drops the triggers of 0002).
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'fund_ledgerentry'::regclass AND NOT tgisinternal")
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'fund_ledgerentry'")
        names = {r[0] for r in cur.fetchall()}
    assert "fund_ledgerentry_guard" in names
