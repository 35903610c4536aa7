"""Fund pages. Thin: every object comes through the scoping helpers, every change through services."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, get_for_user, has_cap, user_caps
from khuyenhoc.core.views import apply_validation_error, node_view

from . import selectors, services
from .forms import (
    BankImportForm,
    BookForm,
    DisclosureForm,
    FundForm,
    RejectForm,
    ReverseForm,
    TransferForm,
    VoucherForm,
    period_from,
)
from .models import (
    AccountKind,
    Disclosure,
    Fund,
    FundAccount,
    FundStatus,
    LedgerEntry,
    Voucher,
    VoucherKind,
    VoucherStatus,
)

PAGE = 50


def _fund_for(request, fund_id, cap: Cap = Cap.VIEW) -> Fund:
    return get_for_user(Fund.objects.select_related("node"), request.user, fund_id, cap)


def _voucher_for(request, voucher_id, cap: Cap = Cap.VIEW) -> Voucher:
    return get_for_user(
        Voucher.objects.select_related("fund", "fund__node", "node", "node__parent", "account", "created_by", "approved_by", "reverses", "transfer_pair"),
        request.user,
        voucher_id,
        cap,
        node_field="fund__node",
    )


def _fund_ctx(request, fund: Fund, **extra) -> dict:
    return {"fund": fund, "node": fund.node, "caps": user_caps(request.user, fund.node), **extra}


# --- unit pages -------------------------------------------------------------------------


@node_view(Cap.VIEW)
def node_funds(request, node):
    funds = list(selectors.funds_of_node(node))
    balances = selectors.balances_by_fund(funds)
    ctx = {
        "node": node,
        "caps": user_caps(request.user, node),
        "funds": [(f, balances.get(f.pk, 0)) for f in funds],
        "pending": list(selectors.awaiting_approval(request.user, node)[:100]),
        "below": Fund.objects.filter(node__path__startswith=node.path).exclude(node=node).select_related("node").count(),
    }
    return render(request, "fund/node_funds.html", ctx)


@node_view(Cap.FUND_APPROVE)
@require_POST
def node_approve(request, node):
    """Approve the drafts ticked in the list awaiting approval, all in one posting."""
    ids = [int(x) for x in request.POST.getlist("voucher") if x.isdigit()]
    vouchers = list(selectors.awaiting_approval(request.user, node).filter(pk__in=ids))
    if not vouchers:
        messages.error(request, _("Tick the vouchers to approve."))
    else:
        try:
            posted = services.vouchers_approve(actor=request.user, vouchers=vouchers)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Approved and posted: %(codes)s.") % {"codes": ", ".join(v.code for v in posted)})
    return redirect("fund:node", node_id=node.pk)


@node_view(Cap.FUND_APPROVE)
def fund_create(request, node):
    form = FundForm(request.POST or None, initial={"opened_on": timezone.localdate().replace(month=1, day=1)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        banks = []
        if d["account_number"]:
            banks.append({"name": _("Bank account"), "bank_name": d["bank_name"], "account_number": d["account_number"], "opening": d["bank_opening"]})
        try:
            fund = services.fund_create(
                actor=request.user, node=node, name=d["name"], kind=d["kind"], opened_on=d["opened_on"],
                cash_opening=d["cash_opening"] or 0, bank_accounts=banks,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Created %(name)s.") % {"name": fund.name})
            return redirect("fund:fund", fund_id=fund.pk)
    return render(request, "fund/form.html", {"node": node, "form": form, "title": _("New fund of %(name)s") % {"name": node.name}, "back": reverse("fund:node", args=[node.pk])})


@node_view(Cap.VIEW)
def node_totals(request, node):
    form, start, end = period_from(request)
    data = selectors.subtree_statement(node, start, end)
    return render(request, "fund/node_totals.html", {"node": node, "form": form, "data": data, "start": start, "end": end, "caps": user_caps(request.user, node)})


# --- fund pages -------------------------------------------------------------------------


@login_required
def fund_detail(request, fund_id):
    fund = _fund_for(request, fund_id)
    vouchers = fund.vouchers.select_related("account", "created_by").order_by("-id")
    status = request.GET.get("status", "")
    if status in VoucherStatus.values:
        vouchers = vouchers.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        vouchers = vouchers.filter(Q(party_name__icontains=q) | Q(reason__icontains=q))
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    rows = list(vouchers[(page - 1) * PAGE : page * PAGE + 1])
    ctx = _fund_ctx(
        request,
        fund,
        balances=selectors.account_balances(fund),
        total=selectors.fund_balance(fund),
        vouchers=rows[:PAGE],
        has_next=len(rows) > PAGE,
        page=page,
        status=status,
        q=q,
        statuses=VoucherStatus.choices,
        disclosures=fund.disclosures.all()[:20],
    )
    if request.headers.get("HX-Request") and request.GET.get("part") == "vouchers":
        return render(request, "fund/_vouchers.html", ctx)
    return render(request, "fund/fund_detail.html", ctx)


def _voucher_new(request, fund_id, kind):
    fund = _fund_for(request, fund_id, Cap.FUND_DRAFT)
    if fund.status != FundStatus.ACTIVE:
        raise Http404
    form = VoucherForm(request.POST or None, fund=fund, kind=kind)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            v = services.voucher_draft(
                actor=request.user, fund=fund, kind=kind, date=d["date"], account=d["account"], amount=d["amount"],
                party_kind=d["party_kind"], party_name=d["party_name"], party_address=d["party_address"],
                party_public=d.get("party_public", False), purpose=d.get("purpose", ""), reason=d["reason"],
                in_kind_description=d["in_kind_description"], attachments=d["attachments"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Another person with the approving role must now approve it."))
            return redirect("fund:voucher", voucher_id=v.pk)
    title = _("New receipt voucher") if kind == VoucherKind.RECEIPT else _("New payment voucher")
    return render(request, "fund/form.html", {**_fund_ctx(request, fund), "form": form, "title": title, "back": reverse("fund:fund", args=[fund.pk]), "form_id": f"voucher-{kind}"})


@login_required
def receipt_create(request, fund_id):
    return _voucher_new(request, fund_id, VoucherKind.RECEIPT)


@login_required
def payment_create(request, fund_id):
    return _voucher_new(request, fund_id, VoucherKind.PAYMENT)


def transfer_targets(fund: Fund):
    """Cash and bank accounts of active funds up or down the tree from `fund`."""
    node = fund.node
    return (
        FundAccount.objects.filter(kind__in=[AccountKind.CASH, AccountKind.BANK], fund__status=FundStatus.ACTIVE, fund__node__status="active")
        .filter(Q(fund__node__path__in=node.ancestor_paths()) | Q(fund__node__path__startswith=node.path))
        .exclude(fund=fund)
        .select_related("fund", "fund__node")
        .order_by("fund__node__path", "fund__name", "kind")
    )


@login_required
def transfer_create(request, fund_id):
    fund = _fund_for(request, fund_id, Cap.FUND_DRAFT)
    form = TransferForm(request.POST or None, fund=fund, targets=transfer_targets(fund))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            payment, _receipt = services.transfer_draft(
                actor=request.user, from_account=d["from_account"], to_account=d["to_account"], amount=d["amount"], date=d["date"], reason=d["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Transfer drafted on both sides. It is posted when approved."))
            return redirect("fund:voucher", voucher_id=payment.pk)
    return render(request, "fund/form.html", {**_fund_ctx(request, fund), "form": form, "title": _("Transfer to another association's fund"), "back": reverse("fund:fund", args=[fund.pk])})


@login_required
def fund_book(request, fund_id):
    fund = _fund_for(request, fund_id)
    today = timezone.localdate()
    initial = {"start": today.replace(day=1), "end": today}
    form = BookForm(request.GET or None, fund=fund, initial=initial)
    accounts = list(form.fields["account"].queryset)
    if not accounts:
        raise Http404
    account, start, end = accounts[0], initial["start"], initial["end"]
    if request.GET and form.is_valid():
        account, start, end = form.cleaned_data["account"], form.cleaned_data["start"], form.cleaned_data["end"]
    data = selectors.book(account, start, end)
    if request.GET.get("format") == "csv":
        return _book_csv(fund, data)
    title = _("Cash book") if account.kind == AccountKind.CASH else _("Bank book")
    return render(request, "fund/book.html", {**_fund_ctx(request, fund), "form": form, "book": data, "title": title})


def _safe_cell(value) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text.lstrip("-").isdigit() else text


def _book_csv(fund: Fund, data) -> HttpResponse:
    from khuyenhoc.core.dates import format_date

    resp = HttpResponse(content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="so-quy-{fund.pk}-{data.start:%Y%m%d}-{data.end:%Y%m%d}.csv"'
    resp.write("\ufeff")
    w = csv.writer(resp)
    w.writerow([_("Date"), _("Voucher"), _("Payer or payee"), _("Reason"), _("Receipts"), _("Payments"), _("Balance")])
    w.writerow(["", "", "", _("Opening balance"), "", "", data.opening])
    for r in data.rows:
        v = r.entry.voucher
        w.writerow([format_date(r.entry.date), r.entry.voucher_code, _safe_cell(v.party_name if v else ""), _safe_cell(v.reason if v else ""), r.receipt or "", r.payment or "", r.balance])
    w.writerow(["", "", "", _("Total"), data.receipts, data.payments, data.closing])
    return resp


@login_required
def fund_statement(request, fund_id):
    fund = _fund_for(request, fund_id)
    form, start, end = period_from(request)
    st = selectors.fund_statement(fund, start, end)
    return render(request, "fund/statement.html", {**_fund_ctx(request, fund), "form": form, "st": st})


@login_required
def fund_verify(request, fund_id):
    fund = _fund_for(request, fund_id)
    checked, brk, last_hash = selectors.verify_fund_chain(fund)
    entry = LedgerEntry.objects.filter(pk=brk.entry_id).first() if brk and brk.entry_id else None
    mismatched = selectors.posted_amount_mismatches(fund)
    # A mismatch is shown by the account's name, or by its number where the account is not this fund's.
    accounts = {a.pk: a.name for a in fund.accounts.all()}
    balances = [(accounts.get(a, f"#{a}"), stored, summed) for a, stored, summed in selectors.balance_mismatches([fund.pk])]
    return render(
        request, "fund/verify.html",
        {**_fund_ctx(request, fund), "checked": checked, "brk": brk, "bad_entry": entry, "last_hash": last_hash, "mismatched": mismatched, "balance_mismatches": balances},
    )  # fmt: skip


@login_required
def disclosure_create(request, fund_id):
    fund = _fund_for(request, fund_id, Cap.FUND_APPROVE)
    form = DisclosureForm(request.POST or None, fund=fund)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            disclosure = services.disclosure_publish(
                actor=request.user, fund=fund, period_start=d["period_start"], period_end=d["period_end"], title=d["title"],
                corrects=d["corrects"], correction_note=d["correction_note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Published. Anyone can now read it on the public page."))
            return redirect("fund_public:disclosure", token=disclosure.token)
    return render(request, "fund/form.html", {**_fund_ctx(request, fund), "form": form, "title": _("Publish the fund's statement"), "back": reverse("fund:fund", args=[fund.pk]),
                                              "intro": _("The statement is frozen as it stands now, with the hash of the last ledger row, and can never be changed. A mistake is corrected by a new statement that says what it corrects.")})


@login_required
def bank_import(request, fund_id):
    fund = _fund_for(request, fund_id, Cap.FUND_DRAFT)
    from . import bank

    form = BankImportForm(request.POST or None, request.FILES or None, fund=fund)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = bank.bank_statement_import(actor=request.user, account=form.cleaned_data["account"], upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
    past = fund.bank_imports.all()[:10]
    return render(request, "fund/bank_import.html", {**_fund_ctx(request, fund), "form": form, "result": result, "past": past, "columns": bank.COLUMN_HELP})


# --- voucher pages -------------------------------------------------------------------------


@login_required
def voucher_detail(request, voucher_id):
    v = _voucher_for(request, voucher_id)
    user = request.user
    node = v.fund.node
    can_approve = v.is_draft and user.pk != v.created_by_id and has_cap(user, node, Cap.FUND_APPROVE)
    if v.is_draft and v.transfer_pair_id and v.signed_amount > 0:
        can_approve = user.pk != v.created_by_id and has_cap(user, v.transfer_pair.fund.node, Cap.FUND_APPROVE)
    ctx = {
        **_fund_ctx(request, v.fund),
        "v": v,
        "can_approve": can_approve,
        "own_draft": v.is_draft and user.pk == v.created_by_id,
        "can_reject": v.is_draft and (user.pk == v.created_by_id or has_cap(user, node, Cap.FUND_APPROVE)),
        "can_reverse": v.is_posted and not v.reverses_id and has_cap(user, node, Cap.FUND_DRAFT)
        and not v.reversals.exclude(status=VoucherStatus.REJECTED).exists(),
        "reversals": v.reversals.all(),
        "entry": LedgerEntry.objects.filter(voucher=v).first(),
        "reject_form": RejectForm(),
    }
    return render(request, "fund/voucher_detail.html", ctx)


@login_required
@require_POST
def voucher_approve(request, voucher_id):
    v = _voucher_for(request, voucher_id, Cap.FUND_APPROVE)
    try:
        v = services.voucher_approve(actor=request.user, voucher=v)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Approved and posted as %(code)s.") % {"code": v.code})
    return redirect("fund:voucher", voucher_id=v.pk)


@login_required
@require_POST
def voucher_reject(request, voucher_id):
    v = _voucher_for(request, voucher_id, Cap.FUND_DRAFT)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.voucher_reject(actor=request.user, voucher=v, reason=reason)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("The draft was rejected."))
    return redirect("fund:voucher", voucher_id=v.pk)


@login_required
def voucher_reverse(request, voucher_id):
    v = _voucher_for(request, voucher_id, Cap.FUND_DRAFT)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rev = services.voucher_reverse(actor=request.user, voucher=v, reason=form.cleaned_data["reason"], date=form.cleaned_data["date"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Reversing voucher drafted. It takes effect when approved."))
            return redirect("fund:voucher", voucher_id=rev.pk)
    return render(request, "fund/form.html", {**_fund_ctx(request, v.fund), "form": form, "title": _("Reverse %(code)s") % {"code": v.code}, "back": reverse("fund:voucher", args=[v.pk]),
                                              "intro": _("A posted voucher is never edited or deleted. A reversing voucher undoes it; then draft the right one.")})


@login_required
def voucher_pdf(request, voucher_id):
    v = _voucher_for(request, voucher_id)
    if not v.is_posted:
        raise Http404
    from .pdf import voucher_pdf as render_pdf

    data = render_pdf(v, base_url=request.build_absolute_uri("/"))
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{v.code}.pdf"'
    return resp


# --- public pages (no login) ------------------------------------------------------------------


def public_disclosures(request):
    rows = Disclosure.objects.select_related("node", "fund", "corrects").order_by("-published_at")[:200]
    return render(request, "fund/public_list.html", {"rows": rows})


def public_disclosure(request, token):
    d = get_object_or_404(Disclosure.objects.select_related("node", "fund", "corrects", "published_by"), token=token)
    checked, brk, last_hash = selectors.verify_fund_chain(d.fund_id, upto=d.closing_seq)
    chain_ok = brk is None and checked == d.closing_seq and last_hash == d.closing_hash
    recomputed = selectors.disclosure_figures(d.fund, d.period_start, d.period_end, d.closing_seq)
    figures_ok = services.figures_digest(d.figures) == d.figures_hash
    same_as_ledger = {k: recomputed[k] for k in ("opening", "receipts", "payments", "closing")} == {k: d.figures[k] for k in ("opening", "receipts", "payments", "closing")}
    from .models import PartyKind, Purpose

    f = d.figures
    ctx = {
        "d": d,
        "f": f,
        "sources": [(str(PartyKind(r["code"]).label), r["amount"]) for r in f["receipts_by_source"]],
        "purposes": [(str(Purpose(r["code"]).label), r["amount"]) for r in f["payments_by_purpose"]],
        "beneficiaries": [(b["name"], str(Purpose(b["purpose"]).label), b["amount"]) for b in f["beneficiaries"]],
        "chain_ok": chain_ok,
        "figures_ok": figures_ok and same_as_ledger,
        "corrections": d.corrections.all(),
    }
    return render(request, "fund/public_detail.html", ctx)


def public_disclosure_rows(request, token):
    """The ledger rows behind a statement, with exactly the fields of the hash, as CSV."""
    from .ledger import CANONICAL_FIELDS

    d = get_object_or_404(Disclosure, token=token)
    resp = HttpResponse(content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="so-cai-quy-{d.fund_id}-den-dong-{d.closing_seq}.csv"'
    w = csv.writer(resp)
    w.writerow([*CANONICAL_FIELDS, "hash"])
    for row in LedgerEntry.objects.filter(fund_id=d.fund_id, seq__lte=d.closing_seq).order_by("seq").values_list(*CANONICAL_FIELDS, "hash").iterator():
        w.writerow([c.isoformat() if isinstance(c, dt.date) else c for c in row])
    return resp
