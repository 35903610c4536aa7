"""SQLite: an index that lets a subtree statement sum the ledger without sorting it.

SQLite has no INCLUDE (0005), and grouping half a million rows by the child unit they fall
under made it sort them all (bench_fund, 1,000,000 rows: 1.6–2.5 s for a province). With the
ledger indexed by (unit, kind, party kind, purpose, counter unit, date, amount), the sums per
unit come out of one pass in index order (`selectors._subtree_groups`), and the units are folded
into their child's bucket in Python. PostgreSQL does not need it and does not get it.
"""

from django.db import migrations

NAME = "fund_ledger_unit_sums"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON fund_ledgerentry "
            "(node_id, kind, party_kind, purpose, counter_node_id, date, amount)",
            params=None,
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}", params=None)


class Migration(migrations.Migration):
    dependencies = [("fund", "0006_drop_indexes_kept_twice")]
    operations = [migrations.RunPython(forward, backward)]
