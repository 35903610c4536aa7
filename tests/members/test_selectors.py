"""Reads: search without accents, Vietnamese name order, filters and counts in one query."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyenhoc.members import selectors, services
from khuyenhoc.members.selectors import MemberFilter

from .factories import add_chapter, add_member

pytestmark = pytest.mark.django_db


def _names(qs):
    return [m.full_name for m in qs]


def test_search_ignores_accents_and_case_and_matches_word_starts(world):
    for name in ("Nguyễn Văn Ẩn", "Đặng Thị Lan", "Trần Văn Hoàn", "Lê Văn Anh"):
        add_member(world.chapter_a, name)
    qs = selectors.in_subtree(world.commune_a)
    assert _names(selectors.search(qs, "nguyen van an")) == ["Nguyễn Văn Ẩn"]
    assert _names(selectors.search(qs, "dang")) == ["Đặng Thị Lan"]
    assert _names(selectors.search(qs, "ĐẶNG")) == ["Đặng Thị Lan"]
    # The beginning of the name, family first, as it is being typed.
    assert _names(selectors.search(qs, "nguyen van a")) == ["Nguyễn Văn Ẩn"]
    # Or its end: the given name, or middle and given name: "an" finds An and Anh,
    # not Lan or Hoàn.
    assert sorted(_names(selectors.search(qs, "an"))) == ["Lê Văn Anh", "Nguyễn Văn Ẩn"]
    assert _names(selectors.search(qs, "van  ẩn")) == ["Nguyễn Văn Ẩn"]
    assert _names(selectors.search(qs, "thi lan")) == ["Đặng Thị Lan"]
    # A middle name alone, or words out of order, is not a search.
    assert _names(selectors.search(qs, "thi")) == []
    assert _names(selectors.search(qs, "an nguyen")) == []


def test_search_by_number_needs_the_right_to_see_personal_data(world):
    add_member(world.chapter_a, "Hà Văn Bình", citizen_id="006170001234", phone="0912345678")
    qs = selectors.in_subtree(world.commune_a)
    assert _names(selectors.search(qs, "0061 7000", personal=True)) == ["Hà Văn Bình"]
    assert _names(selectors.search(qs, "45678", personal=True)) == []
    assert _names(selectors.search(qs, "006170", personal=False)) == []


def test_lists_are_in_vietnamese_name_order_given_name_first(world):
    for name in ("Trần Văn Bình", "Hoàng Văn Ẩn", "Lê Đức Anh", "Nguyễn Thị An", "Bùi Thị Ăn", "Đỗ Văn Dũng", "Phạm Văn Đức", "Vũ Thị Dung"):
        add_member(world.chapter_a, name)
    names = _names(selectors.member_list(world.commune_a, MemberFilter()))
    # a < ă < â are three letters: An, Anh, Ăn, Ẩn; then tones break ties (Dung, Dũng).
    assert names == ["Nguyễn Thị An", "Lê Đức Anh", "Bùi Thị Ăn", "Hoàng Văn Ẩn", "Trần Văn Bình", "Vũ Thị Dung", "Đỗ Văn Dũng", "Phạm Văn Đức"]


def test_filters_by_chapter_kind_status_year_and_dues(world):
    other = add_chapter(world.commune_a, "TP-A-02")
    a = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 1, 1), gender="male", ethnicity="02")
    b = add_member(other, "Lê Thị Hoa", joined_on=dt.date(2022, 4, 1), gender="female", kind="honorary")
    c = add_member(other, "Ma Văn Chiến", joined_on=dt.date(2016, 1, 1))
    services.member_leave(actor=None, member=c, on=dt.date(2022, 1, 1))
    services.dues_record(actor=None, member=a, year=2022, amount=12_000, paid_on=dt.date(2022, 2, 1))
    node = world.commune_a
    assert _names(selectors.member_list(node, MemberFilter(chapter=other))) == ["Lê Thị Hoa"]
    assert _names(selectors.member_list(node, MemberFilter(kind="honorary"))) == ["Lê Thị Hoa"]
    assert _names(selectors.member_list(node, MemberFilter(status="left"))) == ["Ma Văn Chiến"]
    assert len(selectors.member_list(node, MemberFilter(status=""))) == 3
    assert _names(selectors.member_list(node, MemberFilter(joined_year=2022))) == ["Lê Thị Hoa"]
    assert _names(selectors.member_list(node, MemberFilter(dues_year=2022, paid=True))) == ["Hà Văn Bình"]
    assert _names(selectors.unpaid(node, 2022)) == ["Lê Thị Hoa"]
    assert _names(selectors.member_list(node, MemberFilter(gender="female"))) == ["Lê Thị Hoa"]
    assert _names(selectors.member_list(node, MemberFilter(ethnicity="02"))) == ["Hà Văn Bình"]
    # Scope: commune B sees none of them.
    assert not selectors.member_list(world.commune_b, MemberFilter(status="")).exists()
    assert b.pk  # used


def test_current_counts_by_kind_gender_age_and_ethnicity_in_three_queries(world, django_assert_num_queries):
    add_member(world.chapter_a, "Hà Văn Bình", gender="male", birth_year=1950, ethnicity="02")
    add_member(world.chapter_a, "Lê Thị Hoa", gender="female", birth_year=1990, ethnicity="01")
    add_member(world.chapter_a, "Trường Tiểu học An Bình", kind="collective", birth_year=None)
    with django_assert_num_queries(4):
        stats = selectors.current_stats(world.commune_a, year=2022)
    assert stats["total"] == 3
    assert (stats["kind_individual"], stats["kind_collective"]) == (2, 1)
    assert (stats["gender_male"], stats["gender_female"], stats["gender_unknown"]) == (1, 1, 1)
    assert dict(stats["age_bands"])["70–79"] == 1 and dict(stats["age_bands"])["30–44"] == 1
    assert stats["age_unknown"] == 1
    assert {name: n for name, _code, n in stats["ethnicity"]} == {"Tày": 1, "Kinh": 1, "": 1}


def test_counts_by_chapter_include_empty_chapters(world):
    other = add_chapter(world.commune_a, "TP-A-02")
    add_member(world.chapter_a, "Hà Văn Bình")
    add_member(world.chapter_a, "Lê Thị Hoa")
    assert {n.code: c for n, c in selectors.counts_by_chapter(world.commune_a)} == {"TP-A-01": 2, "TP-A-02": 0}
    assert other.pk


def test_a_past_year_keeps_its_figures_after_transfers_and_leaves(world):
    other = add_chapter(world.commune_b, "TP-B-02")
    a = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 1, 1))
    b = add_member(world.chapter_a, "Lê Thị Hoa", joined_on=dt.date(2022, 4, 1))
    c = add_member(world.chapter_a, "Ma Văn Chiến", joined_on=dt.date(2016, 1, 1))
    services.member_leave(actor=None, member=c, on=dt.date(2022, 9, 1))
    services.member_transfer(actor=None, member=a, to_node=other, on=dt.date(2023, 3, 1))
    stats = selectors.year_stats(world.commune_a, 2022)
    assert (stats["members_start"], stats["joined"], stats["left"], stats["total"]) == (2, 1, 1, 2)
    # In 2023 the transferred member counts for commune B, and not as "joined".
    assert selectors.members_at(world.commune_a, dt.date(2023, 12, 31)) == 1
    assert selectors.members_at(world.commune_b, dt.date(2023, 12, 31)) == 1
    assert selectors.year_stats(world.commune_b, 2023)["joined"] == 0
    assert selectors.chapter_counts_at(world.city, dt.date(2022, 12, 31)) == {world.chapter_a.pk: 2}
    assert b.pk


def test_year_figures_are_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for i in range(5):
        add_member(world.chapter_a, f"Hà Văn Bình {i}")
    with django_assert_max_num_queries(12):
        selectors.year_stats(world.commune_a, 2022)


def test_possible_duplicates_group_same_name_and_year_in_a_chapter(world):
    a = add_member(world.chapter_a, "Nguyễn Văn An", birth_year=1960)
    b = add_member(world.chapter_a, "Nguyen Van An", birth_year=1960, confirm_not_duplicate=True)
    add_member(world.chapter_a, "Nguyễn Văn An", birth_year=1961)
    groups = selectors.possible_duplicates(world.commune_a)
    assert [{m.pk for m in g} for g in groups] == [{a.pk, b.pk}]


def test_paged_results_read_the_search_indexes_and_agree_with_the_plain_query(world, django_assert_max_num_queries):
    other = add_chapter(world.commune_a, "TP-A-02")
    names = ["Nguyễn Văn An", "Lê Thị An", "Trần An Bình", "An Văn Tú", "Hà Thị Lan", "Nguyễn Văn Anh"]
    for i, name in enumerate(names):
        add_member(world.chapter_a if i % 2 else other, name)
    left = add_member(world.chapter_a, "Ma Văn An")
    services.member_leave(actor=None, member=left, on=dt.date(2022, 1, 1))
    for q in ("an", "van an", "nguyen van a", "an van", "lan", "zzz"):
        results = selectors.MemberResults(world.commune_a, MemberFilter(q=q))
        plain = list(selectors.member_list(world.commune_a, MemberFilter(q=q)))
        assert results._found is not None  # the index-only plan
        with django_assert_max_num_queries(3):
            assert results.count() == len(plain)
            assert list(results[0:50]) == plain
    assert _names(selectors.MemberResults(world.commune_a, MemberFilter(q="an", status="left"))[0:5]) == ["Ma Văn An"]
    assert _names(selectors.MemberResults(world.commune_a, MemberFilter(q="an", chapter=other))[0:5]) == ["Nguyễn Văn An"]


def test_a_list_without_search_caps_its_count(world, monkeypatch):
    monkeypatch.setattr(selectors.MemberResults, "COUNT_CAP", 2)
    for name in ("Hà Văn Bình", "Lê Thị Hoa", "Ma Văn Chiến"):
        add_member(world.chapter_a, name)
    results = selectors.MemberResults(world.commune_a, MemberFilter())
    assert results.capped and results.count() == 3
    assert not selectors.MemberResults(world.commune_a, MemberFilter(q="ha")).capped
