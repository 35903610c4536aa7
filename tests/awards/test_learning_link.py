"""Model learning families and clans are nominated straight from their recognition record."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.awards import learning_link, services
from khuyenhoc.awards.models import NominationStatus

from .factories import issue

YEAR = 2022

pytestmark = pytest.mark.skipif(not learning_link.learning_available(), reason="khuyenhoc.learning (Evaluation, Recognition) is not installed")


def _recognised_family(world, head="Hoàng Văn Thái"):
    """A household of chapter A recognised as a learning family in 2022, through learning's services."""
    from khuyenhoc.learning.models import CriteriaSetVersion, Evaluation, Title
    from khuyenhoc.learning.services import (
        evaluations_accept,
        evaluations_approve,
        evaluations_recognise,
        evaluations_register,
        evaluations_self_assess,
        household_create,
    )

    actor = world.admin_a
    h = household_create(actor=actor, node=world.chapter_a, since_year=2020, head_name=head, address="Tổ Anh Đào",
                         members=[{"full_name": head, "birth_year": 1975, "gender": "m", "relation": "head", "schooling": "completed"}])
    cset = CriteriaSetVersion.objects.get(code="family_sample_qd448", version=1)
    (ev,) = evaluations_register(actor=actor, title=Title.FAMILY, subjects=[h], year=YEAR, criteria_set=cset)
    answers = {it.code: it.max_points for it in cset.parsed().items if not it.from_input}
    evaluations_self_assess(actor=actor, items=[(ev, answers, None)])
    evaluations_accept(actor=actor, evaluations=[ev])
    evaluations_approve(actor=actor, evaluations=[ev])
    evaluations_recognise(actor=actor, node=world.commune_a, evaluations=[ev], title=Title.FAMILY, year=YEAR, body="commune_committee",
                          body_name="Ủy ban nhân dân phường An Bình", number="45/QĐ-UBND", decided_on=dt.date(YEAR, 12, 20))
    return Evaluation.objects.get(pk=ev.pk)


@pytest.fixture
def family_programme(aw):
    return services.programme_create_from_preset(actor=aw.world.admin_city, node=aw.world.city, preset="model_families", year=YEAR,
                                                 deadline=dt.date(YEAR, 12, 25), budget=3_000_000)


def test_a_recognised_family_is_nominated_without_retyping(aw, family_programme):
    ev = _recognised_family(aw.world)
    assert list(learning_link.recognised_candidates(aw.head_a, family_programme)) == [ev]
    n = learning_link.nomination_from_recognition(actor=aw.head_a, programme=family_programme, evaluation=ev, on=dt.date(YEAR, 12, 22))
    assert (n.nominee_kind, n.nominee_name, n.node_id, n.at_node_id) == ("family", "Hoàng Văn Thái", aw.world.chapter_a.pk, aw.world.commune_a.pk)
    assert "45/QĐ-UBND" in n.achievement and "20/12/2022" in n.achievement and "Ủy ban nhân dân phường An Bình" in n.achievement
    assert (n.source_kind, n.source_id) == (learning_link.SOURCE_KIND, ev.pk)
    # Once nominated it is no longer offered, and cannot be nominated a second time.
    assert not learning_link.recognised_candidates(aw.head_a, family_programme).exists()
    with pytest.raises(ValidationError):
        learning_link.nomination_from_recognition(actor=aw.head_a, programme=family_programme, evaluation=ev, on=dt.date(YEAR, 12, 22))
    # It goes up the tree like any other and ends on a certificate as a family.
    services.nomination_forward(actor=aw.secretary_a, nomination=n)
    services.nomination_approve(actor=aw.council, nomination=n)
    decision = issue(aw.council, aw.world.city, [family_programme], number=40)
    assert decision.awards.get().nominee_name == "Hoàng Văn Thái"
    n.refresh_from_db()
    assert n.status == NominationStatus.AWARDED


def test_a_programme_for_recognised_families_refuses_a_typed_one(aw, family_programme):
    from .factories import nominate

    with pytest.raises(ValidationError, match="recognition record"):
        nominate(aw.head_a, family_programme, aw.world.chapter_a, nominee_kind="family", name="Gia đình gõ tay", birth_year=None, on=dt.date(YEAR, 12, 22))


def test_the_page_nominates_the_ticked_records(aw, family_programme, client_for):
    ev = _recognised_family(aw.world)
    c = client_for(aw.head_a)
    html = c.get(f"/app/awards/programmes/{family_programme.pk}/from-recognition/").content.decode()
    assert "Hoàng Văn Thái" in html and "45/QĐ-UBND" in html
    # Today is after the 2022 deadline: the page says so and nothing is made.
    resp = c.post(f"/app/awards/programmes/{family_programme.pk}/from-recognition/", {"evaluation": [ev.pk]}, follow=True)
    assert family_programme.nominations.count() == 0
    assert "25/12/2022" in resp.content.decode()
    # An outsider neither sees nor nominates it.
    assert "Hoàng Văn Thái" not in client_for(aw.world.admin_b).get(f"/app/awards/programmes/{family_programme.pk}/from-recognition/").content.decode()
