"""Every account's current balance in one row, kept by a trigger on the ledger.

A payment may not take an account below zero, so approving one checked the account's balance
by summing all of its ledger rows: a cost that grows with the account's history. On the fund
benchmark's database, per prepared read on one connection, summing took 0.14 ms for an account
of 53 rows, 0.30 ms for 1,118 and 0.42 ms for 1,370 (one heap fetch per row), against 0.11 ms
for the stored row whatever the history; a city fund's cash account gains thousands of rows a
year.

`fund_accountbalance` holds the sum per account. A trigger adds every inserted ledger row to
it, in the same transaction, whatever path appended the row (the approval function, the
general posting path, opening balances, a bulk load): on PostgreSQL once per statement from
its transition table (a COPY of a million rows is one grouped upsert), on SQLite per row. The
writers already hold the lock on the fund row, so an account's balance changes under one lock.
The ledger stays the source of truth: `fund_verify_ledger` compares each stored balance with
its account's sum, and the table is filled from the ledger here.

As with the guard triggers (0002), SQLite drops the trigger if Django ever rebuilds the ledger
table; tests/fund/test_account_balance.py then fails, and the altering migration must re-run
SQLITE_FORWARD's trigger statement.

`fund_approve_one` (0003, 0004) is redefined to read the stored balance; the rest of it is
unchanged, taken from 0003's text.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

APPROVE = importlib.import_module("khuyenhoc.fund.migrations.0003_approve_function")
GENERIC = importlib.import_module("khuyenhoc.fund.migrations.0004_approve_function_generic_plans")

SUM_READ = "SELECT COALESCE(SUM(amount), 0) INTO bal FROM fund_ledgerentry WHERE account_id = v.account_id;"
STORED_READ = "bal := COALESCE((SELECT b.balance FROM fund_accountbalance b WHERE b.account_id = v.account_id), 0);"
assert APPROVE.FORWARD.count(SUM_READ) == 1 and APPROVE.FORWARD.count("$$ LANGUAGE plpgsql;") == 1
APPROVE_FORWARD = APPROVE.FORWARD.replace(SUM_READ, STORED_READ).replace(
    "$$ LANGUAGE plpgsql;", "$$ LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan;"
)

FILL = (
    "INSERT INTO fund_accountbalance (account_id, balance) "
    "SELECT account_id, SUM(amount) FROM fund_ledgerentry GROUP BY account_id"
)

PG_FORWARD = [
    FILL,
    """
    CREATE OR REPLACE FUNCTION fund_account_balance_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO fund_accountbalance AS b (account_id, balance)
        SELECT account_id, SUM(amount) FROM fund_new_entries GROUP BY account_id ORDER BY account_id
            ON CONFLICT (account_id) DO UPDATE SET balance = b.balance + excluded.balance;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "CREATE TRIGGER fund_ledgerentry_balance AFTER INSERT ON fund_ledgerentry "
    "REFERENCING NEW TABLE AS fund_new_entries FOR EACH STATEMENT EXECUTE FUNCTION fund_account_balance_add();",
    APPROVE_FORWARD,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS fund_ledgerentry_balance ON fund_ledgerentry;",
    "DROP FUNCTION IF EXISTS fund_account_balance_add();",
    APPROVE.FORWARD,
    f"ALTER FUNCTION {GENERIC.SIGNATURE} SET plan_cache_mode = force_generic_plan;",
]

SQLITE_FORWARD = [
    FILL,
    """CREATE TRIGGER fund_ledgerentry_balance AFTER INSERT ON fund_ledgerentry FOR EACH ROW BEGIN
        INSERT INTO fund_accountbalance (account_id, balance) VALUES (NEW.account_id, NEW.amount)
            ON CONFLICT (account_id) DO UPDATE SET balance = balance + excluded.balance;
    END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS fund_ledgerentry_balance;"]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, PG_FORWARD if vendor == "postgresql" else SQLITE_FORWARD if vendor == "sqlite" else [])


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, PG_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD if vendor == "sqlite" else [])


class Migration(migrations.Migration):
    dependencies = [("fund", "0007_sqlite_ledger_unit_sums_index")]

    operations = [
        migrations.CreateModel(
            name="AccountBalance",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="current",
                        serialize=False,
                        to="fund.fundaccount",
                    ),
                ),
                ("balance", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "account balance", "verbose_name_plural": "account balances"},
        ),
        migrations.RunPython(forward, backward),
    ]
