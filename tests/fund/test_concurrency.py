"""Four processes post at once on PostgreSQL: numbers stay unique and gapless, balances exact."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from khuyenhoc.accounts.models import Role
from khuyenhoc.fund import selectors
from khuyenhoc.fund.models import LedgerEntry, Voucher, VoucherStatus
from khuyenhoc.fund.services import fund_create, voucher_draft
from tests.conftest import make_user

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
WORKERS = 4


def test_four_processes_posting_at_once_keep_numbers_gapless_and_balances_exact(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers itself (IMMEDIATE transactions), there is no race to test")
    treasurer = make_user("thuquy_a", node=world.commune_a, role=Role.TREASURER)
    fund = fund_create(actor=world.admin_a, node=world.commune_a, name="Quỹ đồng thời", opened_on=dt.date(2022, 1, 1), cash_opening=500_000)
    cash = fund.accounts.get(kind="cash")
    common = {"actor": treasurer, "fund": fund, "date": dt.date(2022, 6, 1), "account": cash}
    ids = []
    for i in range(40):
        ids.append(voucher_draft(kind="receipt", amount=100_000 + i, party_kind="person", party_name=f"Người ủng hộ {i}", reason="Ủng hộ", **common).pk)
        # Each payment fits the balance on its own; together they cannot all be paid.
        ids.append(voucher_draft(kind="payment", amount=150_000, party_kind="student", party_name=f"Học sinh {i}", purpose="award", reason="Thưởng", **common).pk)
    go = tmp_path / "go"
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "khuyenhoc.config.settings.test",
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}",
    }
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "tests.fund.post_worker", str(world.admin_a.pk), str(go), *map(str, ids[w::WORKERS])],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(WORKERS)
    ]
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _out, err in results]
    posted = sum(int(out.split()[0]) for out, _err in results)
    refused = sum(int(out.split()[1]) for out, _err in results)
    assert posted + refused == len(ids) and refused > 0

    vouchers = list(Voucher.objects.filter(fund=fund, status=VoucherStatus.POSTED))
    assert len(vouchers) == posted
    for kind in ("receipt", "payment"):
        numbers = sorted(v.number for v in vouchers if v.kind == kind)
        assert numbers == list(range(1, len(numbers) + 1)), f"{kind} numbers are not gapless: {numbers}"
    # The ledger: one row per posted voucher, seq gapless, chain intact, balance never below zero.
    rows = list(LedgerEntry.objects.filter(fund=fund).order_by("seq").values_list("seq", "amount"))
    assert [s for s, _ in rows] == list(range(1, len(rows) + 1)) and len(rows) == posted + 1
    running = 0
    for _seq, amount in rows:
        running += amount
        assert running >= 0
    expected = 500_000 + sum(v.amount for v in vouchers if v.kind == "receipt") - sum(v.amount for v in vouchers if v.kind == "payment")
    assert selectors.fund_balance(fund) == running == expected
    assert selectors.verify_fund_chain(fund)[1] is None
