"""Fund API: the same services and scopes as the pages.

A posted voucher is never edited or deleted here either: PATCH and DELETE answer 409
with the reason, and a correction is a reversing voucher (POST …/reverse).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ValidationError as SchemaError

from khuyenhoc.accounts.permissions import Cap, get_for_user, get_node_for_user
from khuyenhoc.core.money import parse_vnd
from khuyenhoc.fund import messages, selectors, services
from khuyenhoc.fund.models import Fund, FundAccount, Voucher, VoucherStatus

router = Router(tags=["fund"])


class ErrorOut(Schema):
    detail: list[str]
    fields: dict[str, list[str]] = {}


class AccountOut(Schema):
    id: int
    kind: str
    name: str
    bank_name: str
    account_number: str
    balance: int


class FundOut(Schema):
    id: int
    node_id: int
    name: str
    kind: str
    status: str
    opened_on: dt.date
    balance: int


class FundDetailOut(FundOut):
    accounts: list[AccountOut]


class VoucherOut(Schema):
    id: int
    fund_id: int
    code: str
    kind: str
    status: str
    year: int
    number: int | None
    date: dt.date
    account_id: int
    amount: int
    party_kind: str
    party_name: str
    purpose: str
    reason: str
    reverses_id: int | None
    transfer_pair_id: int | None
    created_by_id: int
    approved_by_id: int | None


class VoucherIn(Schema):
    kind: str
    date: dt.date
    account_id: int
    amount: int | str
    party_kind: str
    party_name: str = ""
    party_address: str = ""
    party_public: bool = False
    purpose: str = ""
    reason: str
    in_kind_description: str = ""
    attachments: int = 0


class ApproveManyIn(Schema):
    ids: list[int]


class ReverseIn(Schema):
    reason: str
    date: dt.date | None = None


class RejectIn(Schema):
    reason: str = ""


class StatementOut(Schema):
    start: dt.date
    end: dt.date
    opening: int
    receipts: int
    payments: int
    closing: int
    receipts_by_source: dict[str, int]
    payments_by_purpose: dict[str, int]
    receipts_in_kind: int
    internal_transfers: int


class VerifyOut(Schema):
    ok: bool
    rows_checked: int
    last_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None


def _error(exc: ValidationError) -> Status:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {}
    return Status(422, {"detail": exc.messages, "fields": fields})


def _body(request, schema: type[Schema]):
    """Read a JSON body only after the object was found in the user's scope, so an
    outsider learns nothing from validation errors."""
    try:
        return schema.model_validate_json(request.body or b"{}"), None
    except SchemaError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return None, Status(422, {"detail": [str(messages.BAD_JSON), *problems], "fields": {}})


def _doc(schema: type[Schema]) -> dict:
    return {"requestBody": {"content": {"application/json": {"schema": schema.model_json_schema()}}, "required": True}}


def _fund(request, fund_id: int, cap: Cap = Cap.VIEW) -> Fund:
    return get_for_user(Fund.objects.select_related("node"), request.user, fund_id, cap)


def _voucher(request, voucher_id: int, cap: Cap = Cap.VIEW) -> Voucher:
    return get_for_user(Voucher.objects.select_related("fund", "fund__node"), request.user, voucher_id, cap, node_field="fund__node")


def _fund_out(f: Fund, balance: int) -> dict:
    return {"id": f.pk, "node_id": f.node_id, "name": f.name, "kind": f.kind, "status": f.status, "opened_on": f.opened_on, "balance": balance}


def _voucher_out(v: Voucher) -> dict:
    data = VoucherOut.model_validate(v, from_attributes=True).model_dump()
    data["code"] = v.code
    return data


def _statement_out(st) -> dict:
    return {
        "start": st.start, "end": st.end, "opening": st.opening, "receipts": st.receipts, "payments": st.payments,
        "closing": st.closing, "receipts_by_source": st.receipts_by_source, "payments_by_purpose": st.payments_by_purpose,
        "receipts_in_kind": st.receipts_in_kind, "internal_transfers": st.internal_transfers,
    }


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return start or today.replace(month=1, day=1), end or today


@router.get("/nodes/{node_id}/funds", response=list[FundOut])
def list_funds(request, node_id: int):
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    funds = list(selectors.funds_of_node(node))
    balances = selectors.balances_by_fund(funds)
    return [_fund_out(f, balances.get(f.pk, 0)) for f in funds]


@router.get("/nodes/{node_id}/totals", response=StatementOut)
def node_totals(request, node_id: int, start: dt.date | None = None, end: dt.date | None = None):
    node = get_node_for_user(request.user, node_id, Cap.VIEW)
    start, end = _period(start, end)
    return _statement_out(selectors.subtree_statement(node, start, end).total)


@router.get("/funds/{fund_id}", response=FundDetailOut)
def get_fund(request, fund_id: int):
    fund = _fund(request, fund_id)
    accounts = [
        {"id": a.pk, "kind": a.kind, "name": a.name, "bank_name": a.bank_name, "account_number": a.account_number, "balance": b}
        for a, b in selectors.account_balances(fund)
    ]
    return {**_fund_out(fund, selectors.fund_balance(fund)), "accounts": accounts}


@router.get("/funds/{fund_id}/vouchers", response=list[VoucherOut])
def list_vouchers(request, fund_id: int, status: str | None = None, limit: int = 200, offset: int = 0):
    fund = _fund(request, fund_id)
    qs = fund.vouchers.order_by("-id")
    if status in VoucherStatus.values:
        qs = qs.filter(status=status)
    return [_voucher_out(v) for v in qs[offset : offset + min(limit, 1000)]]


@router.post("/funds/{fund_id}/vouchers", response={201: VoucherOut, 422: ErrorOut}, openapi_extra=_doc(VoucherIn))
def draft_voucher(request, fund_id: int):
    fund = _fund(request, fund_id, Cap.FUND_DRAFT)
    body, error = _body(request, VoucherIn)
    if error:
        return error
    account = FundAccount.objects.filter(fund=fund, pk=body.account_id).first()
    if account is None:
        msg = str(messages.ACCOUNT_NOT_IN_FUND)
        return Status(422, {"detail": [msg], "fields": {"account_id": [msg]}})
    try:
        amount = parse_vnd(body.amount)
    except ValueError as exc:
        return Status(422, {"detail": [str(exc)], "fields": {"amount": [str(exc)]}})
    try:
        v = services.voucher_draft(
            actor=request.user, fund=fund, kind=body.kind, date=body.date, account=account, amount=amount,
            party_kind=body.party_kind, party_name=body.party_name, party_address=body.party_address,
            party_public=body.party_public, purpose=body.purpose, reason=body.reason,
            in_kind_description=body.in_kind_description, attachments=body.attachments,
        )
    except ValidationError as exc:
        return _error(exc)
    return Status(201, _voucher_out(v))


@router.get("/vouchers/{voucher_id}", response=VoucherOut)
def get_voucher(request, voucher_id: int):
    return _voucher_out(_voucher(request, voucher_id))


@router.post("/vouchers/{voucher_id}/approve", response={200: VoucherOut, 422: ErrorOut})
def approve_voucher(request, voucher_id: int):
    v = _voucher(request, voucher_id, Cap.FUND_APPROVE)
    try:
        v = services.voucher_approve(actor=request.user, voucher=v)
    except ValidationError as exc:
        return _error(exc)
    return Status(200, _voucher_out(v))


@router.post("/approvals", response={200: list[VoucherOut], 404: ErrorOut, 422: ErrorOut}, openapi_extra=_doc(ApproveManyIn))
def approve_many(request):
    """Approve and post several drafts in one go: all of them, or none."""
    body, error = _body(request, ApproveManyIn)
    if error:
        return error
    ids = list(dict.fromkeys(body.ids))
    found = list(selectors.visible_vouchers(request.user, Cap.FUND_APPROVE).filter(pk__in=ids))
    if not ids or len(found) != len(ids):
        return Status(404, {"detail": ["Không tìm thấy"], "fields": {}})
    try:
        posted = services.vouchers_approve(actor=request.user, vouchers=sorted(found, key=lambda v: ids.index(v.pk)))
    except ValidationError as exc:
        return _error(exc)
    return Status(200, [_voucher_out(v) for v in posted])


@router.post("/vouchers/{voucher_id}/reject", response={200: VoucherOut, 422: ErrorOut}, openapi_extra=_doc(RejectIn))
def reject_voucher(request, voucher_id: int):
    v = _voucher(request, voucher_id, Cap.FUND_DRAFT)
    body, error = _body(request, RejectIn)
    if error:
        return error
    try:
        v = services.voucher_reject(actor=request.user, voucher=v, reason=body.reason)
    except ValidationError as exc:
        return _error(exc)
    return Status(200, _voucher_out(v))


@router.post("/vouchers/{voucher_id}/reverse", response={201: VoucherOut, 422: ErrorOut}, openapi_extra=_doc(ReverseIn))
def reverse_voucher(request, voucher_id: int):
    v = _voucher(request, voucher_id, Cap.FUND_DRAFT)
    body, error = _body(request, ReverseIn)
    if error:
        return error
    try:
        rev = services.voucher_reverse(actor=request.user, voucher=v, reason=body.reason, date=body.date)
    except ValidationError as exc:
        return _error(exc)
    return Status(201, _voucher_out(rev))


def _refuse_change(v: Voucher) -> Status:
    if v.is_posted:
        msg = str(messages.POSTED_IMMUTABLE)
    else:
        msg = str(messages.DRAFT_NOT_EDITED)
    return Status(409, {"detail": [msg], "fields": {}})


@router.patch("/vouchers/{voucher_id}", response={409: ErrorOut})
def patch_voucher(request, voucher_id: int):
    return _refuse_change(_voucher(request, voucher_id, Cap.FUND_DRAFT))


@router.delete("/vouchers/{voucher_id}", response={409: ErrorOut})
def delete_voucher(request, voucher_id: int):
    return _refuse_change(_voucher(request, voucher_id, Cap.FUND_DRAFT))


@router.get("/funds/{fund_id}/statement", response=StatementOut)
def fund_statement(request, fund_id: int, start: dt.date | None = None, end: dt.date | None = None):
    fund = _fund(request, fund_id)
    start, end = _period(start, end)
    return _statement_out(selectors.fund_statement(fund, start, end))


@router.get("/funds/{fund_id}/verify", response=VerifyOut)
def verify(request, fund_id: int):
    fund = _fund(request, fund_id)
    checked, brk, last_hash = selectors.verify_fund_chain(fund)
    return {"ok": brk is None, "rows_checked": checked, "last_hash": last_hash, "first_bad_seq": brk.seq if brk else None, "reason": brk.reason if brk else None}
