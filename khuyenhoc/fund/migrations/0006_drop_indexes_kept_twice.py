"""Drop four foreign-key indexes that another index already starts with.

Every posting writes every index of the voucher and ledger tables, so an index kept twice is
paid for on each approval and read by nothing: the voucher's fund (served by (fund, status,
date) and the number's unique index), and the ledger's fund, account and unit (served by
(fund, seq), (account, date, seq) and (unit, date …)).

Only the indexes are dropped. Altering the fields the usual way would make SQLite rebuild
both tables, and a rebuild loses their guard triggers (see 0002); so the database side drops
the indexes by name and the fields' state changes alone.
"""

from django.db import migrations, models
from django.db.models import deletion

FIELDS = [("fund_voucher", "fund_id"), ("fund_ledgerentry", "fund_id"), ("fund_ledgerentry", "account_id"), ("fund_ledgerentry", "node_id")]


def _index_name(schema_editor, table: str, column: str) -> str:
    # The name Django gave each foreign key's index when it created the table.
    return schema_editor._create_index_name(table, [column], suffix="")


def forward(apps, schema_editor):
    for table, column in FIELDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(_index_name(schema_editor, table, column))}", params=None)


def backward(apps, schema_editor):
    for table, column in FIELDS:
        name = schema_editor.quote_name(_index_name(schema_editor, table, column))
        schema_editor.execute(f"CREATE INDEX {name} ON {schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("fund", "0005_ledger_node_covering_index"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry", name="account",
                    field=models.ForeignKey(db_index=False, on_delete=deletion.PROTECT, related_name="entries", to="fund.fundaccount"),
                ),
                migrations.AlterField(
                    model_name="ledgerentry", name="fund",
                    field=models.ForeignKey(db_index=False, on_delete=deletion.PROTECT, related_name="entries", to="fund.fund"),
                ),
                migrations.AlterField(
                    model_name="ledgerentry", name="node",
                    field=models.ForeignKey(db_index=False, on_delete=deletion.PROTECT, related_name="+", to="organizations.node"),
                ),
                migrations.AlterField(
                    model_name="voucher", name="fund",
                    field=models.ForeignKey(
                        db_index=False, on_delete=deletion.PROTECT, related_name="vouchers", to="fund.fund", verbose_name="fund"
                    ),
                ),
            ],
        ),
    ]
