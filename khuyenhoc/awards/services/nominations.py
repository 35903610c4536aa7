"""Nominations on their way up the tree: propose, review, forward or return, score, approve.

Every write locks the programme row first, so quota and budget checks see every earlier
nomination and approval (on SQLite the IMMEDIATE transaction mode serialises anyway).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.dates import format_date
from khuyenhoc.core.money import format_vnd
from khuyenhoc.core.text import collation_key, name_sort_key, nfc
from khuyenhoc.organizations.models import Node

from .. import selectors
from ..models import (
    LIVE_STATUSES,
    PERSON_KINDS,
    Evidence,
    Nomination,
    NominationStatus,
    NomineeKind,
    Programme,
    StepAction,
)
from ..uploads import check_upload, store
from ._common import add_step, nomination_snapshot, require

REVIEW_CAPS = (Cap.AWARDS_NOMINATE, Cap.AWARDS_DECIDE)
EDITABLE = (NominationStatus.PENDING, NominationStatus.RETURNED)


def _lock_programme(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().select_related("node").get(pk=programme.pk)


def _lock(nomination: Nomination) -> Nomination:
    # The programme row is the lock every nomination write queues on.
    n = Nomination.objects.only("programme_id").get(pk=nomination.pk)
    _lock_programme(Programme(pk=n.programme_id))
    return Nomination.objects.select_related("node", "at_node", "programme__node").get(pk=n.pk)


def _first_reviewer(programme: Programme, node: Node) -> Node:
    """Where a new nomination goes: the level above its unit, or the programme's association."""
    if node.pk == programme.node_id or node.parent_id is None:
        return programme.node
    return node.parent


def _check_open(programme: Programme, on: dt.date) -> None:
    if not programme.is_open:
        raise ValidationError(_("The programme “%(name)s” is closed: it takes no more nominations.") % {"name": programme.name})
    if on > programme.deadline:
        raise ValidationError(
            _("The nomination deadline of “%(name)s” was %(date)s: nominations are no longer accepted.")
            % {"name": programme.name, "date": format_date(programme.deadline)}
        )


def _eligibility_errors(programme: Programme, *, kind: str, birth_year, poor_household: bool, source_id) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in NomineeKind.values:
        return {"nominee_kind": _("Unknown kind of nominee.")}
    if kind not in programme.nominee_kinds:
        errors["nominee_kind"] = _("“%(name)s” is for: %(kinds)s. A %(kind)s cannot be nominated.") % {
            "name": programme.name,
            "kinds": ", ".join(programme.kinds_display()).lower(),
            "kind": str(NomineeKind(kind).label).lower(),
        }
        return errors
    if kind in PERSON_KINDS and (programme.min_age is not None or programme.max_age is not None):
        if not birth_year:
            errors["birth_year"] = _("Give the year of birth: the programme has an age limit.")
        else:
            age = programme.year - int(birth_year)
            if programme.min_age is not None and age < programme.min_age:
                errors["birth_year"] = _("Born in %(born)s, the nominee is %(age)s in %(year)s, below the programme's minimum age of %(min)s.") % {
                    "born": birth_year, "age": age, "year": programme.year, "min": programme.min_age}
            elif programme.max_age is not None and age > programme.max_age:
                errors["birth_year"] = _("Born in %(born)s, the nominee is %(age)s in %(year)s, above the programme's maximum age of %(max)s.") % {
                    "born": birth_year, "age": age, "year": programme.year, "max": programme.max_age}
    if birth_year and not 1900 <= int(birth_year) <= programme.year:
        errors["birth_year"] = _("The year of birth %(born)s is not possible.") % {"born": birth_year}
    if programme.requires_poor_household and not poor_household:
        errors["poor_household"] = _("“%(name)s” is only for pupils of poor or near-poor households certified by the commune.") % {"name": programme.name}
    if programme.requires_recognition and source_id is None:
        errors["nominee_name"] = _("“%(name)s” takes only families, clans or communities recognised this year: nominate them from their recognition record.") % {
            "name": programme.name}
    return errors


def _check_quota(programme: Programme, node: Node, exclude_pk=None) -> None:
    quotas = programme.quotas.select_related("node").filter(node__path__in=node.ancestor_paths())
    live = Nomination.objects.filter(programme=programme, status__in=LIVE_STATUSES)
    if exclude_pk:
        live = live.exclude(pk=exclude_pk)
    for quota in quotas:
        used = live.filter(node__path__startswith=quota.node.path).count()
        if used >= quota.max_nominations:
            raise ValidationError(
                _("The quota of %(unit)s in “%(name)s” is %(max)s nominations and %(used)s have been made.")
                % {"unit": quota.node.name, "name": programme.name, "max": quota.max_nominations, "used": used}
            )


def _check_duplicate(programme: Programme, *, kind: str, name: str, birth_year, node: Node, exclude_pk=None) -> None:
    # A person is one person across the commune; collectives, families and clans often
    # share names between wards ("Chi hội tổ 1"), so those only clash within one unit.
    area = node.path[:-9] if kind in PERSON_KINDS and node.depth > 1 else node.path
    qs = Nomination.objects.filter(
        programme=programme, status__in=LIVE_STATUSES, nominee_kind=kind, name_sort=_sort_key(kind, name), birth_year=birth_year,
        node__path__startswith=area,
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    other = qs.select_related("node").first()
    if other:
        raise ValidationError(
            {"nominee_name": _("%(name)s is already nominated in this programme by %(unit)s.") % {"name": other.nominee_name, "unit": other.node.name}}
        )


def _sort_key(kind: str, name: str) -> str:
    return name_sort_key(name) if kind in PERSON_KINDS else collation_key(name)


def _clean_person_fields(fields: dict) -> dict:
    out = dict(fields)
    out["nominee_name"] = nfc(out.get("nominee_name"))
    out["achievement"] = (out.get("achievement") or "").strip()
    for f in ("school", "class_name", "address"):
        out[f] = nfc(out.get(f))
    by = out.get("birth_year")
    out["birth_year"] = int(by) if by not in (None, "") else None
    out["poor_household"] = bool(out.get("poor_household"))
    errors = {}
    if not out["nominee_name"]:
        errors["nominee_name"] = _("Give the name of the nominee.")
    if not out["achievement"]:
        errors["achievement"] = _("Describe the achievements the nomination rests on.")
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def nomination_create(
    *,
    actor,
    programme: Programme,
    node: Node,
    nominee_kind: str,
    nominee_name: str,
    achievement: str,
    birth_year: int | None = None,
    school: str = "",
    class_name: str = "",
    address: str = "",
    poor_household: bool = False,
    source_kind: str = "",
    source_id: int | None = None,
    on: dt.date | None = None,
) -> Nomination:
    """Propose a nominee from `node`. `on` is the day of the proposal (today unless replayed)."""
    programme = _lock_programme(programme)
    require(actor, node, Cap.AWARDS_NOMINATE, _("You may not propose nominations for %(unit)s.") % {"unit": node.name})
    on = on or timezone.localdate()
    _check_open(programme, on)
    if not node.path.startswith(programme.node.path):
        raise ValidationError(
            {"node": _("%(unit)s is not under %(owner)s, which runs this programme.") % {"unit": node.name, "owner": programme.node.name}}
        )
    if not node.is_active:
        raise ValidationError({"node": _("%(unit)s is closed.") % {"unit": node.name}})
    data = _clean_person_fields(
        {"nominee_name": nominee_name, "achievement": achievement, "school": school, "class_name": class_name,
         "address": address, "birth_year": birth_year, "poor_household": poor_household}
    )
    errors = _eligibility_errors(programme, kind=nominee_kind, birth_year=data["birth_year"], poor_household=data["poor_household"], source_id=source_id)
    if errors:
        raise ValidationError(errors)
    _check_duplicate(programme, kind=nominee_kind, name=data["nominee_name"], birth_year=data["birth_year"], node=node)
    if source_id is not None and Nomination.objects.filter(
        programme=programme, source_kind=source_kind, source_id=source_id, status__in=LIVE_STATUSES
    ).exists():
        raise ValidationError(_("%(name)s has already been nominated in this programme from its recognition record.") % {"name": data["nominee_name"]})
    _check_quota(programme, node)
    at = _first_reviewer(programme, node)
    nomination = Nomination.objects.create(
        programme=programme,
        node=node,
        at_node=at,
        nominee_kind=nominee_kind,
        name_sort=_sort_key(nominee_kind, data["nominee_name"]),
        amount=programme.amount,
        source_kind=source_kind if source_id is not None else "",
        source_id=source_id,
        created_by=actor if getattr(actor, "pk", None) else None,
        **data,
    )
    add_step(nomination, StepAction.SUBMITTED, actor=actor, from_node=node, to_node=at)
    audit_log(actor=actor, action="awards.nomination.submitted", node=node, target=nomination, after=nomination_snapshot(nomination))
    return nomination


@transaction.atomic
def nomination_update(*, actor, nomination: Nomination, **fields) -> Nomination:
    """Correct a nomination while it is returned to its unit or waiting at its first review."""
    n = _lock(nomination)
    if n.status not in EDITABLE:
        raise ValidationError(_("This nomination can no longer be changed: it is %(status)s.") % {"status": n.get_status_display().lower()})
    require(actor, n.at_node, REVIEW_CAPS, _("Only %(unit)s, where the nomination is now, may correct it.") % {"unit": n.at_node.name})
    allowed = {"nominee_kind", "nominee_name", "achievement", "birth_year", "school", "class_name", "address", "poor_household"}
    if set(fields) - allowed:
        raise TypeError(f"unknown nomination fields: {sorted(set(fields) - allowed)}")
    before = nomination_snapshot(n)
    current = {f: getattr(n, f) for f in allowed}
    current.update(fields)
    data = _clean_person_fields(current)
    kind = data.pop("nominee_kind")
    errors = _eligibility_errors(n.programme, kind=kind, birth_year=data["birth_year"], poor_household=data["poor_household"], source_id=n.source_id)
    if errors:
        raise ValidationError(errors)
    _check_duplicate(n.programme, kind=kind, name=data["nominee_name"], birth_year=data["birth_year"], node=n.node, exclude_pk=n.pk)
    for f, v in data.items():
        setattr(n, f, v)
    n.nominee_kind = kind
    n.name_sort = _sort_key(kind, n.nominee_name)
    n.save()
    add_step(n, StepAction.EDITED, actor=actor, from_node=n.at_node, to_node=n.at_node)
    audit_log(actor=actor, action="awards.nomination.updated", node=n.node, target=n, before=before, after=nomination_snapshot(n))
    return n


def _move(n: Nomination, *, actor, action: str, status: str, to: Node, note: str, audit_action: str) -> Nomination:
    before = nomination_snapshot(n)
    from_node = n.at_node
    n.status = status
    n.at_node = to
    n.note = note[:500]
    n.save(update_fields=["status", "at_node", "note", "updated_at"])
    add_step(n, action, actor=actor, from_node=from_node, to_node=to, note=note)
    audit_log(actor=actor, action=audit_action, node=n.node, target=n, before=before, after=nomination_snapshot(n))
    return n


@transaction.atomic
def nomination_forward(*, actor, nomination: Nomination, note: str = "") -> Nomination:
    """The reviewing level agrees and sends the nomination one level up."""
    n = _lock(nomination)
    if n.status != NominationStatus.PENDING:
        raise ValidationError(_("Only a nomination awaiting review can be forwarded; this one is %(status)s.") % {"status": n.get_status_display().lower()})
    if n.is_at_top:
        raise ValidationError(_("The nomination is already before %(unit)s, which decides on it.") % {"unit": n.at_node.name})
    require(actor, n.at_node, REVIEW_CAPS, _("Only %(unit)s may review this nomination now.") % {"unit": n.at_node.name})
    if n.programme.requires_evidence and not n.evidence.exists():
        raise ValidationError(_("“%(name)s” needs evidence: attach at least one file before forwarding.") % {"name": n.programme.name})
    return _move(n, actor=actor, action=StepAction.FORWARDED, status=NominationStatus.PENDING, to=n.at_node.parent,
                 note=nfc(note), audit_action="awards.nomination.forwarded")


@transaction.atomic
def nomination_return(*, actor, nomination: Nomination, reason: str) -> Nomination:
    """Send the nomination back to the unit that proposed it, with the reason."""
    n = _lock(nomination)
    if n.status not in (NominationStatus.PENDING, NominationStatus.APPROVED):
        raise ValidationError(_("Only a nomination under review can be returned; this one is %(status)s.") % {"status": n.get_status_display().lower()})
    require(actor, n.at_node, REVIEW_CAPS, _("Only %(unit)s may review this nomination now.") % {"unit": n.at_node.name})
    if n.status == NominationStatus.APPROVED and not n.at_node_id == n.programme.node_id:
        raise ValidationError(_("Only the council may return an approved nomination."))
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the nomination is returned, so the unit can correct it.")})
    return _move(n, actor=actor, action=StepAction.RETURNED, status=NominationStatus.RETURNED, to=n.node, note=reason,
                 audit_action="awards.nomination.returned")


@transaction.atomic
def nomination_resubmit(*, actor, nomination: Nomination, on: dt.date | None = None) -> Nomination:
    n = _lock(nomination)
    if n.status != NominationStatus.RETURNED:
        raise ValidationError(_("Only a returned nomination can be sent again."))
    require(actor, n.node, Cap.AWARDS_NOMINATE, _("You may not propose nominations for %(unit)s.") % {"unit": n.node.name})
    _check_open(n.programme, on or timezone.localdate())
    return _move(n, actor=actor, action=StepAction.RESUBMITTED, status=NominationStatus.PENDING, to=_first_reviewer(n.programme, n.node),
                 note="", audit_action="awards.nomination.resubmitted")


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination, reason: str = "") -> Nomination:
    n = _lock(nomination)
    if n.status not in EDITABLE:
        raise ValidationError(_("This nomination can no longer be withdrawn: it is %(status)s.") % {"status": n.get_status_display().lower()})
    require(actor, n.node, Cap.AWARDS_NOMINATE, _("You may not withdraw nominations of %(unit)s.") % {"unit": n.node.name})
    return _move(n, actor=actor, action=StepAction.WITHDRAWN, status=NominationStatus.WITHDRAWN, to=n.at_node, note=nfc(reason),
                 audit_action="awards.nomination.withdrawn")


def _require_council(actor, n: Nomination) -> None:
    if not n.is_at_top:
        raise ValidationError(
            _("The nomination is still at %(unit)s: the council decides only once it has been forwarded to %(owner)s.")
            % {"unit": n.at_node.name, "owner": n.programme.node.name}
        )
    require(actor, n.programme.node, Cap.AWARDS_DECIDE, _("Only the council of %(unit)s decides on this programme.") % {"unit": n.programme.node.name})


def clean_scores(programme: Programme, scores: dict) -> tuple[dict, int]:
    clean: dict[str, int] = {}
    errors: dict[str, str] = {}
    for item in programme.rubric:
        raw = scores.get(item["key"])
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[f"score_{item['key']}"] = _("Give the points for “%(label)s”.") % {"label": item["label"]}
            continue
        if not 0 <= value <= item["max"]:
            errors[f"score_{item['key']}"] = _("“%(label)s” takes 0 to %(max)s points.") % {"label": item["label"], "max": item["max"]}
            continue
        clean[item["key"]] = value
    if errors:
        raise ValidationError(errors)
    return clean, sum(clean.values())


@transaction.atomic
def nomination_score(*, actor, nomination: Nomination, scores: dict) -> Nomination:
    n = _lock(nomination)
    if n.status != NominationStatus.PENDING:
        raise ValidationError(_("Only a nomination awaiting review can be scored; this one is %(status)s.") % {"status": n.get_status_display().lower()})
    _require_council(actor, n)
    if not n.programme.rubric:
        raise ValidationError(_("The programme has no scoring rubric."))
    clean, total = clean_scores(n.programme, scores)
    before = nomination_snapshot(n)
    n.scores = clean
    n.score = total
    n.save(update_fields=["scores", "score", "updated_at"])
    add_step(n, StepAction.SCORED, actor=actor, from_node=n.at_node, to_node=n.at_node, note=str(total))
    audit_log(actor=actor, action="awards.nomination.scored", node=n.node, target=n, before=before, after=nomination_snapshot(n))
    return n


def _budget_error(programme: Programme, committed: int, adding: int) -> ValidationError:
    return ValidationError(
        _("Approving %(adding)s more would bring “%(name)s” to %(total)s, above its budget of %(budget)s (%(left)s left).")
        % {
            "adding": format_vnd(adding),
            "name": programme.name,
            "total": format_vnd(committed + adding),
            "budget": format_vnd(programme.budget),
            "left": format_vnd(max(programme.budget - committed, 0)),
        }
    )


def _check_approvable(n: Nomination) -> None:
    p = n.programme
    if p.rubric and n.score is None:
        raise ValidationError(_("Score %(name)s against the rubric before approving.") % {"name": n.nominee_name})
    if p.pass_score is not None and (n.score or 0) < p.pass_score:
        raise ValidationError(
            _("%(name)s scored %(score)s, below the pass mark of %(pass)s.") % {"name": n.nominee_name, "score": n.score, "pass": p.pass_score}
        )


@transaction.atomic
def nomination_approve(*, actor, nomination: Nomination) -> Nomination:
    n = _lock(nomination)
    if n.status != NominationStatus.PENDING:
        raise ValidationError(_("Only a nomination awaiting review can be approved; this one is %(status)s.") % {"status": n.get_status_display().lower()})
    _require_council(actor, n)
    _check_approvable(n)
    committed = selectors.committed_amount(n.programme)
    if committed + n.amount > n.programme.budget:
        raise _budget_error(n.programme, committed, n.amount)
    return _move(n, actor=actor, action=StepAction.APPROVED, status=NominationStatus.APPROVED, to=n.at_node, note="",
                 audit_action="awards.nomination.approved")


@transaction.atomic
def nomination_reject(*, actor, nomination: Nomination, reason: str) -> Nomination:
    n = _lock(nomination)
    if n.status not in (NominationStatus.PENDING, NominationStatus.APPROVED):
        raise ValidationError(_("Only a nomination under review can be refused; this one is %(status)s.") % {"status": n.get_status_display().lower()})
    _require_council(actor, n)
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for not approving.")})
    return _move(n, actor=actor, action=StepAction.REJECTED, status=NominationStatus.REJECTED, to=n.at_node, note=reason,
                 audit_action="awards.nomination.rejected")


@transaction.atomic
def nominations_approve_ranked(*, actor, programme: Programme, count: int | None = None) -> int:
    """Approve the best-ranked nominations awaiting the council, in rank order, within the budget.

    With `count`, exactly the top `count` eligible ones, or nothing if they do not fit
    the budget; without it, as many as fit, stopping at the first that does not.
    """
    programme = _lock_programme(programme)
    require(actor, programme.node, Cap.AWARDS_DECIDE, _("Only the council of %(unit)s decides on this programme.") % {"unit": programme.node.name})
    q = Q(programme=programme, at_node_id=programme.node_id, status=NominationStatus.PENDING)
    if programme.rubric:
        q &= Q(score__isnull=False)
    if programme.pass_score is not None:
        q &= Q(score__gte=programme.pass_score)
    rows = list(Nomination.objects.filter(q).order_by("-score", "id").values_list("id", "amount"))
    committed = selectors.committed_amount(programme)
    left = programme.budget - committed
    chosen: list[int] = []
    total = 0
    if count is not None:
        if count < 1:
            raise ValidationError({"count": _("Approve at least one nomination.")})
        take = rows[:count]
        total = sum(a for _i, a in take)
        if total > left:
            raise _budget_error(programme, committed, total)
        chosen = [i for i, _a in take]
    else:
        for pk, amount in rows:
            if total + amount > left:
                break
            total += amount
            chosen.append(pk)
    if not chosen:
        return 0
    from ..models import NominationStep

    now_actor = actor if getattr(actor, "pk", None) else None
    for start in range(0, len(chosen), 500):
        part = chosen[start : start + 500]
        Nomination.objects.filter(pk__in=part).update(status=NominationStatus.APPROVED, note="", updated_at=timezone.now())
        NominationStep.objects.bulk_create(
            [NominationStep(nomination_id=pk, action=StepAction.APPROVED, from_node_id=programme.node_id, to_node_id=programme.node_id,
                            actor=now_actor, note=_("approved in rank order")) for pk in part]
        )
    audit_log(actor=actor, action="awards.nomination.approved_ranked", node=programme.node, target=programme,
              after={"count": len(chosen), "amount": total, "first": chosen[0], "last": chosen[-1]})
    return len(chosen)


@transaction.atomic
def evidence_add(*, actor, nomination: Nomination, upload, name: str | None = None, description: str = "") -> Evidence:
    """Attach a photo or PDF. Refused unless it really is one, under the size limit."""
    n = _lock(nomination)
    if n.status not in (NominationStatus.PENDING, NominationStatus.RETURNED, NominationStatus.APPROVED):
        raise ValidationError(_("Evidence can no longer be added: the nomination is %(status)s.") % {"status": n.get_status_display().lower()})
    if not any(require_ok(actor, node) for node in (n.node, n.at_node)):
        raise ValidationError(_("You may not add evidence to this nomination."))
    checked = check_upload(upload, name=name)
    stored = store(checked, "evidence")
    evidence = Evidence.objects.create(
        nomination=n,
        file=stored,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        description=nfc(description),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    add_step(n, StepAction.EVIDENCE, actor=actor, from_node=n.at_node, to_node=n.at_node, note=checked.original_name)
    audit_log(actor=actor, action="awards.evidence.added", node=n.node, target=evidence,
              after={"nomination": n.pk, "name": checked.original_name, "size": checked.size, "sha256": checked.sha256})
    return evidence


def require_ok(actor, node: Node) -> bool:
    try:
        require(actor, node, REVIEW_CAPS, "")
    except ValidationError:
        return False
    return True
