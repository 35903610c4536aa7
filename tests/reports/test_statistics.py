"""Year statistics rolled up over a subtree, as the tree stood at the year's end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from khuyenhoc.organizations.models import ChapterType, NodeKind
from khuyenhoc.organizations.services import node_create, node_merge, node_update
from khuyenhoc.reports import providers, selectors, services

from .conftest import fund_with_receipts

pytestmark = pytest.mark.django_db


def test_the_organisation_rolls_up_over_the_whole_subtree(world):
    stats = selectors.year_statistics(world.city, 2022)
    assert stats.get("org", "communes") == 2
    assert stats.get("org", "chapters_and_boards") == 2
    assert stats.get("org", "type_residential") == 2
    by_child = {c.name: c.figures["org"]["chapters_and_boards"] for c in stats.children}
    assert by_child == {"Hội Khuyến học phường An Bình": 1, "Hội Khuyến học phường Bến Đò": 1}


def test_a_provider_takes_node_ids_and_a_year_and_gives_figures(world):
    ids = [world.commune_a.pk, world.chapter_a.pk]
    assert providers.organisation(ids, 2022) == {"communes": 1, "chapters_and_boards": 1, "chapters": 1, "type_residential": 1}
    assert providers.centres(ids, 2022) is None  # not recorded by any area: "not available"


def test_a_past_year_keeps_the_tree_and_the_names_it_had(world):
    # A board founded in 2024 did not exist at the end of 2022.
    node_create(
        actor=None, parent=world.commune_a, name="Ban khuyến học Trường Tiểu học", kind=NodeKind.BOARD,
        code="TP-A-02", chapter_type=ChapterType.SCHOOL, effective=dt.date(2024, 2, 1),
    )
    # Commune B merges into commune A in 2025 and A is renamed.
    node_merge(actor=None, sources=[world.commune_b], into=world.commune_a, effective=dt.date(2025, 7, 1))
    node_update(actor=None, node=world.commune_a, name="Hội Khuyến học phường Bắc Kạn", effective=dt.date(2025, 7, 1))

    old = selectors.year_statistics(world.city, 2022)
    assert [c.name for c in old.children] == ["Hội Khuyến học phường An Bình", "Hội Khuyến học phường Bến Đò"]
    assert old.get("org", "chapters_and_boards") == 2

    new = selectors.year_statistics(world.city, 2025)
    assert [c.name for c in new.children] == ["Hội Khuyến học phường Bắc Kạn"]
    assert new.get("org", "chapters_and_boards") == 3
    assert new.get("org", "communes") == 1


def test_fund_receipts_and_award_payments_roll_up_with_the_associations_own_share(world):
    fund_with_receipts(world, world.commune_a, [5_000_000, 2_500_000], purpose_payments=[1_000_000])
    fund_with_receipts(world, world.city, [3_000_000], purpose_payments=[600_000])
    stats = selectors.year_statistics(world.city, 2022)
    assert stats.get("fund", "receipts") == 10_500_000
    assert stats.get("fund", "payments_award") == 1_600_000
    assert stats.own_value("fund", "payments_award") == 600_000
    assert stats.get("fund", "balance") == 10_500_000 - 1_600_000
    a = next(c for c in stats.children if c.node_id == world.commune_a.pk)
    assert a.figures["fund"]["receipts"] == 7_500_000
    # Another year sees none of it.
    assert selectors.year_statistics(world.city, 2021).get("fund", "receipts") == 0


def test_fund_by_month_gives_twelve_months_in_and_out(world):
    fund_with_receipts(world, world.commune_a, [5_000_000], purpose_payments=[1_000_000])
    months = providers.fund_by_month([world.commune_a.pk], 2022)
    assert months["in"][2] == 5_000_000 and months["out"][8] == 1_000_000
    assert sum(months["in"]) == 5_000_000 and len(months["out"]) == 12


def test_reported_figures_add_to_the_roll_up_marked_as_reported(world):
    services.reported_figures_save(
        actor=None, node=world.commune_b, year=2022,
        figures={"members": {"total": 340}, "learning": {"family_total": 500, "family_recognised": 410}}, source_file="bieu.xlsx",
    )
    stats = selectors.year_statistics(world.city, 2022)
    assert stats.get("members", "total") == 340
    assert stats.reported_value("members", "total") == 340
    b = next(c for c in stats.children if c.node_id == world.commune_b.pk)
    assert b.reported and b.figures["learning"]["family_recognised"] == 410
    assert not next(c for c in stats.children if c.node_id == world.commune_a.pk).reported


def test_reported_figures_are_refused_for_a_unit_that_records_them_itself(world):
    from django.core.exceptions import ValidationError

    fund_with_receipts(world, world.commune_a, [5_000_000])
    with pytest.raises(ValidationError) as exc:
        services.reported_figures_save(actor=None, node=world.commune_a, year=2022, figures={"fund": {"receipts": 9_000_000}})
    assert "tính hai lần" in str(exc.value) or "twice" in str(exc.value)
    # Its chapters are in the tree: reporting a chapter count would count them twice too.
    with pytest.raises(ValidationError):
        services.reported_figures_save(actor=None, node=world.commune_a, year=2022, figures={"org": {"chapters_and_boards": 4}})
    # Figures it does not record are fine.
    services.reported_figures_save(actor=None, node=world.commune_a, year=2022, figures={"clc": {"centres": 1, "classes": 12}})
    assert selectors.year_statistics(world.city, 2022).get("clc", "classes") == 12


def test_the_statistics_page_queries_do_not_grow_with_the_tree(world, client_for, django_assert_max_num_queries):
    for i in range(2, 12):
        node_create(actor=None, parent=world.commune_a, name=f"Chi hội tổ {i}", kind=NodeKind.CHAPTER, code=f"TP-A-{i:02d}", chapter_type=ChapterType.RESIDENTIAL)
    c = client_for(world.admin_city)
    # Two years (this one and the last, for the comparison), each a fixed set of grouped queries.
    with django_assert_max_num_queries(64):
        resp = c.get(f"/app/reports/nodes/{world.city.pk}/?year=2022")
    assert resp.status_code == 200
    assert "12" in resp.content.decode()


def _members(world):
    from khuyenhoc.members.services import member_create, member_leave, member_transfer

    made = []
    for i, (name, gender, born, eth) in enumerate(
        [("Hoàng Văn An", "male", 1960, "02"), ("Nông Thị Bình", "female", 1985, "02"), ("Lý Thị Cúc", "female", 1999, "07"), ("Trần Văn Dũng", "male", 1950, "01")]
    ):
        made.append(member_create(actor=None, node=world.chapter_a, full_name=name, gender=gender, birth_year=born, ethnicity=eth, joined_on=dt.date(2021 + i % 2, 3, 1)))
    member_create(actor=None, node=world.chapter_b, full_name="Hà Văn Em", gender="male", birth_year=1970, joined_on=dt.date(2022, 5, 1))
    member_leave(actor=None, member=made[3], on=dt.date(2022, 10, 1))
    member_transfer(actor=None, member=made[0], to_node=world.chapter_b, on=dt.date(2023, 2, 1))
    return made


def test_members_roll_up_at_the_years_end_by_kind_gender_age_and_ethnicity(world):
    _members(world)
    stats = selectors.year_statistics(world.city, 2022)
    assert stats.get("members", "total") == 4
    assert stats.get("members", "female") == 2 and stats.get("members", "male") == 2
    assert stats.get("members", "joined") == 3  # two in 2022 in commune A, one in B
    assert stats.get("members", "left") == 1
    assert stats.get("members", "ethnicity_02") == 2 and stats.get("members", "ethnicity_07") == 1
    assert stats.get("members", "age_under_30") == 1  # born 1999: 23 in 2022
    a = next(c for c in stats.children if c.node_id == world.commune_a.pk)
    assert a.figures["members"]["total"] == 3
    # The transfer in 2023 moves a member for 2023, not for 2022.
    later = selectors.year_statistics(world.city, 2023)
    b = next(c for c in later.children if c.node_id == world.commune_b.pk)
    assert b.figures["members"]["total"] == 2 and later.get("members", "total") == 4


def test_a_large_roll_up_reads_the_same_figures_the_fast_way(world, monkeypatch):
    _members(world)
    fund_with_receipts(world, world.commune_a, [5_000_000], purpose_payments=[1_000_000])
    slow = selectors.compute_year_statistics(world.city, 2022)
    monkeypatch.setattr(providers, "LARGE_ROLL_UP", 1)
    fast = selectors.compute_year_statistics(world.city, 2022)
    assert fast.total == slow.total
    assert [c.figures for c in fast.children] == [c.figures for c in slow.children]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections sharing one snapshot: PostgreSQL only")
def test_the_concurrent_roll_up_reads_the_same_figures_as_one_connection(transactional_db, world, monkeypatch, settings):
    _members(world)
    fund_with_receipts(world, world.commune_a, [5_000_000], purpose_payments=[1_000_000])
    monkeypatch.setattr(providers, "LARGE_ROLL_UP", 1)
    calls = []
    real = selectors._collect_concurrently
    monkeypatch.setattr(selectors, "_collect_concurrently", lambda *a: calls.append(a) or real(*a))
    both = selectors.compute_year_statistics(world.city, 2022)
    assert calls, "the roll-up did not use a second connection"
    settings.REPORTS_CONCURRENT_ROLL_UP = False
    one = selectors.compute_year_statistics(world.city, 2022)
    assert len(calls) == 1
    assert both.snapshot() == one.snapshot()
    assert both.get("members", "total") == 4 and both.get("fund", "receipts") == 5_000_000


def test_inside_a_transaction_the_roll_up_keeps_to_its_own_connection(world, monkeypatch):
    # A second connection would not see what the surrounding transaction wrote (closing a year).
    monkeypatch.setattr(providers, "LARGE_ROLL_UP", 1)
    assert not selectors._concurrent(1000)
