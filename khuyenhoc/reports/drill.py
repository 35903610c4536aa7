"""The records behind a figure: the statistics page links every figure to its list here.

Each group reads the same tables, with the same filters, as its provider, for the tree as
it stood at the year's end. Lists show what identifies a record (names, codes, amounts),
never a citizen ID or a phone number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khuyenhoc.core.dates import format_date
from khuyenhoc.core.money import format_vnd

from . import providers
from .selectors import TreeAsOf


@dataclass
class Listing:
    columns: list[str]
    rows: list[list[str]]
    total: int


def _page(qs, page: int, size: int):
    return qs[(page - 1) * size : page * size]


def _nodes_label(tree: TreeAsOf, node_id: int) -> str:
    n = tree.nodes.get(node_id)
    return n.name if n else str(node_id)


def org_listing(tree: TreeAsOf, key: str, page: int, size: int) -> Listing:
    kinds = {
        "communes": {"commune"},
        "districts": {"district"},
        "chapters": {"chapter"},
        "boards": {"board"},
        "chapters_and_boards": {"chapter", "board"},
        "subchapters": {"subchapter"},
    }
    nodes = [n for n in tree.nodes.values() if n.id != tree.root.id]
    if key.startswith("type_"):
        nodes = [n for n in nodes if n.kind in ("chapter", "board") and n.chapter_type == key.removeprefix("type_")]
    else:
        nodes = [n for n in nodes if n.kind in kinds.get(key, set())]
    nodes.sort(key=lambda n: n.path)
    rows = [
        [n.code, n.name, _nodes_label(tree, tree.nodes[n.parent_id].id) if n.parent_id in tree.nodes else ""]
        for n in nodes[(page - 1) * size : page * size]
    ]
    return Listing([str(_("Code")), str(_("Name")), str(_("Under"))], rows, len(nodes))


def members_listing(tree: TreeAsOf, year: int, key: str, page: int, size: int) -> Listing | None:
    try:
        Period = apps.get_model("members", "MembershipPeriod")
    except LookupError:
        return None
    end = dt.date(year, 12, 31)
    qs = Period.objects.filter(node_id__in=tree.ids, merged=False)
    if key == "joined":
        qs = qs.filter(start__year=year, start_reason__in=("joined", "rejoined"))
    elif key == "left":
        qs = qs.filter(end__year=year, end_reason="left")
    else:
        qs = qs.filter(start__lte=end).filter(Q(end__isnull=True) | Q(end__gt=end))
        if key in ("individual", "collective", "honorary"):
            qs = qs.filter(kind=key)
        elif key in ("male", "female"):
            qs = qs.filter(gender=key)
        elif key.startswith("ethnicity_"):
            code = key.removeprefix("ethnicity_")
            qs = qs.filter(ethnicity="" if code == "unknown" else code)
        elif key.startswith("age_"):
            from khuyenhoc.members.selectors import AGE_BANDS

            for code, low, high, _label in AGE_BANDS:
                if key == f"age_{code}":
                    qs = qs.filter(birth_year__isnull=False)
                    if high is not None:
                        qs = qs.filter(birth_year__gte=year - high)
                    if low is not None:
                        qs = qs.filter(birth_year__lte=year - low)
    total = qs.count()
    rows = [
        [p.member.full_name, str(p.member.birth_year or ""), _nodes_label(tree, p.node_id), format_date(p.start)]
        for p in _page(qs.select_related("member").order_by("node_id", "member__sort_key", "id"), page, size)
    ]
    return Listing([str(_("Full name")), str(_("Year of birth")), str(_("Chapter")), str(_("Since"))], rows, total)


def learning_listing(tree: TreeAsOf, year: int, key: str, page: int, size: int) -> Listing | None:
    try:
        Evaluation = apps.get_model("learning", "Evaluation")
        from khuyenhoc.learning.models import SUBJECT_FIELD
        from khuyenhoc.learning.selectors import SUBJECT_MODELS
    except (LookupError, ImportError):
        return None
    title, _sep, stage = key.rpartition("_")
    if title not in SUBJECT_MODELS:
        return Listing([], [], 0)
    if stage == "total":
        model = SUBJECT_MODELS[title]
        qs = model.objects.existing_in(year).filter(node_id__in=tree.ids).order_by("node_id", "id")
        rows = [[str(s), _nodes_label(tree, s.node_id)] for s in _page(qs, page, size)]
        return Listing([str(_("Name")), str(_("Unit"))], rows, qs.count())
    qs = Evaluation.objects.filter(node_id__in=tree.ids, year=year, title=title)
    if stage == "recognised":
        qs = qs.filter(status="recognised")
    qs = qs.select_related(SUBJECT_FIELD[title]).order_by("node_id", "id")
    rows = [[str(e.subject), _nodes_label(tree, e.node_id), e.get_status_display()] for e in _page(qs, page, size)]
    return Listing([str(_("Name")), str(_("Unit")), str(_("Status"))], rows, qs.count())


def fund_listing(tree: TreeAsOf, year: int, key: str, page: int, size: int) -> Listing | None:
    if not providers.FUND.available():
        return None
    LedgerEntry = apps.get_model("fund", "LedgerEntry")
    start, end = providers.year_bounds(year)
    qs = LedgerEntry.objects.filter(node_id__in=tree.ids, date__gte=start, date__lte=end)
    inside = tree.ids
    internal = Q(counter_node_id__in=inside)
    if key == "balance":
        qs = LedgerEntry.objects.filter(node_id__in=tree.ids, date__lte=end)
    elif key.startswith("receipts"):
        qs = qs.filter(kind="receipt").exclude(internal)
        if key != "receipts":
            source = key.removeprefix("receipts_")
            qs = qs.filter(party_kind="" if source == "other" else source)
    elif key.startswith("payments"):
        qs = qs.filter(kind="payment").exclude(internal)
        if key != "payments":
            purpose = key.removeprefix("payments_")
            qs = qs.filter(purpose="" if purpose == "other" else purpose)
    total = qs.count()
    rows = [
        [e.voucher_code or str(e.get_kind_display()), format_date(e.date), _nodes_label(tree, e.node_id), format_vnd(e.amount)]
        for e in _page(qs.order_by("date", "fund_id", "seq"), page, size)
    ]
    return Listing([str(_("Voucher")), str(_("Date")), str(_("Unit")), str(_("Amount"))], rows, total)


def awards_listing(tree: TreeAsOf, year: int, key: str, page: int, size: int) -> Listing | None:
    try:
        Award = apps.get_model("awards", "Award")
    except LookupError:
        return None
    qs = Award.objects.filter(decision__node_id__in=tree.ids, decision__year=year, revoked_at__isnull=True)
    if key.startswith("certificates_"):
        qs = qs.filter(nominee_kind=key.removeprefix("certificates_"))
    elif key.startswith("programme_"):
        pid = key.removeprefix("programme_").rsplit("_", 1)[0]
        qs = qs.filter(programme_id=int(pid)) if pid.isdigit() else qs.none()
    total = qs.count()
    rows = [
        [a.public_name or a.nominee_name, a.get_nominee_kind_display(), a.decision.code, format_vnd(a.amount)]
        for a in _page(qs.select_related("decision").order_by("decision_id", "line"), page, size)
    ]
    return Listing([str(_("Name")), str(_("Kind")), str(_("Decision")), str(_("Amount"))], rows, total)


def listing(tree: TreeAsOf, year: int, group: str, key: str, page: int = 1, size: int = 100) -> Listing | None:
    if group == "org":
        return org_listing(tree, key, page, size)
    if group == "members" and providers.MEMBERS.available():
        return members_listing(tree, year, key, page, size)
    if group == "learning" and providers.LEARNING.available():
        return learning_listing(tree, year, key, page, size)
    if group == "fund":
        return fund_listing(tree, year, key, page, size)
    if group == "awards" and providers.AWARDS.available():
        return awards_listing(tree, year, key, page, size)
    return None
