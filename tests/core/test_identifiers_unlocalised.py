"""Years, ids and page numbers print as plain digits in every language.

USE_THOUSAND_SEPARATOR localises every integer a template prints: in English the year 2022
comes out as "2,022", and a link `?year=2,022` no longer parses (the reports silently fall
back to the latest year). Templates print identifiers with `|stringformat:"d"` (inside
blocktranslate: `with year=year|stringformat:"d"`); quantities keep the Vietnamese grouping
through `vnnum` and `vnd`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.conftest import make_user
from tests.reports.conftest import fund_with_receipts

pytestmark = pytest.mark.django_db

YEAR = 2022
# A year grouped by the locale: 2,022 (English) or 2.022 — not part of a longer number
# such as 2.000.000 đ.
GROUPED_YEAR = re.compile(r"(?<![\d.,])(?:1[.,]9|2[.,]0)\d\d(?![.,]?\d)")
YEAR_PARAM = re.compile(r"[?&;]year=([^&\"'\s<>]*)")
YEAR_FIELD = re.compile(r"name=\"year\"[^>]*?value=\"([^\"]*)\"|value=\"([^\"]*)\"[^>]*?name=\"year\"")


@pytest.fixture
def year_world(world):
    """Figures for 2022 in commune A: a fund receipt, a member, a household registered for
    the learning-family title, and an awards programme of the city."""
    from khuyenhoc.accounts.models import Role
    from khuyenhoc.awards import services as awards
    from khuyenhoc.learning.models import Title
    from khuyenhoc.learning.services import evaluation_register, household_create
    from khuyenhoc.members.services import member_create

    fund_with_receipts(world, world.commune_a, [5_000_000])
    member_create(actor=None, node=world.chapter_a, full_name="Lê Văn Bình", joined_on=dt.date(2020, 1, 10), birth_year=1970)
    household = household_create(
        actor=None, node=world.chapter_a, code="H001", since_year=2020,
        members=[{"full_name": "Nguyễn Văn An", "birth_year": 1975, "gender": "m", "relation": "head"}],
    )
    evaluation = evaluation_register(actor=None, title=Title.FAMILY, subject=household, year=YEAR)
    programme = awards.programme_create(
        actor=world.admin_city, node=world.city, year=YEAR, name="Khen thưởng học sinh giỏi",
        nominee_kinds=["student"], deadline=dt.date(YEAR, 12, 15), amount=500_000, budget=3_000_000,
    )
    return {
        "world": world,
        "household": household,
        "evaluation": evaluation,
        "programme": programme,
        "secretary_city": make_user("thuky_tp", node=world.city, role=Role.SECRETARY),
    }


def _pages(yw):
    """(user, url, has year links) for the pages that print the year they show."""
    w = yw["world"]
    city, commune = w.city.pk, w.commune_a.pk
    y = f"year={YEAR}"
    return [
        # Reports.
        (w.admin_city, f"/app/reports/nodes/{city}/?{y}", True),
        (w.admin_city, f"/app/reports/nodes/{city}/records/?{y}&group=fund&key=receipts", True),
        (w.admin_city, f"/app/reports/nodes/{city}/targets/?{y}", True),
        (w.admin_city, f"/app/reports/nodes/{city}/dashboard/?{y}", True),
        (w.admin_city, f"/app/reports/nodes/{city}/import/?{y}", True),
        (w.admin_a, f"/app/reports/nodes/{commune}/close/?{y}", True),
        (None, f"/p/reports/{w.city.code}/?{y}", True),
        (None, "/p/reports/", True),
        # Learning titles.
        (w.admin_a, f"/app/learning/nodes/{commune}/?{y}", True),
        (w.admin_a, f"/app/learning/nodes/{commune}/households/?{y}", True),
        (w.admin_a, f"/app/learning/nodes/{commune}/review/?title=family&{y}", True),
        (w.admin_a, f"/app/learning/nodes/{commune}/subjects/?title=clan&{y}", True),
        (w.admin_a, f"/app/learning/nodes/{commune}/register/?title=family&{y}", True),
        (w.admin_a, f"/app/learning/nodes/{commune}/recognise/?title=family&{y}", True),
        (w.admin_a, f"/app/learning/households/{yw['household'].pk}/?{y}", True),
        (w.admin_a, f"/app/learning/evaluations/{yw['evaluation'].pk}/", False),
        # Members.
        (w.admin_a, f"/app/members/nodes/{commune}/?{y}", True),
        (w.admin_a, f"/app/members/nodes/{commune}/stats/?{y}", True),
        # Awards.
        (w.admin_city, f"/app/awards/nodes/{city}/", False),
        (w.admin_city, f"/app/awards/programmes/{yw['programme'].pk}/", False),
    ]


def _get(client, user, url, language):
    client.logout()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = language
    resp = client.get(url)
    assert resp.status_code == 200, url
    html = resp.content.decode()
    assert f'<html lang="{language}"' in html, url
    return html


@pytest.mark.parametrize("language", ["en", "vi"])
def test_pages_print_the_year_and_link_to_it_without_a_thousands_separator(year_world, client, language):
    problems = []
    for user, url, has_year_links in _pages(year_world):
        body = _get(client, user, url, language).split("<body", 1)[1]
        if str(YEAR) not in body:
            problems.append(f"{url} does not print {YEAR}")
        grouped = sorted(set(GROUPED_YEAR.findall(body)))
        if grouped:
            problems.append(f"{url} prints {grouped}")
        # Every ?year= link and every year field carries four plain digits.
        values = YEAR_PARAM.findall(body) + [a or b for a, b in YEAR_FIELD.findall(body)]
        bad = sorted({v for v in values if not re.fullmatch(r"\d{4}", v)})
        if bad:
            problems.append(f"{url} links or posts year={bad}")
        if has_year_links and f"year={YEAR}" not in body and f'name="year" value="{YEAR}"' not in body:
            problems.append(f"{url} has no link or field with year={YEAR}")
    assert not problems, f"({language}) " + "; ".join(problems)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_year_link_leads_to_that_year_not_the_latest(year_world, client, language):
    """The statistics page links the years around it; following the link for 2022 from
    2021's page shows 2022, not the latest year 2023 (where `?year=2,022` fell back)."""
    from khuyenhoc.reports import selectors

    w = year_world["world"]
    fund_with_receipts(w, w.commune_b, [1_000_000], year=YEAR + 1)
    assert selectors.latest_year(w.city) == YEAR + 1
    page = _get(client, w.admin_city, f"/app/reports/nodes/{w.city.pk}/?year={YEAR - 1}", language)
    link = re.search(r'href="(\?year=[^"]*)"[^>]*>2[.,]?022<', page).group(1)
    html = _get(client, w.admin_city, f"/app/reports/nodes/{w.city.pk}/{link}", language)
    current = re.search(r'<span class="current" aria-current="page">([^<]*)</span>', html).group(1)
    assert (link, current) == (f"?year={YEAR}", str(YEAR))


def test_quantities_keep_their_vietnamese_grouping(year_world, client):
    w = year_world["world"]
    html = _get(client, w.admin_city, f"/app/reports/nodes/{w.city.pk}/?year={YEAR}", "vi")
    assert "5.000.000 đ" in html


# A template that prints one of these bare, or passes it to blocktranslate without
# stringformat, gets the locale's grouping in English.
IDENTIFIER_VARS = r"(?:\w+\.)*(?:y|year|plan_year|birth_year|pk|seq|closing_seq|source_id|previous_page_number|next_page_number)"
# (A form's field, `{{ form.year }}`, renders its widget: not a number.)
BARE = re.compile(r"\{\{ *(?!form\.)(" + IDENTIFIER_VARS + r") *(?:\|default(?:_if_none)?:[^}|]*)?\}\}")
BLOCK = re.compile(r"\{% blocktranslate(?P<args>[^%]*?) %\}(?P<body>.*?)\{% endblocktranslate %\}", re.S)
BLOCK_IDENTIFIERS = {"year", "plan_year", "prev", "seq", "found", "id"}


def _templates():
    root = Path(__file__).resolve().parents[2] / "khuyenhoc"
    return sorted(root.glob("**/templates/**/*.html"))


def test_no_template_prints_a_year_or_an_id_with_the_locales_grouping():
    templates = _templates()
    assert templates
    problems = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        outside = BLOCK.sub("", text)
        problems += [f"{path.name}: {{{{ {m} }}}}" for m in BARE.findall(outside)]
        for block in BLOCK.finditer(text):
            bound = dict(re.findall(r"(\w+)=(\S+)", block.group("args")))
            for name in set(re.findall(r"\{\{ (\w+) \}\}", block.group("body"))) & BLOCK_IDENTIFIERS:
                if 'stringformat:"d"' not in bound.get(name, ""):
                    problems.append(f"{path.name}: blocktranslate {{{{ {name} }}}}")
    assert not problems, "print these with |stringformat:\"d\": " + ", ".join(problems)
