"""Reads of the member register: scoped lists, search, counts and year figures.

Every count is one aggregate query, so they stay fast on a province (1–2 million
members) and can feed the reports. Records merged into another one are never counted.

Two views of "who is a member":

* now — `Member.node` and `Member.status` (lists, the register as it stands);
* at a date — `MembershipPeriod` rows covering that date, placed in the tree as it
  stood on that date (`NodeVersion`), so a closed year keeps its figures after
  transfers and the 2025 mergers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from khuyenhoc.accounts.permissions import Cap, granted_paths, scope_queryset
from khuyenhoc.core.text import search_key
from khuyenhoc.organizations.models import GRASSROOTS_KINDS, Node, NodeKind, NodeVersion

from .ethnicities import CODE_TO_NAME
from .models import Dues, Member, MemberKind, MembershipPeriod, MemberStatus, PeriodEnd, PeriodStart

# Age bands used on the register's statistics page (age reached during the year).
AGE_BANDS: tuple[tuple[str, int | None, int | None, object], ...] = (
    ("under_30", None, 29, _("Under 30")),
    ("30_44", 30, 44, _("30–44")),
    ("45_59", 45, 59, _("45–59")),
    ("60_69", 60, 69, _("60–69")),
    ("70_79", 70, 79, _("70–79")),
    ("80_plus", 80, None, _("80 and over")),
)
MAX_SEARCH_WORDS = 6


def live(qs: QuerySet[Member] | None = None) -> QuerySet[Member]:
    return (qs if qs is not None else Member.objects.all()).exclude(status=MemberStatus.MERGED)


def members_for_user(user, cap: Cap = Cap.VIEW) -> QuerySet[Member]:
    """Every live member the user may see with `cap`."""
    return scope_queryset(live(), user, cap)


def personal_paths(user) -> list[str]:
    """Subtree paths where the user may see CCCD and phone numbers."""
    return granted_paths(user, Cap.VIEW_PERSONAL)


def may_see_personal(paths: list[str], node: Node) -> bool:
    return any(node.path.startswith(p) for p in paths)


def in_subtree(node: Node) -> QuerySet[Member]:
    return live().filter(node__path__startswith=node.path)


def _prefix(field: str, value: str) -> Q:
    """`field` starts with `value`, written so the database uses the field's index.

    SQLite's LIKE ignores case and so cannot use a plain index; a range can. On
    PostgreSQL the index's `varchar_pattern_ops` serves LIKE 'x%' under any collation.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})
    return Q(**{f"{field}__startswith": value})


def _name_words(q: str) -> list[str]:
    return search_key(q).split()[:MAX_SEARCH_WORDS]


def _digits(q: str) -> str | None:
    digits = (q or "").replace(" ", "").replace(".", "")
    return digits if digits.isdigit() and len(digits) >= 4 else None


def _name_ranges(words: list[str]) -> tuple[Q, Q]:
    return _prefix("search_key", " ".join(words)), _prefix("reverse_key", " ".join(reversed(words)))


def search(qs: QuerySet[Member], q: str, *, personal: bool = False) -> QuerySet[Member]:
    """Search names ignoring accents, case and extra spaces ("đ" matches "d").

    A name is found when what is typed is its beginning, family name first ("nguyen",
    "nguyen van a", "nguyen van an" finds "Nguyễn Văn Ẩn"), or its end, given name last
    ("an", "van an", "thi lan"). Both are ranges of an index (`search_key`,
    `reverse_key`), so a search among a million members reads only what it finds. A
    middle name alone ("thi") is not a search. With `personal`, four or more digits
    are the beginning of a CCCD number (an index range as well).
    """
    if not (q or "").strip():
        return qs
    digits = _digits(q)
    if personal and digits:
        return qs.filter(_prefix("citizen_id", digits))
    words = _name_words(q)
    if not words:
        return qs
    forward, backward = _name_ranges(words)
    return qs.filter(forward | backward)


@dataclass
class MemberFilter:
    q: str = ""
    kind: str = ""
    status: str = MemberStatus.ACTIVE  # "" = active and left
    chapter: Node | None = None
    gender: str = ""
    ethnicity: str = ""
    dues_year: int | None = None
    paid: bool | None = None  # with dues_year: True paid, False not paid
    joined_year: int | None = None

    @property
    def only_name_search(self) -> bool:
        """Nothing but a name search, the status and the unit: what the indexes hold."""
        return bool(self.q) and not (self.kind or self.gender or self.ethnicity or self.joined_year or self.paid is not None)


def _scoped(node: Node, f: MemberFilter) -> QuerySet[Member]:
    qs = in_subtree(f.chapter if f.chapter is not None else node)
    return qs.filter(status=f.status) if f.status else qs


def member_list(node: Node, f: MemberFilter, *, personal: bool = False) -> QuerySet[Member]:
    """The members of `node`'s subtree matching `f`, in Vietnamese name order."""
    qs = _scoped(node, f)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.gender:
        qs = qs.filter(gender=f.gender)
    if f.ethnicity:
        qs = qs.filter(ethnicity=f.ethnicity)
    if f.joined_year:
        qs = qs.filter(joined_on__year=f.joined_year)
    if f.dues_year and f.paid is not None:
        paid = Exists(Dues.objects.filter(member=OuterRef("pk"), year=f.dues_year))
        qs = qs.filter(paid if f.paid else ~paid)
    qs = search(qs, f.q, personal=personal)
    return qs.select_related("node").order_by("sort_key", "id")


class MemberResults:
    """A page-able member list with the query plan its size needs.

    A name search (with at most the status and unit) reads only the two search
    indexes, which also hold status, unit, name order and id: the found set is the
    UNION of two index ranges, counted exactly and sorted without touching a table
    row; only the 50 members shown are then read. Without a search, the list walks
    the name-order index; its count stops at `COUNT_CAP` ("more than 10,000"), since
    counting a province's million members for a page header costs more than the page.
    Other filters combined with a search use the plain query. Paginator sees a
    sliceable list with `count()`.
    """

    ordered = True
    COUNT_CAP = 10_000

    def __init__(self, node: Node, f: MemberFilter, *, personal: bool = False) -> None:
        self.node, self.f, self.personal = node, f, personal
        self._count: int | None = None
        words = _name_words(f.q) if f.q else []
        by_number = personal and _digits(f.q)
        self._found = None
        if f.only_name_search and words and not by_number:
            forward, backward = _name_ranges(words)
            base = _scoped(node, f).order_by().values("id", "sort_key")
            self._found = base.filter(forward).union(base.filter(backward))

    def queryset(self) -> QuerySet[Member]:
        return member_list(self.node, self.f, personal=self.personal)

    def count(self) -> int:
        """How many were found (for a list without a search: at most COUNT_CAP + 1)."""
        if self._count is None:
            if self._found is not None:
                self._count = self._found.count()
            else:
                plain = self.queryset().order_by().values("pk")
                self._count = plain.count() if self.f.q else plain[: self.COUNT_CAP + 1].count()
        return self._count

    @property
    def capped(self) -> bool:
        return self.count() > self.COUNT_CAP and self._found is None and not self.f.q

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if self._found is None:
            return self.queryset()[index]
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = [row["id"] for row in self._found.order_by("sort_key", "id")[index]]
        members = Member.objects.select_related("node").in_bulk(ids)
        return [members[pk] for pk in ids]


def unpaid(node: Node, year: int) -> QuerySet[Member]:
    return member_list(node, MemberFilter(dues_year=year, paid=False))


# --------------------------------------------------------------------------- counts


def _age_band_aggregates(year: int, birth_year_field: str = "birth_year") -> dict:
    out = {}
    for code, low, high, _label in AGE_BANDS:
        q = Q(**{f"{birth_year_field}__isnull": False})
        # age = year - birth_year; low <= age <= high  <=>  year-high <= birth_year <= year-low
        if high is not None:
            q &= Q(**{f"{birth_year_field}__gte": year - high})
        if low is not None:
            q &= Q(**{f"{birth_year_field}__lte": year - low})
        out[f"age_{code}"] = Count("id", filter=q)
    out["age_unknown"] = Count("id", filter=Q(**{f"{birth_year_field}__isnull": True}))
    return out


def _breakdown(qs: QuerySet, prefix: str, year: int) -> dict:
    """Totals by kind, gender and age band in one aggregate; ethnicity in one group-by."""
    p = prefix
    aggregates = {
        "total": Count("id"),
        **{f"kind_{k}": Count("id", filter=Q(**{f"{p}kind": k})) for k in MemberKind.values},
        "gender_male": Count("id", filter=Q(**{f"{p}gender": "male"})),
        "gender_female": Count("id", filter=Q(**{f"{p}gender": "female"})),
        "gender_other": Count("id", filter=Q(**{f"{p}gender": "other"})),
        "gender_unknown": Count("id", filter=Q(**{f"{p}gender": ""})),
        **_age_band_aggregates(year, f"{p}birth_year"),
    }
    row = qs.aggregate(**aggregates)
    ethnic = qs.values(f"{p}ethnicity").annotate(n=Count("id")).order_by("-n")
    row["ethnicity"] = [(CODE_TO_NAME.get(r[f"{p}ethnicity"], ""), r[f"{p}ethnicity"], r["n"]) for r in ethnic]
    row["age_bands"] = [(label, row[f"age_{code}"]) for code, _lo, _hi, label in AGE_BANDS]
    return row


def current_stats(node: Node, *, year: int) -> dict:
    """The register as it stands: active members of the subtree, broken down."""
    qs = in_subtree(node).filter(status=MemberStatus.ACTIVE)
    stats = _breakdown(qs, "", year)
    stats["paid"] = qs.filter(Exists(Dues.objects.filter(member=OuterRef("pk"), year=year))).count()
    stats["unpaid"] = stats["total"] - stats["paid"]
    stats["dues_amount"] = Dues.objects.filter(year=year, member__in=qs).aggregate(s=Sum("amount"))["s"] or 0
    return stats


def counts_by_chapter(node: Node, *, status: str = MemberStatus.ACTIVE) -> list[tuple[Node, int]]:
    """Each grassroots unit (and the node itself, if it has members) with its member count."""
    rows = dict(
        in_subtree(node).filter(status=status).values_list("node_id").annotate(n=Count("id")).order_by()
    )
    nodes = Node.objects.filter(path__startswith=node.path).filter(
        Q(kind__in=list(GRASSROOTS_KINDS) + [NodeKind.SUBCHAPTER]) | Q(pk__in=list(rows))
    ).order_by("path")
    return [(n, rows.get(n.pk, 0)) for n in nodes if n.is_active or rows.get(n.pk)]


# ------------------------------------------------------------------- at a past date


def _subtree_as_of(node: Node, on: dt.date):
    """Ids of the units that stood under `node` on `on`, as a subquery (NodeVersion)."""
    valid = NodeVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)
    own = valid.filter(node=node).values_list("path", flat=True).first()
    if own is None:
        return None
    return valid.filter(path__startswith=own).values("node_id")


def periods_at(node: Node, on: dt.date) -> QuerySet[MembershipPeriod]:
    """Stays covering day `on` in the units under `node` on that day."""
    ids = _subtree_as_of(node, on)
    if ids is None:
        return MembershipPeriod.objects.none()
    return (
        MembershipPeriod.objects.filter(node_id__in=ids, start__lte=on, merged=False)
        .filter(Q(end__isnull=True) | Q(end__gt=on))
    )


def members_at(node: Node, on: dt.date) -> int:
    return periods_at(node, on).count()


def year_stats(node: Node, year: int) -> dict:
    """Figures of one year for the reports: members at 31/12 by kind, gender, ethnicity
    and age band; joined and left during the year (transfers inside the subtree are
    neither)."""
    end = dt.date(year, 12, 31)
    at_end = periods_at(node, end)
    stats = _breakdown(at_end, "", year)  # a stay carries its member's kind, gender, …
    ids = _subtree_as_of(node, end)
    stats["joined"] = stats["left"] = 0
    if ids is not None:
        in_year = MembershipPeriod.objects.filter(node_id__in=ids, merged=False)
        stats["joined"] = in_year.filter(
            start__year=year, start_reason__in=[PeriodStart.JOINED, PeriodStart.REJOINED]
        ).count()
        stats["left"] = in_year.filter(end__year=year, end_reason=PeriodEnd.LEFT).count()
    stats["members_start"] = members_at(node, dt.date(year - 1, 12, 31))
    stats["dues_paid"] = Dues.objects.filter(year=year, member__in=at_end.values("member_id")).count()
    stats["dues_amount"] = Dues.objects.filter(year=year, member__in=at_end.values("member_id")).aggregate(s=Sum("amount"))["s"] or 0
    return stats


def chapter_counts_at(node: Node, on: dt.date) -> dict[int, int]:
    """Members per unit on `on` (one group-by over periods)."""
    return dict(periods_at(node, on).values_list("node_id").annotate(n=Count("id")).order_by())


# ----------------------------------------------------------------------- duplicates


def possible_duplicates(node: Node, *, limit: int = 200) -> list[list[Member]]:
    """Groups of live records in one chapter with the same normalised name and year of
    birth (the same CCCD cannot occur: the database refuses it)."""
    groups = (
        in_subtree(node)
        .values("node_id", "search_key", "birth_year")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("node_id", "search_key")[:limit]
    )
    keys = [(g["node_id"], g["search_key"], g["birth_year"]) for g in groups]
    if not keys:
        return []
    q = Q()
    for node_id, key, year in keys:
        q |= Q(node_id=node_id, search_key=key, birth_year=year)
    by_key: dict[tuple, list[Member]] = {}
    # Oldest record first: the one the others are offered to merge into.
    for m in in_subtree(node).filter(q).select_related("node").order_by("node_id", "id"):
        by_key.setdefault((m.node_id, m.search_key, m.birth_year), []).append(m)
    return [by_key[k] for k in keys if len(by_key.get(k, [])) > 1]
