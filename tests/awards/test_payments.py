"""Paying a decision goes through the fund's own services; an award is never paid twice."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.awards import selectors, services
from khuyenhoc.core.models import AuditEvent
from khuyenhoc.fund.models import LedgerEntry, Voucher, VoucherStatus
from khuyenhoc.fund.selectors import account_balance

from .conftest import approved
from .factories import issue

PAY_DAY = dt.date(2022, 12, 31)


@pytest.fixture
def decision(aw):
    approved(aw, name="Nguyễn Thị Mai")
    approved(aw, name="Lò Văn Páo")
    return issue(aw.council, aw.world.city, [aw.programme], number=3)


def test_paying_drafts_one_fund_voucher_per_award_and_approval_makes_it_paid(aw, decision, city_fund):
    fund, cash = city_fund
    assert selectors.payment_state(decision)["state"] == "unpaid"
    vouchers = services.decision_pay(actor=aw.treasurer, decision=decision, fund=fund, account=cash, date=PAY_DAY)
    assert len(vouchers) == 2 and all(v.status == VoucherStatus.DRAFT and v.purpose == "award" for v in vouchers)
    assert {v.party_name for v in vouchers} == {"Nguyễn Thị Mai", "Lò Văn Páo"}
    assert all(v.party_kind == "student" and v.amount == 500_000 for v in vouchers)
    assert "03/QĐ-HKH" in vouchers[0].reason
    state = selectors.payment_state(decision)
    assert (state["state"], state["drafted"], state["posted"]) == ("awaiting_approval", 1_000_000, 0)
    assert account_balance(cash) == 20_000_000  # drafts move no money
    # The same person cannot approve what they drafted (the fund's maker-checker rule).
    with pytest.raises(ValidationError):
        services.decision_approve_payments(actor=aw.treasurer, decision=decision)
    assert services.decision_approve_payments(actor=aw.world.admin_city, decision=decision) == 2
    state = selectors.payment_state(decision)
    assert (state["state"], state["posted"]) == ("paid", 1_000_000)
    assert account_balance(cash) == 19_000_000
    assert LedgerEntry.objects.filter(voucher_code__startswith="PC-2022").count() == 2


def test_paying_a_decision_twice_is_refused_and_nothing_changes(aw, decision, city_fund):
    fund, cash = city_fund
    services.decision_pay(actor=aw.treasurer, decision=decision, fund=fund, account=cash, date=PAY_DAY)
    before = (Voucher.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.decision_pay(actor=aw.treasurer, decision=decision, fund=fund, account=cash, date=PAY_DAY)
    assert "03/QĐ-HKH" in str(exc.value) and "1.000.000 đ" in str(exc.value)
    assert (Voucher.objects.count(), AuditEvent.objects.count()) == before


def test_the_fund_itself_refuses_a_second_payment_of_the_same_award(aw, decision, city_fund):
    from khuyenhoc.fund.services import payment_for_award

    fund, cash = city_fund
    services.decision_pay(actor=aw.treasurer, decision=decision, fund=fund, account=cash, date=PAY_DAY)
    award = decision.awards.first()
    with pytest.raises(ValidationError, match="500.000 đ"):
        payment_for_award(actor=aw.treasurer, fund=fund, account=cash, amount=999_000, payee_name=award.nominee_name,
                          date=PAY_DAY, reason="lần hai", idempotency_key=award.payment_key)
    assert Voucher.objects.filter(idempotency_key=award.payment_key).count() == 1


def test_a_rejected_voucher_can_be_drafted_again_and_only_that_award_is_paid(aw, decision, city_fund):
    from khuyenhoc.fund.services import voucher_reject

    fund, cash = city_fund
    first, _second = services.decision_pay(actor=aw.treasurer, decision=decision, fund=fund, account=cash, date=PAY_DAY)
    voucher_reject(actor=aw.world.admin_city, voucher=first, reason="Sai tên người nhận")
    assert selectors.payment_state(decision)["state"] == "started"
    again = services.decision_pay(actor=aw.treasurer, decision=decision, fund=fund, account=cash, date=PAY_DAY)
    assert len(again) == 1 and again[0].party_name == first.party_name


def test_paying_from_another_units_fund_or_beyond_the_balance_is_refused(aw, decision, city_fund, world):
    from khuyenhoc.fund.services import fund_create

    fund, cash = city_fund
    fund_a = fund_create(actor=world.admin_a, node=world.commune_a, name="Quỹ phường An Bình", opened_on=dt.date(2022, 1, 1), cash_opening=5_000_000)
    with pytest.raises(ValidationError):
        services.decision_pay(actor=world.admin_city, decision=decision, fund=fund_a, account=fund_a.accounts.get(kind="cash"), date=PAY_DAY)
    small = fund_create(actor=world.admin_city, node=world.city, name="Quỹ nhỏ", opened_on=dt.date(2022, 1, 1), cash_opening=700_000)
    with pytest.raises(ValidationError, match="not enough"):
        services.decision_pay(actor=aw.treasurer, decision=decision, fund=small, account=small.accounts.get(kind="cash"), date=PAY_DAY)
    assert not Voucher.objects.filter(kind="payment").exists()
    with pytest.raises(ValidationError):
        services.decision_pay(actor=aw.council, decision=decision, fund=fund, account=cash, date=PAY_DAY)
    with pytest.raises(ValidationError, match="before the decision"):
        services.decision_pay(actor=aw.treasurer, decision=decision, fund=fund, account=cash, date=dt.date(2022, 12, 1))


def test_the_decision_page_shows_paid(aw, decision, city_fund, client_for):
    fund, cash = city_fund
    c = client_for(aw.treasurer)
    resp = c.post(f"/app/awards/decisions/{decision.pk}/pay/", {"account": cash.pk, "date": "2022-12-31"})
    assert resp.status_code == 302
    c = client_for(aw.world.admin_city)
    c.post(f"/app/awards/decisions/{decision.pk}/approve-payments/")
    html = c.get(f"/app/awards/decisions/{decision.pk}/").content.decode()
    assert "badge ok" in html and "PC-2022-0001" in html
