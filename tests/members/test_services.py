"""Writes to the member register: entry, duplicates, leave, rejoin, transfer, merge, dues."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from khuyenhoc.core.models import AuditEvent
from khuyenhoc.core.text import name_sort_key, search_key
from khuyenhoc.members import services
from khuyenhoc.members.models import (
    Dues,
    Member,
    MembershipPeriod,
    MemberStatus,
    MemberTransfer,
    PeriodEnd,
    PeriodStart,
)
from khuyenhoc.organizations.services import close_blockers, node_merge

from .factories import add_chapter, add_member

pytestmark = pytest.mark.django_db


def test_a_member_is_stored_in_nfc_with_search_and_sort_keys(world):
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Văn Ẩn ")
    m = add_member(world.chapter_a, decomposed, birth_year=1960)
    assert m.full_name == "Nguyễn Văn Ẩn"
    assert unicodedata.is_normalized("NFC", m.full_name)
    assert m.search_key == "nguyen van an"
    assert m.sort_key == name_sort_key("Nguyễn Văn Ẩn")
    assert m.periods.get().start == m.joined_on
    assert AuditEvent.objects.filter(action="members.member.created", target_id=str(m.pk)).exists()


def test_the_cccd_is_masked_in_the_audit_trail(world):
    m = add_member(world.chapter_a, "Lê Thị Hoa", citizen_id="006170001234", phone="0912345678")
    event = AuditEvent.objects.get(action="members.member.created", target_id=str(m.pk))
    assert event.after["citizen_id"] == "***"
    assert event.after["phone"] == "••••••5678"


def test_the_same_cccd_is_refused_with_the_existing_record_named(world):
    add_member(world.chapter_a, "Lê Thị Hoa", citizen_id="006170001234")
    with pytest.raises(services.DuplicateMemberError) as exc:
        add_member(world.chapter_a, "Lê Thị Hòa", citizen_id="006 170 001 234", actor=world.admin_a)
    assert exc.value.blocking
    assert "Lê Thị Hoa" in exc.value.message_dict["citizen_id"][0]
    assert Member.objects.count() == 1


def test_the_cccd_duplicate_message_does_not_name_a_record_the_user_cannot_see(world):
    add_member(world.chapter_b, "Lê Thị Hoa", citizen_id="006170001234")
    with pytest.raises(services.DuplicateMemberError) as exc:
        add_member(world.chapter_a, "Lê Thị Hoa", citizen_id="006170001234", actor=world.admin_a)
    assert "Lê Thị Hoa" not in exc.value.message_dict["citizen_id"][0]
    assert world.chapter_b.name not in exc.value.message_dict["citizen_id"][0]


def test_the_same_name_and_year_in_a_chapter_is_flagged_until_confirmed(world):
    first = add_member(world.chapter_a, "Nguyễn Văn An", birth_year=1960)
    with pytest.raises(services.DuplicateMemberError) as exc:
        add_member(world.chapter_a, "nguyễn  văn an", birth_year=1960)
    assert not exc.value.blocking
    assert exc.value.candidates == [first]
    second = add_member(world.chapter_a, "Nguyễn Văn An", birth_year=1960, confirm_not_duplicate=True)
    assert second.pk != first.pk
    # Another chapter or another year is no duplicate.
    add_member(world.chapter_b, "Nguyễn Văn An", birth_year=1960)
    add_member(world.chapter_a, "Nguyễn Văn An", birth_year=1961)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"citizen_id": "12345"}, "citizen_id"),
        ({"phone": "12345"}, "phone"),
        ({"birth_date": dt.date(2999, 1, 1)}, "birth_date"),
        ({"birth_year": 1980, "birth_date": dt.date(1981, 1, 1)}, "birth_year"),
        ({"full_name": "   "}, "full_name"),
        ({"joined_on": dt.date(2999, 1, 1)}, "joined_on"),
        ({"ethnicity": "99"}, "ethnicity"),
    ],
)
def test_bad_values_are_refused_naming_the_field(world, values, field):
    kwargs = {"full_name": "Hà Văn Bình", "joined_on": dt.date(2020, 1, 1), **values}
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=None, node=world.chapter_a, **kwargs)
    assert field in exc.value.message_dict
    assert Member.objects.count() == 0


def test_members_cannot_be_added_to_a_province(world):
    with pytest.raises(ValidationError):
        add_member(world.province, "Hà Văn Bình")


def test_leaving_ends_the_stay_and_keeps_it(world):
    m = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 3, 1))
    services.member_leave(actor=world.admin_a, member=m, on=dt.date(2022, 6, 30), reason="Chuyển nơi ở")
    m.refresh_from_db()
    assert (m.status, m.left_on, m.leave_reason) == (MemberStatus.LEFT, dt.date(2022, 6, 30), "Chuyển nơi ở")
    period = m.periods.get()
    assert (period.start, period.end, period.end_reason) == (dt.date(2015, 3, 1), dt.date(2022, 6, 30), PeriodEnd.LEFT)


def test_a_member_who_left_can_rejoin_with_a_new_stay(world):
    m = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 3, 1))
    services.member_leave(actor=None, member=m, on=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.member_rejoin(actor=None, member=m, on=dt.date(2019, 1, 1))
    services.member_rejoin(actor=None, member=m, on=dt.date(2022, 2, 1))
    m.refresh_from_db()
    assert m.status == MemberStatus.ACTIVE and m.left_on is None
    assert [(p.start, p.start_reason, p.end) for p in m.periods.order_by("start")] == [
        (dt.date(2015, 3, 1), PeriodStart.JOINED, dt.date(2020, 1, 1)),
        (dt.date(2022, 2, 1), PeriodStart.REJOINED, None),
    ]


def test_a_transfer_keeps_the_history(world):
    other = add_chapter(world.commune_a, "TP-A-02")
    m = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 3, 1))
    t = services.member_transfer(actor=world.admin_a, member=m, to_node=other, on=dt.date(2022, 5, 1), note="Về ở với con")
    m.refresh_from_db()
    assert m.node == other
    assert (t.from_node, t.to_node, t.created_by) == (world.chapter_a, other, world.admin_a)
    assert [(p.node_id, p.start, p.end, p.end_reason) for p in m.periods.order_by("start")] == [
        (world.chapter_a.pk, dt.date(2015, 3, 1), dt.date(2022, 5, 1), PeriodEnd.TRANSFER),
        (other.pk, dt.date(2022, 5, 1), None, ""),
    ]
    with pytest.raises(ValidationError):
        services.member_transfer(actor=None, member=m, to_node=other, on=dt.date(2022, 6, 1))


def test_merging_keeps_the_duplicate_for_history_and_moves_its_dues(world):
    keep = add_member(world.chapter_a, "Nguyễn Văn An", birth_year=1960, joined_on=dt.date(2018, 1, 1))
    dup = add_member(world.chapter_a, "Nguyễn Văn An", birth_year=1960, joined_on=dt.date(2010, 1, 1), citizen_id="006060001234", confirm_not_duplicate=True)
    services.dues_record(actor=None, member=dup, year=2021, amount=12_000, paid_on=dt.date(2021, 3, 1))
    services.member_merge(actor=world.admin_a, keep=keep, duplicate=dup)
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.status == MemberStatus.MERGED and dup.merged_into == keep
    assert keep.citizen_id == "006060001234"  # a blank filled from the duplicate
    assert keep.joined_on == dt.date(2010, 1, 1)
    assert list(keep.dues.values_list("year", flat=True)) == [2021]
    assert dup.periods.get().end_reason == PeriodEnd.MERGED
    assert AuditEvent.objects.filter(action="members.member.merged", target_id=str(keep.pk)).exists()
    # The merged record no longer counts as a live record with that CCCD.
    with pytest.raises(services.DuplicateMemberError):
        add_member(world.chapter_b, "Nguyễn Văn An", citizen_id="006060001234")


def test_merge_refuses_two_payments_for_the_same_year(world):
    keep = add_member(world.chapter_a, "Nguyễn Văn An")
    dup = add_member(world.chapter_a, "Nguyễn Văn An", confirm_not_duplicate=True)
    for m in (keep, dup):
        services.dues_record(actor=None, member=m, year=2022, amount=12_000, paid_on=dt.date(2022, 3, 1))
    with pytest.raises(ValidationError, match="2022"):
        services.member_merge(actor=None, keep=keep, duplicate=dup)


def test_dues_are_whole_dong_once_a_year(world):
    m = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 3, 1))
    d = services.dues_record(actor=world.admin_a, member=m, year=2022, amount=12_000, paid_on=dt.date(2022, 3, 1), receipt_ref="PT-01")
    assert (d.node, d.amount, d.recorded_by) == (world.chapter_a, 12_000, world.admin_a)
    for bad in ({"amount": 12.5}, {"amount": 0}, {"year": 2010}, {"year": 2022}):
        with pytest.raises(ValidationError):
            services.dues_record(actor=None, member=m, paid_on=dt.date(2022, 3, 1), **{"year": 2023, "amount": 12_000, **bad})
    services.dues_cancel(actor=world.admin_a, dues=d)
    assert not Dues.objects.exists()
    assert AuditEvent.objects.filter(action="members.dues.cancelled").exists()


def test_updating_a_name_recomputes_the_keys_and_audits_only_the_change(world):
    m = add_member(world.chapter_a, "Nguyen Van An", address="Tổ 1")
    services.member_update(actor=world.admin_a, member=m, full_name="Nguyễn Văn Ân")
    m.refresh_from_db()
    assert m.sort_key == name_sort_key("Nguyễn Văn Ân")
    event = AuditEvent.objects.get(action="members.member.updated")
    assert event.before == {"full_name": "Nguyen Van An"} and event.after == {"full_name": "Nguyễn Văn Ân"}


def test_a_unit_with_active_members_cannot_close(world):
    add_member(world.chapter_a, "Hà Văn Bình")
    assert any("1" in reason for reason in close_blockers(world.chapter_a))


def test_members_follow_a_merge_of_their_chapter_and_keep_the_old_stay(world):
    other = add_chapter(world.commune_a, "TP-A-02")
    m = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 3, 1))
    node_merge(actor=None, sources=[world.chapter_a], into=other, effective=dt.date(2025, 7, 1))
    m.refresh_from_db()
    assert m.node == other
    assert [(p.node_id, p.end, p.start_reason) for p in m.periods.order_by("start")] == [
        (world.chapter_a.pk, dt.date(2025, 7, 1), PeriodStart.JOINED),
        (other.pk, None, PeriodStart.REORGANISED),
    ]


def test_bulk_create_writes_members_and_their_first_stay(world):
    ids = services.members_bulk_create(
        rows=[
            {"node_id": world.chapter_a.pk, "full_name": "Hà Văn Bình", "joined_on": dt.date(2020, 1, 1)},
            {"node_id": world.chapter_a.pk, "full_name": "Lê Thị Hoa", "joined_on": dt.date(2020, 1, 1), "left_on": dt.date(2022, 1, 1), "leave_reason": "Chuyển đi"},
        ]
    )
    members = Member.objects.in_bulk(ids)
    assert members[ids[0]].sort_key == name_sort_key("Hà Văn Bình") and members[ids[0]].status == MemberStatus.ACTIVE
    assert members[ids[1]].status == MemberStatus.LEFT
    assert MembershipPeriod.objects.filter(member_id__in=ids).count() == 2
    # Ids handed out later never collide with the bulk ones.
    assert add_member(world.chapter_a, "Ma Văn Chiến").pk > max(ids)


def test_bulk_update_records_transfers_leaves_and_audits_each_change(world):
    other = add_chapter(world.commune_a, "TP-A-02")
    a = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 1, 1))
    b = add_member(world.chapter_a, "Lê Thị Hoa", joined_on=dt.date(2015, 1, 1))
    before = AuditEvent.objects.count()
    services.members_bulk_update(
        actor=world.admin_a,
        changes=[(a, {"node_id": other.pk, "address": "Tổ 9"}), (b, {"left_on": dt.date(2022, 1, 1), "leave_reason": "Đi xa"})],
        on=dt.date(2022, 2, 1),
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.node, a.address) == (other, "Tổ 9")
    assert MemberTransfer.objects.get(member=a).on == dt.date(2022, 2, 1)
    assert (b.status, b.left_on) == (MemberStatus.LEFT, dt.date(2022, 1, 1))
    assert b.periods.get().end == dt.date(2022, 1, 1)
    assert AuditEvent.objects.count() == before + 2


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_the_fast_name_keys_equal_the_core_text_functions(name):
    assert services.name_keys(name) == (search_key(name), name_sort_key(name))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệóòỏõọốồổỗộớờởỡợúùủũụứừửữựíìỉĩịýỳỷỹỵAĐ", min_size=1, max_size=8),
        min_size=1,
        max_size=5,
    )
)
def test_the_fast_name_keys_equal_core_on_vietnamese_names(words):
    name = " ".join(words)
    assert services.name_keys(name) == (search_key(name), name_sort_key(name))


def test_mask_keeps_the_last_four_characters():
    assert services.mask("006170001234") == "••••••••1234"
    assert services.mask("") == ""


def _assert_stays_copy_their_member():
    """Every stay carries its member's kind, gender, year of birth, ethnicity and merged
    state (the year's figures read them from the stays alone)."""
    for p in MembershipPeriod.objects.select_related("member"):
        m = p.member
        assert (p.kind, p.gender, p.birth_year, p.ethnicity, p.merged) == (
            m.kind, m.gender, m.birth_year, m.ethnicity, m.status == MemberStatus.MERGED
        ), f"stay {p.pk} of {m.full_name}"


def test_every_write_keeps_the_stays_copies_of_the_member(world):
    other = add_chapter(world.commune_a, "TP-A-02")
    a = add_member(world.chapter_a, "Hà Văn Bình", gender="male", ethnicity="02", joined_on=dt.date(2015, 1, 1))
    b = add_member(world.chapter_a, "Lê Thị Hoa", gender="female", birth_year=1980, joined_on=dt.date(2015, 1, 1))
    c = add_member(world.chapter_a, "Lê Thị Hòa", gender="female", birth_year=1981, joined_on=dt.date(2016, 1, 1))
    _assert_stays_copy_their_member()
    services.member_transfer(actor=None, member=a, to_node=other, on=dt.date(2020, 1, 1))
    services.member_update(actor=None, member=a, kind="honorary", gender="female", birth_year=1961, ethnicity="07")
    _assert_stays_copy_their_member()
    services.member_leave(actor=None, member=b, on=dt.date(2021, 1, 1))
    services.member_rejoin(actor=None, member=b, on=dt.date(2022, 1, 1))
    _assert_stays_copy_their_member()
    services.member_merge(actor=None, keep=b, duplicate=c)  # c's ethnicity fills nothing; c is merged
    assert MembershipPeriod.objects.filter(member=c, merged=True).exists()
    _assert_stays_copy_their_member()
    ids = services.members_bulk_create(
        rows=[
            {"node_id": world.chapter_a.pk, "full_name": "Ma Văn Chiến", "kind": "collective", "gender": "male", "birth_year": 1990, "ethnicity": "07", "joined_on": dt.date(2020, 1, 1)},
            {"node_id": world.chapter_a.pk, "full_name": "Nông Thị Dung", "joined_on": dt.date(2020, 1, 1), "left_on": dt.date(2021, 1, 1)},
        ]
    )
    _assert_stays_copy_their_member()
    d, e = Member.objects.get(pk=ids[0]), Member.objects.get(pk=ids[1])
    services.members_bulk_update(
        actor=None,
        changes=[(d, {"node_id": other.pk, "gender": "female", "birth_year": 1991}), (e, {"ethnicity": "01", "kind": "honorary"})],
        on=dt.date(2022, 2, 1),
    )
    _assert_stays_copy_their_member()
    node_merge(actor=None, sources=[other], into=world.chapter_a, effective=dt.date(2025, 7, 1))
    assert MembershipPeriod.objects.filter(start_reason=PeriodStart.REORGANISED).count() == 2
    _assert_stays_copy_their_member()
