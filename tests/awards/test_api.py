"""The awards API keeps the pages' scopes and their refusals."""

import json

from khuyenhoc.awards.models import Nomination

from .conftest import approved, to_council
from .factories import issue


def _post(c, url, body):
    return c.post(url, data=json.dumps(body), content_type="application/json")


def test_a_chapter_head_proposes_through_the_api_and_bad_input_is_refused(aw, client_for):
    c = client_for(aw.head_a)
    url = f"/api/awards/programmes/{aw.programme.pk}/nominations"
    body = {"node_id": aw.world.chapter_a.pk, "nominee_kind": "student", "nominee_name": "Nguyễn Thị Mai", "birth_year": 2010,
            "achievement": "Học sinh giỏi", "poor_household": True}
    # Today is after the 2022 deadline: refused, with the reason, nothing saved.
    resp = _post(c, url, body)
    assert resp.status_code == 422 and "15/12/2022" in json.dumps(resp.json(), ensure_ascii=False)
    assert not Nomination.objects.exists()
    assert _post(c, url, {"node_id": aw.world.chapter_b.pk, **{k: v for k, v in body.items() if k != "node_id"}}).status_code == 404
    assert _post(c, url, {"nominee_name": 3}).status_code == 422


def test_lists_show_pupils_by_initials_to_people_without_personal_rights(aw, client_for):
    to_council(aw)
    rows = client_for(aw.viewer_a).get(f"/api/awards/programmes/{aw.programme.pk}/nominations").json()
    assert [r["nominee_name"] for r in rows] == ["N. T. Mai"]
    rows = client_for(aw.secretary_a).get(f"/api/awards/programmes/{aw.programme.pk}/nominations").json()
    assert [r["nominee_name"] for r in rows] == ["Nguyễn Thị Mai"]
    assert client_for(aw.world.admin_b).get(f"/api/awards/programmes/{aw.programme.pk}/nominations").json() == []


def test_the_council_reads_the_ranking_and_the_decision(aw, client_for):
    approved(aw, name="Hà Thị Bình", scores={"results": 60, "hardship": 30})
    to_council(aw, name="Lò Văn An")
    c = client_for(aw.council)
    ranking = c.get(f"/api/awards/programmes/{aw.programme.pk}/ranking").json()
    assert [(r["nominee_name"], r["rank"]) for r in ranking] == [("Hà Thị Bình", 1), ("Lò Văn An", 2)]
    assert client_for(aw.secretary_a).get(f"/api/awards/programmes/{aw.programme.pk}/ranking").status_code == 404
    decision = issue(aw.council, aw.world.city, [aw.programme], number=5)
    c = client_for(aw.council)
    data = c.get(f"/api/awards/decisions/{decision.pk}").json()
    assert data["code"] == "05/QĐ-HKH" and data["payment"] == "unpaid" and data["awards"][0]["name"] == "Hà Thị Bình"
    assert client_for(aw.world.admin_b).get(f"/api/awards/decisions/{decision.pk}").status_code == 404


def test_a_nomination_proposed_through_the_api_is_created(aw, client_for):
    import datetime as dt

    from django.utils import timezone

    from .factories import student_programme

    today = timezone.localdate()
    programme = student_programme(aw.world.admin_city, aw.world.city, name="Học bổng năm nay", year=today.year,
                                  deadline=today + dt.timedelta(days=30), min_age=None, max_age=None)
    resp = _post(client_for(aw.head_a), f"/api/awards/programmes/{programme.pk}/nominations",
                 {"node_id": aw.world.chapter_a.pk, "nominee_kind": "student", "nominee_name": "Nguyễn Thị Mai", "achievement": "Học sinh giỏi"})
    assert resp.status_code == 201, resp.content
    assert resp.json()["at_node_id"] == aw.world.commune_a.pk
    assert Nomination.objects.get().created_by == aw.head_a
