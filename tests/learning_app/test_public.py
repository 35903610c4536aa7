"""The chapter's public learning-citizen form: no account, no personal data shown, CSRF,
a rate limit, and the chapter head's confirmation."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from khuyenhoc.learning import services
from khuyenhoc.learning.models import (
    Citizen,
    CitizenSubmission,
    Evaluation,
    Status,
    SubmissionStatus,
)

from .conftest import YEAR, make_household

CODES = ("A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "C1", "C2")


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()


def _url(world):
    return f"/p/learning/c/{services.public_link_for(world.chapter_a).token}/"


def _post(client, url, **over):
    data = {"group": "farmers", "full_name": "Nguyễn Thị Dân", "birth_year": "1985", "gender": "f", "website": "",
            **{f"item_{c}": "9" for c in CODES}, **over}
    return client.post(url, data)


def test_a_person_self_assesses_without_an_account_and_sees_only_their_own_result(world):
    make_household(world.chapter_a, "0001")  # personal data that must not show
    client = Client()
    url = _url(world)
    groups = client.get(url).content.decode()
    assert "Chi hội tổ Anh Đào" in groups and "Nguyễn Văn An" not in groups
    form = client.get(url + "?group=farmers").content.decode()
    assert 'name="item_A1"' in form and "Nguyễn Văn An" not in form
    resp = _post(client, url)
    html = resp.content.decode()
    assert resp.status_code == 200 and 'id="public-total"' in html and "90" in html
    sub = CitizenSubmission.objects.get()
    assert (sub.full_name, sub.total, sub.passed, sub.status) == ("Nguyễn Thị Dân", 90, True, SubmissionStatus.PENDING)
    assert not Citizen.objects.exists() and not Evaluation.objects.exists()


def test_an_indicator_above_ten_is_refused_with_the_indicator_named(world):
    resp = _post(Client(), _url(world), item_B2="12")
    html = resp.content.decode()
    assert resp.status_code == 200 and "B2" in html and "vượt mức tối đa 10" in html
    assert not CitizenSubmission.objects.exists()


def test_the_form_is_csrf_protected(world):
    resp = _post(Client(enforce_csrf_checks=True), _url(world))
    assert resp.status_code == 403
    assert not CitizenSubmission.objects.exists()


def test_an_unknown_or_rotated_link_is_not_found(world):
    old = _url(world)
    services.public_link_rotate(actor=None, node=world.chapter_a)
    assert Client().get(old).status_code == 404
    assert Client().get("/p/learning/c/not-a-token/").status_code == 404
    assert Client().get(_url(world)).status_code == 200


def test_the_form_is_rate_limited(world):
    client, url = Client(), _url(world)
    for _ in range(10):
        assert _post(client, url).status_code == 200
    assert _post(client, url).status_code == 429
    assert CitizenSubmission.objects.count() == 10


def test_a_bot_filling_the_hidden_field_is_thanked_and_forgotten(world):
    assert _post(Client(), _url(world), website="http://spam").status_code == 200
    assert not CitizenSubmission.objects.exists()


def test_the_chapter_head_confirms_into_a_citizen_linked_to_the_household_member(world, heads, client_for):
    h = make_household(world.chapter_a, "0001")
    spouse = h.members.get(relation="spouse")
    _post(Client(), _url(world), full_name=spouse.full_name, birth_year=str(spouse.birth_year))
    sub = CitizenSubmission.objects.get()
    c = client_for(heads["chapter_head"])
    page = c.get(f"/app/learning/nodes/{world.chapter_a.pk}/self-assessments/").content.decode()
    assert spouse.full_name in page and f'value="{spouse.pk}"' in page
    resp = c.post(f"/app/learning/self-assessments/{sub.pk}/", {"action": "confirm", "member": spouse.pk})
    assert resp.status_code == 302
    citizen = Citizen.objects.get()
    assert citizen.member == spouse
    ev = Evaluation.objects.get()
    assert (ev.status, ev.total, ev.year, ev.citizen) == (Status.SELF_ASSESSED, 90, sub.year, citizen)
    assert "biểu mẫu công khai" in ev.steps.last().comment or "public form" in ev.steps.last().comment
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.ACCEPTED and sub.evaluation == ev


def test_an_outsider_cannot_confirm_another_chapters_submission(world, client_for):
    _post(Client(), _url(world))
    sub = CitizenSubmission.objects.get()
    resp = client_for(world.admin_b).post(f"/app/learning/self-assessments/{sub.pk}/", {"action": "confirm"})
    assert resp.status_code == 404
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.PENDING


def test_year_is_the_current_one(world):
    _post(Client(), _url(world))
    from django.utils import timezone

    assert CitizenSubmission.objects.get().year == timezone.localdate().year
    assert YEAR <= timezone.localdate().year
