"""Reports fixtures: the small `world` tree with figures put in through the real services."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def secretary_city(world):
    from khuyenhoc.accounts.models import Role
    from tests.conftest import make_user

    return make_user("thuky_city", node=world.city, role=Role.SECRETARY)


def close(node, year, actor=None):
    from khuyenhoc.reports.services import year_close

    return year_close(actor=actor, node=node, year=year)


def fund_with_receipts(world, node, amounts, *, year=2022, purpose_payments=()):
    """A fund at `node` with posted receipts (and award payments), through the fund services."""
    from khuyenhoc.accounts.models import Role
    from khuyenhoc.fund.services import fund_create, voucher_approve, voucher_draft
    from tests.conftest import make_user

    treasurer = make_user(f"tq_{node.code.lower()}", node=node, role=Role.TREASURER)
    approver = make_user(f"ap_{node.code.lower()}", node=node, role=Role.ADMIN)
    fund = fund_create(actor=approver, node=node, name=f"Quỹ {node.name}", opened_on=dt.date(year, 1, 1), cash_opening=0)
    cash = fund.accounts.get(kind="cash")
    for i, amount in enumerate(amounts):
        v = voucher_draft(
            actor=treasurer, fund=fund, kind="receipt", date=dt.date(year, 3, 1 + i), account=cash, amount=amount,
            party_kind="person", party_name="Nguyễn Văn Hùng", reason="Ủng hộ quỹ khuyến học",
        )
        voucher_approve(actor=approver, voucher=v)
    for i, amount in enumerate(purpose_payments):
        v = voucher_draft(
            actor=treasurer, fund=fund, kind="payment", date=dt.date(year, 9, 1 + i), account=cash, amount=amount,
            party_kind="student", party_name="Hoàng Thị Mai", reason="Thưởng học sinh nghèo vượt khó", purpose="award",
        )
        voucher_approve(actor=approver, voucher=v)
    return fund
