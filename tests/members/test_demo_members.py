"""The demo's member register equals the seed article's figures (Bắc Kạn city, 2022)."""

import datetime as dt
import time

import pytest

from khuyenhoc.demo import figures
from khuyenhoc.demo.generate import build_demo, build_tree, build_users
from khuyenhoc.members import demo, selectors
from khuyenhoc.members.models import Dues, Member, MemberStatus
from khuyenhoc.organizations.models import Node

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    started = time.perf_counter()
    build_demo(steps=[build_tree, build_users, demo.build])
    elapsed = time.perf_counter() - started
    return Node.objects.get(code="BK"), elapsed


def test_the_city_has_exactly_11089_members_at_the_end_of_2022_in_all_161_units(city):
    node, _elapsed = city
    assert Member.objects.filter(status=MemberStatus.ACTIVE).count() == figures.MEMBERS == 11_089
    assert selectors.members_at(node, dt.date(2022, 12, 31)) == figures.MEMBERS
    by_unit = selectors.counts_by_chapter(node)
    assert len(by_unit) == figures.CHAPTERS_AND_BOARDS
    assert all(n > 0 for _unit, n in by_unit)
    assert sum(n for _unit, n in by_unit) == figures.MEMBERS


def test_the_demo_year_moves_and_matches_the_september_figure(city):
    node, _elapsed = city
    stats = selectors.year_stats(node, 2022)
    assert (stats["members_start"], stats["joined"], stats["left"], stats["total"]) == (10_309, 900, 120, 11_089)
    assert selectors.members_at(node, dt.date(2022, 9, 30)) == 10_427
    assert stats["kind_collective"] > 0 and stats["kind_honorary"] > 0
    assert {name for name, _code, _n in stats["ethnicity"]} >= {"Tày", "Kinh", "Nùng", "Dao"}
    unpaid = selectors.unpaid(node, 2022).count()
    assert 0 < unpaid < figures.MEMBERS // 10
    assert Dues.objects.filter(year=2022).count() >= figures.MEMBERS - unpaid


def test_the_demo_members_are_deterministic_and_quick(city):
    _node, elapsed = city
    assert elapsed < 30  # the member step alone takes about 2 s; the tree takes most of it
    first = Member.objects.filter(kind="individual").order_by("pk").values_list("full_name", "birth_year")[0]
    assert first == DEMO_FIRST_INDIVIDUAL


DEMO_FIRST_INDIVIDUAL = ("Lương Hữu Cường", 1975)
