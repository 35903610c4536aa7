"""The learning routes of the JSON API: same scopes and the same services as the pages."""

from __future__ import annotations

import json

from khuyenhoc.learning import services
from khuyenhoc.learning.models import Title

from .conftest import PASSING, YEAR, make_household


def test_counts_for_a_subtree(world, client_for):
    h = make_household(world.chapter_a, "0001")
    services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    data = client_for(world.admin_city).get(f"/api/learning/nodes/{world.city.pk}/counts?year={YEAR}").json()
    family = next(t for t in data["titles"] if t["title"] == "family")
    assert (family["total"], family["registered"], family["recognised"]) == (1, 1, 0)
    assert data["adults"] == 2


def test_self_assessment_through_the_api_and_its_refusals(world, client_for):
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    c = client_for(world.admin_a)
    url = f"/api/learning/evaluations/{ev.pk}/self-assessment"
    bad = c.post(url, json.dumps({"answers": {**PASSING, "2.1": -3}}), content_type="application/json")
    assert bad.status_code == 422 and "không được âm" in bad.json()["detail"]
    ok = c.post(url, json.dumps({"answers": PASSING}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["total"] == 90 and ok.json()["status"] == "self_assessed"
    listing = c.get(f"/api/learning/nodes/{world.commune_a.pk}/evaluations?year={YEAR}&outcome=passed").json()
    assert [e["id"] for e in listing] == [ev.pk]


def test_an_outsider_gets_404_not_a_parse_error(world, client_for):
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    c = client_for(world.admin_b)
    assert c.post(f"/api/learning/evaluations/{ev.pk}/self-assessment", "garbage", content_type="application/json").status_code == 404
    assert c.get(f"/api/learning/nodes/{world.chapter_a.pk}/counts").status_code == 404
