"""Learning-area fixtures: households built through the services, a chapter head and a council member."""

from __future__ import annotations

import pytest

from tests.conftest import make_user

YEAR = 2024


def member(name, year, gender="m", relation="other", **extra):
    return {"full_name": name, "birth_year": year, "gender": gender, "relation": relation, **extra}


def make_household(node, code, head="Nguyễn Văn An", *, actor=None, since_year=2020, members=None):
    from khuyenhoc.learning.services import household_create

    members = members if members is not None else [
        member(head, 1975, "m", "head", literate=True, studies_topic=True),
        member("Trần Thị Bình", 1978, "f", "spouse", studies_topic=True),
        member("Nguyễn Văn Cường", 2012, "m", "child", schooling="in_school"),
    ]
    return household_create(actor=actor, node=node, code=code, since_year=since_year, members=members)


FULL = {"1.1": 10, "1.2": 10, "1.3": 10, "2.1": 10, "2.2": 10, "2.3": 10, "3.1": 20, "4.1": 20}
PASSING = {**FULL, "3.1": 15, "4.1": 15}  # 90
FAILING = {**FULL, "3.1": 5, "4.1": 5}  # 70


@pytest.fixture
def heads(world):
    from khuyenhoc.accounts.models import Role

    return {
        "chapter_head": make_user("head_a", node=world.chapter_a, role=Role.CHAPTER_HEAD),
        "council": make_user("council_a", node=world.commune_a, role=Role.COUNCIL),
    }


@pytest.fixture
def family_set(db):
    from khuyenhoc.learning.models import CriteriaSetVersion

    return CriteriaSetVersion.objects.get(code="family_sample_qd448", version=1)


@pytest.fixture(autouse=True)
def builtin_sets(request):
    """The shipped sets (the data migration stores them; this keeps --no-migrations runs working)."""
    names = set(request.fixturenames)
    if not names & {"db", "world", "transactional_db", "live_server"}:
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in names or "transactional_db" in names or (
        marker is not None and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from khuyenhoc.learning.services import load_builtin

    load_builtin()
