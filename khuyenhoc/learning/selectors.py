"""Reads of the learning area: counts for any subtree and year, the review table, lists.

Counts are single aggregate queries over the subtree (node path prefix), so a province
of a million households answers in well under a second on PostgreSQL
(bench/bench_learning.py). Reports call ``title_counts``; for a closed past year they
pass ``node_ids`` from ``organizations.selectors.subtree_ids_as_of`` so the tree of that
year is counted even after a reorganisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum

from khuyenhoc.core.text import initials_name, search_key
from khuyenhoc.organizations.models import Node

from .models import (
    SUBJECT_FIELD,
    Citizen,
    CitizenSubmission,
    Clan,
    Community,
    CriteriaSetVersion,
    Evaluation,
    Household,
    HouseholdMember,
    Status,
    SubmissionStatus,
    Title,
    Unit,
)

SUBJECT_MODELS = {
    Title.FAMILY: Household,
    Title.CLAN: Clan,
    Title.COMMUNITY: Community,
    Title.UNIT: Unit,
    Title.CITIZEN: Citizen,
}
# Whose name orders each title's rows and which column holds its search key.
SUBJECT_ORDER = {
    Title.FAMILY: "household__head_sort",
    Title.CLAN: "clan__name",
    Title.COMMUNITY: "community__name",
    Title.UNIT: "unit__name",
    Title.CITIZEN: "citizen__name_sort",
}
# A total within this many points of the pass mark is "borderline" in the review table.
BORDERLINE_MARGIN = 5
# Household members of this age or more in the year count as adults (the denominator
# of the learning-citizen targets of QĐ 677).
ADULT_AGE = 18


@dataclass
class TitleCount:
    title: str
    total: int = 0
    registered: int = 0
    recognised: int = 0
    approved: int = 0
    not_met: int = 0

    @property
    def label(self) -> str:
        return Title(self.title).label

    @property
    def rate_of_registered(self) -> float | None:
        return self.recognised / self.registered if self.registered else None

    @property
    def rate_of_total(self) -> float | None:
        return self.recognised / self.total if self.total else None


def subtree_ids(node: Node):
    """The ids of ``node`` and every unit below it, as a subquery."""
    return _nodes(node, None)


def _nodes(node: Node | None, node_ids: Iterable[int] | None):
    """The subtree as an id list or a subquery (a semi-join: cheaper than joining the paths)."""
    if node_ids is not None:
        return list(node_ids)
    return Node.objects.filter(path__startswith=node.path).values("pk")


def title_counts(node: Node | None, year: int, *, node_ids: Iterable[int] | None = None) -> dict[str, TitleCount]:
    """For each title: subjects that existed in ``year``, registered, recognised (and more).

    ``node_ids`` (e.g. the subtree as it stood at the end of a past year) replaces the
    current subtree of ``node``. Six aggregate queries, each an index-only scan on
    PostgreSQL whatever the size of the subtree.
    """
    nodes = _nodes(node, node_ids)
    out = {t: TitleCount(t) for t in Title.values}
    rows = (
        Evaluation.objects.filter(node_id__in=nodes, year=year)
        .order_by()
        .values("title")
        .annotate(
            registered=Count("*"),
            recognised=Count("status", filter=Q(status=Status.RECOGNISED)),
            approved=Count("status", filter=Q(status=Status.APPROVED)),
            not_met=Count("status", filter=Q(status=Status.NOT_MET)),
        )
    )
    for r in rows:
        c = out[r["title"]]
        c.registered, c.recognised, c.approved, c.not_met = (
            r["registered"], r["recognised"], r["approved"], r["not_met"]
        )
    for title, model in SUBJECT_MODELS.items():
        out[title].total = model.objects.existing_in(year).filter(node_id__in=nodes).count()
    return out


def citizen_denominators(node: Node | None, year: int, *, node_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Adults living in the households and staff of the units: what the learning-citizen
    targets (QĐ 677) are rates of. Reads every member of the subtree, so it is kept out
    of ``title_counts``."""
    nodes = _nodes(node, node_ids)
    households = Household.objects.existing_in(year).filter(node_id__in=nodes)
    adults = HouseholdMember.objects.filter(household__in=households.values("pk"), birth_year__lte=year - ADULT_AGE).count()
    staff = Unit.objects.existing_in(year).filter(node_id__in=nodes).aggregate(n=Sum("staff_count"))["n"] or 0
    return {"adults": adults, "staff": staff}


def title_counts_by_node(year: int, *, node: Node | None = None, node_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """``{node_id: {"family_total": …, "family_registered": …, "family_recognised": …, …}}``
    for every node of the subtree holding subjects or titles (one grouped query per kind).

    The shape the reports' tables sent up use; ``title_counts_by_child`` rolls it up.
    """
    nodes = _nodes(node, node_ids)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Evaluation.objects.filter(node_id__in=nodes, year=year)
        .order_by()
        .values("node_id", "title")
        .annotate(registered=Count("*"), recognised=Count("status", filter=Q(status=Status.RECOGNISED)))
    )
    for r in rows:
        out[r["node_id"]][f"{r['title']}_registered"] = r["registered"]
        out[r["node_id"]][f"{r['title']}_recognised"] = r["recognised"]
    for title, model in SUBJECT_MODELS.items():
        totals = model.objects.existing_in(year).filter(node_id__in=nodes).order_by().values("node_id").annotate(n=Count("*"))
        for r in totals:
            out[r["node_id"]][f"{title}_total"] = r["n"]
    return dict(out)


def title_counts_by_child(node: Node, year: int) -> list[tuple[Node, dict[str, TitleCount]]]:
    """The counts of each unit directly under ``node`` (its whole subtree each)."""
    children = list(node.children.order_by("status", "name"))
    if not children:
        return []
    by_node = title_counts_by_node(year, node=node)
    paths = dict(Node.objects.filter(pk__in=list(by_node)).values_list("pk", "path"))
    cut = len(node.path) + 9
    rolled: dict[str, dict[str, TitleCount]] = {c.path: {t: TitleCount(t) for t in Title.values} for c in children}
    for node_id, figures in by_node.items():
        target = rolled.get(paths.get(node_id, "")[:cut])
        if target is None:
            continue  # the node itself, not a child's subtree
        for key, value in figures.items():
            title, _sep, stage = key.rpartition("_")
            setattr(target[title], stage, getattr(target[title], stage) + value)
    return [(c, rolled[c.path]) for c in children]


# --------------------------------------------------------------------- the review table


OUTCOMES = ("passed", "failed", "borderline", "changed", "unscored")


def _with_last_year(qs: QuerySet, title: str, year: int) -> QuerySet:
    field = SUBJECT_FIELD[title]
    last = Evaluation.objects.filter(**{field: OuterRef(field)}, year=year - 1)
    return qs.annotate(
        last_recognised=Exists(last.filter(status=Status.RECOGNISED)),
        last_status=Subquery(last.values("status")[:1]),
    )


_CHANGED = Q(last_recognised=True, passed=False) | Q(last_recognised=False, passed=True)


def _borderline() -> Q:
    return Q(
        total__gte=F("criteria_set__pass_min_total") - BORDERLINE_MARGIN,
        total__lt=F("criteria_set__pass_min_total") + BORDERLINE_MARGIN,
    )


def _search(title: str, q: str) -> Q:
    field = SUBJECT_FIELD[title]
    key = search_key(q)
    if title == Title.FAMILY:
        return Q(household__search__contains=key) | Q(household__code__iexact=q.strip())
    if title == Title.CITIZEN:
        return Q(citizen__search__contains=key)
    return Q(**{f"{field}__name__icontains": q.strip()})


def review_base(node: Node, title: str, year: int) -> QuerySet[Evaluation]:
    # node_id IN (the subtree's ids) lets both databases seek the counting index
    # (year, title, node, …) per unit instead of reading the whole year's titles.
    return _with_last_year(
        Evaluation.objects.filter(title=title, year=year, node_id__in=_nodes(node, None)), title, year
    )


def review_rows(
    node: Node, title: str, year: int, *, status: str = "", outcome: str = "", q: str = ""
) -> QuerySet[Evaluation]:
    """The commune's review table: one row per evaluation, filtered, in name order."""
    qs = review_base(node, title, year)
    if status:
        qs = qs.filter(status=status)
    if outcome == "passed":
        qs = qs.filter(passed=True)
    elif outcome == "failed":
        qs = qs.filter(passed=False)
    elif outcome == "borderline":
        qs = qs.filter(_borderline())
    elif outcome == "changed":
        qs = qs.filter(_CHANGED)
    elif outcome == "unscored":
        qs = qs.filter(total__isnull=True)
    if q.strip():
        qs = qs.filter(_search(title, q))
    return qs.select_related(SUBJECT_FIELD[title], "node").defer(
        "answers", "self_answers", "inputs", "used_inputs", "reasons"
    ).order_by("node__path", SUBJECT_ORDER[title], "pk")


def display_name(ev: Evaluation, can_personal: bool) -> str:
    """The subject's name as a list may show it: a minor citizen (pupils' form) by initials
    unless the user may see personal data."""
    if ev.title == Title.CITIZEN and not can_personal and ev.year - ev.citizen.birth_year < ADULT_AGE:
        return initials_name(ev.citizen.full_name)
    return str(ev.subject)


def review_summary(node: Node, title: str, year: int, *, status: str = "", q: str = "") -> dict:
    """How many rows each filter chip would show (within the status filter) and how many
    dossiers are at each status, in one aggregate query."""
    qs = review_base(node, title, year)
    if q.strip():
        qs = qs.filter(_search(title, q))
    within = Q(status=status) if status else Q()
    # Aliases must not shadow the columns the filters read (passed, total). COUNT(status)
    # (never null, in the counting index) rather than COUNT(id): an index-only scan.
    row = qs.aggregate(
        **{f"s_{code}": Count("status", filter=Q(status=code)) for code in Status.values},
        n_all=Count("status", filter=within),
        n_passed=Count("status", filter=within & Q(passed=True)),
        n_failed=Count("status", filter=within & Q(passed=False)),
        n_borderline=Count("status", filter=within & _borderline()),
        n_changed=Count("status", filter=within & _CHANGED),
        n_unscored=Count("status", filter=within & Q(total__isnull=True)),
    )
    out = {key.removeprefix("n_"): value for key, value in row.items() if key.startswith("n_")}
    out["statuses"] = {key.removeprefix("s_"): value for key, value in row.items() if key.startswith("s_")}
    return out


# ----------------------------------------------------------------------------- lists


def households_in(node: Node, year: int, *, q: str = "") -> QuerySet[Household]:
    this_year = Evaluation.objects.filter(household=OuterRef("pk"), year=year)
    qs = (
        Household.objects.filter(node_id__in=_nodes(node, None))
        .select_related("node")
        .annotate(
            status=Subquery(this_year.values("status")[:1]),
            evaluation_id=Subquery(this_year.values("pk")[:1]),
            member_count=Count("members"),
        )
        .order_by("node__path", "head_sort", "pk")
    )
    if q.strip():
        qs = qs.filter(Q(search__contains=search_key(q)) | Q(code__iexact=q.strip()))
    return qs


def subjects_in(node: Node, title: str, year: int) -> QuerySet:
    model = SUBJECT_MODELS[title]
    this_year = Evaluation.objects.filter(**{SUBJECT_FIELD[title]: OuterRef("pk")}, year=year)
    order = "name_sort" if title == Title.CITIZEN else "name"
    return (
        model.objects.filter(node_id__in=_nodes(node, None))
        .select_related("node")
        .annotate(status=Subquery(this_year.values("status")[:1]), evaluation_id=Subquery(this_year.values("pk")[:1]))
        .order_by("node__path", order, "pk")
    )


def unregistered(node: Node, title: str, year: int) -> QuerySet:
    """Subjects under ``node`` that existed in ``year`` and are not registered for it."""
    model = SUBJECT_MODELS[title]
    field = SUBJECT_FIELD[title]
    taken = Evaluation.objects.filter(**{field: OuterRef("pk")}, year=year)
    return model.objects.existing_in(year).filter(node_id__in=_nodes(node, None)).exclude(Exists(taken)).select_related("node")


def household_titles(household: Household) -> list[Evaluation]:
    return list(household.evaluations.select_related("recognition", "criteria_set").order_by("-year"))


def adults_with_citizen_title(household: Household, year: int) -> dict[int, Evaluation]:
    """Member id → that member's learning-citizen evaluation of ``year`` (any status)."""
    evs = Evaluation.objects.filter(
        title=Title.CITIZEN, year=year, citizen__member__household=household
    ).select_related("citizen")
    return {e.citizen.member_id: e for e in evs}


def pending_submissions(node: Node) -> QuerySet[CitizenSubmission]:
    return CitizenSubmission.objects.filter(
        node__path__startswith=node.path, status=SubmissionStatus.PENDING
    ).select_related("node", "criteria_set")


def visible_sets(user_paths: list[str]) -> QuerySet[CriteriaSetVersion]:
    """National sets and those owned above or inside the user's subtrees."""
    q = Q(node__isnull=True)
    for p in user_paths:
        ancestors = [p[:i] for i in range(9, len(p) + 1, 9)]
        q |= Q(node__path__startswith=p) | Q(node__path__in=ancestors)
    return CriteriaSetVersion.objects.filter(q).select_related("node")
