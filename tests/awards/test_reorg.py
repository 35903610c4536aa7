"""Awards follow a merge of units; a unit with nominations waiting at it cannot just close."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.organizations.services import node_close, node_merge

from .conftest import approved
from .factories import issue, nominate


def test_a_commune_with_nominations_waiting_cannot_close(aw):
    nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    node_close(actor=aw.world.admin_city, node=aw.world.chapter_b)  # nothing waits at chapter B
    with pytest.raises(ValidationError, match="nominations are waiting"):
        node_close(actor=aw.world.admin_city, node=aw.world.chapter_a.parent)


def test_on_a_merge_nominations_under_way_follow_the_successor_and_decisions_stay(aw):
    w = aw.world
    done = approved(aw, name="Hà Thị Lan")
    decision = issue(aw.council, w.city, [aw.programme], number=3)
    waiting = nominate(aw.head_a, aw.programme, w.chapter_a, name="Lò Văn Páo", poor_household=True)
    merged = node_merge(actor=w.admin_city, sources=[w.commune_a], into=w.commune_b, effective=dt.date(2025, 7, 1))
    waiting.refresh_from_db()
    assert waiting.at_node_id == merged.pk  # the commune that reviews it now
    done.refresh_from_db()
    assert done.status == "awarded" and decision.awards.get().nominee_name == "Hà Thị Lan"
