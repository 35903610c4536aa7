"""Printable vouchers: an HTML template rendered to PDF by WeasyPrint.

The layout follows the receipt and payment vouchers Vietnamese treasurers know
(number, date, payer or payee, reason, amount in figures and in words, signatures).
An association that needs its own layout overrides the template fund/voucher_pdf.html.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from khuyenhoc.core.dates import admin_date_line
from khuyenhoc.core.money import amount_in_words

from .models import AccountKind, Voucher


def voucher_context(voucher: Voucher) -> dict:
    node = voucher.node
    entry = getattr(voucher, "entry", None)
    date_line = admin_date_line("", voucher.date)
    return {
        "v": voucher,
        "node": node,
        "parent": node.parent,
        "fund": voucher.fund,
        "date_line": date_line[0].upper() + date_line[1:],
        "place_date_line": admin_date_line(node.place_name, voucher.date),
        "words": amount_in_words(voucher.amount),
        "is_cash": voucher.account.kind == AccountKind.CASH,
        "is_bank": voucher.account.kind == AccountKind.BANK,
        "is_in_kind": voucher.account.kind == AccountKind.IN_KIND,
        "entry": entry,
        "printed_at": timezone.localtime(),
    }


def voucher_pdf(voucher: Voucher, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string("fund/voucher_pdf.html", voucher_context(voucher))
    return HTML(string=html, base_url=base_url).write_pdf()
