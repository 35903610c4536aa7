"""Database triggers that refuse to change posted vouchers, ledger entries and published
disclosures, whatever path the change takes (raw SQL, another program, a DBA's typo).

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE only: Django's test flush
and the demo reset empty SQLite tables with DELETE (PostgreSQL uses TRUNCATE, which
row triggers do not see), so on SQLite deletion is refused by the models alone.
Note for later migrations: SQLite drops a table's triggers when Django rebuilds the
table to alter it; tests/fund/test_guards.py fails if that happens, and the fix is to
re-run the statements below in the altering migration.
"""

from django.db import migrations

MESSAGE_VOUCHER = "Phiếu đã ghi sổ không được sửa hoặc xóa; hãy lập phiếu điều chỉnh."
MESSAGE_LEDGER = "Sổ cái và bản công khai đã công bố không bao giờ được sửa hoặc xóa."

PG_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION fund_refuse_posted_voucher() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'posted' THEN
            RAISE EXCEPTION '{MESSAGE_VOUCHER} (id %)', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE OR REPLACE FUNCTION fund_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE_LEDGER} (%, id %)', TG_TABLE_NAME, OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    "CREATE TRIGGER fund_voucher_guard BEFORE UPDATE OR DELETE ON fund_voucher FOR EACH ROW EXECUTE FUNCTION fund_refuse_posted_voucher();",
    "CREATE TRIGGER fund_ledgerentry_guard BEFORE UPDATE OR DELETE ON fund_ledgerentry FOR EACH ROW EXECUTE FUNCTION fund_refuse_change();",
    "CREATE TRIGGER fund_disclosure_guard BEFORE UPDATE OR DELETE ON fund_disclosure FOR EACH ROW EXECUTE FUNCTION fund_refuse_change();",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS fund_voucher_guard ON fund_voucher;",
    "DROP TRIGGER IF EXISTS fund_ledgerentry_guard ON fund_ledgerentry;",
    "DROP TRIGGER IF EXISTS fund_disclosure_guard ON fund_disclosure;",
    "DROP FUNCTION IF EXISTS fund_refuse_posted_voucher();",
    "DROP FUNCTION IF EXISTS fund_refuse_change();",
]

SQLITE_FORWARD = [
    f"""CREATE TRIGGER fund_voucher_guard BEFORE UPDATE ON fund_voucher FOR EACH ROW
        WHEN OLD.status = 'posted' BEGIN SELECT RAISE(ABORT, '{MESSAGE_VOUCHER}'); END;""",
    f"""CREATE TRIGGER fund_ledgerentry_guard BEFORE UPDATE ON fund_ledgerentry FOR EACH ROW
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_LEDGER}'); END;""",
    f"""CREATE TRIGGER fund_disclosure_guard BEFORE UPDATE ON fund_disclosure FOR EACH ROW
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_LEDGER}'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS fund_voucher_guard;",
    "DROP TRIGGER IF EXISTS fund_ledgerentry_guard;",
    "DROP TRIGGER IF EXISTS fund_disclosure_guard;",
]

GUARDED_TABLES = ("fund_voucher", "fund_ledgerentry", "fund_disclosure")


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
