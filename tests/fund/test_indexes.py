"""The indexes every posting writes: none kept twice, and the ones the reads need are there.

Migration 0006 drops indexes by name so that SQLite does not rebuild the tables and lose their
guard triggers; test_guards.test_the_guard_triggers_are_installed checks them after every migration.
"""

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

