"""Writes to funds. Each service runs in one transaction and writes its audit row in it.

Posting (`voucher_approve`) locks the fund rows involved, in id order, then the
voucher's sequence row: two people posting at the same moment queue on the lock, so
numbers stay gapless and the balance check sees every earlier posting. On SQLite the
IMMEDIATE transaction mode already serialises writers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap, has_cap, roles_with
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.dates import format_date
from khuyenhoc.core.money import format_vnd
from khuyenhoc.core.text import nfc
from khuyenhoc.organizations.models import Node

from . import posting, selectors
from .models import (
    PAYMENT_PARTIES,
    RECEIPT_PARTIES,
    AccountKind,
    Disclosure,
    EntryKind,
    Fund,
    FundAccount,
    FundKind,
    FundStatus,
    FundYearLock,
    LedgerEntry,
    PartyKind,
    Purpose,
    Voucher,
    VoucherKind,
    VoucherStatus,
)

MAX_AMOUNT = 10**15  # a thousand trillion đồng: anything above is a typing error


def _snapshot(v: Voucher) -> dict:
    return {
        "code": v.code,
        "fund": v.fund_id,
        "kind": v.kind,
        "status": v.status,
        "date": v.date.isoformat(),
        "account": v.account_id,
        "amount": v.amount,
        "party_kind": v.party_kind,
        "party_name": v.party_name,
        "purpose": v.purpose,
        "reason": v.reason,
        "reverses": v.reverses_id,
    }


def _check_amount(amount, field: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError({field: _("The amount must be a whole number of đồng.")})
    if amount <= 0:
        raise ValidationError({field: _("The amount must be greater than 0 đồng.")})
    if amount >= MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    return amount


def _closed_year(unit_name: str, year: int, field: str = "date") -> ValidationError:
    return ValidationError({field: _("The year %(year)s is closed at %(unit)s: nothing more can be posted into it.") % {"year": year, "unit": unit_name}})


def _check_year_open(node: Node, date: dt.date, field: str = "date") -> None:
    if selectors.is_year_closed(node, date.year):
        raise _closed_year(node.name, date.year, field)


def _require(actor, node: Node, cap: Cap, message: str) -> None:
    if actor is None or not has_cap(actor, node, cap):
        raise ValidationError(message)


def _insufficient(account: FundAccount, balance: int, amount: int) -> ValidationError:
    return ValidationError(
        {
            "amount": _("The balance of %(account)s in %(fund)s is %(balance)s, not enough to pay %(amount)s.")
            % {
                "account": account.name,
                "fund": account.fund.name,
                "balance": format_vnd(balance),
                "amount": format_vnd(amount),
            }
        }
    )


# --- funds and accounts ------------------------------------------------------------


def _append_entries(fund: Fund, rows: list[dict]) -> None:
    """Append rows to the fund's chain. The caller holds the lock on the fund row."""
    posting.append_entries(
        fund,
        [
            {
                **row,
                "account_id": row["account_id"] if "account_id" in row else row["account"].pk,
                "counter_node_id": row["counter_node"].pk if row.get("counter_node") else None,
            }
            for row in rows
        ],
        timezone.now(),
    )


def _lock_funds(*fund_ids: int) -> dict[int, Fund]:
    return posting.lock_funds(fund_ids)


@transaction.atomic
def fund_create(
    *,
    actor,
    node: Node,
    name: str,
    opened_on: dt.date,
    kind: str = FundKind.GENERAL,
    cash_opening: int = 0,
    bank_accounts: list[dict] | None = None,
) -> Fund:
    """A fund with a cash account, an in-kind account and any bank accounts.

    Each bank account is a dict {"name", "bank_name", "account_number", "opening"}.
    Opening balances become the first rows of the fund's ledger, dated `opened_on`.
    """
    _require(actor, node, Cap.FUND_APPROVE, _("You may not create funds at this unit."))
    name = nfc(name)
    if not name:
        raise ValidationError({"name": _("Give the fund a name.")})
    if not node.is_active:
        raise ValidationError(_("The unit is closed."))
    if Fund.objects.filter(node=node, name=name).exists():
        raise ValidationError({"name": _("This unit already has a fund named %(name)s.") % {"name": name}})
    if kind not in FundKind.values:
        raise ValidationError({"kind": _("Unknown kind of fund.")})
    fund = Fund.objects.create(node=node, name=name, kind=kind, opened_on=opened_on)
    cash = FundAccount.objects.create(fund=fund, kind=AccountKind.CASH, name=_("Cash"))
    FundAccount.objects.create(fund=fund, kind=AccountKind.IN_KIND, name=_("Gifts in kind"))
    openings = []
    if cash_opening:
        openings.append((cash, _check_amount(cash_opening, "cash_opening")))
    for b in bank_accounts or []:
        acc = FundAccount.objects.create(
            fund=fund,
            kind=AccountKind.BANK,
            name=nfc(b.get("name")) or _("Bank account"),
            bank_name=nfc(b.get("bank_name")),
            account_number=nfc(b.get("account_number")),
        )
        if b.get("opening"):
            openings.append((acc, _check_amount(b["opening"], "bank_opening")))
    _append_entries(fund, [{"account": a, "amount": amt, "kind": EntryKind.OPENING, "date": opened_on} for a, amt in openings])
    audit_log(
        actor=actor,
        action="fund.fund.created",
        node=node,
        target=fund,
        after={"name": name, "kind": kind, "opened_on": opened_on.isoformat(), "openings": {a.name: amt for a, amt in openings}},
    )
    return fund


@transaction.atomic
def account_add(
    *,
    actor,
    fund: Fund,
    name: str,
    bank_name: str = "",
    account_number: str = "",
    opening: int = 0,
    opening_date: dt.date | None = None,
) -> FundAccount:
    """A further bank account; its opening balance is a ledger row like the fund's own."""
    fund = _lock_funds(fund.pk)[fund.pk]
    _require(actor, fund.node, Cap.FUND_APPROVE, _("You may not change this fund."))
    account = FundAccount.objects.create(
        fund=fund, kind=AccountKind.BANK, name=nfc(name) or _("Bank account"), bank_name=nfc(bank_name), account_number=nfc(account_number)
    )
    if opening:
        _check_amount(opening, "opening")
        date = opening_date or timezone.localdate()
        _check_year_open(fund.node, date, "opening_date")
        _append_entries(fund, [{"account": account, "amount": opening, "kind": EntryKind.OPENING, "date": date}])
    audit_log(
        actor=actor,
        action="fund.account.added",
        node=fund.node,
        target=account,
        after={"name": account.name, "bank": account.bank_name, "number": account.account_number, "opening": opening},
    )
    return account


# --- vouchers ---------------------------------------------------------------------


def _clean_voucher(
    *, fund: Fund, kind: str, date: dt.date, account: FundAccount, amount, party_kind: str, party_name: str, purpose: str, in_kind_description: str
) -> None:
    errors: dict[str, str] = {}
    if kind not in VoucherKind.values:
        errors["kind"] = _("Unknown kind of voucher.")
    if not fund.is_active or not fund.node.is_active:
        raise ValidationError(_("This fund is closed."))
    try:
        _check_amount(amount)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if account.fund_id != fund.pk:
        errors["account"] = _("This account does not belong to the fund.")
    if date > timezone.localdate():
        errors["date"] = _("The voucher date cannot be later than today.")
    elif date < fund.opened_on:
        errors["date"] = _("The voucher date cannot be earlier than the fund's opening date (%(date)s).") % {"date": format_date(fund.opened_on)}
    allowed = RECEIPT_PARTIES if kind == VoucherKind.RECEIPT else PAYMENT_PARTIES
    if party_kind not in allowed:
        errors["party_kind"] = _("Choose who paid in or who is paid.")
    elif party_kind not in (PartyKind.ANONYMOUS, PartyKind.BANK) and not nfc(party_name):
        errors["party_name"] = _("Give the name of the payer or payee.")
    if kind == VoucherKind.PAYMENT:
        if purpose not in Purpose.values:
            errors["purpose"] = _("Choose what the payment is for.")
        elif purpose == Purpose.TRANSFER:
            errors["purpose"] = _("Transfers to another association's fund are made with the transfer form.")
    elif purpose:
        errors["purpose"] = _("A receipt has no purpose; choose the source instead.")
    if account.kind == AccountKind.IN_KIND and not nfc(in_kind_description):
        errors["in_kind_description"] = _("Describe the gift in kind (e.g. 20 bicycles).")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def voucher_draft(
    *,
    actor,
    fund: Fund,
    kind: str,
    date: dt.date,
    account: FundAccount,
    amount: int,
    party_kind: str,
    party_name: str = "",
    party_address: str = "",
    party_public: bool = False,
    purpose: str = "",
    reason: str,
    in_kind_description: str = "",
    attachments: int = 0,
    idempotency_key: str = "",
    external_ref: str = "",
) -> Voucher:
    """Draft a receipt or payment. It changes no balance until another person approves it."""
    _require(actor, fund.node, Cap.FUND_DRAFT, _("You may not draft vouchers for this fund."))
    _clean_voucher(
        fund=fund, kind=kind, date=date, account=account, amount=amount, party_kind=party_kind,
        party_name=party_name, purpose=purpose, in_kind_description=in_kind_description,
    )
    if not nfc(reason):
        raise ValidationError({"reason": _("Give the reason for the receipt or payment.")})
    _check_year_open(fund.node, date)
    if kind == VoucherKind.PAYMENT:
        balance = selectors.account_balance(account)
        if amount > balance:
            raise _insufficient(account, balance, amount)
    voucher = Voucher.objects.create(
        fund=fund,
        node=fund.node,
        kind=kind,
        year=date.year,
        date=date,
        account=account,
        amount=amount,
        party_kind=party_kind,
        party_name=nfc(party_name) if party_kind != PartyKind.ANONYMOUS else "",
        party_address=nfc(party_address),
        party_public=bool(party_public) and party_kind != PartyKind.ANONYMOUS,
        purpose=purpose if kind == VoucherKind.PAYMENT else "",
        reason=nfc(reason),
        in_kind_description=nfc(in_kind_description),
        attachments=attachments or 0,
        idempotency_key=idempotency_key,
        external_ref=external_ref,
        created_by=actor,
    )
    audit_log(actor=actor, action="fund.voucher.drafted", node=fund.node, target=voucher, after=_snapshot(voucher))
    return voucher


def _related_transfer_nodes(a: Node, b: Node) -> bool:
    return a.path.startswith(b.path) or b.path.startswith(a.path)


@transaction.atomic
def transfer_draft(
    *,
    actor,
    from_account: FundAccount,
    to_account: FundAccount,
    amount: int,
    date: dt.date,
    reason: str,
) -> tuple[Voucher, Voucher]:
    """A transfer up or down the tree: a payment in one fund and a receipt in the other,
    drafted together, approved together, posted together — so both books stay in balance."""
    src, dst = from_account.fund, to_account.fund
    _require(actor, src.node, Cap.FUND_DRAFT, _("You may not draft vouchers for this fund."))
    if src.pk == dst.pk:
        raise ValidationError({"to_account": _("Choose another fund to transfer to.")})
    if not _related_transfer_nodes(src.node, dst.node):
        raise ValidationError({"to_account": _("Money can only be transferred up or down the tree, to a unit above or below this one.")})
    if from_account.kind == AccountKind.IN_KIND or to_account.kind == AccountKind.IN_KIND:
        raise ValidationError({"to_account": _("Transfers move cash or bank money, not gifts in kind.")})
    if not dst.is_active or not dst.node.is_active:
        raise ValidationError({"to_account": _("The receiving fund is closed.")})
    _check_amount(amount)
    if not nfc(reason):
        raise ValidationError({"reason": _("Give the reason for the receipt or payment.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The voucher date cannot be later than today.")})
    _check_year_open(src.node, date)
    _check_year_open(dst.node, date)
    balance = selectors.account_balance(from_account)
    if amount > balance:
        raise _insufficient(from_account, balance, amount)
    common = {"year": date.year, "date": date, "amount": amount, "party_kind": PartyKind.ASSOCIATION, "reason": nfc(reason), "created_by": actor}
    payment = Voucher.objects.create(
        fund=src, node=src.node, kind=VoucherKind.PAYMENT, account=from_account, purpose=Purpose.TRANSFER,
        party_name=f"{dst.node.name} — {dst.name}", **common,
    )
    receipt = Voucher.objects.create(
        fund=dst, node=dst.node, kind=VoucherKind.RECEIPT, account=to_account,
        party_name=f"{src.node.name} — {src.name}", transfer_pair=payment, **common,
    )
    payment.transfer_pair = receipt
    payment.save(update_fields=["transfer_pair"])
    audit_log(actor=actor, action="fund.transfer.drafted", node=src.node, target=payment, after={**_snapshot(payment), "pair": receipt.pk})
    audit_log(actor=actor, action="fund.transfer.drafted", node=dst.node, target=receipt, after={**_snapshot(receipt), "pair": payment.pk})
    return payment, receipt


def _group(voucher: Voucher) -> list[Voucher]:
    return [voucher] + ([voucher.transfer_pair] if voucher.transfer_pair_id else [])


def voucher_approve(*, actor, voucher: Voucher) -> Voucher:
    """Approve a draft made by someone else and post it (with the other side of a transfer).

    Posting gives the next gapless number per fund, kind and year and appends the
    ledger entry to the fund's hash chain.
    """
    if actor is not None and getattr(actor, "is_authenticated", False) and posting.fast_approval_available():
        posted = _approve_one_fast(actor, voucher)
        if posted is not None:
            return posted
    return vouchers_approve(actor=actor, vouchers=[voucher])[0]


def _approve_one_fast(actor, voucher: Voucher) -> Voucher | None:
    """PostgreSQL: the same approval in one database call (`posting.approve_one`), with the
    same refusals and messages; None when the voucher needs the general path (a transfer or
    a reversal)."""
    problem, info, v = posting.approve_one(
        voucher.pk, actor_id=actor.pk, roles=roles_with(Cap.FUND_APPROVE), now=timezone.now(),
        draft_code=_("Draft %(id)s") % {"id": voucher.pk},
    )  # fmt: skip
    if problem is None:
        return v
    if problem == "general":
        return None
    if problem == "missing":
        raise ValidationError(_("A voucher to approve no longer exists."))
    if problem == "not_draft":
        raise ValidationError(_("Voucher %(code)s is not a draft: it has already been posted or rejected.") % {"code": v.code})
    if problem == "own":
        raise ValidationError(_("You cannot approve a voucher you drafted yourself: another person must approve it."))
    if problem == "role":
        raise ValidationError(_("You do not hold the approving role for %(fund)s.") % {"fund": info})
    if problem == "closed":
        raise _closed_year(info, v.date.year)
    if problem == "balance":
        raise _insufficient(FundAccount.objects.select_related("fund").get(pk=v.account_id), int(info), v.amount)
    raise ValueError(f"fund_approve_one: unknown answer {problem!r}")


@transaction.atomic
def vouchers_approve(*, actor, vouchers: list[Voucher]) -> list[Voucher]:
    """Approve and post several drafts at once — all of them, or none if one is refused.

    The other side of each transfer is posted with it. The vouchers are locked, then their
    fund rows in id order; numbers are reserved per fund, kind and year in that order too.
    The statements are in `posting` (plain SQL: this is the path that must be fast).
    """
    ids = list(dict.fromkeys(v.pk for v in vouchers))
    if not ids:
        return []
    if actor is None:
        raise ValidationError(_("You cannot approve a voucher you drafted yourself: another person must approve it."))
    # Vouchers first (with the other side of each transfer), then their funds in id order:
    # every approval takes locks in that order, so two approvals never wait on each other in a ring.
    group = posting.lock_vouchers(ids)
    by_id = {v.pk: v for v in group}
    if any(pk not in by_id for pk in ids):
        raise ValidationError(_("A voucher to approve no longer exists."))
    funds = posting.lock_funds({v.fund_id for v in group}, approver_id=actor.pk or 0, roles=roles_with(Cap.FUND_APPROVE))
    for v in group:
        v.fund = funds[v.fund_id]
    for v in group:
        if v.status != VoucherStatus.DRAFT:
            raise ValidationError(_("Voucher %(code)s is not a draft: it has already been posted or rejected.") % {"code": v.code})
    for pk in ids:
        v = by_id[pk]
        if actor.pk == v.created_by_id:
            raise ValidationError(_("You cannot approve a voucher you drafted yourself: another person must approve it."))
        pair = by_id.get(v.transfer_pair_id) if v.transfer_pair_id else None
        # The person who lets money leave a fund must hold the approving role there.
        guarded = [x for x in (v, pair) if x is not None and (x.signed_amount < 0 or pair is None)]
        for x in guarded:
            if not x.fund.may_approve:
                raise ValidationError(_("You do not hold the approving role for %(fund)s.") % {"fund": x.fund.name})
    # Closed years, in one query for the whole batch.
    closed = posting.closed_years({p for v in group for p in v.fund.node.ancestor_paths()}, {v.date.year for v in group})
    if closed:
        for v in group:
            if any((p, v.date.year) in closed for p in v.fund.node.ancestor_paths()):
                _check_year_open(v.fund.node, v.date)
    reversed_ids = [v.reverses_id for v in group if v.reverses_id]
    if reversed_ids and Voucher.objects.filter(pk__in=reversed_ids).exclude(status=VoucherStatus.POSTED).exists():
        raise ValidationError(_("Only a posted voucher can be reversed."))
    # Balances: what each account holds now, then every outgoing voucher in posting order.
    if any(v.signed_amount < 0 for v in group):
        balances = posting.account_balances(v.account_id for v in group if v.signed_amount < 0)
        for v in sorted(group, key=lambda v: (v.fund_id, v.kind, v.pk)):
            left = balances.get(v.account_id, 0) + v.signed_amount
            if v.signed_amount < 0 and left < 0:
                raise _insufficient(FundAccount.objects.select_related("fund").get(pk=v.account_id), balances.get(v.account_id, 0), v.amount)
            balances[v.account_id] = left
    now = timezone.now()
    ordered = sorted(group, key=lambda v: (v.fund_id, v.kind, v.date.year, v.pk))
    befores = {v.pk: _snapshot(v) for v in ordered}
    counts: dict[tuple[int, str, int], int] = {}
    for v in ordered:
        key = (v.fund_id, v.kind, v.date.year)
        counts[key] = counts.get(key, 0) + 1
    numbers, heads = posting.reserve(counts)
    taken = {key: iter(r) for key, r in numbers.items()}
    for v in ordered:
        v.status = VoucherStatus.POSTED
        v.year = v.date.year
        v.number = next(taken[(v.fund_id, v.kind, v.year)])
        v.node = v.fund.node
        v.approved_by = actor
        v.posted_at = now
        v._loaded_status = VoucherStatus.POSTED
    entries = [
        (
            funds[fund_id],
            [
                {
                    "account_id": v.account_id,
                    "amount": v.signed_amount,
                    "kind": EntryKind.RECEIPT if v.kind == VoucherKind.RECEIPT else EntryKind.PAYMENT,
                    "party_kind": v.party_kind,
                    "purpose": v.purpose,
                    "voucher_code": v.code,
                    "voucher_id": v.pk,
                    "date": v.date,
                    "counter_node_id": by_id[v.transfer_pair_id].fund.node_id if v.transfer_pair_id else None,
                }
                for v in ordered
                if v.fund_id == fund_id
            ],
            heads[fund_id],
        )
        for fund_id in dict.fromkeys(v.fund_id for v in ordered)
    ]
    audit = ("fund.voucher.posted", [(v.fund.node, v, befores[v.pk], _snapshot(v)) for v in ordered])
    written = posting.write_posting(
        ordered, actor_id=actor.pk, now=now, posted=VoucherStatus.POSTED, draft=VoucherStatus.DRAFT, entries=entries, audit=audit
    )
    if written != len(ordered):
        raise ValidationError(_("A voucher to approve is no longer a draft."))
    return [by_id[pk] for pk in ids]


@transaction.atomic
def voucher_reject(*, actor, voucher: Voucher, reason: str = "") -> Voucher:
    """Refuse a draft (an approver), or withdraw it (the person who drafted it)."""
    group = list(Voucher.objects.select_for_update(of=("self",)).select_related("fund__node").filter(pk__in=[v.pk for v in _group(voucher)]).order_by("pk"))
    main = next(v for v in group if v.pk == voucher.pk)
    if main.status != VoucherStatus.DRAFT:
        raise ValidationError(_("Voucher %(code)s is not a draft: it has already been posted or rejected.") % {"code": main.code})
    if actor is None or (actor.pk != main.created_by_id and not has_cap(actor, main.fund.node, Cap.FUND_APPROVE)):
        raise ValidationError(_("Only an approver or the person who drafted it can reject a draft."))
    for v in group:
        before = _snapshot(v)
        v.status = VoucherStatus.REJECTED
        v.reject_reason = nfc(reason)[:255]
        v.save(update_fields=["status", "reject_reason"])
        audit_log(actor=actor, action="fund.voucher.rejected", node=v.fund.node, target=v, before=before, after=_snapshot(v))
    return main


@transaction.atomic
def voucher_reverse(*, actor, voucher: Voucher, reason: str, date: dt.date | None = None) -> Voucher:
    """Draft the voucher that corrects a posted one by undoing it; it is approved like any other."""
    original = Voucher.objects.select_for_update(of=("self",)).select_related("fund__node").get(pk=voucher.pk)
    _require(actor, original.fund.node, Cap.FUND_DRAFT, _("You may not draft vouchers for this fund."))
    if original.status != VoucherStatus.POSTED:
        raise ValidationError(_("Only a posted voucher can be reversed."))
    if original.reverses_id:
        raise ValidationError(_("%(code)s is itself a reversal; a reversal cannot be reversed. Draft a new voucher instead.") % {"code": original.code})
    if original.reversals.exclude(status=VoucherStatus.REJECTED).exists():
        raise ValidationError(_("%(code)s has already been reversed.") % {"code": original.code})
    if not nfc(reason):
        raise ValidationError({"reason": _("Give the reason for the reversal.")})
    date = date or timezone.localdate()
    if date < original.date:
        raise ValidationError({"date": _("A reversal cannot be dated before the voucher it reverses.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The voucher date cannot be later than today.")})
    originals = [original]
    if original.transfer_pair_id:
        originals.append(Voucher.objects.select_for_update(of=("self",)).select_related("fund__node").get(pk=original.transfer_pair_id))
    created = []
    for o in originals:
        _check_year_open(o.fund.node, date)
        created.append(
            Voucher.objects.create(
                fund=o.fund, node=o.fund.node, kind=o.kind, year=date.year, date=date, account=o.account, amount=o.amount,
                party_kind=o.party_kind, party_name=o.party_name, party_address=o.party_address, party_public=o.party_public,
                purpose=o.purpose, in_kind_description=o.in_kind_description,
                reason=_("Reversal of %(code)s: %(reason)s") % {"code": o.code, "reason": nfc(reason)},
                reverses=o, created_by=actor,
            )
        )
    if len(created) == 2:
        created[0].transfer_pair = created[1]
        created[1].transfer_pair = created[0]
        created[0].save(update_fields=["transfer_pair"])
        created[1].save(update_fields=["transfer_pair"])
    for v in created:
        audit_log(actor=actor, action="fund.voucher.reversal_drafted", node=v.fund.node, target=v, after=_snapshot(v))
    return created[0]


@transaction.atomic
def payment_for_award(
    *,
    actor,
    fund: Fund,
    account: FundAccount,
    amount: int,
    payee_name: str,
    date: dt.date,
    reason: str,
    idempotency_key: str,
    payee_kind: str = PartyKind.STUDENT,
    payee_address: str = "",
    external_ref: str = "",
) -> Voucher:
    """The draft payment of one award (for the awards area). The same key never pays twice:
    calling again returns the existing voucher, whatever its state, unless it was rejected."""
    if not idempotency_key:
        raise ValidationError(_("An award payment needs an idempotency key."))
    existing = Voucher.objects.filter(idempotency_key=idempotency_key).exclude(status=VoucherStatus.REJECTED).first()
    if existing is not None:
        if existing.amount != amount or existing.fund_id != fund.pk:
            raise ValidationError(
                _("This award has already been paid with voucher %(code)s of %(amount)s.") % {"code": existing.code, "amount": format_vnd(existing.amount)}
            )
        return existing
    try:
        with transaction.atomic():
            return voucher_draft(
                actor=actor, fund=fund, kind=VoucherKind.PAYMENT, date=date, account=account, amount=amount,
                party_kind=payee_kind, party_name=payee_name, party_address=payee_address, purpose=Purpose.AWARD,
                reason=reason, idempotency_key=idempotency_key, external_ref=external_ref,
            )
    except IntegrityError:
        # Someone drafted the same award a moment ago.
        return Voucher.objects.filter(idempotency_key=idempotency_key).exclude(status=VoucherStatus.REJECTED).get()


# --- years and disclosures -----------------------------------------------------------------


@transaction.atomic
def year_lock(*, actor, node: Node, year: int) -> FundYearLock:
    """Close `year` for posting at `node` and below (until the reports area owns year close)."""
    _require(actor, node, Cap.REPORTS_CLOSE, _("You may not close a year at this unit."))
    lock, created = FundYearLock.objects.get_or_create(node=node, year=year, defaults={"locked_by": actor})
    if created:
        audit_log(actor=actor, action="fund.year.locked", node=node, target=lock, after={"year": year})
    return lock


def figures_digest(figures: dict) -> str:
    text = json.dumps(figures, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def disclosure_publish(
    *,
    actor,
    fund: Fund,
    period_start: dt.date,
    period_end: dt.date,
    title: str = "",
    corrects: Disclosure | None = None,
    correction_note: str = "",
) -> Disclosure:
    """Publish the fund's statement for a period, frozen as it stands now, for the public page."""
    fund = _lock_funds(fund.pk)[fund.pk]
    _require(actor, fund.node, Cap.FUND_APPROVE, _("Only the treasurer or an administrator may publish the fund's statement."))
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    if period_end > timezone.localdate():
        raise ValidationError({"period_end": _("The period cannot end after today.")})
    if corrects is not None:
        if corrects.fund_id != fund.pk:
            raise ValidationError({"corrects": _("A correction must be for the same fund.")})
        if not nfc(correction_note):
            raise ValidationError({"correction_note": _("Say what this statement corrects.")})
    last = LedgerEntry.objects.filter(fund=fund).order_by("-seq").values_list("seq", "hash").first()
    if last is None:
        raise ValidationError(_("The fund has nothing posted yet."))
    figures = selectors.disclosure_figures(fund, period_start, period_end, upto_seq=last[0])
    title = nfc(title) or _("Receipts and payments of %(fund)s, %(start)s – %(end)s") % {
        "fund": fund.name, "start": format_date(period_start), "end": format_date(period_end)
    }
    disclosure = Disclosure.objects.create(
        fund=fund,
        node=fund.node,
        token=secrets.token_hex(8),
        title=title,
        period_start=period_start,
        period_end=period_end,
        corrects=corrects,
        correction_note=nfc(correction_note),
        closing_seq=last[0],
        closing_hash=last[1],
        figures=figures,
        figures_hash=figures_digest(figures),
        published_by=actor,
        published_at=timezone.now(),
    )
    audit_log(
        actor=actor,
        action="fund.disclosure.published",
        node=fund.node,
        target=disclosure,
        after={"title": title, "closing_seq": last[0], "closing_hash": last[1], "receipts": figures["receipts"], "payments": figures["payments"]},
    )
    return disclosure


# --- reorganisation hooks ---------------------------------------------------------------------


def close_check(node: Node) -> str | None:
    """A unit cannot close while one of its funds still holds money."""
    funds = list(Fund.objects.filter(node=node, status=FundStatus.ACTIVE))
    if not funds:
        return None
    balances = selectors.balances_by_fund(funds)
    left = [(f, balances.get(f.pk, 0)) for f in funds if balances.get(f.pk, 0)]
    if not left:
        return None
    return _("Money is left in its funds: %(funds)s. Transfer it or merge the unit instead.") % {
        "funds": "; ".join(f"{f.name} {format_vnd(b)}" for f, b in left)
    }


def move_funds(old: Node, new: Node, effective: dt.date) -> int:
    """On a merge the funds follow the successor; what was posted stays on the old unit's books."""
    funds = list(Fund.objects.filter(node=old))
    for f in funds:
        if Fund.objects.filter(node=new, name=f.name).exists():
            f.name = f"{f.name} ({old.name})"
        f.node = new
        f.save(update_fields=["node", "name"])
        audit_log(actor=None, action="fund.fund.moved", node=new, target=f, before={"node": old.pk}, after={"node": new.pk, "effective": effective.isoformat()})
    Voucher.objects.filter(node=old, status=VoucherStatus.DRAFT).update(node=new)
    return len(funds)
