"""Bank statements through the shared import pipeline: lines matched to posted vouchers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from khuyenhoc.core.models import AuditEvent
from khuyenhoc.fund.bank import bank_statement_import
from khuyenhoc.fund.models import BankImport

from .conftest import post

pytestmark = pytest.mark.django_db

HEADER = ["Ngày giao dịch", "Số tham chiếu", "Diễn giải", "Ghi nợ", "Ghi có", "Loại tiền", "Số dư"]


def xlsx(rows: list[list]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sao kê"
    ws.append(["NGÂN HÀNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN VIỆT NAM"])
    ws.append(["SAO KÊ TÀI KHOẢN 8300205123456"])
    ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("saoke.xlsx", buf.getvalue())


def test_each_line_is_matched_to_a_posted_voucher_or_listed_as_unmatched(fw):
    receipt = post(fw, account=fw.bank, amount=5_000_000, date=dt.date(2022, 3, 1), party_kind="firm", party_name="Công ty A")
    post(fw, account=fw.bank, amount=5_000_000, date=dt.date(2022, 3, 2), party_kind="firm", party_name="Công ty B")
    payment = post(fw, kind="payment", account=fw.bank, amount=2_000_000, date=dt.date(2022, 9, 5))
    upload = xlsx([
        ["02/03/2022", "FT22061", "CONG TY A UNG HO QUY KHUYEN HOC", None, "5.000.000", "VND", 55_000_000],
        [dt.date(2022, 9, 6), "FT22249", f"CHI {payment.code} THUONG HS", 2_000_000, None, "VND", 53_000_000],
        ["15/10/2022", "FT22288", "LAI TIEN GUI", None, 38_000, "VND", 53_038_000],
    ])
    result = bank_statement_import(actor=fw.treasurer, account=fw.bank, upload=upload)
    assert not result.errors
    codes = [ln["voucher_code"] for ln in result.lines]
    assert codes == [receipt.code, payment.code, ""]
    record = BankImport.objects.get()
    assert (record.matched, record.unmatched) == (2, 1)
    assert AuditEvent.objects.filter(action="fund.bank.imported").exists()


def test_a_line_in_another_currency_is_refused_and_nothing_is_recorded(fw):
    upload = xlsx([
        ["02/03/2022", "FT1", "UNG HO", None, 5_000_000, "VND", 1],
        ["03/03/2022", "FT2", "DONATION", None, 200, "USD", 1],
        ["04/03/2022", "FT3", "LOI", 100_000, 100_000, "VND", 1],
    ])
    result = bank_statement_import(actor=fw.treasurer, account=fw.bank, upload=upload)
    assert result.record is None and BankImport.objects.count() == 0
    assert any("dòng 6" in e and "USD" in e and "đồng Việt Nam" in e for e in result.errors)
    assert any("dòng 7" in e and "không có cả hai" in e for e in result.errors)


def test_a_csv_statement_reads_too_and_the_page_shows_the_result(fw, client_for):
    post(fw, account=fw.bank, amount=1_500_000, date=dt.date(2022, 4, 1))
    csv = "Ngày GD;Mô tả;Tiền ra;Tiền vào;Tiền tệ\n01/04/2022;UNG HO;;1.500.000;VND\n"
    upload = SimpleUploadedFile("saoke.csv", csv.encode("utf-8"))
    html = client_for(fw.treasurer).post(f"/app/fund/funds/{fw.fund.pk}/bank-import/", {"account": fw.bank.pk, "file": upload}).content.decode()
    assert "1 dòng khớp, 0 dòng chưa khớp" in html


def test_a_decimal_amount_on_a_bank_line_is_refused(fw):
    upload = xlsx([["02/03/2022", "FT1", "UNG HO", None, "1.000.000,5", "VND", 1]])
    result = bank_statement_import(actor=fw.treasurer, account=fw.bank, upload=upload)
    assert result.record is None and result.errors
