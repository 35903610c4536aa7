"""Counts for any subtree and year: the denominators the reports need."""

from __future__ import annotations

from khuyenhoc.learning import services
from khuyenhoc.learning.models import Title
from khuyenhoc.learning.selectors import title_counts, title_counts_by_child

from .conftest import PASSING, YEAR, make_household


def test_counts_cover_the_subtree_and_the_year_only(world, django_assert_max_num_queries):
    a1 = make_household(world.chapter_a, "A1", since_year=YEAR)
    make_household(world.chapter_a, "A2", since_year=YEAR + 1)  # not yet there in YEAR
    b1 = make_household(world.chapter_b, "B1")
    for h in (a1, b1):
        services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    services.evaluation_register(actor=None, title=Title.FAMILY, subject=a1, year=YEAR + 1)
    c = title_counts(world.city, YEAR)
    assert (c["family"].total, c["family"].registered) == (2, 2)
    a = title_counts(world.commune_a, YEAR)
    assert (a["family"].total, a["family"].registered, a["family"].recognised) == (1, 1, 0)
    assert title_counts(world.commune_a, YEAR + 1)["family"].total == 2
    with django_assert_max_num_queries(6):
        title_counts(world.province, YEAR)
    # A past year's tree can be passed as node ids (reports use subtree_ids_as_of).
    only_b = title_counts(None, YEAR, node_ids=[world.chapter_b.pk])
    assert only_b["family"].registered == 1


def test_adults_and_staff_are_the_citizen_denominators(world):
    from khuyenhoc.learning.selectors import citizen_denominators

    make_household(world.chapter_a, "A1")  # two adults and a child
    services.unit_create(actor=None, node=world.chapter_a, name="Trường An Bình", kind="school", staff_count=40, since_year=YEAR)
    assert citizen_denominators(world.city, YEAR) == {"adults": 2, "staff": 40}


def test_counts_by_node_have_the_keys_the_reports_use(world):
    from khuyenhoc.learning.selectors import title_counts_by_node

    h = make_household(world.chapter_a, "A1")
    services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    by_node = title_counts_by_node(YEAR, node=world.city)
    assert by_node == {world.chapter_a.pk: {"family_registered": 1, "family_recognised": 0, "family_total": 1}}


def test_counts_by_child_split_the_subtree(world):
    h = make_household(world.chapter_a, "A1")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    services.evaluation_self_assess(actor=None, evaluation=ev, answers=PASSING)
    rows = dict((n.code, c) for n, c in title_counts_by_child(world.city, YEAR))
    assert rows["TP-A"]["family"].registered == 1 and rows["TP-A"]["family"].total == 1
    assert rows["TP-B"]["family"].total == 0


def test_communities_and_units_come_from_the_tree(world):
    from khuyenhoc.organizations.models import ChapterType, NodeKind
    from khuyenhoc.organizations.services import node_create

    node_create(actor=None, parent=world.commune_a, name="Ban khuyến học Trường Tiểu học An Bình", kind=NodeKind.BOARD,
                chapter_type=ChapterType.SCHOOL, code="TP-A-S1")
    assert services.subjects_sync_from_tree(actor=None, node=world.city, since_year=YEAR) == (2, 1)
    assert services.subjects_sync_from_tree(actor=None, node=world.city, since_year=YEAR) == (0, 0)
    c = title_counts(world.city, YEAR)
    assert (c["community"].total, c["unit"].total) == (2, 1)
