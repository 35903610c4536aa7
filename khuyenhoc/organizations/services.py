"""Writes to the association tree. Every change is audited in its own transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log

from .models import (
    ALLOWED_CHILDREN,
    Node,
    NodeKind,
    NodeStatus,
    NodeVersion,
    Officer,
    Reorganisation,
    ReorgKind,
)

# Other apps say, explicitly at start-up, what stops a node from closing
# (active members, money left in a fund) and how their records follow a merge.
CloseCheck = Callable[[Node], str | None]
NodeMover = Callable[[Node, Node, dt.date], int]
_close_checks: list[CloseCheck] = []
_movers: list[NodeMover] = []


def register_close_check(check: CloseCheck) -> None:
    if check not in _close_checks:
        _close_checks.append(check)


def register_node_mover(mover: NodeMover) -> None:
    if mover not in _movers:
        _movers.append(mover)


def _snapshot(node: Node) -> dict:
    return {
        "name": node.name,
        "code": node.code,
        "kind": node.kind,
        "chapter_type": node.chapter_type,
        "parent": node.parent_id,
        "path": node.path,
        "status": node.status,
        "admin_unit_code": node.admin_unit_code,
    }


def _segment(pk: int) -> str:
    return f"{pk:08d}."


def _open_version(node: Node, valid_from: dt.date) -> None:
    NodeVersion.objects.create(
        node=node, parent=node.parent, path=node.path, name=node.name, valid_from=valid_from
    )


def _close_versions(nodes_qs, effective: dt.date) -> None:
    NodeVersion.objects.filter(node__in=nodes_qs, valid_to__isnull=True).update(
        valid_to=effective - dt.timedelta(days=1)
    )


def _check_kind(parent: Node | None, kind: str) -> None:
    if parent is None:
        if kind != NodeKind.NATIONAL and kind != NodeKind.PROVINCE:
            raise ValidationError({"parent": _("Only a national or province association can be a root.")})
        return
    if kind not in ALLOWED_CHILDREN[parent.kind]:
        raise ValidationError(
            {
                "kind": _("A %(child)s cannot be placed under a %(parent)s.")
                % {"child": NodeKind(kind).label, "parent": NodeKind(parent.kind).label}
            }
        )
    if not parent.is_active:
        raise ValidationError({"parent": _("The parent unit is closed.")})


@transaction.atomic
def node_create(
    *,
    actor,
    parent: Node | None,
    name: str,
    kind: str,
    code: str,
    chapter_type: str = "",
    admin_unit_code: str = "",
    admin_unit_name: str = "",
    place_name: str = "",
    founded_on: dt.date | None = None,
    effective: dt.date | None = None,
) -> Node:
    _check_kind(parent, kind)
    if Node.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The code %(code)s is already used.") % {"code": code}})
    node = Node(
        parent=parent,
        name=name.strip(),
        kind=kind,
        code=code.strip(),
        chapter_type=chapter_type,
        admin_unit_code=admin_unit_code,
        admin_unit_name=admin_unit_name,
        place_name=place_name or (parent.place_name if parent else ""),
        founded_on=founded_on,
        depth=(parent.depth + 1) if parent else 1,
        path=f"tmp-{code}",
    )
    node.full_clean(exclude=["path"])
    node.save()
    node.path = (parent.path if parent else "") + _segment(node.pk)
    node.save(update_fields=["path"])
    _open_version(node, effective or founded_on or dt.date(1900, 1, 1))
    audit_log(actor=actor, action="org.node.created", node=node, target=node, after=_snapshot(node))
    return node


@transaction.atomic
def node_update(
    *,
    actor,
    node: Node,
    name: str | None = None,
    code: str | None = None,
    chapter_type: str | None = None,
    admin_unit_code: str | None = None,
    admin_unit_name: str | None = None,
    place_name: str | None = None,
    effective: dt.date | None = None,
) -> Node:
    node = Node.objects.select_for_update().get(pk=node.pk)
    before = _snapshot(node)
    renamed = name is not None and name.strip() != node.name
    if code is not None and code != node.code and Node.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The code %(code)s is already used.") % {"code": code}})
    for field, value in {
        "name": name.strip() if name is not None else None,
        "code": code,
        "chapter_type": chapter_type,
        "admin_unit_code": admin_unit_code,
        "admin_unit_name": admin_unit_name,
        "place_name": place_name,
    }.items():
        if value is not None:
            setattr(node, field, value)
    node.full_clean()
    node.save()
    if renamed:
        effective = effective or timezone.localdate()
        _close_versions(Node.objects.filter(pk=node.pk), effective)
        _open_version(node, effective)
    audit_log(
        actor=actor,
        action="org.node.renamed" if renamed else "org.node.updated",
        node=node,
        target=node,
        before=before,
        after=_snapshot(node),
    )
    return node


def _reparent(node: Node, new_parent: Node, effective: dt.date) -> None:
    """Move a node and its subtree; paths rewritten in two UPDATEs, history kept."""
    old_path = node.path
    new_path = new_parent.path + _segment(node.pk)
    delta = (new_parent.depth + 1) - node.depth
    subtree = Node.objects.filter(path__startswith=old_path)
    subtree_ids = list(subtree.values_list("pk", flat=True))
    _close_versions(Node.objects.filter(pk__in=subtree_ids), effective)
    Node.objects.filter(pk__in=subtree_ids).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    Node.objects.filter(pk=node.pk).update(parent=new_parent)
    NodeVersion.objects.bulk_create(
        NodeVersion(node=m, parent_id=m.parent_id, path=m.path, name=m.name, valid_from=effective)
        for m in Node.objects.filter(pk__in=subtree_ids, status=NodeStatus.ACTIVE)
    )


@transaction.atomic
def node_move(*, actor, node: Node, new_parent: Node, effective: dt.date | None = None) -> Node:
    node = Node.objects.select_for_update().get(pk=node.pk)
    effective = effective or timezone.localdate()
    if new_parent.path.startswith(node.path):
        raise ValidationError(
            {"new_parent": _("A unit cannot be moved under itself or one of its own units.")}
        )
    _check_kind(new_parent, node.kind)
    before = _snapshot(node)
    _reparent(node, new_parent, effective)
    node.refresh_from_db()
    reorg = Reorganisation.objects.create(kind=ReorgKind.MOVE, effective_date=effective)
    reorg.sources.add(node)
    reorg.targets.add(new_parent)
    audit_log(actor=actor, action="org.node.moved", node=node, target=node, before=before, after=_snapshot(node))
    return node


def close_blockers(node: Node) -> list[str]:
    reasons = []
    if node.children.filter(status=NodeStatus.ACTIVE).exists():
        reasons.append(_("It still has active units below it."))
    for check in _close_checks:
        reason = check(node)
        if reason:
            reasons.append(reason)
    return reasons


@transaction.atomic
def node_close(*, actor, node: Node, on: dt.date | None = None, successor: Node | None = None) -> Node:
    node = Node.objects.select_for_update().get(pk=node.pk)
    if not node.is_active:
        raise ValidationError(_("This unit is already closed."))
    reasons = close_blockers(node)
    if reasons:
        raise ValidationError(_("The unit cannot be closed: %(reasons)s") % {"reasons": " ".join(reasons)})
    on = on or timezone.localdate()
    before = _snapshot(node)
    node.status = NodeStatus.CLOSED
    node.closed_on = on
    node.successor = successor
    node.save(update_fields=["status", "closed_on", "successor"])
    NodeVersion.objects.filter(node=node, valid_to__isnull=True).update(valid_to=on - dt.timedelta(days=1) if on > dt.date(1900, 1, 1) else on)
    audit_log(actor=actor, action="org.node.closed", node=node, target=node, before=before, after=_snapshot(node))
    return node


def _move_records(old: Node, new: Node, effective: dt.date) -> None:
    for mover in _movers:
        mover(old, new, effective)


@transaction.atomic
def node_merge(
    *,
    actor,
    sources: Iterable[Node],
    into: Node | None = None,
    new_name: str = "",
    new_code: str = "",
    parent: Node | None = None,
    effective: dt.date,
    decision: str = "",
) -> Node:
    """Merge `sources` into an existing node `into`, or into a new node named `new_name`.

    From `effective` the sources' units and records belong to the target; the sources
    are closed with the target as successor, their history kept for earlier years.
    """
    sources = [Node.objects.select_for_update().get(pk=s.pk) for s in sources]
    if not sources:
        raise ValidationError(_("Choose at least one unit to merge."))
    if into is not None and any(s.pk == into.pk for s in sources):
        raise ValidationError({"into": _("A unit cannot be merged into itself.")})
    kinds = {s.kind for s in sources}
    if len(kinds) != 1:
        raise ValidationError(_("Only units of the same level can be merged."))
    for s in sources:
        if not s.is_active:
            raise ValidationError(_("%(name)s is already closed.") % {"name": s.name})
        if into is not None and into.path.startswith(s.path):
            raise ValidationError({"into": _("A unit cannot be merged into one of its own units.")})
    if into is None:
        if not new_name or not new_code:
            raise ValidationError({"new_name": _("Give the new unit a name and a code.")})
        into = node_create(
            actor=actor,
            parent=parent or sources[0].parent,
            name=new_name,
            kind=sources[0].kind,
            code=new_code,
            chapter_type=sources[0].chapter_type,
            place_name=sources[0].place_name,
            effective=effective,
        )
    reorg = Reorganisation.objects.create(kind=ReorgKind.MERGE, effective_date=effective, decision=decision)
    reorg.targets.add(into)
    for s in sources:
        for child in list(s.children.filter(status=NodeStatus.ACTIVE)):
            _reparent(child, into, effective)
        _move_records(s, into, effective)
        before = _snapshot(s)
        s.refresh_from_db()
        s.status = NodeStatus.CLOSED
        s.closed_on = effective
        s.successor = into
        s.save(update_fields=["status", "closed_on", "successor"])
        _close_versions(Node.objects.filter(pk=s.pk), effective)
        reorg.sources.add(s)
        audit_log(actor=actor, action="org.node.merged", node=s, target=s, before=before, after=_snapshot(s))
    return into


@transaction.atomic
def node_split(
    *,
    actor,
    source: Node,
    parts: list[dict],
    effective: dt.date,
    decision: str = "",
) -> list[Node]:
    """Split `source` into new nodes. Each part: {"name", "code", "children": [Node, …]}.

    Every active child of the source must go to exactly one part.
    """
    source = Node.objects.select_for_update().get(pk=source.pk)
    if len(parts) < 2:
        raise ValidationError(_("A split needs at least two new units."))
    active_children = set(source.children.filter(status=NodeStatus.ACTIVE).values_list("pk", flat=True))
    assigned = [c.pk for part in parts for c in part.get("children", [])]
    if len(assigned) != len(set(assigned)) or set(assigned) != active_children:
        raise ValidationError(_("Every unit below must go to exactly one of the new units."))
    reorg = Reorganisation.objects.create(kind=ReorgKind.SPLIT, effective_date=effective, decision=decision)
    reorg.sources.add(source)
    created = []
    for part in parts:
        new = node_create(
            actor=actor,
            parent=source.parent,
            name=part["name"],
            kind=source.kind,
            code=part["code"],
            chapter_type=source.chapter_type,
            place_name=source.place_name,
            effective=effective,
        )
        for child in part.get("children", []):
            _reparent(Node.objects.get(pk=child.pk), new, effective)
        reorg.targets.add(new)
        created.append(new)
    before = _snapshot(source)
    source.status = NodeStatus.CLOSED
    source.closed_on = effective
    source.save(update_fields=["status", "closed_on"])
    _close_versions(Node.objects.filter(pk=source.pk), effective)
    audit_log(actor=actor, action="org.node.split", node=source, target=source, before=before, after=_snapshot(source))
    return created


@transaction.atomic
def officer_add(
    *,
    actor,
    node: Node,
    full_name: str,
    title: str,
    term_start: dt.date,
    term_end: dt.date | None = None,
    body: str = "",
    term_label: str = "",
    phone: str = "",
) -> Officer:
    if term_end and term_end < term_start:
        raise ValidationError({"term_end": _("The term cannot end before it starts.")})
    officer = Officer(
        node=node,
        full_name=full_name.strip(),
        title=title,
        body=body,
        term_label=term_label,
        term_start=term_start,
        term_end=term_end,
        phone=phone,
    )
    officer.full_clean()
    officer.save()
    audit_log(
        actor=actor,
        action="org.officer.added",
        node=node,
        target=officer,
        after={"full_name": officer.full_name, "title": title, "term_start": str(term_start)},
    )
    return officer


@transaction.atomic
def officer_end(*, actor, officer: Officer, term_end: dt.date) -> Officer:
    if term_end < officer.term_start:
        raise ValidationError({"term_end": _("The term cannot end before it starts.")})
    before = {"term_end": str(officer.term_end) if officer.term_end else None}
    officer.term_end = term_end
    officer.save(update_fields=["term_end"])
    audit_log(
        actor=actor,
        action="org.officer.ended",
        node=officer.node,
        target=officer,
        before=before,
        after={"term_end": str(term_end)},
    )
    return officer


