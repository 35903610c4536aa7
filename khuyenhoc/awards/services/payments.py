"""Paying a decision through the fund's own services.

The fund's ledger is the single record of money: paying drafts one payment voucher per
award with `fund.services.payment_for_award`, whose idempotency key (one per award)
makes a second payment of the same award impossible; another person approves the
vouchers in the fund (maker-checker) and only then is the decision shown as paid.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.dates import format_date
from khuyenhoc.core.money import format_vnd

from .. import selectors
from ..models import Award, Decision, NomineeKind
from ._common import require

PAYEE_KINDS = {
    NomineeKind.STUDENT: "student",
    NomineeKind.TEACHER: "person",
    NomineeKind.INDIVIDUAL: "person",
    NomineeKind.FAMILY: "family",
    NomineeKind.CLAN: "organisation",
    NomineeKind.COMMUNITY: "organisation",
    NomineeKind.UNIT: "organisation",
    NomineeKind.COLLECTIVE: "organisation",
}


def payment_reason(award: Award) -> str:
    d = award.decision
    return f"Thưởng theo Quyết định số {d.code} ngày {format_date(d.date)}: {award.programme.name}"[:255]


@transaction.atomic
def decision_pay(*, actor, decision: Decision, fund, account, date: dt.date) -> list:
    """Draft the payment vouchers of every unpaid award of the decision, or none at all."""
    from khuyenhoc.fund import selectors as fund_selectors
    from khuyenhoc.fund.services import payment_for_award

    decision = Decision.objects.select_for_update().select_related("node").get(pk=decision.pk)
    require(actor, decision.node, Cap.FUND_DRAFT, _("You may not draft payments from the funds of %(unit)s.") % {"unit": decision.node.name})
    if fund.node_id != decision.node_id:
        raise ValidationError({"fund": _("The awards of %(unit)s are paid from its own fund.") % {"unit": decision.node.name}})
    if account.fund_id != fund.pk:
        raise ValidationError({"account": _("This account does not belong to the fund.")})
    if date < decision.date:
        raise ValidationError({"date": _("The payment cannot be dated before the decision (%(date)s).") % {"date": format_date(decision.date)}})
    state = selectors.payment_state(decision)
    if state["state"] == "nothing":
        raise ValidationError(_("Decision %(code)s carries no money to pay.") % {"code": decision.code})
    if not state["unpaid_ids"]:
        codes = ", ".join(v.code for v in state["vouchers"][:5]) + ("…" if len(state["vouchers"]) > 5 else "")
        raise ValidationError(
            _("Decision %(code)s has already been paid (%(amount)s, vouchers %(vouchers)s); an award is never paid twice.")
            % {"code": decision.code, "amount": format_vnd(state["posted"] + state["drafted"]), "vouchers": codes}
        )
    awards = list(Award.objects.select_related("decision", "programme").filter(pk__in=state["unpaid_ids"]).order_by("line"))
    total = sum(a.amount for a in awards)
    balance = fund_selectors.account_balance(account)
    if total > balance:
        raise ValidationError(
            {"account": _("%(account)s holds %(balance)s, not enough to pay the %(total)s of decision %(code)s.")
             % {"account": account.name, "balance": format_vnd(balance), "total": format_vnd(total), "code": decision.code}}
        )
    vouchers = []
    for award in awards:
        voucher = payment_for_award(
            actor=actor, fund=fund, account=account, amount=award.amount, payee_name=award.nominee_name, date=date,
            reason=payment_reason(award), idempotency_key=award.payment_key, payee_kind=PAYEE_KINDS[award.nominee_kind],
            external_ref=decision.code,
        )
        Award.objects.filter(pk=award.pk).update(payment_voucher_id=voucher.pk)
        vouchers.append(voucher)
    audit_log(actor=actor, action="awards.decision.payment_drafted", node=decision.node, target=decision,
              after={"fund": fund.pk, "account": account.pk, "vouchers": len(vouchers), "total": total, "date": date.isoformat()})
    return vouchers


@transaction.atomic
def decision_approve_payments(*, actor, decision: Decision) -> int:
    """Approve, as the fund's approver, every drafted voucher of the decision (all or none)."""
    from khuyenhoc.fund.services import voucher_approve

    decision = Decision.objects.select_for_update().select_related("node").get(pk=decision.pk)
    require(actor, decision.node, Cap.FUND_APPROVE, _("You do not hold the approving role for the funds of %(unit)s.") % {"unit": decision.node.name})
    drafts = [v for v in selectors.payment_state(decision)["vouchers"] if v.is_draft]
    if not drafts:
        raise ValidationError(_("No payment of decision %(code)s is waiting for approval.") % {"code": decision.code})
    for voucher in drafts:
        voucher_approve(actor=actor, voucher=voucher)
    return len(drafts)
