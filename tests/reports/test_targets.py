"""Targets of the 2021–2030 programmes and each association's yearly plan; progress against them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.reports import selectors, services
from khuyenhoc.reports.models import Programme, Target
from khuyenhoc.reports.report import next_year_targets

pytestmark = pytest.mark.django_db


def test_the_state_programmes_are_loaded_as_editable_data():
    qd387 = Programme.objects.get(code="QD-387-TTg-2022")
    assert qd387.legal_basis == "Quyết định số 387/QĐ-TTg ngày 25/3/2022"
    assert qd387.targets.get(year=2025, indicator="family_rate").value == Decimal("70.0")
    unconfirmed = Target.objects.get(programme__code="QD-677-TTg-2022", year=2030, indicator="citizen_community_rate")
    assert unconfirmed.unconfirmed and "70%" in unconfirmed.note


def test_each_programme_sets_its_nearest_milestone(world):
    targets = {(t.programme.code, t.indicator): t for t in selectors.targets_for(world.commune_a, 2023)}
    assert targets[("QD-387-TTg-2022", "family_rate")].year == 2025
    assert targets[("HKHVN-DH-2021-2026", "family_rate")].year == 2026
    later = {(t.programme.code, t.indicator): t for t in selectors.targets_for(world.commune_a, 2027)}
    assert ("QD-387-TTg-2022", "family_rate") not in later
    assert later[("QD-677-TTg-2022", "citizen_unit_rate")].year == 2030


def test_a_plans_target_for_a_child_wins_over_its_general_one(world):
    plan = services.plan_get_or_create(actor=world.admin_city, node=world.city, year=2023)
    services.target_set(actor=world.admin_city, programme=plan, year=2023, indicator="family_rate", value=80)
    services.target_set(actor=world.admin_city, programme=plan, year=2023, indicator="family_rate", value="85,5", node=world.commune_a)
    mine = [t for t in selectors.targets_for(world.commune_a, 2023) if t.programme_id == plan.pk]
    assert [(t.indicator, t.value) for t in mine] == [("family_rate", Decimal("85.5"))]
    theirs = [t for t in selectors.targets_for(world.commune_b, 2023) if t.programme_id == plan.pk]
    assert [(t.indicator, t.value) for t in theirs] == [("family_rate", Decimal("80.0"))]
    # The report's next-year list shows the association's own plan.
    assert [(t.indicator, t.value) for t in next_year_targets(world.city, 2023)] == [("family_rate", Decimal("80.0"))]


def test_progress_measures_each_association_against_its_targets(world):
    services.reported_figures_save(
        actor=None, node=world.commune_b, year=2023,
        figures={"learning": {"family_total": 500, "family_registered": 450, "family_recognised": 410}},
    )
    plan = services.plan_get_or_create(actor=None, node=world.city, year=2023)
    services.target_set(actor=None, programme=plan, year=2023, indicator="family_rate", value=85, node=world.commune_b)
    stats = selectors.compute_year_statistics(world.city, 2023)
    rows = dict((row.node_id, checks) for row, checks in selectors.child_progress(world.city, stats))
    check = next(c for c in rows[world.commune_b.pk] if c.target.programme_id == plan.pk)
    assert check.actual == Decimal("82.0") and check.met is False
    qd = next(c for c in rows[world.commune_b.pk] if c.target.programme.code == "QD-387-TTg-2022" and c.target.indicator == "family_rate")
    assert qd.met is True


def test_target_values_are_checked(world):
    plan = services.plan_get_or_create(actor=None, node=world.commune_a, year=2023)
    with pytest.raises(ValidationError):
        services.target_set(actor=None, programme=plan, year=2023, indicator="family_rate", value=120)
    with pytest.raises(ValidationError):
        services.target_set(actor=None, programme=plan, year=2023, indicator="family_rate", value=80, node=world.commune_b)
    with pytest.raises(ValidationError):
        services.target_set(actor=world.admin_b, programme=plan, year=2023, indicator="family_rate", value=80)
    with pytest.raises(ValidationError):
        services.target_set(actor=world.admin_a, programme=Programme.objects.get(code="QD-387-TTg-2022"), year=2025, indicator="family_rate", value=10)
