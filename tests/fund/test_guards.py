"""Posted vouchers, ledger rows and published statements never change — and if someone
changes a row below the application, verification names the first row that no longer matches."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from khuyenhoc.fund import selectors
from khuyenhoc.fund.models import Disclosure, LedgerEntry, Voucher
from khuyenhoc.fund.services import disclosure_publish

from .conftest import draft, post

pytestmark = pytest.mark.django_db

GUARDS = importlib.import_module("khuyenhoc.fund.migrations.0002_guard_triggers")


def tamper(entry_id: int, **values) -> None:
    """Change a ledger row the way someone with direct database access would: trigger off, UPDATE, trigger on."""
    sets = ", ".join(f"{k} = %s" for k in values)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")  # triggers off, superuser only
            cur.execute(f"UPDATE fund_ledgerentry SET {sets} WHERE id = %s", [*values.values(), entry_id])  # noqa: S608
            cur.execute("SET LOCAL session_replication_role = origin")
        else:
            cur.execute("DROP TRIGGER fund_ledgerentry_guard")
            cur.execute(f"UPDATE fund_ledgerentry SET {sets} WHERE id = %s", [*values.values(), entry_id])  # noqa: S608
            cur.execute(GUARDS.SQLITE_FORWARD[1])


def test_the_guard_triggers_are_installed():
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'fund_%%_guard'")
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'fund_%_guard'")
        names = {r[0] for r in cur.fetchall()}
    assert names == {"fund_voucher_guard", "fund_ledgerentry_guard", "fund_disclosure_guard"}


def test_a_posted_voucher_cannot_be_saved_updated_or_deleted_through_the_orm(fw):
    v = post(fw)
    v.amount = 1
    with pytest.raises(ValidationError) as exc:
        v.save()
    assert "đã ghi sổ" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        Voucher.objects.filter(pk=v.pk).update(amount=1)
    with pytest.raises(ValidationError):
        Voucher.objects.get(pk=v.pk).delete()
    with pytest.raises(ValidationError):
        Voucher.objects.filter(pk=v.pk).delete()
    assert Voucher.objects.get(pk=v.pk).amount == 1_000_000


def test_an_instance_loaded_as_a_draft_cannot_be_saved_once_posted(fw):
    from khuyenhoc.fund.services import voucher_approve

    v = draft(fw)
    stale = Voucher.objects.get(pk=v.pk)
    voucher_approve(actor=fw.world.admin_a, voucher=v)
    stale.refresh_from_db()
    stale.amount = 1
    with pytest.raises(ValidationError):
        stale.save()
    other = Voucher.objects.filter(pk=v.pk).only("id").get()  # status deferred: the database still refuses
    other.amount = 1
    with pytest.raises((ValidationError, DatabaseError)), transaction.atomic():
        other.save(update_fields=["amount"])
    assert Voucher.objects.get(pk=v.pk).amount == 1_000_000


def test_a_draft_can_still_be_changed_before_it_is_posted(fw):
    v = draft(fw)
    Voucher.objects.filter(pk=v.pk).update(reason="Ủng hộ quỹ (sửa)")
    assert Voucher.objects.get(pk=v.pk).reason == "Ủng hộ quỹ (sửa)"


def test_the_database_refuses_to_change_a_posted_voucher_below_the_orm(fw):
    v = post(fw)
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE fund_voucher SET amount = 1 WHERE id = %s", [v.pk])
    assert "đã ghi sổ" in str(exc.value)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM fund_voucher WHERE id = %s", [v.pk])
    assert Voucher.objects.get(pk=v.pk).amount == 1_000_000


def test_ledger_rows_and_published_statements_never_change(fw):
    post(fw)
    entry = LedgerEntry.objects.order_by("-seq").first()
    entry.amount = 5
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        LedgerEntry.objects.all().update(amount=0)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE fund_ledgerentry SET amount = 5 WHERE id = %s", [entry.pk])
    d = disclosure_publish(actor=fw.treasurer, fund=fw.fund, period_start=dt.date(2022, 1, 1), period_end=dt.date(2022, 12, 31))
    d.title = "Sửa"
    with pytest.raises(ValidationError):
        d.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE fund_disclosure SET title = 'x' WHERE id = %s", [d.pk])
    with pytest.raises(ValidationError):
        Disclosure.objects.filter(pk=d.pk).delete()


def test_the_chain_verifies_and_names_the_first_tampered_row(fw):
    for i in range(5):
        post(fw, amount=1_000_000 + i)
    checked, brk, _ = selectors.verify_fund_chain(fw.fund)
    assert brk is None and checked == 7
    out = io.StringIO()
    call_command("fund_verify_ledger", stdout=out)
    assert "7" in out.getvalue()
    target = LedgerEntry.objects.get(fund=fw.fund, seq=5)
    tamper(target.pk, amount=9_000_000)
    checked, brk, _ = selectors.verify_fund_chain(fw.fund)
    assert (brk.seq, brk.reason, checked) == (5, "hash", 4)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("fund_verify_ledger", stderr=err)
    assert "5" in err.getvalue() and target.voucher_code in err.getvalue()
    assert "đã bị sửa" in err.getvalue() or "không khớp" in err.getvalue()
    # The voucher itself still says 1.000.002 đ: the page lists it as not matching its row.
    assert [v.pk for v in selectors.posted_amount_mismatches(fw.fund)] == [target.voucher_id]


def test_a_deleted_row_shows_as_a_gap(fw):
    for _ in range(3):
        post(fw)
    target = LedgerEntry.objects.get(fund=fw.fund, seq=3)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("DELETE FROM fund_ledgerentry WHERE id = %s", [target.pk])
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = origin")
    _checked, brk, _ = selectors.verify_fund_chain(fw.fund)
    assert (brk.seq, brk.reason) == (3, "gap")


def test_the_verify_page_names_the_tampered_row(fw, client_for):
    v = post(fw, amount=2_000_000)
    tamper(LedgerEntry.objects.get(voucher=v).pk, amount=200_000)
    html = client_for(fw.world.admin_a).get(f"/app/fund/funds/{fw.fund.pk}/verify/").content.decode()
    assert v.code in html and "3" in html


def test_posting_into_a_year_the_association_closed_is_refused(world):
    """The year close of the reports area stops the fund too."""
    from django.utils import timezone

    from khuyenhoc.fund.services import fund_create, voucher_approve, voucher_draft
    from khuyenhoc.reports.models import YearClose

    fund = fund_create(actor=world.admin_a, node=world.commune_a, name="Quỹ thử năm chốt", opened_on=dt.date(2022, 1, 1))
    v = voucher_draft(actor=world.admin_city, fund=fund, kind="receipt", date=dt.date(2022, 5, 1),
                      account=fund.accounts.get(kind="cash"), amount=100_000, party_kind="person", party_name="Hà Văn Thử", reason="Ủng hộ")
    YearClose.objects.create(node=world.city, year=2022, figures={}, closed_at=timezone.now())
    with pytest.raises(ValidationError):
        voucher_approve(actor=world.admin_a, voucher=v)
    v.refresh_from_db()
    assert v.status != "posted" and not v.number
