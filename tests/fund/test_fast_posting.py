"""PostgreSQL's one-call approval (`fund_approve_one`) against the general path it shortcuts.

Every other fund test already approves single vouchers through it on PostgreSQL; these tests
put the two paths side by side on the same data: same numbers, same ledger chain (checked by
the Python verifier, so the SQL hash must equal `ledger.canonical_line`'s), same audit rows,
same refusals with the same messages and nothing written.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from khuyenhoc.core.models import AuditEvent
from khuyenhoc.fund import selectors, services
from khuyenhoc.fund.models import LedgerEntry, Voucher, VoucherStatus

from .conftest import draft

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-call approval is PostgreSQL's; SQLite takes the general path"),
]


@pytest.fixture(params=["fast", "general"])
def path(request, settings):
    settings.FUND_FAST_APPROVAL = request.param == "fast"
    return request.param


def _audit(v):
    return AuditEvent.objects.get(action="fund.voucher.posted", target_id=str(v.pk))


def test_both_paths_post_the_same_numbers_chain_and_audit(fw, settings, monkeypatch):
    from khuyenhoc.fund import posting

    answers = []  # what each one-call approval answered (None: posted)
    one_call = posting.approve_one

    def spy(*args, **kwargs):
        answer = one_call(*args, **kwargs)
        answers.append(answer[0])
        return answer

    monkeypatch.setattr(posting, "approve_one", spy)
    a, b, c, d = draft(fw, amount=1_250_000), draft(fw, amount=2_000_000, party_kind="firm", party_name="Công ty Bảo Long"), draft(fw, kind="payment", amount=700_000), draft(fw, amount=5_000)
    settings.FUND_FAST_APPROVAL = True
    pa = services.voucher_approve(actor=fw.world.admin_a, voucher=Voucher(pk=a.pk))
    settings.FUND_FAST_APPROVAL = False
    pb = services.voucher_approve(actor=fw.world.admin_a, voucher=b)
    settings.FUND_FAST_APPROVAL = True
    pc = services.voucher_approve(actor=fw.world.admin_a, voucher=c)
    pd = services.voucher_approve(actor=fw.world.admin_a, voucher=d)
    assert [pa.code, pb.code, pc.code, pd.code] == ["PT-2022-0001", "PT-2022-0002", "PC-2022-0001", "PT-2022-0003"]
    assert answers == [None, None, None]  # a, c and d went through the one call, b did not
    # The returned voucher is the whole row as posted, even from a stub holding only the id.
    assert (pa.status, pa.amount, pa.approved_by_id, pa.party_name, pa.fund_id) == (VoucherStatus.POSTED, 1_250_000, fw.world.admin_a.pk, "Nguyễn Văn Hùng", fw.fund.pk)
    assert pa.posted_at is not None and pa.node_id == fw.fund.node_id
    # Ledger: the chain is intact (the SQL hash equals the Python one) and the rows alike.
    checked, brk, _last = selectors.verify_fund_chain(fw.fund.pk)
    assert brk is None and checked == 6
    rows = {r.voucher_id: r for r in LedgerEntry.objects.filter(fund=fw.fund, voucher__isnull=False)}
    assert [(rows[v.pk].voucher_code, rows[v.pk].amount, rows[v.pk].kind, rows[v.pk].node_id) for v in (pa, pb, pc)] == [
        ("PT-2022-0001", 1_250_000, "receipt", fw.fund.node_id),
        ("PT-2022-0002", 2_000_000, "receipt", fw.fund.node_id),
        ("PC-2022-0001", -700_000, "payment", fw.fund.node_id),
    ]
    assert rows[pc.pk].purpose == "award" and rows[pb.pk].party_kind == "firm"
    assert selectors.account_balance(fw.cash) == 10_000_000 + 1_250_000 + 2_000_000 - 700_000 + 5_000
    # Audit: the same fields, the draft's code before and the number after.
    fast, general = _audit(pa), _audit(pb)
    assert set(fast.before) == set(general.before) and set(fast.after) == set(general.after)
    assert (fast.before["code"], fast.after["code"]) == (f"Nháp {pa.pk}", "PT-2022-0001")
    assert (general.before["code"], general.after["code"]) == (f"Nháp {pb.pk}", "PT-2022-0002")
    assert fast.after == {**fast.before, "code": "PT-2022-0001", "status": "posted"}
    assert fast.before == {
        "code": f"Nháp {pa.pk}", "fund": fw.fund.pk, "kind": "receipt", "status": "draft", "date": "2022-03-01",
        "account": fw.cash.pk, "amount": 1_250_000, "party_kind": "person", "party_name": "Nguyễn Văn Hùng",
        "purpose": "", "reason": "Ủng hộ quỹ khuyến học", "reverses": None,
    }  # fmt: skip
    assert (fast.node_id, fast.node_path, fast.actor_id, fast.target_type) == (general.node_id, general.node_path, general.actor_id, general.target_type)


def test_number_ten_thousand_keeps_all_its_digits(fw):
    from khuyenhoc.fund.models import VoucherSequence

    VoucherSequence.objects.create(fund=fw.fund, kind="receipt", year=2022, last_number=9_999)
    assert services.voucher_approve(actor=fw.world.admin_a, voucher=draft(fw)).code == "PT-2022-10000"
    assert selectors.verify_fund_chain(fw.fund.pk)[1] is None


def _refused(fw, v, actor=None):
    before = (LedgerEntry.objects.count(), AuditEvent.objects.filter(action="fund.voucher.posted").count())
    with pytest.raises(ValidationError) as exc:
        services.voucher_approve(actor=actor or fw.world.admin_a, voucher=v)
    assert Voucher.objects.get(pk=v.pk).status == VoucherStatus.DRAFT or v.pk is None
    assert (LedgerEntry.objects.count(), AuditEvent.objects.filter(action="fund.voucher.posted").count()) == before
    return " ".join(exc.value.messages)


def test_refusals_say_the_same_on_both_paths(fw, path):
    own = draft(fw, actor=fw.world.admin_a)
    assert _refused(fw, own) == "Bạn không thể duyệt phiếu do chính mình lập: phải có người khác duyệt."
    v = draft(fw)
    assert "quyền duyệt" in _refused(fw, v, actor=fw.head) and "Quỹ khuyến học phường An Bình" in _refused(fw, v, actor=fw.world.admin_b)
    big = draft(fw, kind="payment", amount=9_000_000)
    services.voucher_approve(actor=fw.world.admin_a, voucher=draft(fw, kind="payment", amount=2_000_000))
    assert "8.000.000 đ" in _refused(fw, big) and "không đủ" in _refused(fw, big)
    services.year_lock(actor=fw.world.admin_city, node=fw.world.city, year=2022)
    message = _refused(fw, v)
    assert "2022" in message and fw.world.commune_a.name in message


def test_a_posted_or_missing_voucher_is_refused_on_both_paths(fw, path):
    v = draft(fw)
    services.voucher_approve(actor=fw.world.admin_a, voucher=v)
    with pytest.raises(ValidationError) as exc:
        services.voucher_approve(actor=fw.world.admin_a, voucher=Voucher(pk=v.pk))
    assert "PT-2022-0001" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        services.voucher_approve(actor=fw.world.admin_a, voucher=Voucher(pk=v.pk + 1000))
    assert "không còn" in " ".join(exc.value.messages)


def test_transfers_and_reversals_take_the_general_path_and_post(fw, settings):
    settings.FUND_FAST_APPROVAL = True
    v = services.voucher_approve(actor=fw.world.admin_a, voucher=draft(fw, amount=3_000_000))
    rev = services.voucher_reverse(actor=fw.treasurer, voucher=v, reason="Ghi nhầm số tiền", date=dt.date(2022, 3, 2))
    rev = services.voucher_approve(actor=fw.world.admin_a, voucher=rev)
    assert rev.status == VoucherStatus.POSTED and rev.reverses_id == v.pk
    assert selectors.account_balance(fw.cash) == 10_000_000
    assert selectors.verify_fund_chain(fw.fund.pk)[1] is None


def test_the_function_plans_its_statements_once_per_session():
    """Re-planning its checks on every call doubled the function's CPU (migration 0004)."""
    with connection.cursor() as cur:
        cur.execute("SELECT proconfig FROM pg_proc WHERE proname = 'fund_approve_one'")
        (config,) = cur.fetchone()
    assert "plan_cache_mode=force_generic_plan" in (config or [])
