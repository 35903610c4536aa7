"""Criteria sets in the database: seeded from the shipped files, copied, edited, superseded.

The stored text is always what ``dump_set`` (or an administrator) wrote and what
``load_set`` accepts, so every row can be handed to the engine as it is.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log
from khuyenhoc.organizations.models import Node

from ..criteria import CriteriaFileError, dump_set, load_builtin_sets, load_set, validate_set
from ..criteria import CriteriaSet as EngineSet
from ..models import CriteriaSetVersion, Evaluation, Status
from ..years import closed_paths
from .common import actor_or_none


def _header(cset: EngineSet) -> dict:
    return {
        "code": cset.code,
        "version": cset.version,
        "title": cset.title,
        "audience": cset.audience,
        "name": cset.name[:300],
        "issuer": cset.issuer[:200],
        "scope": cset.scope,
        "official": cset.official,
        "is_sample": cset.is_sample,
        "max_total": cset.max_total,
        "pass_min_total": cset.pass_rule.min_total,
        "valid_from": cset.valid_from,
        "valid_to": cset.valid_to,
    }


def parse_text(text: str, *, filename: str = "bo-tieu-chi.toml") -> EngineSet:
    """The engine's set, or a ValidationError on the ``toml`` field listing every problem."""
    try:
        return load_set(text, filename=filename)
    except CriteriaFileError as exc:
        raise ValidationError({"toml": list(exc.errors)}) from None


def load_builtin(*, actor=None) -> list[CriteriaSetVersion]:
    """Store every shipped set that is not stored yet (by code and version)."""
    created = []
    for cset in load_builtin_sets().values():
        if CriteriaSetVersion.objects.filter(code=cset.code, version=cset.version).exists():
            continue
        row = CriteriaSetVersion.objects.create(
            **_header(cset), toml=dump_set(cset), builtin=True, node=None,
            created_by=actor_or_none(actor),
        )
        created.append(row)
    return created


def is_locked(row: CriteriaSetVersion) -> bool:
    """Shipped sets change only with a release; a set used by a closed year never changes."""
    if row.builtin:
        return True
    years = list(row.evaluations.values_list("year", flat=True).distinct())
    if not years:
        return False
    for year, path in closed_paths(years):
        if row.evaluations.filter(year=year, node__path__startswith=path).exists():
            return True
    return False


@transaction.atomic
def criteria_set_create(*, actor, node: Node | None, text: str) -> CriteriaSetVersion:
    cset = parse_text(text)
    if CriteriaSetVersion.objects.filter(code=cset.code, version=cset.version).exists():
        raise ValidationError(
            {"toml": _("A criteria set with code %(code)s version %(version)s already exists; "
                       "change the code or the version.") % {"code": cset.code, "version": cset.version}}
        )
    row = CriteriaSetVersion.objects.create(
        **_header(cset), toml=dump_set(cset), node=node, created_by=actor_or_none(actor)
    )
    audit_log(actor=actor, action="learning.criteria.created", node=node, target=row,
              after={"code": row.code, "version": row.version})
    return row


@transaction.atomic
def criteria_set_copy(*, actor, source: CriteriaSetVersion, node: Node, code: str, name: str = "") -> CriteriaSetVersion:
    """A new set (version 1) owned by ``node`` with the content of ``source``, to adapt."""
    base = source.parsed()
    copy = dataclasses.replace(base, code=code.strip(), version=1, name=(name or base.name).strip())
    _validate_engine_set(copy)
    if CriteriaSetVersion.objects.filter(code=copy.code).exists():
        raise ValidationError({"code": _("The code %(code)s is already used.") % {"code": copy.code}})
    row = CriteriaSetVersion.objects.create(
        **_header(copy), toml=dump_set(copy), node=node, created_by=actor_or_none(actor)
    )
    audit_log(actor=actor, action="learning.criteria.copied", node=node, target=row,
              after={"code": row.code, "from": f"{source.code} v{source.version}"})
    return row


@transaction.atomic
def criteria_set_supersede(*, actor, source: CriteriaSetVersion, node: Node | None = None) -> CriteriaSetVersion:
    """The next version of ``source``'s code, offered instead of it from now on."""
    top = CriteriaSetVersion.objects.filter(code=source.code).aggregate(v=Max("version"))["v"]
    new = dataclasses.replace(source.parsed(), version=top + 1)
    row = CriteriaSetVersion.objects.create(
        **_header(new), toml=dump_set(new), node=node if node is not None else source.node,
        created_by=actor_or_none(actor),
    )
    CriteriaSetVersion.objects.filter(pk=source.pk).update(active=False, superseded_by=row)
    audit_log(actor=actor, action="learning.criteria.superseded", node=row.node, target=row,
              after={"code": row.code, "version": row.version, "replaces": source.version})
    return row


def _validate_engine_set(cset: EngineSet) -> None:
    try:
        validate_set(cset)
    except CriteriaFileError as exc:
        raise ValidationError(list(exc.errors)) from None


@transaction.atomic
def criteria_set_update(
    *, actor, row: CriteriaSetVersion, text: str | None = None, cset: EngineSet | None = None
) -> CriteriaSetVersion:
    """Change a set in place, from its text or from an engine set built by a form.

    Refused for shipped sets and for sets used by a closed year (supersede those).
    Open evaluations that use the set are scored again with the new content.
    """
    row = CriteriaSetVersion.objects.select_for_update().get(pk=row.pk)
    if is_locked(row):
        raise ValidationError(
            _("This criteria set is shipped with the software or used by a closed year; "
              "it cannot be changed. Copy it or create a new version instead.")
        )
    if cset is None:
        cset = parse_text(text or "")
    else:
        _validate_engine_set(cset)
    if (cset.code, cset.version) != (row.code, row.version):
        raise ValidationError(
            {"toml": _("The code and version of a set cannot change when editing (%(code)s v%(version)s).")
             % {"code": row.code, "version": row.version}}
        )
    if cset.title != row.title and row.evaluations.exists():
        raise ValidationError({"toml": _("The title of a set in use cannot change.")})
    before = {"digest": row.digest, "max_total": row.max_total, "pass_min_total": row.pass_min_total}
    for field, value in _header(cset).items():
        setattr(row, field, value)
    row.toml = dump_set(cset)
    row.save()
    audit_log(actor=actor, action="learning.criteria.updated", node=row.node, target=row, before=before,
              after={"digest": row.digest, "max_total": row.max_total, "pass_min_total": row.pass_min_total})
    from .scoring import evaluations_score_batch

    open_ids = row.evaluations.exclude(status__in=[Status.RECOGNISED]).exclude(answers={})
    evaluations_score_batch(queryset=Evaluation.objects.filter(pk__in=open_ids.values("pk")))
    return row


@transaction.atomic
def criteria_set_set_active(*, actor, row: CriteriaSetVersion, active: bool) -> CriteriaSetVersion:
    CriteriaSetVersion.objects.filter(pk=row.pk).update(active=active)
    row.active = active
    audit_log(actor=actor, action="learning.criteria.activated" if active else "learning.criteria.retired",
              node=row.node, target=row, after={"active": active})
    return row


def default_set(title: str, year: int, *, node: Node | None = None, audience: str = "") -> CriteriaSetVersion | None:
    """The set a new registration uses unless one is chosen.

    Among active sets of the title (and group of people) valid in ``year`` and owned
    nationally or by a unit above ``node``: the one owned closest to ``node``, an
    official one before a sample, the highest version.
    """
    import datetime as dt

    qs = CriteriaSetVersion.objects.filter(title=title, active=True).select_related("node")
    if audience:
        qs = qs.filter(audience=audience)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    paths = set(node.ancestor_paths()) if node is not None else set()
    best, best_key = None, None
    for row in qs:
        if row.valid_from and row.valid_from > end or row.valid_to and row.valid_to < start:
            continue
        if row.node_id is not None and row.node.path not in paths:
            continue
        depth = row.node.depth if row.node_id else 0
        key = (depth, not row.is_sample, row.version, row.pk)
        if best_key is None or key > best_key:
            best, best_key = row, key
    return best
