"""The yearly workflow through the services: each step keeps who and when, bad input
changes nothing and says why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.learning import services
from khuyenhoc.learning.models import Evaluation, EvaluationStep, Recognition, Status, Title
from khuyenhoc.learning.selectors import title_counts

from .conftest import FAILING, FULL, PASSING, YEAR, make_household


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _close_year(node, year):
    # Closing a year is the reports area's act; its table is what learning reads.
    from django.apps import apps
    from django.utils import timezone

    apps.get_model("reports", "YearClose").objects.create(node=node, year=year, closed_at=timezone.now(), figures={})


def test_a_household_goes_from_registration_to_recognition_and_every_step_is_kept(world, heads):
    head, council = heads["chapter_head"], heads["council"]
    h = make_household(world.chapter_a, "0001", actor=head)

    ev = services.evaluation_register(actor=head, title=Title.FAMILY, subject=h, year=YEAR)
    assert ev.status == Status.REGISTERED and ev.criteria_set.code == "family_sample_qd448"

    ev = services.evaluation_self_assess(actor=head, evaluation=ev, answers=PASSING)
    assert (ev.status, ev.total, ev.passed, ev.self_total) == (Status.SELF_ASSESSED, 90, True, 90)

    ev = services.evaluation_review(actor=council, evaluation=ev, answers={**PASSING, "4.1": 10}, comment="Chưa có minh chứng mục 4.1")
    assert (ev.status, ev.total, ev.self_total) == (Status.REVIEWED, 85, 90)
    ev.refresh_from_db()
    assert ev.self_points == PASSING and ev.answers["4.1"] == 10

    services.evaluations_approve(actor=council, evaluations=[ev])
    rec = services.evaluations_recognise(
        actor=world.admin_a, node=world.commune_a, evaluations=Evaluation.objects.filter(pk=ev.pk),
        title=Title.FAMILY, year=YEAR, body="commune_committee", body_name="UBND phường An Bình",
        number="15/QĐ-UBND", decided_on=dt.date(YEAR, 12, 20),
    )
    ev.refresh_from_db()
    assert ev.status == Status.RECOGNISED and ev.recognition == rec

    steps = list(ev.steps.order_by("pk"))
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("", "registered"), ("registered", "self_assessed"), ("self_assessed", "reviewed"),
        ("reviewed", "approved"), ("approved", "recognised"),
    ]
    assert steps[0].actor == head and steps[2].actor == council and all(s.at for s in steps)
    assert steps[2].changes == {"4.1": [15, 10]} and "minh chứng" in steps[2].comment
    assert "15/QĐ-UBND" in steps[4].comment

    counts = title_counts(world.city, YEAR)
    assert (counts["family"].total, counts["family"].registered, counts["family"].recognised) == (1, 1, 1)
    assert counts["family"].rate_of_registered == 1.0


def test_a_returned_dossier_shows_why_and_can_be_assessed_again(world, heads):
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=heads["chapter_head"], title=Title.FAMILY, subject=h, year=YEAR)
    ev = services.evaluation_self_assess(actor=heads["chapter_head"], evaluation=ev, answers=PASSING)

    with pytest.raises(ValidationError) as exc:
        services.evaluations_return(actor=heads["council"], evaluations=[ev], comment="  ")
    assert "lý do" in _messages(exc.value) or "why" in _messages(exc.value)

    services.evaluations_return(actor=heads["council"], evaluations=[ev], comment="Thiếu danh sách con em đi học")
    ev.refresh_from_db()
    assert ev.status == Status.RETURNED and ev.last_comment == "Thiếu danh sách con em đi học"
    assert ev.steps.last().comment == "Thiếu danh sách con em đi học"
    ev = services.evaluation_self_assess(actor=heads["chapter_head"], evaluation=ev, answers=FULL)
    assert ev.status == Status.SELF_ASSESSED and ev.total == 100


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({**PASSING, "1.1": 11}, "vượt mức tối đa 10"),
        ({**PASSING, "1.2": -1}, "không được âm"),
        ({**PASSING, "9.9": 5}, 'không có mục "9.9"'),
    ],
)
def test_bad_points_are_refused_with_the_item_named_and_nothing_changes(world, heads, answers, expected):
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=heads["chapter_head"], title=Title.FAMILY, subject=h, year=YEAR)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_self_assess(actor=heads["chapter_head"], evaluation=ev, answers=answers)
    assert expected in _messages(exc.value)
    ev.refresh_from_db()
    assert ev.status == Status.REGISTERED and ev.answers == {} and ev.total is None
    assert ev.steps.count() == 1


def test_a_household_cannot_be_registered_twice_in_one_year(world, heads):
    h = make_household(world.chapter_a, "0001")
    services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    assert "Nguyễn Văn An" in _messages(exc.value)
    assert Evaluation.objects.count() == 1
    # Next year is a new title.
    services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR + 1)


def test_the_database_itself_refuses_a_second_registration(world):
    from django.db import IntegrityError, transaction

    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(title="family", year=YEAR, node=h.node, household=h, criteria_set=ev.criteria_set, status="registered")


def test_a_registration_for_a_closed_year_is_refused(world):
    h = make_household(world.chapter_a, "0001")
    _close_year(world.city, YEAR - 1)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR - 1)
    assert str(YEAR - 1) in _messages(exc.value)
    assert not Evaluation.objects.exists()


def test_nothing_in_a_closed_year_can_move(world, heads):
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    _close_year(world.commune_a, YEAR)
    with pytest.raises(ValidationError):
        services.evaluation_self_assess(actor=None, evaluation=ev, answers=PASSING)
    ev.refresh_from_db()
    assert ev.status == Status.REGISTERED


def _approved(world, heads, n=2):
    evs = []
    for i in range(n):
        h = make_household(world.chapter_a, f"{i:04d}", head=f"Hoàng Văn Hộ{i}")
        ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
        ev = services.evaluation_self_assess(actor=None, evaluation=ev, answers=PASSING)
        evs.append(ev)
    services.evaluations_accept(actor=heads["council"], evaluations=evs)
    return services.evaluations_approve(actor=heads["council"], evaluations=evs)


def test_a_recognition_without_a_decision_number_is_refused_and_nothing_changes(world, heads):
    evs = _approved(world, heads)
    with pytest.raises(ValidationError) as exc:
        services.evaluations_recognise(
            actor=None, node=world.commune_a, evaluations=evs, title=Title.FAMILY, year=YEAR,
            body="commune_committee", body_name="UBND phường An Bình", number=" ", decided_on=dt.date(YEAR, 12, 1),
        )
    assert "number" in exc.value.error_dict
    assert not Recognition.objects.exists()
    assert set(Evaluation.objects.values_list("status", flat=True)) == {Status.APPROVED}


def test_one_decision_recognises_many_evaluations(world, heads):
    evs = _approved(world, heads, n=3)
    rec = services.evaluations_recognise(
        actor=None, node=world.commune_a, evaluations=Evaluation.objects.filter(status=Status.APPROVED),
        title=Title.FAMILY, year=YEAR, body="association", body_name="Hội Khuyến học phường An Bình",
        number="07/QĐ-HKH", decided_on=dt.date(YEAR + 1, 1, 5),
    )
    assert rec.evaluations.count() == 3 == len(evs)
    assert title_counts(world.commune_a, YEAR)["family"].recognised == 3


def test_approving_a_page_is_all_or_nothing(world, heads):
    ok = make_household(world.chapter_a, "0001")
    bad = make_household(world.chapter_a, "0002", head="Lý Thị Kém")
    evs = [services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR) for h in (ok, bad)]
    services.evaluation_self_assess(actor=None, evaluation=evs[0], answers=PASSING)
    services.evaluation_self_assess(actor=None, evaluation=evs[1], answers=FAILING)
    services.evaluations_accept(actor=heads["council"], evaluations=evs)
    with pytest.raises(ValidationError) as exc:
        services.evaluations_approve(actor=heads["council"], evaluations=evs)
    assert "Lý Thị Kém" in _messages(exc.value)
    assert set(Evaluation.objects.values_list("status", flat=True)) == {Status.REVIEWED}
    services.evaluations_mark_not_met(actor=heads["council"], evaluations=[evs[1]])
    assert Evaluation.objects.get(pk=evs[1].pk).status == Status.NOT_MET


def test_changing_points_at_review_needs_a_comment(world, heads):
    h = make_household(world.chapter_a, "0001")
    ev = services.evaluation_register(actor=None, title=Title.FAMILY, subject=h, year=YEAR)
    ev = services.evaluation_self_assess(actor=None, evaluation=ev, answers=PASSING)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_review(actor=heads["council"], evaluation=ev, answers=FAILING, comment="")
    assert "comment" in exc.value.error_dict
    ev.refresh_from_db()
    assert ev.status == Status.SELF_ASSESSED and ev.total == 90


def test_steps_are_one_per_moved_evaluation_in_bulk(world, heads):
    _approved(world, heads, n=4)
    assert EvaluationStep.objects.filter(to_status=Status.APPROVED).count() == 4
