"""Closing a year: children first, figures frozen, later edits shown as a difference."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.core.models import AuditEvent
from khuyenhoc.organizations.models import ChapterType, NodeKind
from khuyenhoc.organizations.services import node_create
from khuyenhoc.reports import selectors, services
from khuyenhoc.reports.models import YearClose

from .conftest import close, fund_with_receipts

pytestmark = pytest.mark.django_db


def test_a_year_cannot_close_before_its_child_associations_have(world, secretary_city):
    with pytest.raises(ValidationError) as exc:
        services.year_close(actor=secretary_city, node=world.city, year=2022)
    message = " ".join(exc.value.messages)
    assert "Hội Khuyến học phường An Bình" in message and "Hội Khuyến học phường Bến Đò" in message
    assert not YearClose.objects.exists()


def test_it_closes_after_the_children_and_freezes_the_figures(world, secretary_city):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    close(world.commune_a, 2022, world.admin_a)
    close(world.commune_b, 2022, world.admin_b)
    yc = services.year_close(actor=secretary_city, node=world.city, year=2022)
    assert yc.figures["total"]["fund"]["receipts"] == 5_000_000
    assert AuditEvent.objects.filter(action="reports.year.closed", node_id=world.city.pk).exists()
    assert selectors.is_year_closed(world.chapter_a, 2022)
    assert not selectors.is_year_closed(world.chapter_a, 2023)
    assert not selectors.is_year_closed(world.province, 2022)


def _late_chapters(world, n, effective=dt.date(2022, 6, 1)):
    """Chapters recorded after the close with a founding date inside the closed year."""
    for i in range(n):
        node_create(
            actor=None, parent=world.commune_a, name=f"Chi hội tổ {10 + i}", kind=NodeKind.CHAPTER,
            code=f"TP-A-{10 + i}", chapter_type=ChapterType.RESIDENTIAL, effective=effective,
        )


def test_edits_after_the_close_show_as_a_difference_and_the_report_keeps_the_frozen_figures(world):
    from khuyenhoc.reports.report import report_data

    fund_with_receipts(world, world.commune_a, [5_000_000])
    close(world.commune_a, 2022)
    stats = selectors.year_statistics(world.commune_a, 2022)
    assert stats.is_closed and stats.get("fund", "receipts") == 5_000_000
    assert stats.differences == []

    _late_chapters(world, 3)
    stats = selectors.year_statistics(world.commune_a, 2022)
    assert stats.get("org", "chapters_and_boards") == 1  # frozen
    changed = {(d.group, d.key): d.delta for d in stats.differences}
    assert changed[("org", "chapters_and_boards")] == 3
    assert report_data(world.commune_a, 2022).stats.get("org", "chapters_and_boards") == 1


def test_the_difference_since_closing_is_on_the_page(world, client_for):
    close(world.commune_a, 2022)
    _late_chapters(world, 3)
    html = client_for(world.admin_a).get(f"/app/reports/nodes/{world.commune_a.pk}/?year=2022").content.decode()
    assert "Thay đổi từ khi chốt" in html
    assert "+3 chi hội và ban khuyến học" in html


def test_a_year_that_has_not_ended_cannot_be_closed_nor_twice(world):
    from django.utils import timezone

    this_year = timezone.localdate().year
    with pytest.raises(ValidationError):
        services.year_close(actor=None, node=world.chapter_a, year=this_year)
    close(world.commune_a, 2022)
    with pytest.raises(ValidationError):
        close(world.commune_a, 2022)


def test_only_the_secretariat_closes_a_year(world):
    with pytest.raises(ValidationError):
        services.year_close(actor=world.viewer_a, node=world.commune_a, year=2022)
    with pytest.raises(ValidationError):
        services.year_close(actor=world.admin_b, node=world.commune_a, year=2022)


def test_a_child_that_reported_by_sheet_does_not_need_to_close(world):
    services.reported_figures_save(actor=None, node=world.commune_b, year=2022, figures={"members": {"total": 40}})
    close(world.commune_a, 2022)
    yc = close(world.city, 2022)
    assert yc.figures["total"]["members"]["total"] == 40
    assert {c["node_id"] for c in yc.figures["children"] if c["reported"]} == {world.commune_b.pk}


def test_reported_figures_cannot_change_a_closed_year(world):
    close(world.commune_a, 2022)
    with pytest.raises(ValidationError):
        services.reported_figures_save(actor=None, node=world.chapter_a, year=2022, figures={"members": {"total": 1}})


def test_a_past_years_published_figures_are_kept_as_reported(world):
    services.year_record_reported(
        actor=None, node=world.city, year=2016, figures={"org": {"chapters_and_boards": 153}, "members": {"total": 8389}}, source="lịch sử"
    )
    stats = selectors.year_statistics(world.city, 2016)
    assert stats.is_reported_only and stats.get("members", "total") == 8389
    assert stats.differences == []  # no records stand behind them: nothing to compare
    # Groups it did not publish are "not available", not zero.
    assert stats.get("fund", "receipts") is None
