"""Writes of the reports area: closing a year, reported figures, targets and plans, templates.

Each service runs in one transaction and writes its audit row in it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap, has_cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.text import nfc
from khuyenhoc.organizations.models import Node

from . import providers, selectors
from .labels import GROUP_LABELS
from .models import (
    PERCENT_INDICATORS,
    CloseBasis,
    Indicator,
    Programme,
    ProgrammeKind,
    ReportedFigures,
    ReportTemplate,
    Target,
    YearClose,
)

MIN_YEAR = 2000


def _require(actor, node: Node, cap: Cap, message: str) -> None:
    # The demo generator and management commands act without a person (actor None).
    if actor is not None and not has_cap(actor, node, cap):
        raise ValidationError(message)


def _check_year(year: int, *, ended: bool = True) -> None:
    today = timezone.localdate()
    if year < MIN_YEAR or year > today.year + 1:
        raise ValidationError({"year": _("%(year)s is not a year the system can report on.") % {"year": year}})
    if ended and dt.date(year, 12, 31) >= today:
        raise ValidationError({"year": _("The year %(year)s has not ended yet.") % {"year": year}})


# --- year close ---------------------------------------------------------------------------


@transaction.atomic
def year_close(*, actor, node: Node, year: int) -> YearClose:
    """Close `year` at `node`: freeze its statistics. Its child associations must have closed first."""
    node = Node.objects.select_for_update().get(pk=node.pk)
    _require(actor, node, Cap.REPORTS_CLOSE, _("You may not close a year at this unit."))
    _check_year(year)
    if YearClose.objects.filter(node=node, year=year).exists():
        raise ValidationError(_("The year %(year)s is already closed at %(name)s.") % {"year": year, "name": node.name})
    waiting = selectors.children_not_closed(node, year)
    if waiting:
        raise ValidationError(
            _("The year %(year)s cannot be closed yet: these associations have not closed it: %(names)s.")
            % {"year": year, "names": ", ".join(c.name for c in waiting)}
        )
    stats = selectors.compute_year_statistics(node, year)
    close = YearClose.objects.create(
        node=node,
        year=year,
        closed_at=timezone.now(),
        closed_by=actor if getattr(actor, "pk", None) else None,
        basis=CloseBasis.RECORDED,
        figures=stats.snapshot(),
    )
    audit_log(actor=actor, action="reports.year.closed", node=node, target=close, after={"year": year, "total": stats.total})
    return close


@transaction.atomic
def year_record_reported(*, actor, node: Node, year: int, figures: dict, source: str) -> YearClose:
    """Keep a past year's published figures (no records exist for it) as that year's closed
    figures at `node`, marked as reported."""
    _require(actor, node, Cap.REPORTS_CLOSE, _("You may not close a year at this unit."))
    _check_year(year)
    clean = clean_figures(figures)
    if YearClose.objects.filter(node=node, year=year).exists():
        raise ValidationError(_("The year %(year)s is already closed at %(name)s.") % {"year": year, "name": node.name})
    close = YearClose.objects.create(
        node=node,
        year=year,
        closed_at=timezone.now(),
        closed_by=actor if getattr(actor, "pk", None) else None,
        basis=CloseBasis.REPORTED,
        source=nfc(source)[:255],
        figures={"total": clean, "reported": clean, "own": {}, "children": [], "available": {g: True for g in clean}},
    )
    audit_log(actor=actor, action="reports.year.recorded", node=node, target=close, after={"year": year, "figures": clean, "source": source})
    return close


def clean_figures(figures: dict) -> dict[str, dict[str, int]]:
    """Figures as {group: {key: non-negative int}}, unknown groups refused."""
    clean: dict[str, dict[str, int]] = {}
    for group, values in (figures or {}).items():
        if group not in providers.BY_GROUP:
            raise ValidationError(_("Unknown figure group %(group)s.") % {"group": group})
        out = {}
        for key, value in values.items():
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValidationError(_("%(key)s must be a whole number of at least 0.") % {"key": key})
            out[key] = value
        if out:
            clean[group] = out
    return clean


# --- figures reported by units outside the system ---------------------------------------------


def recorded_conflicts(node: Node, year: int, figures: dict[str, dict[str, int]]) -> list[str]:
    """The figure groups `node` already records in the system for `year` among those it reports.

    Importing them would count them twice (the records roll up already).
    """
    tree = selectors.tree_as_of(node, selectors.year_end(year))
    ids = tree.ids if tree else [node.pk]
    conflicts = []
    for group, values in figures.items():
        provider = providers.BY_GROUP[group]
        if not provider.available():
            continue
        recorded = providers.sum_by_node(provider.by_node(ids, year))
        if group == "org":
            # The association itself is in the tree: only units below it are records.
            recorded = {k: v for k, v in recorded.items() if k not in ("communes", "districts")}
        if any(recorded.get(k, 0) for k in values) or (group != "org" and any(recorded.values())):
            conflicts.append(group)
    return conflicts


@transaction.atomic
def reported_figures_save(
    *, actor, node: Node, year: int, figures: dict, source_file: str = ""
) -> ReportedFigures:
    """Store the figures a unit sent up for `year`; refused if the unit records them itself
    or the year is closed above it."""
    _require(actor, node, Cap.REPORTS_CLOSE, _("You may not import figures for %(name)s.") % {"name": node.name})
    _check_year(year, ended=False)
    clean = clean_figures(figures)
    if selectors.is_year_closed(node, year):
        raise ValidationError(_("The year %(year)s is closed at %(name)s or above it.") % {"year": year, "name": node.name})
    conflicts = recorded_conflicts(node, year, clean)
    if conflicts:
        raise ValidationError(
            _("%(name)s records its own %(groups)s in the system for %(year)s; importing them would count them twice.")
            % {"name": node.name, "groups": ", ".join(str(GROUP_LABELS[g]).lower() for g in conflicts), "year": year}
        )
    existing = ReportedFigures.objects.select_for_update().filter(node=node, year=year).first()
    before = existing.figures if existing else None
    if existing:
        existing.figures = clean
        existing.source_file = source_file[:255]
        existing.imported_by = actor if getattr(actor, "pk", None) else None
        existing.save(update_fields=["figures", "source_file", "imported_by", "imported_at"])
        row = existing
    else:
        row = ReportedFigures.objects.create(
            node=node, year=year, figures=clean, source_file=source_file[:255], imported_by=actor if getattr(actor, "pk", None) else None
        )
    audit_log(actor=actor, action="reports.figures.imported", node=node, target=row, before=before, after={"year": year, "figures": clean, "file": source_file})
    return row


# --- targets and plans ----------------------------------------------------------------------------


def _clean_value(indicator: str, value) -> Decimal:
    try:
        v = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("'%(value)s' is not a number.") % {"value": value}}) from None
    if v < 0 or (indicator in PERCENT_INDICATORS and v > 100):
        raise ValidationError({"value": _("A rate is between 0 and 100 per cent.")})
    if indicator not in PERCENT_INDICATORS and v != v.to_integral_value():
        raise ValidationError({"value": _("A count or an amount is a whole number.")})
    return v.quantize(Decimal("0.1"))


@transaction.atomic
def programme_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    year_from: int,
    year_to: int,
    node: Node | None = None,
    issuer: str = "",
    legal_basis: str = "",
    note: str = "",
) -> Programme:
    if node is not None:
        _require(actor, node, Cap.REPORTS_CLOSE, _("You may not set targets for this unit."))
    if year_to < year_from:
        raise ValidationError({"year_to": _("The plan cannot end before it starts.")})
    if Programme.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The code %(code)s is already used.") % {"code": code}})
    p = Programme(
        code=nfc(code),
        name=nfc(name),
        kind=kind,
        issuer=nfc(issuer),
        legal_basis=nfc(legal_basis),
        node=node,
        year_from=year_from,
        year_to=year_to,
        note=nfc(note),
    )
    p.full_clean()
    p.save()
    audit_log(actor=actor, action="reports.programme.created", node=node, target=p, after={"code": p.code, "name": p.name})
    return p


@transaction.atomic
def target_set(
    *,
    actor,
    programme: Programme,
    year: int,
    indicator: str,
    value,
    node: Node | None = None,
    above: bool = False,
    unconfirmed: bool = False,
    note: str = "",
) -> Target:
    """Set (or change) one target of a programme; a plan's targets may name a child association."""
    owner = programme.node
    if owner is not None:
        _require(actor, owner, Cap.REPORTS_CLOSE, _("You may not set targets for this unit."))
    elif actor is not None and not getattr(actor, "is_superuser", False):
        root = Node.objects.filter(parent__isnull=True).order_by("path").first()
        _require(actor, root, Cap.REPORTS_CLOSE, _("Only the national office may change a state programme's targets."))
    if indicator not in Indicator.values:
        raise ValidationError({"indicator": _("Unknown indicator.")})
    if node is not None and owner is not None and not node.path.startswith(owner.path):
        raise ValidationError({"node": _("%(name)s is not under %(owner)s.") % {"name": node.name, "owner": owner.name}})
    if not programme.year_from <= year <= max(programme.year_to, programme.year_from):
        raise ValidationError({"year": _("The year must be within the programme's years.")})
    clean = _clean_value(indicator, value)
    target = Target.objects.select_for_update().filter(programme=programme, year=year, indicator=indicator, node=node).first()
    before = {"value": str(target.value), "above": target.above} if target else None
    if target is None:
        target = Target(programme=programme, year=year, indicator=indicator, node=node)
    target.value = clean
    target.above = above
    target.unconfirmed = unconfirmed
    target.note = nfc(note)[:255]
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ValidationError(_("This target is already set.")) from None
    audit_log(
        actor=actor,
        action="reports.target.set",
        node=node or owner,
        target=target,
        before=before,
        after={"programme": programme.code, "year": year, "indicator": indicator, "value": str(clean), "above": above},
    )
    return target


@transaction.atomic
def target_delete(*, actor, target: Target) -> None:
    owner = target.programme.node
    if owner is not None:
        _require(actor, owner, Cap.REPORTS_CLOSE, _("You may not set targets for this unit."))
    audit_log(
        actor=actor,
        action="reports.target.deleted",
        node=target.node or owner,
        target=target,
        before={"programme": target.programme.code, "year": target.year, "indicator": target.indicator, "value": str(target.value)},
    )
    target.delete()


def plan_for(node: Node, year: int) -> Programme | None:
    return Programme.objects.filter(node=node, kind=ProgrammeKind.PLAN, year_from=year, year_to=year).first()


@transaction.atomic
def plan_get_or_create(*, actor, node: Node, year: int) -> Programme:
    """The association's plan (phương hướng nhiệm vụ) for `year`, created on first use."""
    plan = plan_for(node, year)
    if plan is not None:
        return plan
    return programme_create(
        actor=actor,
        code=f"PLAN-{node.code}-{year}",
        name=_("Direction and tasks of %(name)s for %(year)s") % {"name": node.name, "year": year},
        kind=ProgrammeKind.PLAN,
        year_from=year,
        year_to=year,
        node=node,
        issuer=node.name,
    )


# --- the report template ----------------------------------------------------------------------------


@transaction.atomic
def template_upload(*, actor, node: Node, file_name: str, content: bytes) -> ReportTemplate:
    """An association's own DOCX template; refused (naming them) if it uses unknown placeholders."""
    from .docx_report import check_template

    _require(actor, node, Cap.REPORTS_CLOSE, _("You may not change the report template of this unit."))
    check_template(content, file_name)
    ReportTemplate.objects.filter(node=node, active=True).update(active=False)
    t = ReportTemplate(node=node, file_name=nfc(file_name)[:255], uploaded_by=actor if getattr(actor, "pk", None) else None)
    t.file.save(f"node{node.pk}.docx", ContentFile(content), save=False)
    t.save()
    audit_log(actor=actor, action="reports.template.uploaded", node=node, target=t, after={"file": t.file_name})
    return t


@transaction.atomic
def template_reset(*, actor, node: Node) -> int:
    _require(actor, node, Cap.REPORTS_CLOSE, _("You may not change the report template of this unit."))
    n = ReportTemplate.objects.filter(node=node, active=True).update(active=False)
    if n:
        audit_log(actor=actor, action="reports.template.reset", node=node, target=node)
    return n
