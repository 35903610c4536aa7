"""Each account's stored balance (kept by the ledger's trigger, migration 0008) equals the sum of
its ledger rows, whatever path wrote them; Python cannot write it; the verify command catches
a stored balance that was changed behind the ledger's back."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum

from khuyenhoc.fund import selectors, services
from khuyenhoc.fund.models import AccountBalance, LedgerEntry

from .conftest import draft, post

pytestmark = pytest.mark.django_db


def _ledger_sums() -> dict[int, int]:
    return {a: int(s) for a, s in LedgerEntry.objects.values("account").annotate(s=Sum("amount")).values_list("account", "s")}


def _stored() -> dict[int, int]:
    return dict(AccountBalance.objects.values_list("account_id", "balance"))


def test_every_path_that_appends_to_the_ledger_keeps_the_stored_balances(fw):
    from khuyenhoc.fund.services import fund_create

    # Opening balances (two accounts in one insert), the one-voucher approval, a batch approval,
    # a transfer to the city (two funds), a reversal.
    assert _stored() == _ledger_sums() == {fw.cash.pk: 10_000_000, fw.bank.pk: 50_000_000}
    post(fw, amount=2_000_000)
    post(fw, kind="payment", amount=700_000)
    batch = [draft(fw, amount=100_000 * (i + 1)) for i in range(3)] + [draft(fw, kind="payment", account=fw.bank, amount=5_000_000)]
    services.vouchers_approve(actor=fw.world.admin_a, vouchers=batch)
    city = fund_create(actor=fw.world.admin_city, node=fw.world.city, name="Quỹ khuyến học thành phố", opened_on=dt.date(2022, 1, 1))
    city_cash = city.accounts.get(kind="cash")
    payment, _receipt = services.transfer_draft(
        actor=fw.treasurer, from_account=fw.cash, to_account=city_cash, amount=4_000_000, date=dt.date(2022, 5, 1), reason="Nộp quỹ cấp trên"
    )
    services.voucher_approve(actor=fw.world.admin_a, voucher=payment)
    receipt = post(fw, amount=300_000)
    rev = services.voucher_reverse(actor=fw.treasurer, voucher=receipt, reason="Ghi nhầm", date=dt.date(2022, 3, 2))
    services.voucher_approve(actor=fw.world.admin_a, voucher=rev)

    assert _stored() == _ledger_sums()
    assert _stored()[fw.cash.pk] == 10_000_000 + 2_000_000 - 700_000 + 600_000 - 4_000_000
    assert _stored()[fw.bank.pk] == 50_000_000 - 5_000_000
    assert _stored()[city_cash.pk] == 4_000_000
    assert selectors.balance_mismatches() == []
    assert selectors.fund_balance(fw.fund) == 10_000_000 + 2_000_000 - 700_000 + 600_000 - 4_000_000 + 45_000_000
    assert selectors.account_balance(fw.in_kind) == 0  # no row yet: nothing posted to it
    assert dict((a.pk, b) for a, b in selectors.account_balances(fw.fund)) == {fw.cash.pk: 7_900_000, fw.bank.pk: 45_000_000, fw.in_kind.pk: 0}
    assert selectors.balances_by_fund([fw.fund, city]) == {fw.fund.pk: 52_900_000, city.pk: 4_000_000}
    # A balance as of a date still sums the rows up to it.
    assert selectors.account_balance(fw.cash, on=dt.date(2022, 1, 1)) == 10_000_000


def test_a_payment_is_checked_against_the_stored_balance(fw):
    post(fw, kind="payment", amount=9_000_000)
    with pytest.raises(ValidationError) as exc:
        post(fw, kind="payment", amount=1_000_001)
    assert "1.000.000" in " ".join(exc.value.messages)
    post(fw, kind="payment", amount=1_000_000)
    assert _stored()[fw.cash.pk] == 0 == _ledger_sums()[fw.cash.pk]


def test_python_cannot_write_a_stored_balance(fw):
    row = AccountBalance.objects.get(account=fw.cash)
    row.balance = 1
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        AccountBalance.objects.filter(account=fw.cash).update(balance=1)
    assert AccountBalance.objects.get(account=fw.cash).balance == 10_000_000


def test_the_verify_command_names_an_account_whose_stored_balance_was_changed(fw):
    post(fw, amount=2_000_000)
    out = io.StringIO()
    call_command("fund_verify_ledger", stdout=out)
    with connection.cursor() as cur:
        cur.execute("UPDATE fund_accountbalance SET balance = balance + 5000000 WHERE account_id = %s", [fw.cash.pk])
    assert selectors.balance_mismatches() == [(fw.cash.pk, 17_000_000, 12_000_000)]
    assert selectors.balance_mismatches([fw.fund.pk + 1000]) == []
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("fund_verify_ledger", stderr=err)
    assert str(fw.cash.pk) in err.getvalue() and fw.cash.name in err.getvalue()
    assert "17.000.000 đ" in err.getvalue() and "12.000.000 đ" in err.getvalue()


def test_the_verify_page_names_an_account_whose_stored_balance_was_changed(fw, client_for):
    post(fw, amount=2_000_000)
    page = client_for(fw.world.admin_a)
    assert 'id="balance-result"' not in page.get(f"/app/fund/funds/{fw.fund.pk}/verify/").content.decode()
    with connection.cursor() as cur:
        cur.execute("UPDATE fund_accountbalance SET balance = balance - 1000000 WHERE account_id = %s", [fw.bank.pk])
    html = page.get(f"/app/fund/funds/{fw.fund.pk}/verify/").content.decode()
    assert 'id="balance-result"' in html and fw.bank.name in html
    assert "49.000.000" in html and "50.000.000" in html
