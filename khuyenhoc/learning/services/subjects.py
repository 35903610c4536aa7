"""Writes to the subjects of the titles: households and their members, clans,
village communities, units and citizens. Subjects persist across years."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.text import name_sort_key, nfc, search_key
from khuyenhoc.organizations.models import ChapterType, Node, NodeKind, NodeStatus

from ..models import (
    Audience,
    Citizen,
    Clan,
    Community,
    Gender,
    Household,
    HouseholdMember,
    Relation,
    Schooling,
    Unit,
    UnitKind,
)

HOUSEHOLD_KINDS = {NodeKind.CHAPTER, NodeKind.SUBCHAPTER}
COMMUNITY_TYPES = {ChapterType.VILLAGE, ChapterType.RESIDENTIAL}
UNIT_TYPES = {ChapterType.AGENCY: UnitKind.AGENCY, ChapterType.SCHOOL: UnitKind.SCHOOL, ChapterType.FIRM: UnitKind.FIRM}
_GENDERS = frozenset(Gender.values)
_RELATIONS = frozenset(Relation.values)
_SCHOOLING = frozenset(Schooling.values)
MEMBER_FIELDS = ("full_name", "birth_year", "gender", "relation", "schooling", "literate", "studies_topic")


def _this_year() -> int:
    return timezone.localdate().year


def clean_member(data: dict, *, label: str = "") -> dict:
    """Check one member's fields; errors name the member and the field."""
    prefix = f"{label}: " if label else ""
    out = {
        "full_name": nfc(data.get("full_name")),
        "birth_year": data.get("birth_year"),
        "gender": data.get("gender") or "",
        "relation": data.get("relation") or Relation.OTHER,
        "schooling": data.get("schooling") or "",
        "literate": bool(data.get("literate", True)),
        "studies_topic": bool(data.get("studies_topic", False)),
    }
    if data.get("id"):
        out["id"] = data["id"]
    errors = []
    if not out["full_name"]:
        errors.append(prefix + _("the full name is missing."))
    year = out["birth_year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= _this_year():
        errors.append(prefix + _("the year of birth must be between 1900 and this year."))
    if out["gender"] not in _GENDERS:
        errors.append(prefix + _("choose male or female."))
    if out["relation"] not in _RELATIONS:
        errors.append(prefix + _("unknown relation to the head."))
    if out["schooling"] not in _SCHOOLING:
        errors.append(prefix + _("unknown schooling status."))
    if errors:
        raise ValidationError({"members": errors})
    return out


def _check_household_node(node: Node) -> None:
    if node.kind not in HOUSEHOLD_KINDS:
        raise ValidationError({"node": _("Households belong to a village or residential-group chapter.")})
    if node.status != NodeStatus.ACTIVE:
        raise ValidationError({"node": _("This chapter is closed.")})


def _next_code(node: Node) -> str:
    used = set(Household.objects.filter(node=node).values_list("code", flat=True))
    n = len(used) + 1
    while f"{n:04d}" in used:
        n += 1
    return f"{n:04d}"


def _head_from(members: Sequence[dict], head_name: str) -> str:
    heads = [m for m in members if m["relation"] == Relation.HEAD]
    if members and len(heads) != 1:
        raise ValidationError({"members": _("A household lists exactly one head.")})
    name = heads[0]["full_name"] if heads else nfc(head_name)
    if not name:
        raise ValidationError({"head_name": _("Enter the head of household.")})
    return name


def _set_members(household: Household, members: Sequence[dict]) -> None:
    existing = {m.pk: m for m in household.members.all()}
    keep = set()
    new = []
    for position, data in enumerate(members):
        pk = data.get("id")
        if pk and pk in existing:
            m = existing[pk]
            for f in MEMBER_FIELDS:
                setattr(m, f, data[f])
            m.name_sort = name_sort_key(m.full_name)
            m.position = position
            m.save()
            keep.add(pk)
        else:
            fields = {f: data[f] for f in MEMBER_FIELDS}
            new.append(HouseholdMember(household=household, name_sort=name_sort_key(fields["full_name"]), position=position, **fields))
    household.members.exclude(pk__in=keep).delete()
    HouseholdMember.objects.bulk_create(new)


def _household_snapshot(h: Household) -> dict:
    return {"code": h.code, "head_name": h.head_name, "address": h.address, "node": h.node_id,
            "until_year": h.until_year, "members": h.members.count()}


@transaction.atomic
def household_create(
    *, actor, node: Node, since_year: int, code: str = "", head_name: str = "", address: str = "",
    members: Iterable[dict] = (),
) -> Household:
    _check_household_node(node)
    members = [clean_member(m, label=_("Member %(n)s") % {"n": i}) for i, m in enumerate(members, start=1)]
    head = _head_from(members, head_name)
    code = (code or "").strip() or _next_code(node)
    if Household.objects.filter(node=node, code=code).exists():
        raise ValidationError({"code": _("The household code %(code)s is already used in this chapter.") % {"code": code}})
    h = Household.objects.create(
        node=node, code=code, head_name=head, head_sort=name_sort_key(head), search=search_key(head),
        address=nfc(address), since_year=since_year,
    )
    _set_members(h, members)
    audit_log(actor=actor, action="learning.household.created", node=node, target=h, after=_household_snapshot(h))
    return h


@transaction.atomic
def household_update(
    *, actor, household: Household, code: str | None = None, head_name: str | None = None,
    address: str | None = None, until_year: int | None | str = "keep", members: Iterable[dict] | None = None,
) -> Household:
    h = Household.objects.select_for_update().get(pk=household.pk)
    before = _household_snapshot(h)
    if members is not None:
        members = [clean_member(m, label=_("Member %(n)s") % {"n": i}) for i, m in enumerate(members, start=1)]
        h.head_name = _head_from(members, head_name or h.head_name)
    elif head_name is not None:
        h.head_name = _head_from([], head_name)
    if code is not None and code.strip() != h.code:
        if Household.objects.filter(node=h.node, code=code.strip()).exclude(pk=h.pk).exists():
            raise ValidationError({"code": _("The household code %(code)s is already used in this chapter.") % {"code": code}})
        h.code = code.strip()
    if address is not None:
        h.address = nfc(address)
    if until_year != "keep":
        if until_year is not None and until_year < h.since_year:
            raise ValidationError({"until_year": _("The last year cannot be before the first.")})
        h.until_year = until_year
    h.head_sort = name_sort_key(h.head_name)
    h.search = search_key(h.head_name)
    h.save()
    if members is not None:
        _set_members(h, members)
    audit_log(actor=actor, action="learning.household.updated", node=h.node, target=h, before=before, after=_household_snapshot(h))
    return h


# ------------------------------------------------------------------------------ clans


@transaction.atomic
def clan_create(
    *, actor, node: Node, name: str, surname: str, since_year: int, representative: str = "",
    households: Iterable[Household] = (),
) -> Clan:
    name, surname = nfc(name), nfc(surname)
    if not name or not surname:
        raise ValidationError({"name": _("Enter the clan's name and surname.")})
    if Clan.objects.filter(node=node, name=name).exists():
        raise ValidationError({"name": _("A clan with this name already exists here.")})
    clan = Clan.objects.create(node=node, name=name, surname=surname, representative=nfc(representative), since_year=since_year)
    _set_clan_households(clan, list(households))
    audit_log(actor=actor, action="learning.clan.created", node=node, target=clan,
              after={"name": name, "households": clan.households.count()})
    return clan


def _association_path(node: Node) -> str:
    """The path of the nearest association above or at ``node`` (a commune, district…)."""
    if node.kind not in (NodeKind.CHAPTER, NodeKind.BOARD, NodeKind.SUBCHAPTER):
        return node.path
    above = (
        Node.objects.filter(path__in=node.ancestor_paths())
        .exclude(kind__in=[NodeKind.CHAPTER, NodeKind.BOARD, NodeKind.SUBCHAPTER])
        .order_by("-depth")
        .values_list("path", flat=True)
        .first()
    )
    return above or node.path


def _set_clan_households(clan: Clan, households: list[Household]) -> None:
    # A clan may span villages but stays inside the association that keeps it.
    scope = _association_path(clan.node)
    outside = [h for h in households if not h.node.path.startswith(scope)]
    if outside:
        raise ValidationError(
            {"households": _("Households outside this association: %(names)s")
             % {"names": ", ".join(str(h) for h in outside[:10])}}
        )
    clan.households.set(households)


@transaction.atomic
def clan_update(*, actor, clan: Clan, name: str | None = None, representative: str | None = None,
                households: Iterable[Household] | None = None) -> Clan:
    before = {"name": clan.name, "representative": clan.representative, "households": clan.households.count()}
    if name is not None:
        clan.name = nfc(name)
    if representative is not None:
        clan.representative = nfc(representative)
    clan.save()
    if households is not None:
        _set_clan_households(clan, list(households))
    audit_log(actor=actor, action="learning.clan.updated", node=clan.node, target=clan, before=before,
              after={"name": clan.name, "representative": clan.representative, "households": clan.households.count()})
    return clan


# ---------------------------------------------------------- communities and units


@transaction.atomic
def subjects_sync_from_tree(*, actor, node: Node, since_year: int) -> tuple[int, int]:
    """A village community for every village/residential chapter and a unit for every
    agency/school/firm board under ``node`` that has none yet."""
    below = Node.objects.filter(path__startswith=node.path, status=NodeStatus.ACTIVE)
    have_c = set(Community.objects.filter(node__in=below).values_list("node_id", flat=True))
    have_u = set(Unit.objects.filter(node__in=below).values_list("node_id", flat=True))
    communities = [
        Community(node=n, name=n.name, since_year=since_year)
        for n in below.filter(chapter_type__in=COMMUNITY_TYPES, kind=NodeKind.CHAPTER)
        if n.pk not in have_c
    ]
    units = [
        Unit(node=n, name=n.name, kind=UNIT_TYPES[n.chapter_type], since_year=since_year)
        for n in below.filter(chapter_type__in=list(UNIT_TYPES), kind=NodeKind.BOARD)
        if n.pk not in have_u
    ]
    Community.objects.bulk_create(communities)
    Unit.objects.bulk_create(units)
    if communities or units:
        audit_log(actor=actor, action="learning.subjects.synced", node=node,
                  after={"communities": len(communities), "units": len(units)})
    return len(communities), len(units)


@transaction.atomic
def community_create(*, actor, node: Node, name: str, since_year: int) -> Community:
    name = nfc(name)
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if Community.objects.filter(node=node, name=name).exists():
        raise ValidationError({"name": _("This name is already used here.")})
    c = Community.objects.create(node=node, name=name, since_year=since_year)
    audit_log(actor=actor, action="learning.community.created", node=node, target=c, after={"name": name})
    return c


@transaction.atomic
def unit_create(*, actor, node: Node, name: str, kind: str, staff_count: int, since_year: int) -> Unit:
    name = nfc(name)
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Choose agency, school or firm.")})
    if Unit.objects.filter(node=node, name=name).exists():
        raise ValidationError({"name": _("This name is already used here.")})
    u = Unit.objects.create(node=node, name=name, kind=kind, staff_count=staff_count, since_year=since_year)
    audit_log(actor=actor, action="learning.unit.created", node=node, target=u, after={"name": name, "staff_count": staff_count})
    return u


@transaction.atomic
def unit_update(*, actor, unit: Unit, staff_count: int, name: str | None = None) -> Unit:
    if staff_count < 0:
        raise ValidationError({"staff_count": _("The staff count cannot be negative.")})
    before = {"name": unit.name, "staff_count": unit.staff_count}
    unit.staff_count = staff_count
    if name:
        unit.name = nfc(name)
    unit.save()
    audit_log(actor=actor, action="learning.unit.updated", node=unit.node, target=unit, before=before,
              after={"name": unit.name, "staff_count": staff_count})
    return unit


# --------------------------------------------------------------------------- citizens


@transaction.atomic
def citizen_create(
    *, actor, node: Node, full_name: str, birth_year: int, gender: str, audience: str, since_year: int,
    member: HouseholdMember | None = None,
) -> Citizen:
    full_name = nfc(full_name)
    errors = {}
    if not full_name:
        errors["full_name"] = _("Enter the full name.")
    if not isinstance(birth_year, int) or not 1900 <= birth_year <= _this_year():
        errors["birth_year"] = _("The year of birth must be between 1900 and this year.")
    if gender not in Gender.values:
        errors["gender"] = _("Choose male or female.")
    if audience not in Audience.values:
        errors["audience"] = _("Choose the group of people.")
    if member is not None:
        if not member.household.node.path.startswith(node.path) and not node.path.startswith(member.household.node.path):
            errors["member"] = _("This household member belongs to another chapter.")
        elif Citizen.objects.filter(member=member).exists():
            errors["member"] = _("This household member is already recorded as a citizen.")
    if errors:
        raise ValidationError(errors)
    c = Citizen.objects.create(
        node=node, full_name=full_name, name_sort=name_sort_key(full_name), search=search_key(full_name),
        birth_year=birth_year, gender=gender, audience=audience, since_year=since_year, member=member,
    )
    audit_log(actor=actor, action="learning.citizen.created", node=node, target=c,
              after={"full_name": full_name, "birth_year": birth_year, "audience": audience})
    return c


# ------------------------------------------------------------- reorganisation hooks


def move_subjects(old: Node, new: Node, effective: dt.date) -> int:
    """Follow a merge: live subjects and this and later years' evaluations move to ``new``.

    Earlier years' evaluations stay under the old unit, which keeps its history.
    A merged village's community ends: the new village is evaluated as one.
    """
    from ..models import Evaluation

    # Household codes are unique per chapter: prefix the old chapter's code so two
    # villages' "0001" can live in the merged one.
    moved = Household.objects.filter(node=old, until_year__isnull=True).update(
        node=new, code=Concat(Value(f"{old.code}-"), "code")
    )
    for model in (Clan, Unit, Citizen):
        moved += model.objects.filter(node=old, until_year__isnull=True).update(node=new)
    Community.objects.filter(node=old, until_year__isnull=True).update(until_year=effective.year - 1 if effective.month == 1 and effective.day == 1 else effective.year)
    Evaluation.objects.filter(node=old, year__gte=effective.year).exclude(title="community").update(node=new)
    return moved


def close_check(node: Node) -> str | None:
    n = Household.objects.filter(node=node, until_year__isnull=True).count()
    if n:
        return _("%(n)s households are still recorded in it (merge it into another chapter instead).") % {"n": n}
    return None
