"""Nominations up the tree: chapter proposes, commune forwards or returns, city council decides."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.awards import selectors, services
from khuyenhoc.awards.models import Nomination, NominationStatus, NominationStep
from khuyenhoc.core.models import AuditEvent

from .conftest import approved, to_council
from .factories import PNG, nominate, student_programme


def _unchanged(before_nominations: int, before_audit: int) -> bool:
    return Nomination.objects.count() == before_nominations and AuditEvent.objects.count() == before_audit


def test_a_chapter_nominates_the_commune_forwards_and_the_city_council_approves(aw):
    w = aw.world
    n = nominate(aw.head_a, aw.programme, w.chapter_a, poor_household=True)
    assert (n.status, n.at_node_id) == (NominationStatus.PENDING, w.commune_a.pk)
    n = services.nomination_forward(actor=aw.secretary_a, nomination=n, note="Đúng đối tượng")
    assert n.at_node_id == w.city.pk and n.is_at_top
    n = services.nomination_score(actor=aw.council, nomination=n, scores={"results": 50, "hardship": 30})
    assert n.score == 80
    n = services.nomination_approve(actor=aw.council, nomination=n)
    assert n.status == NominationStatus.APPROVED
    steps = list(n.steps.values_list("action", "actor__username", "from_node_id", "to_node_id"))
    assert steps == [
        ("submitted", "chihoi_a", w.chapter_a.pk, w.commune_a.pk),
        ("forwarded", "thuky_a", w.commune_a.pk, w.city.pk),
        ("scored", "hoidong", w.city.pk, w.city.pk),
        ("approved", "hoidong", w.city.pk, w.city.pk),
    ]
    assert all(s.at is not None for s in n.steps.all())
    codes = set(AuditEvent.objects.filter(target_type="awards.nomination", target_id=str(n.pk)).values_list("action", flat=True))
    assert codes == {"awards.nomination.submitted", "awards.nomination.forwarded", "awards.nomination.scored", "awards.nomination.approved"}


def test_the_commune_returns_with_a_reason_and_the_chapter_corrects_and_sends_again(aw):
    n = nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    with pytest.raises(ValidationError) as exc:
        services.nomination_return(actor=aw.secretary_a, nomination=n, reason="  ")
    assert "reason" in exc.value.message_dict
    n = services.nomination_return(actor=aw.secretary_a, nomination=n, reason="Thiếu giấy xác nhận hộ nghèo")
    assert (n.status, n.at_node_id, n.note) == (NominationStatus.RETURNED, aw.world.chapter_a.pk, "Thiếu giấy xác nhận hộ nghèo")
    n = services.nomination_update(actor=aw.head_a, nomination=n, class_name="7B")
    n = services.nomination_resubmit(actor=aw.head_a, nomination=n, on=dt.date(2022, 12, 10))
    assert (n.status, n.at_node_id, n.class_name) == (NominationStatus.PENDING, aw.world.commune_a.pk, "7B")


def test_a_chapter_head_cannot_review_at_the_commune_and_the_commune_cannot_decide_for_the_city(aw):
    n = nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    with pytest.raises(ValidationError, match="Hội Khuyến học phường An Bình"):
        services.nomination_forward(actor=aw.head_a, nomination=n)
    n = services.nomination_forward(actor=aw.secretary_a, nomination=n)
    with pytest.raises(ValidationError, match="council"):
        services.nomination_approve(actor=aw.secretary_a, nomination=n)
    with pytest.raises(ValidationError):
        services.nomination_forward(actor=aw.council, nomination=n)


def test_the_council_decides_only_once_the_nomination_has_reached_it(aw):
    n = nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    with pytest.raises(ValidationError, match="still at"):
        services.nomination_score(actor=aw.council, nomination=n, scores={"results": 50, "hardship": 30})


# --- bad input: refused with a clear message, nothing changed --------------------------


def test_a_nomination_after_the_deadline_is_refused(aw):
    before = (Nomination.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="15/12/2022"):
        nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True, on=dt.date(2022, 12, 16))
    assert _unchanged(*before)


def test_a_nomination_above_the_quota_is_refused(aw):
    services.quota_set(actor=aw.world.admin_city, programme=aw.programme, node=aw.world.commune_a, max_nominations=1)
    nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    before = (Nomination.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        nominate(aw.head_a, aw.programme, aw.world.chapter_a, name="Lò Văn Páo", poor_household=True)
    assert "quota of Hội Khuyến học phường An Bình" in str(exc.value) and "1 nominations and 1 have been made" in str(exc.value)
    assert _unchanged(*before)
    # Commune B has no quota and is not counted against A's.
    head_b = __import__("tests.conftest", fromlist=["make_user"]).make_user("chihoi_b", node=aw.world.chapter_b, role="chapter_head")
    nominate(head_b, aw.programme, aw.world.chapter_b, name="Lò Văn Páo", poor_household=True)


def test_a_withdrawn_nomination_frees_its_place_in_the_quota(aw):
    services.quota_set(actor=aw.world.admin_city, programme=aw.programme, node=aw.world.commune_a, max_nominations=1)
    n = nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    services.nomination_withdraw(actor=aw.head_a, nomination=n, reason="Nhầm người")
    nominate(aw.head_a, aw.programme, aw.world.chapter_a, name="Lò Văn Páo", poor_household=True)


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"nominee_kind": "teacher", "nominee_name": "Hà Thị Lan"}, "nominee_kind", "A teacher cannot be nominated"),
        ({"birth_year": 2000}, "birth_year", "above the programme's maximum age of 18"),
        ({"birth_year": None}, "birth_year", "age limit"),
        ({"poor_household": False}, "poor_household", "poor or near-poor"),
        ({"nominee_name": " "}, "nominee_name", "Give the name"),
        ({"achievement": ""}, "achievement", "achievements"),
    ],
)
def test_a_nominee_who_is_not_eligible_is_refused_naming_the_field(aw, fields, field, text):
    from django.utils import translation

    base = {"poor_household": True}
    base.update(fields)
    before = (Nomination.objects.count(), AuditEvent.objects.count())
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        nominate(aw.head_a, aw.programme, aw.world.chapter_a, **base)
    assert field in exc.value.message_dict
    assert text in " ".join(exc.value.message_dict[field])
    assert _unchanged(*before)


def test_the_messages_are_vietnamese_by_default(aw, vietnamese):
    with pytest.raises(ValidationError) as exc:
        nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True, on=dt.date(2023, 1, 5))
    assert "hạn" in str(exc.value).lower()


def test_the_same_pupil_cannot_be_nominated_twice_in_a_programme(aw):
    nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    with pytest.raises(ValidationError, match="already nominated"):
        nominate(aw.world.admin_a, aw.programme, aw.world.commune_a, name="NGUYỄN  THỊ MAI", poor_household=True)


def test_a_unit_outside_the_programme_or_an_outsider_cannot_nominate(aw):
    programme_a = student_programme(aw.world.admin_a, aw.world.commune_a, name="Học bổng phường An Bình")
    with pytest.raises(ValidationError, match="not under"):
        nominate(aw.world.admin_city, programme_a, aw.world.chapter_b, poor_household=True)
    with pytest.raises(ValidationError, match="may not propose"):
        nominate(aw.head_a, aw.programme, aw.world.chapter_b, poor_household=True)
    with pytest.raises(ValidationError, match="may not propose"):
        nominate(aw.viewer_a, aw.programme, aw.world.chapter_a, poor_household=True)


def test_a_closed_programme_takes_no_nomination(aw):
    services.programme_set_status(actor=aw.world.admin_city, programme=aw.programme, status="closed")
    with pytest.raises(ValidationError, match="closed"):
        nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)


def test_a_programme_that_needs_evidence_cannot_be_forwarded_without_it(aw):
    services.programme_update(actor=aw.world.admin_city, programme=aw.programme, requires_evidence=True)
    n = nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    with pytest.raises(ValidationError, match="evidence"):
        services.nomination_forward(actor=aw.secretary_a, nomination=n)
    services.evidence_add(actor=aw.head_a, nomination=n, upload=PNG, name="giay-xac-nhan-ho-ngheo.png")
    assert services.nomination_forward(actor=aw.secretary_a, nomination=n).is_at_top


def test_scores_outside_the_rubric_are_refused(aw):
    n = to_council(aw)
    with pytest.raises(ValidationError) as exc:
        services.nomination_score(actor=aw.council, nomination=n, scores={"results": 61, "hardship": "x"})
    assert set(exc.value.message_dict) == {"score_results", "score_hardship"}
    n.refresh_from_db()
    assert n.score is None


def test_a_nomination_below_the_pass_mark_or_unscored_cannot_be_approved(aw):
    n = to_council(aw)
    with pytest.raises(ValidationError, match="Score"):
        services.nomination_approve(actor=aw.council, nomination=n)
    services.nomination_score(actor=aw.council, nomination=n, scores={"results": 20, "hardship": 10})
    with pytest.raises(ValidationError, match="pass mark of 50"):
        services.nomination_approve(actor=aw.council, nomination=n)


def test_approving_above_the_budget_is_refused_and_nothing_changes(aw):
    # Budget 1.500.000 đ, 500.000 đ each: the fourth does not fit.
    for name in ("An", "Bình", "Chi"):
        approved(aw, name=f"Hoàng Văn {name}")
    fourth = to_council(aw, name="Hoàng Văn Dũng")
    services.nomination_score(actor=aw.council, nomination=fourth, scores={"results": 60, "hardship": 40})
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.nomination_approve(actor=aw.council, nomination=fourth)
    assert "2.000.000 đ" in str(exc.value) and "1.500.000 đ" in str(exc.value)
    fourth.refresh_from_db()
    assert fourth.status == NominationStatus.PENDING and AuditEvent.objects.count() == before


def test_the_council_ranks_by_score_and_approves_in_rank_order_within_the_budget(aw):
    scores = {"Lò Văn An": 60, "Hà Thị Bình": 90, "Triệu Văn Chung": 75, "Ma Thị Dung": 75, "Nông Văn Em": 40}
    for name, total in scores.items():
        n = to_council(aw, name=name)
        services.nomination_score(actor=aw.council, nomination=n, scores={"results": min(total, 60), "hardship": max(total - 60, 0)})
    ranked = list(selectors.ranked_nominations(aw.programme).values_list("nominee_name", "rank", "running_total"))
    assert [r[:2] for r in ranked] == [("Hà Thị Bình", 1), ("Triệu Văn Chung", 2), ("Ma Thị Dung", 2), ("Lò Văn An", 4), ("Nông Văn Em", 5)]
    assert [r[2] for r in ranked] == [500_000, 1_000_000, 1_500_000, 2_000_000, 2_500_000]
    # Asking for four that cost more than the budget changes nothing.
    with pytest.raises(ValidationError, match="budget"):
        services.nominations_approve_ranked(actor=aw.council, programme=aw.programme, count=4)
    assert not Nomination.objects.filter(status="approved").exists()
    assert services.nominations_approve_ranked(actor=aw.council, programme=aw.programme) == 3
    assert set(Nomination.objects.filter(status="approved").values_list("nominee_name", flat=True)) == {"Hà Thị Bình", "Triệu Văn Chung", "Ma Thị Dung"}
    assert NominationStep.objects.filter(action="approved", actor=aw.council).count() == 3
    assert selectors.committed_amount(aw.programme) == 1_500_000


def test_returned_nominations_stay_out_of_the_ranking(aw):
    n = to_council(aw)
    services.nomination_return(actor=aw.council, nomination=n, reason="Ảnh học bạ mờ")
    assert selectors.ranked_nominations(aw.programme).count() == 0
