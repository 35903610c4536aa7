"""Member pages through the test client: lists, masking, forms, export, API."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from khuyenhoc.accounts.models import Role
from khuyenhoc.core.models import AuditEvent
from khuyenhoc.members import services
from khuyenhoc.members.models import Dues, Member, MemberStatus
from tests.conftest import make_user

from .factories import add_chapter, add_member

pytestmark = pytest.mark.django_db


def _list_url(node, **params):
    from urllib.parse import urlencode

    return f"/app/members/nodes/{node.pk}/" + (f"?{urlencode(params)}" if params else "")


def test_the_list_is_vietnamese_sorted_and_searchable_without_accents(world, client_for):
    for name in ("Trần Văn Bình", "Nguyễn Văn Ẩn", "Đặng Thị Lan"):
        add_member(world.chapter_a, name)
    c = client_for(world.admin_a)
    html = c.get(_list_url(world.commune_a)).content.decode()
    assert "3 hội viên" in html
    assert html.index("Nguyễn Văn Ẩn") < html.index("Trần Văn Bình") < html.index("Đặng Thị Lan")
    found = c.get(_list_url(world.commune_a, q="dang thi"), HTTP_HX_REQUEST="true").content.decode()
    assert "Đặng Thị Lan" in found and "Trần Văn Bình" not in found
    assert "<html" not in found  # htmx gets the partial alone


def test_the_list_page_runs_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    c = client_for(world.admin_a)
    for i in range(3):
        add_member(world.chapter_a, f"Hà Văn Bình {i}")
    c.get(_list_url(world.commune_a))  # warm caches (sessions, content types)
    with django_assert_max_num_queries(14) as few:
        c.get(_list_url(world.commune_a))
    for i in range(30):
        add_member(world.chapter_a, f"Lê Thị Hoa {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(_list_url(world.commune_a))


def test_pagination_keeps_the_filters(world, client_for):
    for i in range(55):
        add_member(world.chapter_a, f"Hà Văn Bình {i:02d}")
    c = client_for(world.admin_a)
    html = c.get(_list_url(world.commune_a, q="ha van")).content.decode()
    assert "Trang 1 / 2" in html and "q=ha+van&amp;page=2" in html
    assert "55 hội viên" in c.get(_list_url(world.commune_a, q="ha van", page=2)).content.decode()


def test_personal_numbers_are_masked_for_a_viewer_and_shown_to_the_admin(world, client_for):
    m = add_member(world.chapter_a, "Hà Văn Bình", citizen_id="006170001234", phone="0912345678")
    viewer = client_for(world.viewer_a).get(f"/app/members/{m.pk}/").content.decode()
    assert "006170001234" not in viewer and "••••••••1234" in viewer
    assert "0912345678" not in viewer and "••••••5678" in viewer
    admin = client_for(world.admin_a).get(f"/app/members/{m.pk}/").content.decode()
    assert "006170001234" in admin and "0912345678" in admin


def test_a_viewer_cannot_add_members(world, client_for):
    c = client_for(world.viewer_a)
    assert c.get(f"/app/members/nodes/{world.chapter_a.pk}/new/").status_code == 404
    assert "Thêm hội viên" not in c.get(_list_url(world.chapter_a)).content.decode()


def _form(**kw):
    data = {"full_name": "Nguyễn Văn An", "kind": "individual", "gender": "male", "birth_year": "1960", "joined_on": "2020-05-01", "ethnicity": "01", "citizen_id": "", "phone": "", "address": "Tổ 1"}
    data.update(kw)
    return data


def test_adding_a_member_at_a_chapter_then_a_probable_duplicate_asks_for_confirmation(world, client_for):
    c = client_for(world.admin_a)
    url = f"/app/members/nodes/{world.chapter_a.pk}/new/"
    r = c.post(url, _form(node=world.chapter_a.pk))
    assert r.status_code == 302
    first = Member.objects.get()
    r = c.post(url, _form(node=world.chapter_a.pk, full_name="nguyen van an"))
    html = r.content.decode()
    assert r.status_code == 200 and "đã có trong chi hội này" in html
    assert 'name="confirm_not_duplicate"' in html and f"/app/members/{first.pk}/" in html
    r = c.post(url, _form(node=world.chapter_a.pk, full_name="nguyen van an", confirm_not_duplicate="on"))
    assert r.status_code == 302 and Member.objects.count() == 2


def test_a_duplicate_cccd_is_refused_next_to_the_field(world, client_for):
    add_member(world.chapter_a, "Lê Thị Hoa", citizen_id="006170001234")
    c = client_for(world.admin_a)
    r = c.post(f"/app/members/nodes/{world.commune_a.pk}/new/", _form(node=world.chapter_a.pk, citizen_id="006170001234"))
    html = r.content.decode()
    assert "Số CCCD này đã đăng ký cho Lê Thị Hoa" in html
    assert "Nguyễn Văn An" in html  # what was typed is kept
    assert Member.objects.count() == 1


def test_leave_transfer_rejoin_and_dues_through_the_pages(world, client_for):
    other = add_chapter(world.commune_a, "TP-A-02")
    m = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 1, 1))
    c = client_for(world.admin_a)
    assert c.post(f"/app/members/{m.pk}/transfer/", {"to_node": other.pk, "on": "2022-03-01", "note": ""}).status_code == 302
    assert c.post(f"/app/members/{m.pk}/dues/", {"year": 2022, "amount": 12000, "paid_on": "2022-03-02", "receipt_ref": "PT1"}).status_code == 302
    assert c.post(f"/app/members/{m.pk}/leave/", {"on": "2022-06-01", "reason": "Chuyển nơi ở"}).status_code == 302
    assert c.post(f"/app/members/{m.pk}/rejoin/", {"on": "2023-01-01"}).status_code == 302
    m.refresh_from_db()
    assert (m.node, m.status) == (other, MemberStatus.ACTIVE)
    html = c.get(f"/app/members/{m.pk}/").content.decode()
    assert "Chuyển sinh hoạt" in html and "12.000 đ" in html and "Vào hội lại" in html
    d = Dues.objects.get()
    assert c.post(f"/app/members/dues/{d.pk}/cancel/").status_code == 302
    assert not Dues.objects.exists()


def test_a_bad_leave_date_is_shown_next_to_the_field(world, client_for):
    m = add_member(world.chapter_a, "Hà Văn Bình", joined_on=dt.date(2015, 1, 1))
    r = client_for(world.admin_a).post(f"/app/members/{m.pk}/leave/", {"on": "2010-01-01", "reason": ""})
    assert r.status_code == 200 and "trước ngày hội viên vào chi hội" in r.content.decode()


def test_dues_for_the_ticked_unpaid_members(world, client_for):
    a = add_member(world.chapter_a, "Hà Văn Bình")
    b = add_member(world.chapter_a, "Lê Thị Hoa")
    c = client_for(world.admin_a)
    html = c.get(_list_url(world.commune_a, year=2022, paid="0")).content.decode()
    assert 'name="members"' in html
    r = c.post(f"/app/members/nodes/{world.commune_a.pk}/dues/", {"year": 2022, "amount": 12000, "paid_on": "2022-05-01", "members": [a.pk, b.pk]})
    assert r.status_code == 302
    assert Dues.objects.filter(year=2022).count() == 2
    assert "Không có hội viên nào" in c.get(_list_url(world.commune_a, year=2022, paid="0")).content.decode()


def test_merging_two_records_through_the_pages(world, client_for):
    keep = add_member(world.chapter_a, "Nguyễn Văn An", birth_year=1960)
    dup = add_member(world.chapter_a, "Nguyen Van An", birth_year=1960, confirm_not_duplicate=True)
    c = client_for(world.admin_a)
    dups = c.get(f"/app/members/nodes/{world.commune_a.pk}/duplicates/").content.decode()
    assert f"/app/members/{keep.pk}/merge/?duplicate={dup.pk}" in dups
    assert "Gộp" in c.get(f"/app/members/{keep.pk}/merge/?duplicate={dup.pk}").content.decode()
    assert c.post(f"/app/members/{keep.pk}/merge/", {"duplicate": dup.pk, "confirm": "1"}).status_code == 302
    dup.refresh_from_db()
    assert dup.status == MemberStatus.MERGED
    assert "Nguyen Van An" not in c.get(_list_url(world.commune_a)).content.decode()


def test_the_figures_page_counts_by_chapter_gender_ethnicity_and_age(world, client_for):
    add_member(world.chapter_a, "Hà Văn Bình", gender="male", ethnicity="02", birth_year=1950)
    add_member(world.chapter_a, "Lê Thị Hoa", gender="female", ethnicity="01", birth_year=1990)
    html = client_for(world.viewer_a).get(f"/app/members/nodes/{world.commune_a.pk}/stats/?year=2022").content.decode()
    assert 'id="stat-total">2<' in html
    assert "Tày" in html and "Kinh" in html and "70–79" in html and world.chapter_a.name in html


def _sheet(response) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in wb.worksheets[0].iter_rows(values_only=True)]


def test_export_uses_the_template_columns_masks_for_a_viewer_and_is_audited(world, client_for):
    add_member(world.chapter_a, "Hà Văn Bình", citizen_id="006170001234", phone="0912345678")
    admin = client_for(world.admin_a).get(f"/app/members/nodes/{world.commune_a.pk}/export/")
    rows = _sheet(admin)
    assert rows[0][:4] == ("STT", "Mã chi hội", "Mã hội viên", "Họ và tên")
    assert "006170001234" in rows[1]
    assert AuditEvent.objects.filter(action="members.exported_personal", actor=world.admin_a).exists()
    viewer_rows = _sheet(client_for(world.viewer_a).get(f"/app/members/nodes/{world.commune_a.pk}/export/"))
    assert "006170001234" not in viewer_rows[1] and "••••••••1234" in viewer_rows[1]
    assert AuditEvent.objects.filter(action="members.exported", actor=world.viewer_a).exists()


def test_a_filtered_export_holds_only_the_filtered_members(world, client_for):
    add_member(world.chapter_a, "Hà Văn Bình")
    add_member(world.chapter_a, "Lê Thị Hoa")
    rows = _sheet(client_for(world.admin_a).get(f"/app/members/nodes/{world.commune_a.pk}/export/?q=hoa"))
    assert [r[3] for r in rows[1:]] == ["Lê Thị Hoa"]


def test_a_large_export_runs_in_the_background(world, client_for, monkeypatch, django_capture_on_commit_callbacks):
    from khuyenhoc.core.models import Job
    from khuyenhoc.members import exports

    monkeypatch.setattr(exports, "INLINE_EXPORT_ROWS", 1)
    add_member(world.chapter_a, "Hà Văn Bình")
    add_member(world.chapter_a, "Lê Thị Hoa")
    c = client_for(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.get(f"/app/members/nodes/{world.commune_a.pk}/export/")
    job = Job.objects.get(kind="members.export")
    assert r.status_code == 302 and r["Location"] == f"/app/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done" and job.result_name.endswith(".xlsx")


def test_the_api_lists_searches_and_masks_like_the_pages(world, client_for):
    m = add_member(world.chapter_a, "Nguyễn Văn Ẩn", citizen_id="006170001234")
    add_member(world.chapter_a, "Trần Văn Bình")
    data = client_for(world.viewer_a).get(f"/api/members/nodes/{world.commune_a.pk}/members?q=nguyen van an").json()
    assert data["count"] == 1 and data["items"][0]["citizen_id"] == "••••••••1234"
    assert client_for(world.admin_a).get(f"/api/members/{m.pk}").json()["citizen_id"] == "006170001234"
    assert client_for(world.admin_b).get(f"/api/members/{m.pk}").status_code == 404


def test_a_chapter_head_sees_personal_data_of_their_chapter_only(world, client_for):
    head = make_user("chihoi_a", node=world.chapter_a, role=Role.CHAPTER_HEAD)
    other = add_chapter(world.commune_a, "TP-A-02")
    mine = add_member(world.chapter_a, "Hà Văn Bình", citizen_id="006170001234")
    theirs = add_member(other, "Lê Thị Hoa", citizen_id="006170005678")
    c = client_for(head)
    assert "006170001234" in c.get(f"/app/members/{mine.pk}/").content.decode()
    assert c.get(f"/app/members/{theirs.pk}/").status_code == 404
    assert services.mask(theirs.citizen_id) == "••••••••5678"
