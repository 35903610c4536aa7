"""Readable labels of the fund's audit action codes, merged into core's table at start-up.

Kept in the fund app (not in core/audit.py) so their Vietnamese lives in the fund's own
catalogue; `FundConfig.ready()` adds them to `khuyenhoc.core.audit.ACTION_LABELS`.
"""

from django.utils.translation import gettext_lazy as _

FUND_ACTION_LABELS = {
    "fund.fund.created": _("Created a fund"),
    "fund.fund.moved": _("Moved a fund to the successor unit"),
    "fund.account.added": _("Added a fund account"),
    "fund.voucher.drafted": _("Drafted a voucher"),
    "fund.voucher.posted": _("Approved and posted a voucher"),
    "fund.voucher.rejected": _("Rejected a voucher"),
    "fund.voucher.reversal_drafted": _("Drafted a reversing voucher"),
    "fund.transfer.drafted": _("Drafted a transfer between funds"),
    "fund.disclosure.published": _("Published a fund statement"),
    "fund.year.locked": _("Closed a year for posting"),
    "fund.bank.imported": _("Imported a bank statement"),
}
