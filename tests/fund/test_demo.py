"""The demo's 2022 funds add up to the seed article's figures across the levels."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyenhoc.demo import figures
from khuyenhoc.demo.generate import build_demo, build_tree, build_users
from khuyenhoc.fund import demo as fund_demo
from khuyenhoc.fund import selectors
from khuyenhoc.fund.models import Disclosure, Fund, Voucher
from khuyenhoc.organizations.models import Node

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def test_the_demo_funds_add_up_to_the_article_and_the_city_statement_is_published(monkeypatch):
    # Alone (without the awards step paying its decisions) the fund step pays every award
    # itself; tests/awards/test_demo.py checks the same totals with the awards step.
    monkeypatch.setattr(fund_demo, "_paid_by_awards", dict)
    build_demo(steps=[build_tree, build_users, fund_demo.build])
    city = Node.objects.get(code="BK")
    tree = selectors.subtree_statement(city, *YEAR)
    assert tree.total.receipts == figures.FUND_RECEIPTS == 768_350_000
    assert tree.total.payments_by_purpose["award"] == figures.AWARD_PAYMENTS == 481_200_000
    own = next(r for r in tree.rows if r.own)
    assert own.statement.payments_by_purpose["award"] == figures.CITY_AWARD_PAYMENTS == 66_150_000
    assert tree.total.internal_transfers == 10_000_000
    assert Fund.objects.filter(node__path__startswith=city.path).count() > 9
    d = Disclosure.objects.get(node=city)
    city_fund = Fund.objects.get(node=city)
    st = selectors.fund_statement(city_fund, *YEAR)
    assert d.figures["receipts"] == st.receipts == figures.FUND_RECEIPTS - sum(r.statement.receipts for r in tree.rows if not r.own) + 10_000_000
    assert any(x["code"] == "association" for x in d.figures["receipts_by_source"])
    # Minors never appear by full name on the public statement.
    students = set(Voucher.objects.filter(fund=city_fund, party_kind="student").values_list("party_name", flat=True))
    assert students and not students & {b["name"] for b in d.figures["beneficiaries"]}
    for fund in Fund.objects.all():
        assert selectors.verify_fund_chain(fund)[1] is None
        assert all(balance >= 0 for _a, balance in selectors.account_balances(fund))
