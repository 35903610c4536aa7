"""Fund pages, the API and the admin through Django's test client: refusals in Vietnamese, nothing half-saved."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model

from khuyenhoc.fund import selectors
from khuyenhoc.fund.models import Disclosure, Fund, LedgerEntry, Voucher, VoucherStatus

from .conftest import draft, post

pytestmark = pytest.mark.django_db


def receipt_form(fw, **kw):
    data = {
        "date": "2022-03-01",
        "account": fw.cash.pk,
        "amount": "1.500.000",
        "party_kind": "person",
        "party_name": "Nguyễn Văn Hùng",
        "party_address": "Tổ 5, phường An Bình",
        "party_public": "on",
        "reason": "Ủng hộ quỹ khuyến học",
        "in_kind_description": "",
        "attachments": "1",
    }
    data.update(kw)
    return data


def test_the_fund_pages_render_for_the_owner(fw, client_for):
    post(fw, amount=2_000_000)
    post(fw, kind="payment", amount=500_000)
    c = client_for(fw.world.admin_a)
    urls = [
        f"/app/fund/nodes/{fw.world.commune_a.pk}/",
        f"/app/fund/nodes/{fw.world.commune_a.pk}/new/",
        f"/app/fund/nodes/{fw.world.commune_a.pk}/totals/?start=2022-01-01&end=2022-12-31",
        f"/app/fund/funds/{fw.fund.pk}/",
        f"/app/fund/funds/{fw.fund.pk}/receipts/new/",
        f"/app/fund/funds/{fw.fund.pk}/payments/new/",
        f"/app/fund/funds/{fw.fund.pk}/transfers/new/",
        f"/app/fund/funds/{fw.fund.pk}/book/?account={fw.cash.pk}&start=2022-01-01&end=2022-12-31",
        f"/app/fund/funds/{fw.fund.pk}/statement/?start=2022-01-01&end=2022-12-31",
        f"/app/fund/funds/{fw.fund.pk}/verify/",
        f"/app/fund/funds/{fw.fund.pk}/disclose/",
        f"/app/fund/funds/{fw.fund.pk}/bank-import/",
    ]
    for url in urls:
        resp = c.get(url)
        assert resp.status_code == 200, url
    # admin_a holds commune A, not the city: the city's totals are out of reach.
    book = c.get(f"/app/fund/funds/{fw.fund.pk}/book/?account={fw.cash.pk}&start=2022-01-01&end=2022-12-31").content.decode()
    assert "PT-2022-0001" in book and "2.000.000 đ" in book and "11.500.000 đ" in book


def test_a_list_page_makes_a_bounded_number_of_queries(fw, client_for, django_assert_max_num_queries):
    for _ in range(15):
        post(fw, amount=100_000)
    c = client_for(fw.world.admin_a)
    with django_assert_max_num_queries(16):
        assert c.get(f"/app/fund/funds/{fw.fund.pk}/").status_code == 200


def test_a_receipt_drafted_on_the_page_is_approved_by_a_second_person_and_printed(fw, client_for):
    c = client_for(fw.treasurer)
    resp = c.post(f"/app/fund/funds/{fw.fund.pk}/receipts/new/", receipt_form(fw))
    assert resp.status_code == 302
    v = Voucher.objects.get()
    assert v.amount == 1_500_000 and v.status == VoucherStatus.DRAFT
    # The drafter sees no approve button and cannot approve by posting either.
    page = c.get(f"/app/fund/vouchers/{v.pk}/").content.decode()
    assert 'id="approve"' not in page
    resp = c.post(f"/app/fund/vouchers/{v.pk}/approve/", follow=True)
    assert "không thể duyệt phiếu do chính mình lập" in resp.content.decode()
    assert Voucher.objects.get().status == VoucherStatus.DRAFT
    c2 = client_for(fw.world.admin_a)
    assert 'id="approve"' in c2.get(f"/app/fund/vouchers/{v.pk}/").content.decode()
    resp = c2.post(f"/app/fund/vouchers/{v.pk}/approve/", follow=True)
    assert "PT-2022-0001" in resp.content.decode()
    pdf = c2.get(f"/app/fund/vouchers/{v.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "PHIẾU THU" in text and "PT-2022-0001" in text
    assert "1.500.000 đ" in text and "Một triệu năm trăm nghìn đồng" in text
    assert "Nguyễn Văn Hùng" in text


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1.000.000,5", "chỉ nhận số nguyên đồng"),
        ("0", "lớn hơn 0"),
        ("-50.000", "không được là số âm"),
        ("một triệu", "không hợp lệ"),
        ("1,000", "không rõ ràng"),
    ],
)
def test_a_bad_amount_is_refused_in_vietnamese_and_what_was_typed_is_kept(fw, client_for, amount, message):
    resp = client_for(fw.treasurer).post(f"/app/fund/funds/{fw.fund.pk}/receipts/new/", receipt_form(fw, amount=amount))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert message in html
    assert "Nguyễn Văn Hùng" in html
    assert Voucher.objects.count() == 0


def test_a_payment_above_the_balance_is_refused_on_the_page(fw, client_for):
    data = receipt_form(fw, amount="10.000.001", party_kind="student", party_name="Nguyễn Thị Mai", purpose="award", reason="Thưởng")
    resp = client_for(fw.treasurer).post(f"/app/fund/funds/{fw.fund.pk}/payments/new/", data)
    assert "không đủ" in resp.content.decode()
    assert Voucher.objects.count() == 0


def test_a_posted_voucher_cannot_be_changed_or_deleted_through_the_admin(fw, client):
    v = post(fw)
    get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123456")
    client.force_login(get_user_model().objects.get(username="root"), backend="django.contrib.auth.backends.ModelBackend")
    change = client.post(f"/admin/fund/voucher/{v.pk}/change/", {"amount": "1", "reason": "sửa"})
    delete = client.post(f"/admin/fund/voucher/{v.pk}/delete/", {"post": "yes"})
    assert change.status_code in (403, 200) and delete.status_code == 403
    entry = LedgerEntry.objects.get(voucher=v)
    assert client.post(f"/admin/fund/ledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    v.refresh_from_db()
    assert v.amount == 1_000_000 and v.reason == "Ủng hộ quỹ khuyến học"


def test_the_api_refuses_bad_amounts_own_approval_and_any_change_to_a_posted_voucher(fw, client_for):
    c = client_for(fw.treasurer)
    body = {"kind": "receipt", "date": "2022-03-01", "account_id": fw.cash.pk, "amount": "1.000.000,5", "party_kind": "person", "party_name": "Hùng", "reason": "Ủng hộ"}
    resp = c.post(f"/api/fund/funds/{fw.fund.pk}/vouchers", json.dumps(body), content_type="application/json")
    assert resp.status_code == 422 and "chỉ nhận số nguyên đồng" in resp.json()["fields"]["amount"][0]
    resp = c.post(f"/api/fund/funds/{fw.fund.pk}/vouchers", json.dumps({**body, "amount": "1.000.000"}), content_type="application/json")
    assert resp.status_code == 201
    vid = resp.json()["id"]
    resp = c.post(f"/api/fund/vouchers/{vid}/approve")
    assert resp.status_code == 422 and "chính mình" in resp.json()["detail"][0]
    resp = client_for(fw.world.admin_a).post(f"/api/fund/vouchers/{vid}/approve")
    assert resp.status_code == 200 and resp.json()["code"] == "PT-2022-0001"
    for method in ("patch", "delete"):
        resp = getattr(c, method)(f"/api/fund/vouchers/{vid}", json.dumps({"amount": 1}), content_type="application/json")
        assert resp.status_code == 409 and "đã ghi sổ" in resp.json()["detail"][0]
    assert Voucher.objects.get(pk=vid).amount == 1_000_000
    resp = c.post(f"/api/fund/vouchers/{vid}/reverse", json.dumps({"reason": "Nhầm"}), content_type="application/json")
    assert resp.status_code == 201 and resp.json()["reverses_id"] == vid
    assert client_for(fw.world.admin_b).get(f"/api/fund/funds/{fw.fund.pk}").status_code == 404
    data = client_for(fw.treasurer).get(f"/api/fund/funds/{fw.fund.pk}").json()
    assert data["balance"] == 61_000_000


def test_the_treasurer_publishes_and_anyone_reads_the_statement_without_login(fw, client_for, client):
    post(fw, amount=5_000_000, party_name="Công ty CP Khoáng sản Bắc Kạn", party_kind="firm", party_public=True)
    post(fw, amount=700_000, party_name="Lê Văn Tám", party_public=False)
    post(fw, kind="payment", amount=1_200_000, party_kind="student", party_name="Nguyễn Thị Mai")
    c = client_for(fw.treasurer)
    resp = c.post(f"/app/fund/funds/{fw.fund.pk}/disclose/", {"period_start": "2022-01-01", "period_end": "2022-12-31", "title": ""})
    assert resp.status_code == 302
    d = Disclosure.objects.get()
    client.logout()
    home = client.get("/").content.decode()
    assert "/p/fund/" in home
    listing = client.get("/p/fund/").content.decode()
    assert d.title in listing
    html = client.get(f"/p/fund/{d.token}/").content.decode()
    assert "5.700.000 đ" in html and "1.200.000 đ" in html
    assert "Công ty CP Khoáng sản Bắc Kạn" in html
    assert "Lê Văn Tám" not in html  # did not agree to be named
    assert "Nguyễn Thị Mai" not in html and "N. T. Mai" in html  # a pupil: initials only
    assert d.closing_hash in html
    assert "không thay đổi" in html or "unchanged" in html
    rows = client.get(f"/p/fund/{d.token}/rows.csv").content.decode().splitlines()
    assert rows[0].startswith("fund_id,seq,date") and len(rows) == 1 + d.closing_seq


def test_the_public_page_warns_when_the_ledger_was_rewritten(fw, client):
    from .test_guards import tamper

    v = post(fw, amount=5_000_000)
    from khuyenhoc.fund.services import disclosure_publish

    d = disclosure_publish(actor=fw.treasurer, fund=fw.fund, period_start=dt.date(2022, 1, 1), period_end=dt.date(2022, 12, 31))
    tamper(LedgerEntry.objects.get(voucher=v).pk, amount=500_000)
    html = client.get(f"/p/fund/{d.token}/").content.decode()
    assert 'class="badge closed"' in html


def test_an_outsider_sees_no_fund_of_another_commune(fw, client_for):
    c = client_for(fw.world.admin_b)
    assert c.get(f"/app/fund/funds/{fw.fund.pk}/").status_code == 404
    assert c.get(f"/app/fund/nodes/{fw.world.commune_a.pk}/").status_code == 404
    assert fw.fund.name not in c.get(f"/app/fund/nodes/{fw.world.commune_b.pk}/").content.decode()


def test_a_fund_is_created_on_the_page_with_its_opening_balances(world, client_for):
    c = client_for(world.admin_b)
    resp = c.post(
        f"/app/fund/nodes/{world.commune_b.pk}/new/",
        {"name": "Quỹ khuyến học phường Bến Đò", "kind": "general", "opened_on": "2022-01-01", "cash_opening": "3.000.000",
         "bank_name": "Agribank", "account_number": "123", "bank_opening": "7.000.000"},
    )
    assert resp.status_code == 302
    fund = Fund.objects.get(node=world.commune_b)
    assert selectors.fund_balance(fund) == 10_000_000


def test_an_approver_ticks_several_drafts_and_posts_them_at_once(fw, client_for):
    drafts = [draft(fw, amount=200_000) for _ in range(3)]
    c = client_for(fw.world.admin_a)
    page = c.get(f"/app/fund/nodes/{fw.world.commune_a.pk}/").content.decode()
    assert all(f'value="{v.pk}"' in page for v in drafts)
    resp = c.post(f"/app/fund/nodes/{fw.world.commune_a.pk}/approve/", {"voucher": [v.pk for v in drafts[:2]]}, follow=True)
    assert "PT-2022-0001, PT-2022-0002" in resp.content.decode()
    assert Voucher.objects.filter(status=VoucherStatus.POSTED).count() == 2


def test_the_api_approves_a_list_in_one_go_and_hides_other_communes_vouchers(fw, client_for):
    drafts = [draft(fw, amount=300_000) for _ in range(3)]
    body = json.dumps({"ids": [v.pk for v in drafts]})
    assert client_for(fw.world.admin_b).post("/api/fund/approvals", body, content_type="application/json").status_code == 404
    resp = client_for(fw.world.admin_a).post("/api/fund/approvals", body, content_type="application/json")
    assert resp.status_code == 200 and [v["code"] for v in resp.json()] == ["PT-2022-0001", "PT-2022-0002", "PT-2022-0003"]
