"""Writes to the member register. Each service runs in one transaction with its audit row.

Text is NFC-normalised on the way in and the search and sort keys are derived here
(never in `save()`), so search, duplicate checks and sorting agree. Duplicates:

* the same CCCD on two live records is always the same person (or a typo): refused
  with a message naming the existing record (when the user may see it), and guarded by
  a partial unique constraint;
* the same normalised name + year of birth in the same chapter is *probably* the same
  person: flagged, and saved only when the user confirms they are two people
  (namesakes are common). Either can later be merged, keeping history.

Bulk paths used by imports and the demo live in `members_bulk_create` /
`members_bulk_update` and write through `khuyenhoc.imports.bulk`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap, has_cap
from khuyenhoc.core.audit import SECRET_FIELDS, audit_log
from khuyenhoc.core.dates import format_date
from khuyenhoc.core.models import AuditEvent
from khuyenhoc.core.text import collation_key, name_sort_key, nfc, search_key
from khuyenhoc.imports import bulk
from khuyenhoc.imports.columns import InvalidValue, parse_cccd, parse_phone
from khuyenhoc.organizations.models import Node, NodeKind

from .ethnicities import CODE_TO_NAME
from .models import (
    Dues,
    Gender,
    Member,
    MemberKind,
    MembershipPeriod,
    MemberStatus,
    MemberTransfer,
    PeriodEnd,
    PeriodStart,
)

# Members belong to grassroots units, or directly to a commune association (collective
# and honorary members are often admitted there).
MEMBER_NODE_KINDS = {NodeKind.COMMUNE, NodeKind.CHAPTER, NodeKind.BOARD, NodeKind.SUBCHAPTER}
MIN_BIRTH_YEAR = 1900
MAX_DUES = 100_000_000  # đồng a year: anything above is a typing error

# Fields a person edits; the rest (keys, status, history) are managed by the services.
EDITABLE_FIELDS = (
    "full_name",
    "kind",
    "gender",
    "birth_year",
    "birth_date",
    "ethnicity",
    "phone",
    "citizen_id",
    "address",
    "joined_on",
)
PERSONAL_FIELDS = ("citizen_id", "phone")


def reversed_words(key: str) -> str:
    """The words of a search key in reverse order: "nguyen van an" -> "an van nguyen"."""
    return " ".join(reversed(key.split()))


# ------------------------------------------------------------- the stays' copies

# The member's fields every one of its stays (MembershipPeriod) carries a copy of, for
# the year's figures; plus `merged` (the record was merged into another one).
PERIOD_COPIES = ("kind", "gender", "birth_year", "ethnicity")


def period_copies(member) -> dict[str, Any]:
    """What a stay of `member` copies from it (a Member or a light record of the import)."""
    values = {f: getattr(member, f) for f in PERIOD_COPIES}
    values["merged"] = member.status == MemberStatus.MERGED
    return values


def _period_create(member: Member, **fields) -> MembershipPeriod:
    return MembershipPeriod.objects.create(member=member, **period_copies(member), **fields)


def sync_periods(member: Member) -> None:
    """Write the member's current values onto every one of its stays (after a change)."""
    MembershipPeriod.objects.filter(member_id=member.pk).update(**period_copies(member))


def _sync_periods_bulk(fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """`rows` are (member id, value for each of `fields`…): the same fields of all the
    stays of each member, one prepared UPDATE per member."""
    if not rows:
        return
    table = connection.ops.quote_name(MembershipPeriod._meta.db_table)
    columns = [connection.ops.quote_name(MembershipPeriod._meta.get_field(f).column) for f in fields]
    sql = f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in columns)} WHERE member_id = %s"  # noqa: S608 - names from model meta
    with connection.cursor() as cur:
        for part in bulk.chunked(rows):
            cur.executemany(sql, [(*values, member_id) for member_id, *values in part])


@lru_cache(maxsize=50_000)
def _word_collation(word: str) -> tuple[str, str] | None:
    """(letter codes, tone digit) of one word made only of letters and digits.

    `collation_key` of such a word is its codes, the end mark "00" and one tone digit;
    other tokens ("O'Neil", "Hoàng-Anh") return None and take the slow path.
    """
    if not word.isalnum():
        return None
    key = collation_key(word)
    return key[:-3], key[-1]


def _words_collation(words: Sequence[str]) -> str | None:
    codes, tones = [], []
    for word in words:
        parts = _word_collation(word)
        if parts is None:
            return None
        codes.append(parts[0])
        tones.append(parts[1])
    return "01".join(codes) + "00" + "".join(tones)


@lru_cache(maxsize=200_000)
def name_keys(full_name: str) -> tuple[str, str]:
    """(search_key, name_sort_key) of a name, the same as core.text computes them.

    An import of 100,000 members computes this for every row: the full result is
    cached (names repeat) and the sort key is assembled from cached per-word keys,
    which is what `name_sort_key` (given name first, then family and middle names)
    amounts to for names made of plain words. Tests check both paths agree.
    """
    full_name = nfc(full_name)
    words = full_name.split()
    given = _words_collation(words[-1:])
    rest = _words_collation(words[:-1])
    if given is None or rest is None:
        return search_key(full_name), name_sort_key(full_name)
    return search_key(full_name), given + "00" + rest


def mask(value: str) -> str:
    """Hide all but the last four characters: "001203004567" -> "••••••••4567"."""
    if not value:
        return ""
    return "•" * max(len(value) - 4, 0) + value[-4:]


class DuplicateMemberError(ValidationError):
    """A probable duplicate; `candidates` are the existing records, `blocking` if CCCD."""

    def __init__(self, message, *, candidates: list[Member], blocking: bool):
        super().__init__(message, code="duplicate")
        self.candidates = candidates
        self.blocking = blocking


# ----------------------------------------------------------------------------- cleaning


def _today() -> dt.date:
    return timezone.localdate()


def clean_citizen_id(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return parse_cccd(value)
    except InvalidValue as exc:
        raise ValidationError({"citizen_id": exc.message}) from None


def clean_phone(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return parse_phone(value)
    except InvalidValue as exc:
        raise ValidationError({"phone": exc.message}) from None


def check_node(node: Node) -> None:
    if node.kind not in MEMBER_NODE_KINDS:
        raise ValidationError({"node": _("Members belong to a chapter, a study board or a commune association.")})
    if not node.is_active:
        raise ValidationError({"node": _("This unit is closed.")})


def clean_values(values: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Normalise and check one member's editable values; raises ValidationError by field."""
    today = today or _today()
    out = dict(values)
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    out["full_name"] = nfc(out.get("full_name"))
    if not out["full_name"]:
        err("full_name", _("Enter the full name."))
    elif len(out["full_name"]) > 150:
        err("full_name", _("The name is too long (at most 150 characters)."))
    out["kind"] = out.get("kind") or MemberKind.INDIVIDUAL
    if out["kind"] not in MemberKind.values:
        err("kind", _("Unknown member kind."))
    out["gender"] = out.get("gender") or ""
    if out["gender"] and out["gender"] not in Gender.values:
        err("gender", _("Unknown gender."))
    out["ethnicity"] = out.get("ethnicity") or ""
    if out["ethnicity"] and out["ethnicity"] not in CODE_TO_NAME:
        err("ethnicity", _("Unknown ethnic group."))
    out["address"] = nfc(out.get("address"))[:200]
    for field, cleaner in (("citizen_id", clean_citizen_id), ("phone", clean_phone)):
        try:
            out[field] = cleaner(out.get(field))
        except ValidationError as exc:
            err(field, exc.message_dict[field][0])
    birth_date = out.get("birth_date")
    birth_year = out.get("birth_year")
    if birth_date:
        if birth_date > today:
            err("birth_date", _("The date of birth is in the future."))
        elif birth_year and birth_year != birth_date.year:
            err("birth_year", _("The year of birth does not match the date of birth."))
        birth_year = birth_year or birth_date.year
    if birth_year is not None and not (MIN_BIRTH_YEAR <= birth_year <= today.year):
        err("birth_year", _("The year of birth must be between %(min)s and %(max)s.") % {"min": MIN_BIRTH_YEAR, "max": today.year})
    out["birth_year"] = birth_year
    out["birth_date"] = birth_date or None
    joined = out.get("joined_on")
    if not joined:
        err("joined_on", _("Enter the date the member joined."))
    elif joined > today:
        err("joined_on", _("The join date is in the future."))
    elif birth_date and joined < birth_date:
        err("joined_on", _("The join date is before the date of birth."))
    if errors:
        raise ValidationError(errors)
    return out


def _snapshot(m: Member) -> dict[str, Any]:
    return {
        "full_name": m.full_name,
        "kind": m.kind,
        "node": m.node_id,
        "gender": m.gender,
        "birth_year": m.birth_year,
        "birth_date": m.birth_date.isoformat() if m.birth_date else None,
        "ethnicity": m.ethnicity,
        "phone": mask(m.phone),
        "citizen_id": m.citizen_id,
        "address": m.address,
        "joined_on": m.joined_on.isoformat() if m.joined_on else None,
        "left_on": m.left_on.isoformat() if m.left_on else None,
        "leave_reason": m.leave_reason,
        "status": m.status,
    }


# ------------------------------------------------------------------------- duplicates


def live_members():
    return Member.objects.exclude(status=MemberStatus.MERGED)


def find_duplicates(
    *, node: Node, full_name: str, birth_year: int | None, citizen_id: str = "", exclude_pk: int | None = None
) -> tuple[list[Member], list[Member]]:
    """(same CCCD anywhere, same name + year of birth in the same chapter)."""
    qs = live_members().select_related("node")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    by_id = list(qs.filter(citizen_id=citizen_id)[:5]) if citizen_id else []
    key, _sort = name_keys(nfc(full_name))
    by_name = list(qs.filter(node=node, search_key=key, birth_year=birth_year).exclude(pk__in=[m.pk for m in by_id])[:5])
    return by_id, by_name


def _check_duplicates(*, actor, node, values, exclude_pk=None, confirm_not_duplicate=False) -> None:
    by_id, by_name = find_duplicates(
        node=node,
        full_name=values["full_name"],
        birth_year=values["birth_year"],
        citizen_id=values["citizen_id"],
        exclude_pk=exclude_pk,
    )
    if by_id:
        other = by_id[0]
        if actor is None or has_cap(actor, other.node, Cap.VIEW):
            message = _("This CCCD number is already registered for %(name)s (%(unit)s). Open that record instead, or transfer the member.") % {
                "name": other.full_name,
                "unit": other.node.name,
            }
        else:
            message = _("This CCCD number is already registered in another unit. Ask that unit or the level above to transfer the member.")
        raise DuplicateMemberError({"citizen_id": [message]}, candidates=by_id, blocking=True)
    if by_name and not confirm_not_duplicate:
        message = _("%(name)s, born %(year)s, is already in this chapter. If this is a different person, tick the confirmation and save again.") % {
            "name": values["full_name"],
            "year": values["birth_year"] or "?",
        }
        raise DuplicateMemberError({"full_name": [message]}, candidates=by_name, blocking=False)


# ------------------------------------------------------------------------- one member


@transaction.atomic
def member_create(
    *,
    actor,
    node: Node,
    full_name: str,
    joined_on: dt.date,
    kind: str = MemberKind.INDIVIDUAL,
    gender: str = "",
    birth_year: int | None = None,
    birth_date: dt.date | None = None,
    ethnicity: str = "",
    phone: str = "",
    citizen_id: str = "",
    address: str = "",
    confirm_not_duplicate: bool = False,
) -> Member:
    check_node(node)
    values = clean_values(
        {
            "full_name": full_name,
            "kind": kind,
            "gender": gender,
            "birth_year": birth_year,
            "birth_date": birth_date,
            "ethnicity": ethnicity,
            "phone": phone,
            "citizen_id": citizen_id,
            "address": address,
            "joined_on": joined_on,
        }
    )
    _check_duplicates(actor=actor, node=node, values=values, confirm_not_duplicate=confirm_not_duplicate)
    skey, sort = name_keys(values["full_name"])
    member = Member.objects.create(node=node, search_key=skey, reverse_key=reversed_words(skey), sort_key=sort, **values)
    _period_create(member, node=node, start=member.joined_on, start_reason=PeriodStart.JOINED)
    audit_log(actor=actor, action="members.member.created", node=node, target=member, after=_snapshot(member))
    return member


@transaction.atomic
def member_update(*, actor, member: Member, confirm_not_duplicate: bool = False, **changes) -> Member:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    member = Member.objects.select_for_update().select_related("node").get(pk=member.pk)
    if member.status == MemberStatus.MERGED:
        raise ValidationError(_("This record was merged into another one and can no longer be changed."))
    before = _snapshot(member)
    values = {f: getattr(member, f) for f in EDITABLE_FIELDS}
    values.update(changes)
    values = clean_values(values)
    if values["citizen_id"] != member.citizen_id or values["full_name"] != member.full_name or values["birth_year"] != member.birth_year:
        _check_duplicates(actor=actor, node=member.node, values=values, exclude_pk=member.pk, confirm_not_duplicate=confirm_not_duplicate)
    first = member.periods.order_by("start", "id").first()
    if first and values["joined_on"] != member.joined_on:
        # The join date opens the first stay; it cannot move past a later event.
        if first.end and values["joined_on"] >= first.end:
            raise ValidationError({"joined_on": _("The join date must be before the member's first transfer or leave.")})
        first.start = values["joined_on"]
        first.save(update_fields=["start"])
    for field, value in values.items():
        setattr(member, field, value)
    member.search_key, member.sort_key = name_keys(member.full_name)
    member.reverse_key = reversed_words(member.search_key)
    member.save()
    sync_periods(member)
    after = _snapshot(member)
    if after != before:
        audit_log(
            actor=actor,
            action="members.member.updated",
            node=member.node,
            target=member,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return member


def _open_period(member: Member) -> MembershipPeriod | None:
    return member.periods.filter(end__isnull=True).order_by("-start", "-id").first()


@transaction.atomic
def member_leave(*, actor, member: Member, on: dt.date, reason: str = "") -> Member:
    member = Member.objects.select_for_update().select_related("node").get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("This member is not active."))
    period = _open_period(member)
    if on > _today():
        raise ValidationError({"on": _("The date is in the future.")})
    if period and on < period.start:
        raise ValidationError({"on": _("The date is before the member joined this chapter (%(date)s).") % {"date": format_date(period.start)}})
    before = _snapshot(member)
    if period:
        period.end, period.end_reason = on, PeriodEnd.LEFT
        period.save(update_fields=["end", "end_reason"])
    member.status, member.left_on, member.leave_reason = MemberStatus.LEFT, on, nfc(reason)[:200]
    member.save(update_fields=["status", "left_on", "leave_reason", "updated_at"])
    audit_log(actor=actor, action="members.member.left", node=member.node, target=member, before=before, after=_snapshot(member))
    return member


@transaction.atomic
def member_rejoin(*, actor, member: Member, on: dt.date, node: Node | None = None) -> Member:
    member = Member.objects.select_for_update().select_related("node").get(pk=member.pk)
    if member.status != MemberStatus.LEFT:
        raise ValidationError(_("Only a member who left can rejoin."))
    node = node or member.node
    check_node(node)
    if on > _today():
        raise ValidationError({"on": _("The date is in the future.")})
    if member.left_on and on < member.left_on:
        raise ValidationError({"on": _("The member left on %(date)s; the new join date must be later.") % {"date": format_date(member.left_on)}})
    if member.citizen_id and live_members().filter(citizen_id=member.citizen_id, status=MemberStatus.ACTIVE).exclude(pk=member.pk).exists():
        raise ValidationError(_("Another active record has this member's CCCD number; merge the two records instead."))
    before = _snapshot(member)
    _period_create(member, node=node, start=on, start_reason=PeriodStart.REJOINED)
    member.status, member.left_on, member.leave_reason, member.node = MemberStatus.ACTIVE, None, "", node
    member.save(update_fields=["status", "left_on", "leave_reason", "node", "updated_at"])
    audit_log(actor=actor, action="members.member.rejoined", node=node, target=member, before=before, after=_snapshot(member))
    return member


@transaction.atomic
def member_transfer(*, actor, member: Member, to_node: Node, on: dt.date, note: str = "") -> MemberTransfer:
    member = Member.objects.select_for_update().select_related("node").get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("Only an active member can be transferred."))
    check_node(to_node)
    if to_node.pk == member.node_id:
        raise ValidationError({"to_node": _("The member is already in this unit.")})
    if on > _today():
        raise ValidationError({"on": _("The date is in the future.")})
    period = _open_period(member)
    if period and on <= period.start:
        raise ValidationError({"on": _("The transfer date must be after the member joined this chapter (%(date)s).") % {"date": format_date(period.start)}})
    before = _snapshot(member)
    from_node = member.node
    if period:
        period.end, period.end_reason = on, PeriodEnd.TRANSFER
        period.save(update_fields=["end", "end_reason"])
    _period_create(member, node=to_node, start=on, start_reason=PeriodStart.TRANSFER)
    transfer = MemberTransfer.objects.create(
        member=member,
        from_node=from_node,
        to_node=to_node,
        on=on,
        note=nfc(note)[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    member.node = to_node
    member.save(update_fields=["node", "updated_at"])
    audit_log(actor=actor, action="members.member.transferred", node=from_node, target=member, before=before, after=_snapshot(member))
    return transfer


@transaction.atomic
def member_merge(*, actor, keep: Member, duplicate: Member) -> Member:
    """Merge `duplicate` into `keep`: dues move over, blanks are filled, history stays.

    The duplicate record is kept (status "merged", pointing at `keep`) with its periods
    and transfers, and is left out of every count and list from then on.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    locked = {
        m.pk: m
        for m in Member.objects.select_for_update().select_related("node").filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if MemberStatus.MERGED in (keep.status, duplicate.status):
        raise ValidationError(_("One of the two records was already merged."))
    clash = set(keep.dues.values_list("year", flat=True)) & set(duplicate.dues.values_list("year", flat=True))
    if clash:
        raise ValidationError(
            _("Both records have dues recorded for %(years)s. Cancel the wrong payment first.") % {"years": ", ".join(str(y) for y in sorted(clash))}
        )
    before_keep, before_dup = _snapshot(keep), _snapshot(duplicate)
    dup_citizen_id = duplicate.citizen_id
    if dup_citizen_id and keep.citizen_id and dup_citizen_id != keep.citizen_id:
        raise ValidationError(_("The two records have different CCCD numbers; they are not the same person."))
    Dues.objects.filter(member=duplicate).update(member=keep)
    period = _open_period(duplicate)
    if period:
        period.end, period.end_reason = max(_today(), period.start), PeriodEnd.MERGED
        period.save(update_fields=["end", "end_reason"])
    duplicate.status, duplicate.merged_into = MemberStatus.MERGED, keep
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    sync_periods(duplicate)
    for field in ("gender", "birth_year", "birth_date", "ethnicity", "phone", "citizen_id", "address"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    if duplicate.joined_on < keep.joined_on:
        keep.joined_on = duplicate.joined_on
        first = keep.periods.order_by("start", "id").first()
        if first:
            first.start = keep.joined_on
            first.save(update_fields=["start"])
    keep.save()
    sync_periods(keep)
    audit_log(
        actor=actor,
        action="members.member.merged",
        node=keep.node,
        target=keep,
        before={"kept": before_keep, "merged": before_dup},
        after={"kept": _snapshot(keep), "merged_record": duplicate.pk},
    )
    return keep


# ------------------------------------------------------------------------------- dues


@transaction.atomic
def dues_record(
    *, actor, member: Member, year: int, amount: int, paid_on: dt.date, receipt_ref: str = ""
) -> Dues:
    member = Member.objects.select_for_update().select_related("node").get(pk=member.pk)
    if member.status == MemberStatus.MERGED:
        raise ValidationError(_("This record was merged into another one."))
    today = _today()
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0 or amount > MAX_DUES:
        raise ValidationError({"amount": _("Enter the amount as a whole number of đồng greater than 0.")})
    if not (member.joined_on.year <= year <= today.year + 1):
        raise ValidationError({"year": _("The year must be between the join year (%(first)s) and next year.") % {"first": member.joined_on.year}})
    if paid_on > today:
        raise ValidationError({"paid_on": _("The payment date is in the future.")})
    if Dues.objects.filter(member=member, year=year).exists():
        raise ValidationError({"year": _("Dues for %(year)s are already recorded for this member.") % {"year": year}})
    dues = Dues.objects.create(
        member=member,
        node=member.node,
        year=year,
        amount=amount,
        paid_on=paid_on,
        receipt_ref=nfc(receipt_ref)[:40],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_log(
        actor=actor,
        action="members.dues.recorded",
        node=member.node,
        target=dues,
        after={"member": member.pk, "year": year, "amount": amount, "paid_on": paid_on.isoformat(), "receipt_ref": dues.receipt_ref},
    )
    return dues


@transaction.atomic
def dues_cancel(*, actor, dues: Dues) -> None:
    before = {"member": dues.member_id, "year": dues.year, "amount": dues.amount, "paid_on": dues.paid_on.isoformat(), "receipt_ref": dues.receipt_ref}
    node = dues.node
    audit_log(actor=actor, action="members.dues.cancelled", node=node, target=dues, before=before)
    dues.delete()


@transaction.atomic
def dues_record_many(*, actor, members: Sequence[Member], year: int, amount: int, paid_on: dt.date) -> int:
    """Record the same dues for several members (a chapter collecting at a meeting).

    Members who already paid for `year` are skipped; returns how many were recorded.
    """
    count = 0
    for member in members:
        if Dues.objects.filter(member=member, year=year).exists():
            continue
        dues_record(actor=actor, member=member, year=year, amount=amount, paid_on=paid_on)
        count += 1
    return count


# ------------------------------------------------------------------------- bulk paths

MEMBER_COLUMNS = (
    "id",
    "node",
    "kind",
    "full_name",
    "search_key",
    "reverse_key",
    "sort_key",
    "gender",
    "birth_year",
    "birth_date",
    "ethnicity",
    "phone",
    "citizen_id",
    "address",
    "joined_on",
    "left_on",
    "leave_reason",
    "status",
    "merged_into",
    "created_at",
    "updated_at",
)
PERIOD_COLUMNS = ("id", "member", "node", "start", "start_reason", "end", "end_reason", *PERIOD_COPIES, "merged")
AUDIT_COLUMNS = ("at", "actor", "node_id", "node_path", "action", "target_type", "target_id", "before", "after")


def _masked_json(values: dict | None) -> str | None:
    if values is None:
        return None
    return json.dumps({k: ("***" if k in SECRET_FIELDS and v else v) for k, v in values.items()}, ensure_ascii=False)


def bulk_audit_rows(*, actor, action: str, items: Sequence[tuple[Node, int, dict | None, dict | None]]) -> int:
    """Audit many member changes at once: (node, member id, before, after) each."""
    at = timezone.now()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    rows = (
        (at, actor_id, node.pk, node.path, action, "members.member", str(pk), _masked_json(before), _masked_json(after))
        for node, pk, before, after in items
    )
    return bulk.insert_rows(AuditEvent, AUDIT_COLUMNS, rows)


def members_bulk_create(
    *,
    rows: Sequence[dict[str, Any]],
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 5000,
) -> list[int]:
    """Create many members from already cleaned values; returns their ids in row order.

    Each row needs `node_id`, `full_name`, `joined_on` and may hold the other editable
    fields; `left_on` / `leave_reason` make a member who has already left (the stay is
    closed on that date). Writes the members and their first membership period. No
    duplicate checks: callers (the import plan, the demo) did them against the whole
    set. No audit row per member either: every member written by one call shares one
    `created_at`, and the caller writes one audit row for the whole batch (the import
    record with the file's SHA-256, or the demo).
    """
    if not rows:
        return []
    with transaction.atomic():
        ids = bulk.reserve_ids(Member, len(rows))
        period_ids = bulk.reserve_ids(MembershipPeriod, len(rows))
        now = timezone.now()
        total = len(rows)
        for start in range(0, total, batch_size):
            end = start + batch_size
            member_rows = []
            period_rows = []
            for pk, period_id, r in zip(ids[start:end], period_ids[start:end], rows[start:end], strict=True):
                skey, sort = name_keys(r["full_name"])
                left_on = r.get("left_on")
                kind, gender, birth_year, ethnicity = (
                    r.get("kind") or MemberKind.INDIVIDUAL, r.get("gender") or "", r.get("birth_year"), r.get("ethnicity") or ""
                )
                member_rows.append(
                    (
                        pk,
                        r["node_id"],
                        kind,
                        r["full_name"],
                        skey,
                        reversed_words(skey),
                        sort,
                        gender,
                        birth_year,
                        r.get("birth_date"),
                        ethnicity,
                        r.get("phone") or "",
                        r.get("citizen_id") or "",
                        r.get("address") or "",
                        r["joined_on"],
                        left_on,
                        (r.get("leave_reason") or "") if left_on else "",
                        MemberStatus.LEFT if left_on else MemberStatus.ACTIVE,
                        None,
                        now,
                        now,
                    )
                )
                period_rows.append(
                    (
                        period_id, pk, r["node_id"], r["joined_on"], PeriodStart.JOINED, left_on, PeriodEnd.LEFT if left_on else "",
                        kind, gender, birth_year, ethnicity, False,
                    )
                )
            bulk.insert_rows(Member, MEMBER_COLUMNS, member_rows)
            bulk.insert_rows(MembershipPeriod, PERIOD_COLUMNS, period_rows)
            if progress:
                progress(min(end, total), total)
    return ids


def members_bulk_update(
    *,
    actor,
    changes: Sequence[tuple[Member, dict[str, Any]]],
    on: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 5000,
) -> int:
    """Apply cleaned changes to many members; a new `node_id` is a transfer on `on`.

    `changes` pairs a member (as loaded, with its current values) with the fields that
    differ. Setting `left_on` on an active member records a leave. Writes one audit
    row per member with the before and after of the changed fields.
    """
    if not changes:
        return 0
    on = on or _today()
    now = timezone.now()
    simple_fields = [*EDITABLE_FIELDS, "left_on", "leave_reason"]
    with transaction.atomic():
        # Group by the set of changed fields: one prepared UPDATE per shape.
        shapes: dict[tuple[str, ...], list[tuple]] = {}
        transfers: list[tuple[Member, int, dict]] = []
        leaves: list[tuple[Member, dt.date]] = []
        join_dates: list[tuple[Member, dt.date]] = []
        audit_items = []
        node_ids = {m.node_id for m, _c in changes} | {c["node_id"] for _m, c in changes if "node_id" in c}
        nodes = {n.pk: n for n in Node.objects.filter(pk__in=node_ids)}
        for member, change in changes:
            fields = tuple(sorted(f for f in change if f in simple_fields))
            values = dict(change)
            if "full_name" in values:
                values["search_key"], values["sort_key"] = name_keys(values["full_name"])
                values["reverse_key"] = reversed_words(values["search_key"])
                fields = fields + ("search_key", "reverse_key", "sort_key")
            if fields:
                shapes.setdefault(fields + ("updated_at",), []).append((member.pk, *[values[f] for f in fields], now))
            if "node_id" in change and change["node_id"] != member.node_id:
                transfers.append((member, change["node_id"], change))
            if change.get("left_on") and member.status == MemberStatus.ACTIVE:
                leaves.append((member, change["left_on"]))
            if "joined_on" in change:
                join_dates.append((member, change["joined_on"]))
            before = {("node" if k == "node_id" else k): _jsonable(getattr(member, k), k) for k in change}
            after = {("node" if k == "node_id" else k): _jsonable(v, k) for k, v in change.items()}
            audit_items.append((nodes[change.get("node_id", member.node_id)], member.pk, before, after))
        for fields, rows in shapes.items():
            bulk.update_rows(Member, fields, rows, batch_size=batch_size)
        copies: dict[tuple[str, ...], list[tuple]] = {}
        for member, change in changes:
            fields = tuple(f for f in PERIOD_COPIES if f in change)
            if fields:
                copies.setdefault(fields, []).append((member.pk, *[change[f] for f in fields]))
        for fields, rows in copies.items():
            _sync_periods_bulk(fields, rows)
        if join_dates:
            _bulk_first_period(join_dates)
        if transfers:
            _bulk_transfer(actor=actor, transfers=transfers, on=on, now=now)
        if leaves:
            _bulk_leave(leaves=leaves)
        bulk_audit_rows(actor=actor, action="members.member.updated", items=audit_items)
        if progress:
            progress(len(changes), len(changes))
    return len(changes)


DUES_COLUMNS = ("id", "member", "node", "year", "amount", "paid_on", "receipt_ref", "recorded_by", "created_at")


def dues_bulk_create(*, actor, rows: Sequence[dict[str, Any]]) -> int:
    """Record many dues payments at once: {member_id, node_id, year, amount, paid_on,
    receipt_ref}. The caller has checked one payment per member and year (the
    database refuses a second one)."""
    if not rows:
        return 0
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    with transaction.atomic():
        ids = bulk.reserve_ids(Dues, len(rows))
        now = timezone.now()
        return bulk.insert_rows(
            Dues,
            DUES_COLUMNS,
            (
                (pk, r["member_id"], r["node_id"], r["year"], r["amount"], r["paid_on"], r.get("receipt_ref", ""), actor_id, now)
                for pk, r in zip(ids, rows, strict=True)
            ),
        )


def _jsonable(value: Any, key: str) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if key == "phone":
        return mask(value or "")
    return value


def _bulk_transfer(*, actor, transfers: list[tuple[Member, int, dict]], on: dt.date, now: dt.datetime) -> None:
    """`transfers` are (member as loaded, new unit id, the member's changed fields)."""
    open_periods = _open_periods([m.pk for m, _n, _c in transfers])
    bulk.update_rows(
        MembershipPeriod,
        ("end", "end_reason"),
        [(open_periods[m.pk].pk, max(on, open_periods[m.pk].start), PeriodEnd.TRANSFER) for m, _n, _c in transfers if m.pk in open_periods],
    )
    period_ids = bulk.reserve_ids(MembershipPeriod, len(transfers))
    bulk.insert_rows(
        MembershipPeriod,
        PERIOD_COLUMNS,
        [
            (
                pid, m.pk, to, max(on, open_periods[m.pk].start) if m.pk in open_periods else on, PeriodStart.TRANSFER, None, "",
                *[copies.get(f, getattr(m, f)) for f in PERIOD_COPIES], False,
            )
            for pid, (m, to, copies) in zip(period_ids, transfers, strict=True)
        ],
    )
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    transfer_ids = bulk.reserve_ids(MemberTransfer, len(transfers))
    bulk.insert_rows(
        MemberTransfer,
        ("id", "member", "from_node", "to_node", "on", "note", "created_by", "created_at"),
        [(tid, m.pk, m.node_id, to, on, "", actor_id, now) for tid, (m, to, _c) in zip(transfer_ids, transfers, strict=True)],
    )
    bulk.update_rows(Member, ("node",), [(m.pk, to) for m, to, _c in transfers])


def _open_periods(member_ids: list[int]) -> dict[int, MembershipPeriod]:
    out: dict[int, MembershipPeriod] = {}
    for ids in bulk.chunked(member_ids):
        out.update((p.member_id, p) for p in MembershipPeriod.objects.filter(member_id__in=ids, end__isnull=True))
    return out


def _bulk_first_period(changes: list[tuple[Member, dt.date]]) -> None:
    """A corrected join date moves the start of the member's first stay."""
    first: dict[int, int] = {}
    for ids in bulk.chunked([m.pk for m, _d in changes]):
        for pk, member_id in MembershipPeriod.objects.filter(member_id__in=ids).order_by("-start", "-id").values_list("pk", "member_id"):
            first[member_id] = pk  # newest first: the last one written is the earliest
    bulk.update_rows(MembershipPeriod, ("start",), [(first[m.pk], d) for m, d in changes if m.pk in first])


def _bulk_leave(*, leaves: list[tuple[Member, dt.date]]) -> None:
    open_periods = _open_periods([m.pk for m, _d in leaves])
    bulk.update_rows(
        MembershipPeriod,
        ("end", "end_reason"),
        [(open_periods[m.pk].pk, max(d, open_periods[m.pk].start), PeriodEnd.LEFT) for m, d in leaves if m.pk in open_periods],
    )
    bulk.update_rows(Member, ("status",), [(m.pk, MemberStatus.LEFT) for m, _d in leaves])


# ------------------------------------------------------------------- reorganisation


def move_members(old: Node, new: Node, effective: dt.date) -> int:
    """Node mover: on a merge the members follow the successor from `effective`.

    Their stay in the old unit ends on `effective` and a new one starts there, so
    reports for earlier years still count them under the old unit.
    """
    members = list(Member.objects.filter(node=old, status=MemberStatus.ACTIVE).only("pk", "node_id"))
    if not members:
        Member.objects.filter(node=old).exclude(status=MemberStatus.ACTIVE).update(node=new)
        return 0
    with transaction.atomic():
        ids = [m.pk for m in members]
        open_periods = [p for p in _open_periods(ids).values() if p.node_id == old.pk]
        bulk.update_rows(
            MembershipPeriod, ("end", "end_reason"), [(p.pk, max(effective, p.start), PeriodEnd.REORGANISED) for p in open_periods]
        )
        new_ids = bulk.reserve_ids(MembershipPeriod, len(open_periods))
        bulk.insert_rows(
            MembershipPeriod,
            PERIOD_COLUMNS,
            [
                (
                    pid, p.member_id, new.pk, max(effective, p.start), PeriodStart.REORGANISED, None, "",
                    *[getattr(p, f) for f in PERIOD_COPIES], p.merged,
                )
                for pid, p in zip(new_ids, open_periods, strict=True)
            ],
        )
        Member.objects.filter(node=old).update(node=new)
        audit_log(
            actor=None,
            action="members.member.moved",
            node=new,
            target=new,
            before={"node": old.pk, "members": len(ids)},
            after={"node": new.pk, "effective": effective.isoformat()},
        )
    return len(members)


def close_check(node: Node) -> str | None:
    """A unit cannot close while it still has active members (transfer them first)."""
    n = Member.objects.filter(node=node, status=MemberStatus.ACTIVE).count()
    if n:
        return _("It still has %(count)s active members; transfer them or merge the unit instead.") % {"count": n}
    return None

