"""Bank statement import: read the XLSX/CSV a Vietnamese bank exports, match each line to a
posted voucher of the fund's bank account, list the rest as unmatched.

It goes through the shared import pipeline (`khuyenhoc.imports`): every row is read and
validated first, every error named by sheet, row and column; if any row is wrong (a
line in another currency, a line with both debit and credit…) nothing is recorded.
The import changes no balance: it reconciles what the bank says with the books.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap, has_cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.text import search_key
from khuyenhoc.imports.columns import Column, money, read_and_validate
from khuyenhoc.imports.columns import date as date_parser
from khuyenhoc.imports.columns import text as text_parser
from khuyenhoc.imports.reading import ImportFileError

from .models import AccountKind, BankImport, FundAccount, Voucher, VoucherStatus

MATCH_DAYS = 3  # a transfer may reach the bank a few days after the voucher's date
MAX_FILE_BYTES = 5 * 1024 * 1024

# Headers as Vietnamese banks print them (Agribank, Vietcombank, BIDV, VietinBank…);
# matching ignores accents, case and spacing.
COLUMNS = (
    Column("date", "Ngày giao dịch", aliases=("Ngày GD", "Ngày hiệu lực", "Ngày", "Transaction date", "Ngày thực hiện"), required=True, parse=date_parser()),
    Column("reference", "Số tham chiếu", aliases=("Số CT", "Mã giao dịch", "Số bút toán", "Reference", "Ref", "Số giao dịch"), parse=text_parser(max_length=80)),
    Column("description", "Nội dung", aliases=("Diễn giải", "Mô tả", "Nội dung giao dịch", "Description", "Chi tiết giao dịch"), parse=text_parser(max_length=500)),
    Column("debit", "Ghi nợ", aliases=("Số tiền ghi nợ", "Phát sinh nợ", "Nợ", "Debit", "Tiền ra", "Rút ra"), parse=money()),
    Column("credit", "Ghi có", aliases=("Số tiền ghi có", "Phát sinh có", "Có", "Credit", "Tiền vào", "Gửi vào"), parse=money()),
    Column("currency", "Loại tiền", aliases=("Tiền tệ", "Currency", "CCY", "Đơn vị tiền tệ"), parse=text_parser(max_length=10)),
    Column("balance", "Số dư", aliases=("Balance", "Số dư cuối"), parse=money(allow_negative=True)),
)
COLUMN_HELP = [(c.header, c.aliases, c.required) for c in COLUMNS]
VND = {"vnd", "vnđ", "đ", "đồng", "dong", "vn dong"}


def _row_check(values: dict):
    currency = (values.get("currency") or "").strip()
    if currency and currency.casefold() not in VND:
        yield "currency", _("The line is in %(currency)s, not in Vietnamese đồng: the fund's books are kept in đồng only.") % {"currency": currency}
    debit, credit = values.get("debit") or 0, values.get("credit") or 0
    if debit and credit:
        yield "credit", _("A line has either a debit or a credit, not both.")
    elif not debit and not credit:
        yield "credit", _("The line has no amount in debit or credit.")


@dataclass
class ImportResult:
    record: BankImport | None
    lines: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def matched(self) -> list[dict]:
        return [ln for ln in self.lines if ln["voucher_id"]]

    @property
    def unmatched(self) -> list[dict]:
        return [ln for ln in self.lines if not ln["voucher_id"]]


def match_lines(account: FundAccount, lines: list[dict]) -> list[dict]:
    """Give each line the posted voucher of `account` with the same signed amount, dated
    within MATCH_DAYS, preferring one whose number, then whose payer or payee, appears in
    the line's text, then the closest date; each voucher matches one line at most."""
    if not lines:
        return lines
    start = min(ln["date"] for ln in lines) - dt.timedelta(days=MATCH_DAYS)
    end = max(ln["date"] for ln in lines) + dt.timedelta(days=MATCH_DAYS)
    candidates = list(
        Voucher.objects.filter(account=account, status=VoucherStatus.POSTED, date__gte=start, date__lte=end).order_by("date", "id")
    )
    used: set[int] = set()
    for ln in lines:
        text = f"{ln['reference']} {ln['description']}".upper()
        folded = search_key(text)
        best = None
        for v in candidates:
            if v.pk in used or v.signed_amount != ln["amount"] or abs((v.date - ln["date"]).days) > MATCH_DAYS:
                continue
            named = bool(v.party_name) and search_key(v.party_name) in folded
            score = (v.code.upper() in text, named, -abs((v.date - ln["date"]).days))
            if best is None or score > best[0]:
                best = (score, v)
        if best is not None:
            used.add(best[1].pk)
            ln["voucher_id"], ln["voucher_code"] = best[1].pk, best[1].code
    return lines


@transaction.atomic
def bank_statement_import(*, actor, account: FundAccount, upload) -> ImportResult:
    """Read, validate every line, match, and record the reconciliation (all or nothing)."""
    fund = account.fund
    if actor is None or not has_cap(actor, fund.node, Cap.FUND_DRAFT):
        raise ValidationError(_("You may not import bank statements for this fund."))
    if account.kind != AccountKind.BANK:
        raise ValidationError({"account": _("Choose a bank account of the fund.")})
    if upload.size and upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": _("The file is larger than 5 MB.")})
    data = upload.read()
    try:
        result = read_and_validate(data, COLUMNS, filename=upload.name, row_check=_row_check, ignore_unknown=True)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    if not result.ok:
        return ImportResult(record=None, errors=result.messages())
    lines = [
        {
            "row": r.number,
            "date": r["date"],
            "reference": r.get("reference") or "",
            "description": r.get("description") or "",
            "amount": (r.get("credit") or 0) - (r.get("debit") or 0),
            "voucher_id": None,
            "voucher_code": "",
        }
        for r in result.rows
    ]
    if not lines:
        raise ValidationError({"file": _("The statement has no transaction lines.")})
    match_lines(account, lines)
    stored = [{**ln, "date": ln["date"].isoformat()} for ln in lines]
    matched = sum(1 for ln in lines if ln["voucher_id"])
    record = BankImport.objects.create(
        fund=fund, account=account, file_name=upload.name[:255], lines=stored, matched=matched, unmatched=len(lines) - matched, created_by=actor
    )
    audit_log(
        actor=actor,
        action="fund.bank.imported",
        node=fund.node,
        target=record,
        after={"file": upload.name, "lines": len(lines), "matched": matched, "unmatched": len(lines) - matched},
    )
    return ImportResult(record=record, lines=lines)
