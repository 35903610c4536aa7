"""Criteria sets in the database: seeded from the shipped files, copied and edited in the
pages without a programmer, frozen once a closed year uses them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from khuyenhoc.learning import services
from khuyenhoc.learning.criteria import load_builtin_sets
from khuyenhoc.learning.models import CriteriaSetVersion, Title

from .conftest import PASSING, YEAR, make_household
from .test_workflow import _close_year


def test_every_shipped_set_is_stored_once_and_the_command_adds_nothing_twice(db):
    assert CriteriaSetVersion.objects.filter(builtin=True).count() == len(load_builtin_sets()) == 10
    call_command("load_criteria_sets", verbosity=0)
    assert CriteriaSetVersion.objects.count() == 10
    row = CriteriaSetVersion.objects.get(code="citizen_hkhvn_2021_2030_farmers")
    assert (row.title, row.audience, row.pass_min_total, row.max_total) == ("citizen", "farmers", 80, 100)
    assert row.parsed().pass_rule.min_per_item == 5


def test_the_default_set_prefers_the_associations_own_over_the_national_sample(world, family_set):
    assert services.default_set(Title.FAMILY, YEAR, node=world.chapter_a) == family_set
    own = services.criteria_set_copy(actor=None, source=family_set, node=world.commune_a, code="family_an_binh")
    assert services.default_set(Title.FAMILY, YEAR, node=world.chapter_a) == own
    assert services.default_set(Title.FAMILY, YEAR, node=world.chapter_b) == family_set


def _edit_data(row, **over):
    cset = row.parsed()
    items = [it for c in cset.criteria for it in c.items if not it.from_input]
    data = {
        "name": cset.name, "issuer": "Hội Khuyến học tỉnh Thử", "pass_min_total": "80", "min_per_item": "",
        "it-TOTAL_FORMS": str(len(items)), "it-INITIAL_FORMS": str(len(items)), "it-MIN_NUM_FORMS": "0", "it-MAX_NUM_FORMS": "1000",
        "gr-TOTAL_FORMS": "2", "gr-INITIAL_FORMS": "2", "gr-MIN_NUM_FORMS": "0", "gr-MAX_NUM_FORMS": "1000",
        "gr-0-code": "passed", "gr-0-label": "Đạt", "gr-0-min_points": "80", "gr-0-max_points": "100",
        "gr-1-code": "not_passed", "gr-1-label": "Chưa đạt", "gr-1-min_points": "0", "gr-1-max_points": "79",
    }
    for i, it in enumerate(items):
        crit = next(c for c in cset.criteria if it in c.items)
        data.update({f"it-{i}-criterion": crit.code, f"it-{i}-criterion_name": crit.name, f"it-{i}-code": it.code,
                     f"it-{i}-name": it.name, f"it-{i}-max_points": str(it.max_points)})
    data.update(over)
    return data


def test_an_administrator_copies_a_set_and_changes_points_and_thresholds_in_the_page(world, client_for, family_set):
    c = client_for(world.admin_a)
    resp = c.post(f"/app/learning/criteria/{family_set.pk}/copy/", {"owner": world.commune_a.pk, "code": "family_an_binh", "name": "Gia đình học tập phường An Bình"})
    row = CriteriaSetVersion.objects.get(code="family_an_binh")
    assert resp.status_code == 302 and row.node == world.commune_a
    data = _edit_data(row, **{"it-0-name": "Trẻ em đi học đầy đủ", "it-0-max_points": "15", "it-6-max_points": "15",
                              "pass_min_total": "85", "gr-0-min_points": "85", "gr-1-max_points": "84"})
    resp = c.post(f"/app/learning/criteria/{row.pk}/edit/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    row.refresh_from_db()
    cset = row.parsed()
    assert (row.pass_min_total, cset.items[0].name, cset.items[0].max_points, cset.max_total) == (85, "Trẻ em đi học đầy đủ", 15, 100)


def test_grades_that_overlap_or_leave_a_gap_are_refused_and_nothing_changes(world, client_for, family_set):
    row = services.criteria_set_copy(actor=None, source=family_set, node=world.commune_a, code="family_an_binh")
    before = row.toml
    c = client_for(world.admin_a)
    overlap = c.post(f"/app/learning/criteria/{row.pk}/edit/", _edit_data(row, **{"gr-1-max_points": "85"})).content.decode()
    assert "chồng nhau" in overlap
    gap = c.post(f"/app/learning/criteria/{row.pk}/edit/", _edit_data(row, **{"gr-1-max_points": "70"})).content.decode()
    assert "bỏ trống khoảng 71–79" in gap
    row.refresh_from_db()
    assert row.toml == before


def test_a_criteria_file_with_a_syntax_error_is_refused_naming_the_line(world, client_for, family_set):
    text = family_set.toml.replace('code = "family_sample_qd448"', 'code = "family_x"').replace("version = 1", "version = 1\nname = oops")
    line = text.splitlines().index("name = oops") + 1
    resp = client_for(world.admin_a).post("/app/learning/criteria/new/", {"owner": world.commune_a.pk, "toml": text})
    html = resp.content.decode()
    assert resp.status_code == 200 and f"dòng {line}" in html and "cú pháp" in html
    assert not CriteriaSetVersion.objects.filter(code="family_x").exists()
    with pytest.raises(ValidationError) as exc:
        services.criteria_set_create(actor=None, node=world.commune_a, text=text)
    assert f"dòng {line}" in " ".join(exc.value.messages)


def test_a_set_used_by_a_closed_year_cannot_change_only_be_superseded(world, family_set):
    row = services.criteria_set_copy(actor=None, source=family_set, node=world.commune_a, code="family_an_binh")
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR - 1, criteria_set=row)
    services.evaluation_self_assess(actor=None, evaluation=ev, answers=PASSING)
    _close_year(world.commune_a, YEAR - 1)
    with pytest.raises(ValidationError) as exc:
        services.criteria_set_update(actor=None, row=row, text=row.toml)
    assert "năm đã khóa" in " ".join(exc.value.messages) or "closed year" in " ".join(exc.value.messages)
    new = services.criteria_set_supersede(actor=None, source=row)
    row.refresh_from_db()
    assert (new.code, new.version, row.active, row.superseded_by) == (row.code, 2, False, new)
    assert services.default_set(Title.FAMILY, YEAR, node=world.chapter_a) == new


def test_a_shipped_set_is_never_edited_in_place(world, family_set):
    with pytest.raises(ValidationError):
        services.criteria_set_update(actor=None, row=family_set, text=family_set.toml)


def test_correcting_a_set_rescored_the_open_evaluations_that_use_it(world, family_set):
    row = services.criteria_set_copy(actor=None, source=family_set, node=world.commune_a, code="family_an_binh")
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR, criteria_set=row)
    ev = services.evaluation_self_assess(actor=None, evaluation=ev, answers={**PASSING, "3.1": 10, "4.1": 10})
    assert (ev.total, ev.passed) == (80, True)
    stricter = row.toml.replace("min_total = 80", "min_total = 85").replace("min_points = 80", "min_points = 85").replace("max_points = 79", "max_points = 84")
    services.criteria_set_update(actor=None, row=row, text=stricter)
    ev.refresh_from_db()
    assert (ev.total, ev.passed) == (80, False)
    assert "thiếu 5 điểm" in ev.reasons
