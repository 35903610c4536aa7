"""Fund fixtures: a fund of commune A with a treasurer, built through the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.conftest import make_user

OPENED = dt.date(2022, 1, 1)


@dataclass
class FundWorld:
    world: object
    fund: object
    cash: object
    bank: object
    in_kind: object
    treasurer: object  # treasurer of commune A: drafts and approves
    head: object  # chapter head under commune A: drafts only


def draft(fund_world, *, kind="receipt", amount=1_000_000, account=None, actor=None, date=dt.date(2022, 3, 1), **kw):
    from khuyenhoc.fund.services import voucher_draft

    defaults = {
        "party_kind": "person" if kind == "receipt" else "student",
        "party_name": "Nguyễn Văn Hùng" if kind == "receipt" else "Nguyễn Thị Mai",
        "reason": "Ủng hộ quỹ khuyến học" if kind == "receipt" else "Thưởng học sinh giỏi",
        "purpose": "" if kind == "receipt" else "award",
    }
    defaults.update(kw)
    return voucher_draft(
        actor=actor or fund_world.treasurer,
        fund=fund_world.fund,
        kind=kind,
        date=date,
        account=account or fund_world.cash,
        amount=amount,
        **defaults,
    )


def post(fund_world, **kw):
    """Draft as the treasurer, approve as commune A's admin."""
    from khuyenhoc.fund.services import voucher_approve

    v = draft(fund_world, **kw)
    return voucher_approve(actor=fund_world.world.admin_a, voucher=v)


@pytest.fixture
def fw(world) -> FundWorld:
    from khuyenhoc.accounts.models import Role
    from khuyenhoc.fund.models import AccountKind
    from khuyenhoc.fund.services import fund_create

    treasurer = make_user("thuquy_a", node=world.commune_a, role=Role.TREASURER)
    head = make_user("chihoi_a", node=world.chapter_a, role=Role.CHAPTER_HEAD)
    fund = fund_create(
        actor=world.admin_a,
        node=world.commune_a,
        name="Quỹ khuyến học phường An Bình",
        opened_on=OPENED,
        cash_opening=10_000_000,
        bank_accounts=[{"name": "Tài khoản Agribank", "bank_name": "Agribank Bắc Kạn", "account_number": "8300205123456", "opening": 50_000_000}],
    )
    accounts = {a.kind: a for a in fund.accounts.all()}
    return FundWorld(
        world=world,
        fund=fund,
        cash=accounts[AccountKind.CASH],
        bank=accounts[AccountKind.BANK],
        in_kind=accounts[AccountKind.IN_KIND],
        treasurer=treasurer,
        head=head,
    )
