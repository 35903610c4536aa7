"""The set-based write helpers used by imports."""

import datetime as dt

import pytest
from django.db import transaction

from khuyenhoc.imports import bulk
from khuyenhoc.members.models import Member, MembershipPeriod
from khuyenhoc.members.services import name_keys, reversed_words

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_writes_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError):
        bulk.insert_rows(Member, ("full_name",), [("A",)])


def test_reserved_ids_insert_and_update_round_trip(world):
    with transaction.atomic():
        ids = bulk.reserve_ids(Member, 3)
        now = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
        rows = [
            (pk, world.chapter_a.pk, name, *name_keys(name), reversed_words(name_keys(name)[0]), dt.date(2020, 1, 1), "active", "individual", "", "", "", "", "", "", now, now)
            for pk, name in zip(ids, ["Hà Văn Bình", "Lê Thị Hoa", "Ma Văn Chiến"], strict=True)
        ]
        fields = ("id", "node", "full_name", "search_key", "sort_key", "reverse_key", "joined_on", "status", "kind", "gender", "ethnicity", "phone", "citizen_id", "address", "leave_reason", "created_at", "updated_at")
        assert bulk.insert_rows(Member, fields, rows, batch_size=2) == 3
        assert bulk.update_rows(Member, ("address", "joined_on"), [(ids[0], "Tổ 9", dt.date(2019, 5, 1))]) == 1
        # The next reservation never collides, even after a delete.
        Member.objects.filter(pk=ids[-1]).delete()
        assert bulk.reserve_ids(MembershipPeriod, 0) == []
        assert bulk.reserve_ids(Member, 2)[0] > ids[-1]
    m = Member.objects.get(pk=ids[0])
    assert (m.address, m.joined_on, m.created_at) == ("Tổ 9", dt.date(2019, 5, 1), now)


def test_chunks_are_short_enough_for_in_lists():
    assert [len(c) for c in bulk.chunked(list(range(12)), 5)] == [5, 5, 2]
