"""Everything the annual review report says, gathered once for the DOCX, the XLSX and the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from khuyenhoc.organizations.models import Node

from . import narrative, selectors
from .narrative import count_text, million_cell, money_text
from .selectors import TargetCheck, YearStats
from .tables import Table, build_tables


@dataclass
class Comparison:
    label: str
    previous: str
    current: str
    change: str


@dataclass
class ReportData:
    node: Node
    stats: YearStats
    previous: YearStats | None
    on: dt.date
    header: dict[str, str]
    text: dict[str, str]
    tables: list[Table]
    comparison: list[Comparison]
    next_targets: list[TargetCheck]
    signer_title: str
    signer_name: str
    recipients: list[str]


COMPARED = (
    ("org", "chapters_and_boards", "Chi hội, Ban khuyến học", False),
    ("members", "total", "Hội viên", False),
    ("learning", "family_recognised", "Gia đình học tập", False),
    ("learning", "clan_recognised", "Dòng họ học tập", False),
    ("learning", "community_recognised", "Cộng đồng học tập (thôn, tổ dân phố)", False),
    ("learning", "unit_recognised", "Đơn vị học tập", False),
    ("learning", "citizen_recognised", "Công dân học tập", False),
    ("fund", "receipts", "Thu quỹ khuyến học (triệu đồng)", True),
    ("fund", "payments", "Chi quỹ khuyến học (triệu đồng)", True),
)


def _cell(value: int | None, money: bool) -> str:
    if value is None:
        return "—"
    return million_cell(value) if money else count_text(value, pad=False)


def comparison(stats: YearStats, previous: YearStats | None) -> list[Comparison]:
    rows = []
    for group, key, label, money in COMPARED:
        cur = stats.get(group, key)
        prev = previous.get(group, key) if previous else None
        if cur is None and prev is None:
            continue
        if cur is not None and prev is not None:
            d = cur - prev
            change = ("+" if d > 0 else "") + (million_cell(d) if money else count_text(d, pad=False)) if d else "0"
        else:
            change = "—"
        rows.append(Comparison(label, _cell(prev, money), _cell(cur, money), change))
    awards_now = narrative.award_money(stats)
    awards_prev = narrative.award_money(previous)
    if awards_now is not None or awards_prev is not None:
        d = (awards_now - awards_prev) if awards_now is not None and awards_prev is not None else None
        rows.append(
            Comparison(
                "Tiền khen thưởng, học bổng (triệu đồng)",
                _cell(awards_prev, True),
                _cell(awards_now, True),
                "—" if d is None else (("+" if d > 0 else "") + million_cell(d) if d else "0"),
            )
        )
    return rows


def next_year_targets(node: Node, year: int) -> list:
    """The targets `year`'s plans set `node`: its own plan's first, then those of the plans
    above it for indicators its own plan leaves out. Without any plan for the year, the
    nearest milestones of the state programmes."""
    from .models import Indicator, ProgrammeKind

    order = {code: i for i, code in enumerate(Indicator.values)}
    chosen = selectors.TargetBook(node, year).for_node(node.pk, node.path)
    plans = [t for t in chosen if t.programme.kind == ProgrammeKind.PLAN and t.year == year]
    pool = plans or chosen
    by_indicator = {}
    for t in sorted(pool, key=lambda t: (-(t.programme.node.depth if t.programme.node_id else 0), t.year)):
        by_indicator.setdefault(t.indicator, t)
    return sorted(by_indicator.values(), key=lambda t: order.get(t.indicator, 99))


def report_data(node: Node, year: int, *, on: dt.date | None = None, number: str = "") -> ReportData:
    stats = selectors.year_statistics(node, year, compare=False)
    previous = selectors.year_statistics(node, year - 1, compare=False)
    # Review conferences are held in the last days of the year (the seed's was on 30/12).
    on = on or min(timezone.localdate(), dt.date(year, 12, 30))
    next_targets = [TargetCheck(t, None) for t in next_year_targets(node, year + 1)]
    title, name = narrative.signer(node, on)
    return ReportData(
        node=node,
        stats=stats,
        previous=previous,
        on=on,
        header=narrative.header(node, stats, on, number),
        text=narrative.paragraphs(node, stats, previous, next_targets),
        tables=build_tables(stats, previous, own_label=f"{node.name} (trực tiếp)"),
        comparison=comparison(stats, previous),
        next_targets=next_targets,
        signer_title=title,
        signer_name=name,
        recipients=narrative.recipients(node),
    )


def headline(stats: YearStats) -> dict[str, str]:
    """The figures the seed article quotes, written as it writes them."""
    return {
        "chapters_and_boards": count_text(stats.get("org", "chapters_and_boards"), pad=False),
        "members": count_text(stats.get("members", "total"), pad=False),
        "learning_families": count_text(stats.get("learning", "family_recognised"), pad=False),
        "learning_clans": count_text(stats.get("learning", "clan_recognised"), pad=False),
        "learning_communities": count_text(stats.get("learning", "community_recognised"), pad=False),
        "learning_units": count_text(stats.get("learning", "unit_recognised"), pad=False),
        "learning_citizens": count_text(stats.get("learning", "citizen_recognised"), pad=False),
        "fund_receipts": money_text(stats.get("fund", "receipts")),
        "fund_payments": money_text(stats.get("fund", "payments")),
        "fund_balance": money_text(stats.get("fund", "balance")),
        "awards_amount": money_text(narrative.award_money(stats), over="trên"),
        "own_awards_amount": money_text(narrative.award_money(stats, own=True)),
        "certificates_collective": count_text(stats.own_value("awards", "certificates_collective"), pad=False),
        "certificates_individual": count_text(stats.own_value("awards", "certificates_individual"), pad=False),
        "certificates_clan": count_text(stats.own_value("awards", "certificates_clan"), pad=False),
        "certificates_family": count_text(stats.own_value("awards", "certificates_family"), pad=False),
    }
