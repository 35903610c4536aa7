"""The learning pages through Django's test client: forms keep what was typed and name
the field; bulk actions; personal data; the review table's filters and its query count."""

from __future__ import annotations

import datetime as dt

from khuyenhoc.learning import services
from khuyenhoc.learning.models import Evaluation, Household, Recognition, Status, Title

from .conftest import FAILING, PASSING, YEAR, make_household


def _registered(world, n=1, answers=PASSING, prefix="H"):
    evs = []
    for i in range(n):
        h = make_household(world.chapter_a, f"{prefix}{i:03d}", head=f"Hoàng Văn Hộ{prefix}{i}")
        ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
        if answers is not None:
            ev = services.evaluation_self_assess(actor=None, evaluation=ev, answers=answers)
        evs.append(ev)
    return evs


def test_the_titles_tab_shows_total_registered_and_recognised(world, client_for):
    _registered(world, 2)
    make_household(world.chapter_a, "X001")
    html = client_for(world.admin_a).get(f"/app/learning/nodes/{world.commune_a.pk}/?year={YEAR}").content.decode()
    assert 'id="title-counts"' in html
    row = html.split('data-title="family"')[1].split("</tr>")[0]
    assert ">3<" in row and ">2<" in row


def test_a_chapter_head_adds_a_household_with_its_members(world, client_for, heads):
    c = client_for(heads["chapter_head"])
    data = {
        "code": "", "address": "Tổ 1", "since_year": "2020",
        "m-TOTAL_FORMS": "2", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "1000",
        "m-0-full_name": "Đinh Văn Mười", "m-0-birth_year": "1980", "m-0-gender": "m", "m-0-relation": "head", "m-0-literate": "on",
        "m-1-full_name": "Đinh Thị Một", "m-1-birth_year": "2015", "m-1-gender": "f", "m-1-relation": "child", "m-1-schooling": "in_school",
    }
    resp = c.post(f"/app/learning/nodes/{world.chapter_a.pk}/households/new/", data)
    assert resp.status_code == 302
    h = Household.objects.get()
    assert h.head_name == "Đinh Văn Mười" and h.members.count() == 2 and h.code == "0001"


def test_points_above_the_maximum_in_the_form_name_the_item_and_keep_what_was_typed(world, client_for, heads):
    ev = _registered(world, answers=None)[0]
    data = {f"item_{k}": v for k, v in {**PASSING, "1.1": 15}.items()}
    resp = client_for(heads["chapter_head"]).post(f"/app/learning/evaluations/{ev.pk}/assess/", {**data, "comment": ""})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "15 điểm vượt mức tối đa 10" in html and 'value="15"' in html
    ev.refresh_from_db()
    assert ev.status == Status.REGISTERED and ev.total is None


def test_the_council_approves_a_page_from_the_review_table(world, client_for, heads):
    evs = _registered(world, 3)
    services.evaluations_accept(actor=None, evaluations=evs)
    url = f"/app/learning/nodes/{world.commune_a.pk}/review/?title=family&year={YEAR}"
    resp = client_for(heads["council"]).post(url, {"action": "approve", "ids": [e.pk for e in evs]})
    assert resp.status_code == 302
    assert set(Evaluation.objects.values_list("status", flat=True)) == {Status.APPROVED}


def test_a_viewer_cannot_act_from_the_review_table(world, client_for):
    evs = _registered(world, 1)
    resp = client_for(world.viewer_a).post(f"/app/learning/nodes/{world.commune_a.pk}/review/?title=family&year={YEAR}",
                                           {"action": "accept", "ids": [evs[0].pk]})
    assert resp.status_code == 403
    assert Evaluation.objects.get().status == Status.SELF_ASSESSED


def test_the_review_filters_and_the_htmx_partial(world, client_for):
    _registered(world, 2, PASSING, "P")
    _registered(world, 1, FAILING, "F")
    borderline = {**PASSING, "3.1": 10, "4.1": 10}  # 80, right on the pass mark
    _registered(world, 1, borderline, "B")
    c = client_for(world.admin_a)
    base = f"/app/learning/nodes/{world.commune_a.pk}/review/?title=family&year={YEAR}"
    assert c.get(base + "&outcome=failed").content.decode().count('name="ids"') == 1
    assert c.get(base + "&outcome=passed").content.decode().count('name="ids"') == 3
    assert c.get(base + "&outcome=borderline").content.decode().count('name="ids"') == 1
    partial = c.get(base + "&outcome=changed", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and partial.count('name="ids"') == 3


def test_the_review_table_needs_the_same_queries_for_5_or_60_rows(world, client_for, django_assert_max_num_queries):
    _registered(world, 5)
    c = client_for(world.admin_a)
    url = f"/app/learning/nodes/{world.commune_a.pk}/review/?title=family&year={YEAR}"
    c.get(url)
    with django_assert_max_num_queries(20) as few:
        c.get(url)
    _registered(world, 55, prefix="M")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).content.decode().count('name="ids"') == 50


def test_a_recognition_without_number_is_refused_on_the_page(world, client_for, heads):
    evs = _registered(world, 2)
    services.evaluations_accept(actor=None, evaluations=evs)
    services.evaluations_approve(actor=None, evaluations=evs)
    url = f"/app/learning/nodes/{world.commune_a.pk}/recognise/?title=family&year={YEAR}"
    resp = client_for(world.admin_a).post(url, {"body": "commune_committee", "body_name": "UBND phường An Bình",
                                                "number": "", "decided_on": "2024-12-20", "title": "family", "year": YEAR})
    assert resp.status_code == 200 and not Recognition.objects.exists()
    assert "UBND phường An Bình" in resp.content.decode()
    resp = client_for(world.admin_a).post(url, {"body": "commune_committee", "body_name": "UBND phường An Bình",
                                                "number": "9/QĐ-UBND", "decided_on": "2024-12-20", "title": "family", "year": YEAR})
    assert resp.status_code == 302
    assert Recognition.objects.get().evaluations.count() == 2


def test_a_minor_is_shown_by_initials_to_those_without_personal_data(world, client_for):
    h = make_household(world.chapter_a, "0001")
    viewer = client_for(world.viewer_a).get(f"/app/learning/households/{h.pk}/").content.decode()
    assert "Nguyễn Văn Cường" not in viewer and "N. V. Cường" in viewer
    assert "Nguyễn Văn An" in viewer  # adults by name
    admin = client_for(world.admin_a).get(f"/app/learning/households/{h.pk}/").content.decode()
    assert "Nguyễn Văn Cường" in admin


def test_the_household_page_shows_the_title_and_the_adults_holding_the_citizen_title(world, client_for):
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    services.evaluation_self_assess(actor=None, evaluation=ev, answers=PASSING)
    services.evaluations_accept(actor=None, evaluations=[ev])
    services.evaluations_approve(actor=None, evaluations=[ev])
    services.evaluations_recognise(actor=None, node=world.commune_a, evaluations=[ev], title="family", year=YEAR,
                                   body="commune_committee", body_name="UBND", number="3/QĐ-UBND", decided_on=dt.date(YEAR, 12, 1))
    spouse = h.members.get(relation="spouse")
    citizen = services.citizen_create(actor=None, node=world.chapter_a, full_name=spouse.full_name, birth_year=spouse.birth_year,
                                      gender="f", audience="farmers", since_year=YEAR, member=spouse)
    cev = services.evaluation_register(actor=None, title=Title.CITIZEN, subject=citizen, year=YEAR)
    services.evaluation_self_assess(actor=None, evaluation=cev, answers={c: 9 for c in ("A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "C1", "C2")})
    services.evaluations_accept(actor=None, evaluations=[cev])
    services.evaluations_approve(actor=None, evaluations=[cev])
    html = client_for(world.admin_a).get(f"/app/learning/households/{h.pk}/?year={YEAR}").content.decode()
    assert 'id="family-title"' in html and "3/QĐ-UBND" in html
    assert html.count("citizen-title") == 1


def test_a_pupil_citizen_is_listed_by_initials_without_personal_data(world, client_for):
    pupil = services.citizen_create(actor=None, node=world.chapter_a, full_name="Lường Thị Ngọc Anh", birth_year=YEAR - 15,
                                    gender="f", audience="pupils", since_year=YEAR)
    services.evaluation_register(actor=None, title=Title.CITIZEN, subject=pupil, year=YEAR)
    url = f"/app/learning/nodes/{world.commune_a.pk}/review/?title=citizen&year={YEAR}"
    viewer = client_for(world.viewer_a).get(url).content.decode()
    assert "Lường Thị Ngọc Anh" not in viewer and "L. T. N. Anh" in viewer
    api = client_for(world.viewer_a).get(f"/api/learning/nodes/{world.commune_a.pk}/evaluations?year={YEAR}&title=citizen").json()
    assert api[0]["subject"] == "L. T. N. Anh"
    assert "Lường Thị Ngọc Anh" in client_for(world.admin_a).get(url).content.decode()
