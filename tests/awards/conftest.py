"""Awards fixtures: a city programme, people at each level, a city fund — all through services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.conftest import make_user

from .factories import student_programme


@pytest.fixture(autouse=True)
def _english_messages(request):
    """Service messages are matched by their English source text; pages still run in
    Vietnamese (the language middleware activates it per request). A test that asks
    for `vietnamese` keeps the product's default language."""
    from django.utils import translation

    if "vietnamese" in request.fixturenames:
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture
def vietnamese():
    """Keep the default language (Vietnamese) for this test."""


@dataclass
class AwardsWorld:
    world: object
    programme: object  # the city's programme for poor students
    head_a: object  # chapter head of chapter A: proposes
    secretary_a: object  # secretary of commune A: reviews and forwards
    council: object  # council member of the city: scores, approves, issues
    treasurer: object  # treasurer of the city: drafts and approves payments
    viewer_a: object


@pytest.fixture
def aw(world, settings, tmp_path) -> AwardsWorld:
    from khuyenhoc.accounts.models import Role

    settings.MEDIA_ROOT = tmp_path / "media"
    council = make_user("hoidong", node=world.city, role=Role.COUNCIL)
    return AwardsWorld(
        world=world,
        programme=student_programme(world.admin_city, world.city, budget=1_500_000, requires_poor_household=True),
        head_a=make_user("chihoi_a", node=world.chapter_a, role=Role.CHAPTER_HEAD),
        secretary_a=make_user("thuky_a", node=world.commune_a, role=Role.SECRETARY),
        council=council,
        treasurer=make_user("thuquy_tp", node=world.city, role=Role.TREASURER),
        viewer_a=world.viewer_a,
    )


@pytest.fixture
def city_fund(world):
    from khuyenhoc.fund.services import fund_create

    fund = fund_create(
        actor=world.admin_city,
        node=world.city,
        name="Quỹ khuyến học thành phố Thử",
        opened_on=dt.date(2022, 1, 1),
        cash_opening=20_000_000,
        bank_accounts=[],
    )
    return fund, fund.accounts.get(kind="cash")


def to_council(aw, name="Nguyễn Thị Mai", **kw):
    """A nomination proposed by chapter A and forwarded by commune A to the city council."""
    from khuyenhoc.awards import services

    from .factories import nominate

    n = nominate(aw.head_a, aw.programme, aw.world.chapter_a, name=name, poor_household=True, **kw)
    return services.nomination_forward(actor=aw.secretary_a, nomination=n)


def approved(aw, name="Nguyễn Thị Mai", scores=None, **kw):
    from khuyenhoc.awards import services

    n = to_council(aw, name=name, **kw)
    services.nomination_score(actor=aw.council, nomination=n, scores=scores or {"results": 55, "hardship": 35})
    return services.nomination_approve(actor=aw.council, nomination=n)
