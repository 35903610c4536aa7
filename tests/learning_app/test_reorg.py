"""Households follow a merge of villages; a village with households cannot simply close."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.learning import services
from khuyenhoc.learning.models import Evaluation, Household, Title
from khuyenhoc.organizations.models import ChapterType, NodeKind
from khuyenhoc.organizations.services import node_close, node_create, node_merge

from .conftest import make_household


def test_a_merge_moves_households_and_this_years_titles_but_not_past_years(world):
    other = node_create(actor=None, parent=world.commune_a, name="Chi hội tổ Bưởi", kind=NodeKind.CHAPTER,
                        chapter_type=ChapterType.RESIDENTIAL, code="TP-A-02")
    make_household(world.chapter_a, "0001")
    moved = make_household(other, "0001", head="Lò Văn Chuyển")
    past = services.evaluation_register(actor=None, title=Title.FAMILY, subject=moved, year=2024)
    now = services.evaluation_register(actor=None, title=Title.FAMILY, subject=moved, year=2025)
    node_merge(actor=None, sources=[other], into=world.chapter_a, effective=dt.date(2025, 7, 1))
    moved.refresh_from_db()
    assert moved.node == world.chapter_a and moved.code == "TP-A-02-0001"
    assert Household.objects.filter(node=world.chapter_a).count() == 2
    assert Evaluation.objects.get(pk=past.pk).node == other
    assert Evaluation.objects.get(pk=now.pk).node == world.chapter_a


def test_a_village_with_households_cannot_close(world):
    make_household(world.chapter_a, "0001")
    with pytest.raises(ValidationError) as exc:
        node_close(actor=None, node=world.chapter_a)
    assert "1" in " ".join(exc.value.messages)
