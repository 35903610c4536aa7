"""The reports demo step, and the acceptance figures of the seed article on the full demo."""

from __future__ import annotations

import importlib.util
import io

import pytest

from khuyenhoc.demo import figures
from khuyenhoc.demo.generate import build_demo, build_tree, build_users
from khuyenhoc.organizations.models import Node
from khuyenhoc.reports import demo as reports_demo
from khuyenhoc.reports import providers, selectors
from khuyenhoc.reports.models import Programme

pytestmark = pytest.mark.django_db


def test_the_demo_carries_the_citys_published_history_and_its_plans(db):
    build_demo(steps=[build_tree, build_users, reports_demo.build])
    city = Node.objects.get(code="BK")
    y2016 = selectors.year_statistics(city, 2016)
    assert y2016.is_reported_only
    assert y2016.get("org", "chapters_and_boards") == 153 and y2016.get("members", "total") == 8_389
    assert y2016.get("learning", "family_registered") == 7_878 and y2016.get("learning", "community_registered") == 108
    y2017 = selectors.year_statistics(city, 2017)
    assert y2017.get("members", "total") == 10_300 and y2017.get("learning", "clan_recognised") == 8
    assert y2017.get("fund", "receipts") == 50_000_000
    assert Programme.objects.get(code="BKN-KH-2023").targets.get(indicator="community_rate").above
    plan = Programme.objects.get(code="PLAN-BK-2023")
    assert plan.targets.filter(node__isnull=False).count() == 8
    data = selectors.dashboard_data(city, 2022)
    assert data["years"][:2] == [2016, 2017] and data["years"][-1] == 2022
    assert data["members"][0] == 8_389


def wired(provider, area: str) -> bool:
    """The provider reads the area's tables and the area's demo step puts the year in them."""
    return provider.available() and importlib.util.find_spec(f"khuyenhoc.{area}.demo") is not None


def acceptance_figures(stats) -> dict:
    """What the article says, for each figure whose area is wired."""
    from khuyenhoc.reports.narrative import award_money

    checks = {"chapters_and_boards": (stats.get("org", "chapters_and_boards"), figures.CHAPTERS_AND_BOARDS)}
    if wired(providers.MEMBERS, "members"):
        checks["members"] = (stats.get("members", "total"), figures.MEMBERS)
    if wired(providers.LEARNING, "learning"):
        checks["families"] = (stats.get("learning", "family_recognised"), figures.LEARNING_FAMILIES)
        checks["clans"] = (stats.get("learning", "clan_recognised"), figures.LEARNING_CLANS)
        checks["communities"] = (stats.get("learning", "community_recognised"), figures.LEARNING_COMMUNITIES)
        checks["units"] = (stats.get("learning", "unit_recognised"), figures.LEARNING_UNITS)
    if wired(providers.FUND, "fund"):
        checks["receipts"] = (stats.get("fund", "receipts"), figures.FUND_RECEIPTS)
        checks["awards"] = (award_money(stats), figures.AWARD_PAYMENTS)
        checks["city_awards"] = (award_money(stats, own=True), figures.CITY_AWARD_PAYMENTS)
    if wired(providers.AWARDS, "awards"):
        for kind, n in figures.CERTIFICATES.items():
            checks[f"certificates_{kind}"] = (stats.own_value("awards", f"certificates_{kind}"), n)
    return checks


def test_the_full_demo_gives_the_seed_articles_figures(db):
    build_demo()
    city = Node.objects.get(code="BK")
    stats = selectors.year_statistics(city, figures.YEAR)
    wrong = {k: v for k, v in acceptance_figures(stats).items() if v[0] != v[1]}
    assert not wrong, wrong

    from khuyenhoc.reports.docx_report import render_report
    from khuyenhoc.reports.report import report_data

    data = report_data(city, figures.YEAR)
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(render_report(data))).paragraphs)
    assert "Đến nay, toàn thành phố Bắc Kạn có 161 chi hội và Ban khuyến học" in text
    if wired(providers.MEMBERS, "members"):
        assert "với 11.089 hội viên" in text
    if wired(providers.FUND, "fund"):
        assert "thu quỹ được hơn 768 triệu đồng" in text
        assert "trên 481 triệu đồng (trong đó, Hội Khuyến học thành phố Bắc Kạn khen thưởng hơn 66 triệu đồng)" in text
