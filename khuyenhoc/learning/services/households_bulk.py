"""Many households with their members written at once: the sheet import and the demo.

Households are matched on (chapter, household code): a sheet can be imported again and
updates the same households instead of adding them twice. Members of an existing
household are matched on name and year of birth, so a member who holds the
learning-citizen title keeps the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.text import name_sort_key, search_key
from khuyenhoc.imports.bulk import insert_rows, reserve_ids, update_rows
from khuyenhoc.organizations.models import Node

from ..models import Household, HouseholdMember, Relation
from .subjects import HOUSEHOLD_KINDS, MEMBER_FIELDS


@dataclass
class HouseholdData:
    node: Node
    code: str
    members: list[dict]  # already checked by subjects.clean_member
    address: str = ""

    @property
    def head_name(self) -> str:
        return next(m["full_name"] for m in self.members if m["relation"] == Relation.HEAD)


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    members: int = 0
    household_ids: list[int] = field(default_factory=list)


_HH_FIELDS = ("node_id", "code", "head_name", "head_sort", "search", "address", "since_year", "created_at", "updated_at")
_M_FIELDS = ("household_id", *MEMBER_FIELDS, "name_sort", "position")


def _member_row(household_id: int, position: int, m: dict) -> tuple:
    return (household_id, *(m[f] for f in MEMBER_FIELDS), name_sort_key(m["full_name"]), position)


def _key(m) -> tuple[str, int]:
    if isinstance(m, dict):
        return search_key(m["full_name"]), m["birth_year"]
    return search_key(m.full_name), m.birth_year


@transaction.atomic
def households_upsert(
    *, actor, scope: Node, items: Sequence[HouseholdData], since_year: int, keep: frozenset[str] = frozenset()
) -> UpsertResult:
    """Create or update households (with their whole member lists) under ``scope``.

    All-or-nothing; a household outside ``scope`` or in a unit that cannot hold
    households stops the whole call. Fields named in ``keep`` (a sheet without those
    columns: address, schooling, literate, studies_topic) stay as stored on the
    households and members that already exist.
    """
    bad = [d for d in items if not d.node.path.startswith(scope.path) or d.node.kind not in HOUSEHOLD_KINDS]
    if bad:
        raise ValidationError(
            _("Households must belong to a village or residential group of %(scope)s: %(codes)s")
            % {"scope": scope.name, "codes": ", ".join(f"{d.node.code}/{d.code}" for d in bad[:10])}
        )
    for d in items:
        heads = [m for m in d.members if m["relation"] == Relation.HEAD]
        if len(heads) != 1:
            raise ValidationError(_("Household %(code)s must list exactly one head.") % {"code": d.code})
    now = timezone.now()
    result = UpsertResult()
    existing = {
        (h.node_id, h.code): h
        for h in Household.objects.filter(node__in={d.node.pk for d in items}, code__in={d.code for d in items})
    }
    new = [d for d in items if (d.node.pk, d.code) not in existing]
    old = [d for d in items if (d.node.pk, d.code) in existing]

    ids = reserve_ids(Household, len(new))
    insert_rows(
        Household, ("id", *_HH_FIELDS),
        (
            (pk, d.node.pk, d.code, d.head_name, name_sort_key(d.head_name), search_key(d.head_name),
             d.address, since_year, now, now)
            for pk, d in zip(ids, new, strict=True)
        ),
    )
    insert_rows(
        HouseholdMember, _M_FIELDS,
        (_member_row(pk, i, m) for pk, d in zip(ids, new, strict=True) for i, m in enumerate(d.members)),
    )
    result.created = len(new)
    result.members = sum(len(d.members) for d in new)
    result.household_ids.extend(ids)

    if old:
        members_by_household: dict[int, list[HouseholdMember]] = {}
        for m in HouseholdMember.objects.filter(household__in=[existing[(d.node.pk, d.code)].pk for d in old]):
            members_by_household.setdefault(m.household_id, []).append(m)
        hh_updates, m_updates, m_new, m_delete = [], [], [], []
        for d in old:
            h = existing[(d.node.pk, d.code)]
            result.household_ids.append(h.pk)
            current = members_by_household.get(h.pk, [])
            by_key = {}
            for m in current:
                by_key.setdefault(_key(m), m)
            kept = set()
            if "address" in keep:
                d.address = h.address
            changed = h.head_name != d.head_name or h.address != d.address
            for position, data in enumerate(d.members):
                match = by_key.pop(_key(data), None)
                if match is None:
                    m_new.append(_member_row(h.pk, position, data))
                    changed = True
                    continue
                kept.add(match.pk)
                data = {**data, **{f: getattr(match, f) for f in keep if f in MEMBER_FIELDS}}
                row = (*(data[f] for f in MEMBER_FIELDS), name_sort_key(data["full_name"]), position)
                if row != (*(getattr(match, f) for f in MEMBER_FIELDS), match.name_sort, match.position):
                    m_updates.append((match.pk, *row))
                    changed = True
            gone = [m.pk for m in current if m.pk not in kept]
            m_delete.extend(gone)
            changed = changed or bool(gone)
            if changed:
                hh_updates.append((h.pk, d.head_name, name_sort_key(d.head_name), search_key(d.head_name), d.address, now))
                result.updated += 1
            else:
                result.unchanged += 1
        update_rows(Household, ("head_name", "head_sort", "search", "address", "updated_at"), hh_updates)
        update_rows(HouseholdMember, (*MEMBER_FIELDS, "name_sort", "position"), m_updates)
        insert_rows(HouseholdMember, _M_FIELDS, m_new)
        if m_delete:
            HouseholdMember.objects.filter(pk__in=m_delete).delete()
        result.members += len(m_new)

    audit_log(
        actor=actor, action="learning.households.imported", node=scope,
        after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
               "members": result.members},
    )
    return result
