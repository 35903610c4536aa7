"""Receipts, payments, approval, gapless numbers, reversals, transfers, books and statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from khuyenhoc.core.models import AuditEvent
from khuyenhoc.fund import selectors, services
from khuyenhoc.fund.models import EntryKind, LedgerEntry, Voucher, VoucherStatus
from tests.conftest import make_user

from .conftest import draft, post

pytestmark = pytest.mark.django_db


def messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_a_new_fund_starts_its_ledger_with_the_opening_balances(fw):
    assert selectors.fund_balance(fw.fund) == 60_000_000
    rows = list(LedgerEntry.objects.filter(fund=fw.fund).order_by("seq"))
    assert [(r.seq, r.kind, r.amount) for r in rows] == [(1, "opening", 10_000_000), (2, "opening", 50_000_000)]
    assert rows[0].prev_hash == "0" * 64 and rows[1].prev_hash == rows[0].hash
    assert AuditEvent.objects.filter(action="fund.fund.created", target_id=str(fw.fund.pk)).exists()


def test_a_draft_changes_nothing_until_another_person_approves_it(fw):
    v = draft(fw, amount=2_500_000)
    assert v.status == VoucherStatus.DRAFT and v.number is None
    assert selectors.fund_balance(fw.fund) == 60_000_000
    posted = services.voucher_approve(actor=fw.world.admin_a, voucher=v)
    assert posted.code == "PT-2022-0001"
    assert posted.approved_by == fw.world.admin_a
    assert selectors.fund_balance(fw.fund) == 62_500_000
    assert AuditEvent.objects.filter(action="fund.voucher.posted", target_id=str(v.pk)).exists()


def test_numbers_are_gapless_per_fund_kind_and_year(fw):
    codes = [post(fw, amount=1_000_000).code for _ in range(3)]
    codes.append(post(fw, kind="payment", amount=500_000).code)
    codes.append(post(fw, amount=1_000_000, date=dt.date(2023, 1, 5)).code)
    assert codes == ["PT-2022-0001", "PT-2022-0002", "PT-2022-0003", "PC-2022-0001", "PT-2023-0001"]


def test_a_rejected_draft_takes_no_number(fw):
    v = draft(fw)
    services.voucher_reject(actor=fw.world.admin_a, voucher=v, reason="Sai tên người nộp")
    assert post(fw).code == "PT-2022-0001"


def test_it_refuses_approving_ones_own_voucher(fw):
    v = draft(fw, actor=fw.world.admin_a)
    with pytest.raises(ValidationError) as exc:
        services.voucher_approve(actor=fw.world.admin_a, voucher=v)
    assert "không thể duyệt phiếu do chính mình lập" in messages(exc.value)
    assert Voucher.objects.get(pk=v.pk).status == VoucherStatus.DRAFT


def test_a_chapter_head_drafts_but_cannot_approve(fw):
    # The chapter head holds no role on commune A itself.
    with pytest.raises(ValidationError):
        draft(fw, actor=fw.head)
    v = draft(fw)
    with pytest.raises(ValidationError) as exc:
        services.voucher_approve(actor=fw.head, voucher=v)
    assert "quyền duyệt" in messages(exc.value)
    with pytest.raises(ValidationError):
        services.voucher_approve(actor=fw.world.viewer_a, voucher=v)
    with pytest.raises(ValidationError):
        services.voucher_approve(actor=fw.world.admin_b, voucher=v)


@pytest.mark.parametrize("amount", [0, -5_000, 1.5, "1.000.000"])
def test_it_refuses_an_amount_that_is_not_a_positive_whole_number(fw, amount):
    with pytest.raises(ValidationError) as exc:
        draft(fw, amount=amount)
    assert "amount" in exc.value.message_dict
    assert "đồng" in messages(exc.value)
    assert Voucher.objects.count() == 0


def test_it_refuses_a_payment_larger_than_the_balance_of_the_account(fw):
    with pytest.raises(ValidationError) as exc:
        draft(fw, kind="payment", amount=10_000_001)
    assert "không đủ" in messages(exc.value) and "10.000.000 đ" in messages(exc.value)
    # Two drafts each within the balance: the second approval sees the first.
    a = draft(fw, kind="payment", amount=6_000_000)
    b = draft(fw, kind="payment", amount=6_000_000)
    services.voucher_approve(actor=fw.world.admin_a, voucher=a)
    with pytest.raises(ValidationError):
        services.voucher_approve(actor=fw.world.admin_a, voucher=b)
    assert selectors.account_balance(fw.cash) == 4_000_000
    assert Voucher.objects.get(pk=b.pk).status == VoucherStatus.DRAFT


def test_it_refuses_posting_into_a_closed_year(fw):
    early = draft(fw, date=dt.date(2022, 6, 1))
    services.year_lock(actor=fw.world.admin_city, node=fw.world.city, year=2022)
    assert selectors.is_year_closed(fw.world.chapter_a, 2022)
    assert not selectors.is_year_closed(fw.world.chapter_a, 2023)
    with pytest.raises(ValidationError) as exc:
        services.voucher_approve(actor=fw.world.admin_a, voucher=early)
    assert "năm 2022" in messages(exc.value).lower() or "2022" in messages(exc.value)
    with pytest.raises(ValidationError):
        draft(fw, date=dt.date(2022, 12, 31))
    assert LedgerEntry.objects.filter(kind=EntryKind.RECEIPT).count() == 0
    assert post(fw, date=dt.date(2023, 1, 2)).code == "PT-2023-0001"


def test_a_voucher_cannot_be_dated_in_the_future_or_before_the_fund(fw):
    with pytest.raises(ValidationError) as exc:
        draft(fw, date=timezone.localdate() + dt.timedelta(days=2))
    assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        draft(fw, date=dt.date(2021, 12, 31))


def test_a_receipt_in_kind_needs_a_description_and_counts_as_in_kind(fw):
    with pytest.raises(ValidationError) as exc:
        draft(fw, account=fw.in_kind, amount=30_000_000)
    assert "in_kind_description" in exc.value.message_dict
    post(fw, account=fw.in_kind, amount=30_000_000, party_kind="firm", party_name="Công ty CP Khoáng sản Bắc Kạn",
         in_kind_description="20 xe đạp")
    st = selectors.fund_statement(fw.fund, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert st.receipts_in_kind == 30_000_000
    assert st.receipts_by_source == {"firm": 30_000_000}


def test_a_reversal_undoes_a_posted_voucher_and_cannot_itself_be_reversed(fw):
    v = post(fw, amount=3_000_000)
    with pytest.raises(ValidationError):
        services.voucher_reverse(actor=fw.treasurer, voucher=draft(fw), reason="x")
    rev = services.voucher_reverse(actor=fw.treasurer, voucher=v, reason="Ghi nhầm số tiền", date=dt.date(2022, 3, 2))
    assert rev.reverses == v and rev.kind == "receipt" and rev.is_draft
    with pytest.raises(ValidationError) as exc:
        services.voucher_reverse(actor=fw.treasurer, voucher=v, reason="lần nữa")
    assert "đã được điều chỉnh" in messages(exc.value) or "đã" in messages(exc.value)
    rev = services.voucher_approve(actor=fw.world.admin_a, voucher=rev)
    assert rev.code == "PT-2022-0002"
    assert selectors.fund_balance(fw.fund) == 60_000_000
    with pytest.raises(ValidationError) as exc:
        services.voucher_reverse(actor=fw.treasurer, voucher=rev, reason="đảo lại")
    assert "không thể điều chỉnh" in messages(exc.value) or "phiếu điều chỉnh" in messages(exc.value)
    st = selectors.fund_statement(fw.fund, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert st.receipts == 0


def test_transfers_up_the_tree_are_recorded_on_both_sides_and_balanced(fw):
    from khuyenhoc.fund.services import fund_create

    city_fund = fund_create(actor=fw.world.admin_city, node=fw.world.city, name="Quỹ khuyến học thành phố", opened_on=dt.date(2022, 1, 1))
    city_cash = city_fund.accounts.get(kind="cash")
    payment, receipt = services.transfer_draft(
        actor=fw.treasurer, from_account=fw.cash, to_account=city_cash, amount=4_000_000, date=dt.date(2022, 5, 1), reason="Nộp quỹ cấp trên"
    )
    assert payment.transfer_pair == receipt and receipt.transfer_pair == payment
    # Approving needs the role where money leaves; the treasurer drafted it, the admin approves.
    services.voucher_approve(actor=fw.world.admin_a, voucher=payment)
    payment.refresh_from_db()
    receipt.refresh_from_db()
    assert payment.code == "PC-2022-0001" and receipt.code == "PT-2022-0001"
    assert selectors.fund_balance(fw.fund) == 56_000_000 and selectors.fund_balance(city_fund) == 4_000_000
    city_total = selectors.subtree_statement(fw.world.city, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert city_total.total.receipts == 0 and city_total.total.payments == 0
    assert city_total.total.internal_transfers == 4_000_000
    own = next(r for r in city_total.rows if r.own)
    assert own.statement.receipts_by_source == {"association": 4_000_000}
    # A sibling commune is not up or down the tree.
    other = fund_create(actor=fw.world.admin_b, node=fw.world.commune_b, name="Quỹ B", opened_on=dt.date(2022, 1, 1))
    with pytest.raises(ValidationError):
        services.transfer_draft(actor=fw.treasurer, from_account=fw.cash, to_account=other.accounts.get(kind="cash"),
                                amount=1_000, date=dt.date(2022, 5, 1), reason="x")
    # Reversing one side reverses both.
    rev = services.voucher_reverse(actor=fw.treasurer, voucher=payment, reason="Chuyển nhầm")
    assert rev.reverses == payment and rev.transfer_pair.reverses == receipt
    services.voucher_approve(actor=fw.world.admin_city, voucher=rev)
    assert selectors.fund_balance(fw.fund) == 60_000_000 and selectors.fund_balance(city_fund) == 0


def test_an_award_is_paid_once_whatever_the_number_of_calls(fw):
    kw = {"actor": fw.treasurer, "fund": fw.fund, "account": fw.cash, "amount": 500_000, "payee_name": "Hoàng Thị Lan",
          "date": dt.date(2022, 9, 5), "reason": "Học bổng học sinh nghèo vượt khó", "idempotency_key": "awards:decision:7:line:3"}
    a = services.payment_for_award(**kw)
    b = services.payment_for_award(**kw)
    assert a.pk == b.pk and a.purpose == "award"
    with pytest.raises(ValidationError):
        services.payment_for_award(**{**kw, "amount": 600_000})
    services.voucher_reject(actor=fw.world.admin_a, voucher=a)
    c = services.payment_for_award(**kw)
    assert c.pk != a.pk


def test_the_cash_book_shows_opening_each_movement_and_running_balance(fw):
    post(fw, amount=2_000_000, date=dt.date(2022, 2, 10))
    post(fw, amount=1_000_000, date=dt.date(2022, 3, 3))
    post(fw, kind="payment", amount=500_000, date=dt.date(2022, 3, 20))
    post(fw, amount=7_000_000, account=fw.bank, date=dt.date(2022, 3, 21))
    b = selectors.book(fw.cash, dt.date(2022, 3, 1), dt.date(2022, 3, 31))
    assert b.opening == 12_000_000
    assert [(r.receipt, r.payment, r.balance) for r in b.rows] == [(1_000_000, 0, 13_000_000), (0, 500_000, 12_500_000)]
    assert (b.receipts, b.payments, b.closing) == (1_000_000, 500_000, 12_500_000)
    bank = selectors.book(fw.bank, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert bank.opening == 50_000_000 and bank.closing == 57_000_000


def test_the_city_totals_add_up_every_level_below_it(fw):
    from khuyenhoc.fund.services import fund_create

    post(fw, amount=3_000_000)
    post(fw, kind="payment", amount=1_000_000)
    chapter_fund = fund_create(actor=fw.world.admin_a, node=fw.world.chapter_a, name="Quỹ chi hội", opened_on=dt.date(2022, 1, 1))
    v = services.voucher_draft(actor=fw.head, fund=chapter_fund, kind="receipt", date=dt.date(2022, 4, 1),
                               account=chapter_fund.accounts.get(kind="cash"), amount=800_000, party_kind="family",
                               party_name="Gia đình ông Nông Văn Dũng", reason="Ủng hộ")
    services.voucher_approve(actor=fw.treasurer, voucher=v)
    b_fund = fund_create(actor=fw.world.admin_b, node=fw.world.commune_b, name="Quỹ B", opened_on=dt.date(2022, 1, 1))
    vb = services.voucher_draft(actor=fw.world.admin_b, fund=b_fund, kind="receipt", date=dt.date(2022, 4, 1),
                                account=b_fund.accounts.get(kind="cash"), amount=5_000_000, party_kind="anonymous", reason="Hảo tâm")
    services.voucher_approve(actor=fw.world.admin_city, voucher=vb)
    city = selectors.subtree_statement(fw.world.city, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert city.total.receipts == 8_800_000 and city.total.payments == 1_000_000
    assert city.total.opening == 60_000_000 and city.total.closing == 67_800_000
    by_node = {r.node.pk: r.statement for r in city.rows}
    assert by_node[fw.world.commune_a.pk].receipts == 3_800_000
    assert by_node[fw.world.commune_b.pk].receipts == 5_000_000
    assert city.total.payments_by_purpose == {"award": 1_000_000}


def test_every_change_is_in_the_audit_trail(fw):
    v = post(fw)
    actions = set(AuditEvent.objects.filter(target_id=str(v.pk), target_type="fund.voucher").values_list("action", flat=True))
    assert actions == {"fund.voucher.drafted", "fund.voucher.posted"}


def test_a_unit_with_money_in_a_fund_cannot_close_and_funds_follow_a_merge(fw):
    from khuyenhoc.organizations.services import close_blockers, node_merge

    reasons = close_blockers(fw.world.commune_a)
    assert any("60.000.000 đ" in r for r in reasons)
    post(fw)
    pending = draft(fw)
    into = node_merge(actor=fw.world.admin_city, sources=[fw.world.commune_a], into=fw.world.commune_b, effective=dt.date(2025, 7, 1))
    fw.fund.refresh_from_db()
    assert fw.fund.node == into
    # Posted history stays on the old unit's books; the pending draft follows the fund.
    assert set(LedgerEntry.objects.filter(fund=fw.fund).values_list("node", flat=True)) == {fw.world.commune_a.pk}
    assert Voucher.objects.get(pk=pending.pk).node == into
    # The successor's people now run the fund.
    approved = services.voucher_approve(actor=fw.world.admin_b, voucher=pending)
    assert approved.node == into


def test_a_user_without_a_role_on_the_unit_cannot_create_a_fund(world):
    outsider = make_user("outsider")
    with pytest.raises(ValidationError):
        services.fund_create(actor=outsider, node=world.commune_a, name="Quỹ", opened_on=dt.date(2022, 1, 1))
    with pytest.raises(ValidationError):
        services.fund_create(actor=world.admin_b, node=world.commune_a, name="Quỹ", opened_on=dt.date(2022, 1, 1))


def test_a_batch_is_approved_all_together_or_not_at_all(fw):
    mine = draft(fw, actor=fw.world.admin_a, amount=300_000)
    batch = [draft(fw, amount=100_000 + i) for i in range(5)]
    with pytest.raises(ValidationError):
        services.vouchers_approve(actor=fw.world.admin_a, vouchers=[*batch, mine])
    assert not Voucher.objects.filter(status=VoucherStatus.POSTED).exists()
    assert not LedgerEntry.objects.filter(kind=EntryKind.RECEIPT).exists()
    posted = services.vouchers_approve(actor=fw.world.admin_a, vouchers=batch)
    assert [v.code for v in posted] == [f"PT-2022-{n:04d}" for n in range(1, 6)]
    assert [v.code for v in Voucher.objects.filter(status=VoucherStatus.POSTED).order_by("number")] == [v.code for v in posted]
    assert selectors.fund_balance(fw.fund) == 60_000_000 + sum(100_000 + i for i in range(5))
    assert selectors.verify_fund_chain(fw.fund)[1] is None
    with pytest.raises(ValidationError):
        services.vouchers_approve(actor=fw.world.admin_a, vouchers=batch[:1])  # already posted


def test_payments_in_a_batch_cannot_overdraw_together(fw):
    a = draft(fw, kind="payment", amount=6_000_000)
    b = draft(fw, kind="payment", amount=6_000_000)
    with pytest.raises(ValidationError) as exc:
        services.vouchers_approve(actor=fw.world.admin_a, vouchers=[a, b])
    assert "không đủ" in messages(exc.value)
    assert selectors.fund_balance(fw.fund) == 60_000_000


def test_a_published_statement_is_corrected_by_a_new_one_that_says_what_it_corrects(fw):
    post(fw, amount=2_000_000, date=dt.date(2022, 2, 1))
    first = services.disclosure_publish(actor=fw.treasurer, fund=fw.fund, period_start=dt.date(2022, 1, 1), period_end=dt.date(2022, 6, 30))
    assert first.figures["receipts"] == 2_000_000 and first.figures["closing"] == 62_000_000
    # A receipt of February entered late: the published statement stays as it was.
    post(fw, amount=500_000, date=dt.date(2022, 2, 15))
    first.refresh_from_db()
    assert first.figures["receipts"] == 2_000_000
    with pytest.raises(ValidationError) as exc:
        services.disclosure_publish(actor=fw.treasurer, fund=fw.fund, period_start=dt.date(2022, 1, 1), period_end=dt.date(2022, 6, 30), corrects=first)
    assert "correction_note" in exc.value.message_dict
    second = services.disclosure_publish(
        actor=fw.treasurer, fund=fw.fund, period_start=dt.date(2022, 1, 1), period_end=dt.date(2022, 6, 30),
        corrects=first, correction_note="Bổ sung phiếu thu ngày 15/02/2022 nhập muộn",
    )
    assert second.figures["receipts"] == 2_500_000 and second.corrects == first
    assert second.closing_seq == first.closing_seq + 1
    with pytest.raises(ValidationError):
        services.disclosure_publish(actor=fw.head, fund=fw.fund, period_start=dt.date(2022, 1, 1), period_end=dt.date(2022, 6, 30))


def test_a_subtree_statement_for_part_of_the_year_folds_earlier_rows_into_the_opening(fw):
    post(fw, amount=2_000_000, party_kind="firm", party_name="Công ty A", date=dt.date(2022, 2, 10))
    post(fw, amount=700_000, date=dt.date(2022, 6, 1))
    post(fw, kind="payment", amount=300_000, date=dt.date(2022, 2, 20))
    post(fw, kind="payment", amount=400_000, purpose="support", date=dt.date(2022, 7, 1))
    post(fw, amount=900_000, date=dt.date(2022, 11, 5))  # after the period
    city = selectors.subtree_statement(fw.world.city, dt.date(2022, 4, 1), dt.date(2022, 9, 30))
    # The opening of 60,000,000 đồng plus February's 2,000,000 in and 300,000 out.
    assert city.total.opening == 61_700_000
    # Only what moved inside the period is listed: no firm and no award line at zero.
    assert city.total.receipts_by_source == {"person": 700_000}
    assert city.total.payments_by_purpose == {"support": 400_000}
    assert city.total.closing == 62_000_000
    commune = next(r.statement for r in city.rows if r.node.pk == fw.world.commune_a.pk)
    assert (commune.opening, commune.receipts, commune.payments) == (61_700_000, 700_000, 400_000)
