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
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap, granted_paths, has_cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.dates import format_date
from khuyenhoc.core.models import AuditEvent
from khuyenhoc.core.money import format_vnd
from khuyenhoc.core.text import nfc
from khuyenhoc.organizations.models import Node

from . import selectors
from .ledger import CANONICAL_FIELDS, GENESIS, entry_hash
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
    VoucherSequence,
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


def _check_year_open(node: Node, date: dt.date, field: str = "date") -> None:
    if selectors.is_year_closed(node, date.year):
        raise ValidationError(
            {field: _("The year %(year)s is closed at %(unit)s: nothing more can be posted into it.") % {"year": date.year, "unit": node.name}}
        )


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


def _append_entries(fund: Fund, rows: list[dict]) -> list[LedgerEntry]:
    """Append rows to the fund's chain. The caller holds the lock on the fund row."""
    last = LedgerEntry.objects.filter(fund=fund).order_by("-seq").values_list("seq", "hash").first()
    seq, prev = last if last else (0, GENESIS)
    now = timezone.now()
    out = []
    for row in rows:
        seq += 1
        account_id = row["account_id"] if "account_id" in row else row["account"].pk
        fields = {
            "fund_id": fund.pk,
            "seq": seq,
            "date": row["date"],
            "account_id": account_id,
            "amount": row["amount"],
            "kind": row["kind"],
            "party_kind": row.get("party_kind", ""),
            "purpose": row.get("purpose", ""),
            "voucher_code": row.get("voucher_code", ""),
            "node_id": fund.node_id,
            "counter_node_id": row["counter_node"].pk if row.get("counter_node") else None,
            "prev_hash": prev,
        }
        digest = entry_hash(**{k: fields[k] for k in CANONICAL_FIELDS})
        out.append(
            LedgerEntry(
                fund=fund,
                seq=seq,
                account_id=account_id,
                node_id=fund.node_id,
                voucher=row.get("voucher"),
                voucher_code=fields["voucher_code"],
                date=row["date"],
                amount=row["amount"],
                kind=row["kind"],
                party_kind=fields["party_kind"],
                purpose=fields["purpose"],
                counter_node=row.get("counter_node"),
                posted_at=now,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    if len(out) == 1:
        out[0].save(force_insert=True)
    elif out:
        LedgerEntry.objects.bulk_create(out)
    return out


def _lock_funds(*fund_ids: int) -> dict[int, Fund]:
    # of=("self",): lock the fund rows only, not the joined unit rows other areas update.
    qs = Fund.objects.select_for_update(of=("self",)).select_related("node").filter(pk__in=sorted(set(fund_ids))).order_by("pk")
    return {f.pk: f for f in qs}


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
    return vouchers_approve(actor=actor, vouchers=[voucher])[0]


_SEQ = VoucherSequence._meta.db_table
# One statement creates or advances the row and returns the new last number (PostgreSQL,
# and SQLite >= 3.35). Its row lock is held until commit, like select_for_update's.
_SEQUENCE_UPSERT = f"""
    INSERT INTO {_SEQ} (fund_id, kind, year, last_number) VALUES (%s, %s, %s, %s)
    ON CONFLICT (fund_id, kind, year) DO UPDATE SET last_number = {_SEQ}.last_number + excluded.last_number
    RETURNING last_number
"""  # noqa: S608 - the table name comes from the model


def _take_numbers(fund_id: int, kind: str, year: int, count: int) -> range:
    """Reserve `count` consecutive numbers. The upsert locks the sequence row until commit,
    so a number is never given twice and, the transaction being all or nothing, never skipped."""
    with connection.cursor() as cur:
        cur.execute(_SEQUENCE_UPSERT, [fund_id, kind, year, count])
        last = cur.fetchone()[0]
    return range(last - count + 1, last + 1)


def _audit_many(actor, action: str, items: list[tuple[Node, object, dict | None, dict | None]]) -> None:
    """The audit rows of a batch; one row per voucher, exactly as `audit_log` writes it."""
    if len(items) == 1:
        node, target, before, after = items[0]
        audit_log(actor=actor, action=action, node=node, target=target, before=before, after=after)
        return
    who = actor if getattr(actor, "is_authenticated", False) else None
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(actor=who, node_id=node.pk, node_path=node.path, action=action, target_type=target._meta.label_lower,
                       target_id=str(target.pk), before=before, after=after)
            for node, target, before, after in items
        ]
    )


def _mark_posted(vouchers: list[Voucher], actor, now) -> None:
    """One UPDATE for a batch (Django's bulk_update builds a CASE per row and field, which
    costs more than the posting itself). Only drafts match; the count proves it."""
    table = Voucher._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(vouchers))
    sql = (
        f"UPDATE {table} SET status = %s, approved_by_id = %s, posted_at = %s, "  # noqa: S608 - names from the model
        f"number = (SELECT n FROM p WHERE p.vid = {table}.id), year = (SELECT y FROM p WHERE p.vid = {table}.id), "
        f"node_id = (SELECT nid FROM p WHERE p.vid = {table}.id) "
        f"WHERE id IN (SELECT vid FROM p) AND status = %s"
    )
    cols = "CAST(column1 AS BIGINT) AS vid, CAST(column2 AS INTEGER) AS n, CAST(column3 AS INTEGER) AS y, CAST(column4 AS BIGINT) AS nid"
    cte = f"WITH p AS (SELECT {cols} FROM (VALUES {values}) AS t) "  # noqa: S608 - placeholders only
    params = [x for v in vouchers for x in (v.pk, v.number, v.year, v.fund.node_id)]
    with connection.cursor() as cur:
        posted_at = connection.ops.adapt_datetimefield_value(now)
        cur.execute(cte + sql, [*params, VoucherStatus.POSTED, actor.pk, posted_at, VoucherStatus.DRAFT])
        updated = cur.rowcount
    if updated < 0:  # sqlite3 reports no count for a statement that starts with WITH
        updated = Voucher.objects.filter(pk__in=[v.pk for v in vouchers], status=VoucherStatus.POSTED, posted_at=now).count()
    if updated != len(vouchers):
        raise ValidationError(_("A voucher to approve is no longer a draft."))


@transaction.atomic
def vouchers_approve(*, actor, vouchers: list[Voucher]) -> list[Voucher]:
    """Approve and post several drafts at once — all of them, or none if one is refused.

    The other side of each transfer is posted with it. The vouchers are locked, then their
    fund rows in id order; numbers are reserved per fund, kind and year in that order too.
    """
    ids = list(dict.fromkeys(v.pk for v in vouchers))
    if not ids:
        return []
    # Vouchers first (with the other side of each transfer), then their funds in id order:
    # every approval takes locks in that order, so two approvals never wait on each other in a ring.
    group = list(Voucher.objects.select_for_update().filter(Q(pk__in=ids) | Q(transfer_pair_id__in=ids)).order_by("pk"))
    by_id = {v.pk: v for v in group}
    if any(pk not in by_id for pk in ids):
        raise ValidationError(_("A voucher to approve no longer exists."))
    funds = _lock_funds(*{v.fund_id for v in group})
    for v in group:
        v.fund = funds[v.fund_id]
    if actor is None:
        raise ValidationError(_("You cannot approve a voucher you drafted yourself: another person must approve it."))
    approving = granted_paths(actor, Cap.FUND_APPROVE)
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
            if not any(x.fund.node.path.startswith(p) for p in approving):
                raise ValidationError(_("You do not hold the approving role for %(fund)s.") % {"fund": x.fund.name})
    # Closed years, in one query for the whole batch.
    years = {v.date.year for v in group}
    paths = {p for v in group for p in v.fund.node.ancestor_paths()}
    closed = set(FundYearLock.objects.filter(year__in=years, node__path__in=paths).values_list("node__path", "year"))
    from khuyenhoc.reports.models import (
        YearClose,  # the association's year close freezes its money too
    )

    closed |= set(YearClose.objects.filter(year__in=years, node__path__in=paths).values_list("node__path", "year"))
    for v in group:
        for p in v.fund.node.ancestor_paths():
            if (p, v.date.year) in closed:
                _check_year_open(v.fund.node, v.date)
    reversed_ids = [v.reverses_id for v in group if v.reverses_id]
    if reversed_ids and Voucher.objects.filter(pk__in=reversed_ids).exclude(status=VoucherStatus.POSTED).exists():
        raise ValidationError(_("Only a posted voucher can be reversed."))
    # Balances: what each account holds now, then every outgoing voucher in posting order.
    outgoing = [v for v in group if v.signed_amount < 0]
    if outgoing:
        balances = dict(
            LedgerEntry.objects.filter(account_id__in={v.account_id for v in outgoing}).values("account").annotate(s=Sum("amount")).values_list("account", "s")
        )
        for v in sorted(group, key=lambda v: (v.fund_id, v.kind, v.pk)):
            left = (balances.get(v.account_id) or 0) + v.signed_amount
            if v.signed_amount < 0 and left < 0:
                raise _insufficient(FundAccount.objects.select_related("fund").get(pk=v.account_id), balances.get(v.account_id) or 0, v.amount)
            balances[v.account_id] = left
    now = timezone.now()
    ordered = sorted(group, key=lambda v: (v.fund_id, v.kind, v.date.year, v.pk))
    befores = {v.pk: _snapshot(v) for v in ordered}
    numbers: dict[tuple[int, str, int], list[int]] = {}
    for key in dict.fromkeys((v.fund_id, v.kind, v.date.year) for v in ordered):
        count = sum(1 for v in ordered if (v.fund_id, v.kind, v.date.year) == key)
        numbers[key] = list(_take_numbers(*key, count))
    for v in ordered:
        v.status = VoucherStatus.POSTED
        v.year = v.date.year
        v.number = numbers[(v.fund_id, v.kind, v.year)].pop(0)
        v.node = v.fund.node
        v.approved_by = actor
        v.posted_at = now
    if len(ordered) == 1:
        ordered[0].save(update_fields=["status", "year", "number", "node", "approved_by", "posted_at"])
    else:
        _mark_posted(ordered, actor, now)
    for v in ordered:
        v._loaded_status = VoucherStatus.POSTED
    for fund_id in dict.fromkeys(v.fund_id for v in ordered):
        _append_entries(
            funds[fund_id],
            [
                {
                    "account_id": v.account_id,
                    "amount": v.signed_amount,
                    "kind": EntryKind.RECEIPT if v.kind == VoucherKind.RECEIPT else EntryKind.PAYMENT,
                    "party_kind": v.party_kind,
                    "purpose": v.purpose,
                    "voucher_code": v.code,
                    "voucher": v,
                    "date": v.date,
                    "counter_node": by_id[v.transfer_pair_id].fund.node if v.transfer_pair_id else None,
                }
                for v in ordered
                if v.fund_id == fund_id
            ],
        )
    _audit_many(actor, "fund.voucher.posted", [(v.fund.node, v, befores[v.pk], _snapshot(v)) for v in ordered])
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
