"""Award programmes and their quotas."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.text import nfc
from khuyenhoc.organizations.models import Node

from ..models import NomineeKind, Programme, ProgrammeStatus, Quota
from ..presets import PRESETS
from ._common import require

MAX_AMOUNT = 10**12
_KEY = re.compile(r"^[a-z0-9_]{1,30}$")


def _snapshot(p: Programme) -> dict:
    return {
        "name": p.name,
        "year": p.year,
        "nominee_kinds": list(p.nominee_kinds),
        "amount": p.amount,
        "budget": p.budget,
        "deadline": p.deadline.isoformat() if p.deadline else None,
        "status": p.status,
        "rubric": p.rubric,
        "pass_score": p.pass_score,
    }


def clean_rubric(rubric) -> list[dict]:
    """A rubric is a list of {key, label, max}; keys unique, maxima positive."""
    out: list[dict] = []
    seen: set[str] = set()
    for i, item in enumerate(rubric or [], start=1):
        label = nfc(str(item.get("label", "")))
        key = str(item.get("key") or f"c{i}")
        try:
            top = int(item.get("max", 0))
        except (TypeError, ValueError):
            top = 0
        if not label:
            raise ValidationError({"rubric": _("Criterion %(n)s has no name.") % {"n": i}})
        if not _KEY.match(key) or key in seen:
            raise ValidationError({"rubric": _("Criterion %(n)s has a missing or repeated key.") % {"n": i}})
        if not 0 < top <= 1000:
            raise ValidationError({"rubric": _("Criterion '%(label)s' needs a maximum between 1 and 1000 points.") % {"label": label}})
        seen.add(key)
        out.append({"key": key, "label": label, "max": top})
    return out


def _clean(fields: dict) -> dict:
    errors: dict[str, str] = {}
    fields["name"] = nfc(fields.get("name"))
    if not fields["name"]:
        errors["name"] = _("Give the programme a name.")
    kinds = [k for k in fields.get("nominee_kinds") or []]
    if not kinds:
        errors["nominee_kinds"] = _("Choose who may be nominated.")
    elif any(k not in NomineeKind.values for k in kinds):
        errors["nominee_kinds"] = _("Unknown kind of nominee.")
    fields["nominee_kinds"] = list(dict.fromkeys(kinds))
    for money in ("amount", "budget"):
        value = fields.get(money, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= MAX_AMOUNT:
            errors[money] = _("Enter a whole number of đồng, 0 or more.")
    lo, hi = fields.get("min_age"), fields.get("max_age")
    if lo is not None and hi is not None and lo > hi:
        errors["max_age"] = _("The maximum age is below the minimum age.")
    if not isinstance(fields.get("deadline"), dt.date):
        errors["deadline"] = _("Give the nomination deadline.")
    year = fields.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Give the programme's year.")
    try:
        fields["rubric"] = clean_rubric(fields.get("rubric"))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    pass_score = fields.get("pass_score")
    if pass_score is not None and "rubric" not in errors:
        top = sum(item["max"] for item in fields["rubric"])
        if not fields["rubric"]:
            errors["pass_score"] = _("A pass mark needs a scoring rubric.")
        elif pass_score > top:
            errors["pass_score"] = _("The pass mark is above the rubric's %(top)s points.") % {"top": top}
    for text in ("description", "gift", "certificate_text"):
        if text in fields:
            fields[text] = (fields[text] or "").strip() if text == "description" else nfc(fields[text])
    if errors:
        raise ValidationError(errors)
    return fields


FIELDS = (
    "year", "name", "description", "nominee_kinds", "min_age", "max_age", "requires_poor_household", "requires_evidence",
    "requires_recognition", "rubric", "pass_score", "amount", "gift", "budget", "deadline", "certificate_text", "preset",
)


@transaction.atomic
def programme_create(*, actor, node: Node, **fields) -> Programme:
    require(actor, node, Cap.AWARDS_DECIDE, _("You may not define award programmes for %(unit)s.") % {"unit": node.name})
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    fields = _clean(dict(fields))
    if Programme.objects.filter(node=node, year=fields["year"], name=fields["name"]).exists():
        raise ValidationError({"name": _("%(unit)s already has a programme of that name in %(year)s.") % {"unit": node.name, "year": fields["year"]}})
    programme = Programme.objects.create(node=node, created_by=actor if getattr(actor, "pk", None) else None, **fields)
    audit_log(actor=actor, action="awards.programme.created", node=node, target=programme, after=_snapshot(programme))
    return programme


def programme_create_from_preset(*, actor, node: Node, preset: str, year: int, deadline: dt.date, budget: int, **overrides) -> Programme:
    if preset not in PRESETS:
        raise ValidationError({"preset": _("Unknown example programme.")})
    fields = PRESETS[preset].fields(year)
    fields.update(overrides)
    return programme_create(actor=actor, node=node, year=year, deadline=deadline, budget=budget, **fields)


@transaction.atomic
def programme_update(*, actor, programme: Programme, **fields) -> Programme:
    programme = Programme.objects.select_for_update().select_related("node").get(pk=programme.pk)
    require(actor, programme.node, Cap.AWARDS_DECIDE, _("You may not change this programme."))
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    before = _snapshot(programme)
    merged = {f: getattr(programme, f) for f in FIELDS}
    merged.update(fields)
    merged = _clean(merged)
    if (merged["year"] != programme.year or merged["nominee_kinds"] != programme.nominee_kinds) and programme.nominations.exists():
        raise ValidationError(_("Nominations have been made: the year and who may be nominated can no longer change."))
    if Programme.objects.filter(node=programme.node, year=merged["year"], name=merged["name"]).exclude(pk=programme.pk).exists():
        raise ValidationError({"name": _("%(unit)s already has a programme of that name in %(year)s.") % {"unit": programme.node.name, "year": merged["year"]}})
    for f, v in merged.items():
        setattr(programme, f, v)
    programme.save()
    audit_log(actor=actor, action="awards.programme.updated", node=programme.node, target=programme, before=before, after=_snapshot(programme))
    return programme


@transaction.atomic
def programme_set_status(*, actor, programme: Programme, status: str) -> Programme:
    programme = Programme.objects.select_for_update().select_related("node").get(pk=programme.pk)
    require(actor, programme.node, Cap.AWARDS_DECIDE, _("You may not change this programme."))
    if status not in ProgrammeStatus.values:
        raise ValidationError(_("Unknown status."))
    before = _snapshot(programme)
    programme.status = status
    programme.save(update_fields=["status"])
    action = "awards.programme.closed" if status == ProgrammeStatus.CLOSED else "awards.programme.reopened"
    audit_log(actor=actor, action=action, node=programme.node, target=programme, before=before, after=_snapshot(programme))
    return programme


@transaction.atomic
def quota_set(*, actor, programme: Programme, node: Node, max_nominations: int | None) -> Quota | None:
    """Set (or with None remove) the quota of a unit below the programme's association."""
    require(actor, programme.node, Cap.AWARDS_DECIDE, _("You may not change this programme."))
    if node.pk == programme.node_id or not node.path.startswith(programme.node.path):
        raise ValidationError({"node": _("A quota is set for a unit below %(unit)s.") % {"unit": programme.node.name}})
    existing = Quota.objects.filter(programme=programme, node=node).first()
    before = {"node": node.pk, "max": existing.max_nominations} if existing else None
    if max_nominations is None:
        if existing:
            existing.delete()
        audit_log(actor=actor, action="awards.quota.set", node=programme.node, target=programme, before=before, after=None)
        return None
    if isinstance(max_nominations, bool) or not isinstance(max_nominations, int) or max_nominations < 0:
        raise ValidationError({"max_nominations": _("A quota is a whole number, 0 or more.")})
    quota, _created = Quota.objects.update_or_create(programme=programme, node=node, defaults={"max_nominations": max_nominations})
    audit_log(actor=actor, action="awards.quota.set", node=programme.node, target=programme, before=before, after={"node": node.pk, "max": max_nominations})
    return quota
