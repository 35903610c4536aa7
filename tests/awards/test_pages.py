"""The awards pages through Django's test client: forms, messages, scopes, Vietnamese."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from khuyenhoc.awards.models import Decision, Evidence, Nomination, Programme

from .conftest import approved, to_council
from .factories import PNG, issue, student_programme


def _open_programme(aw):
    today = timezone.localdate()
    return student_programme(aw.world.admin_city, aw.world.city, name="Học bổng năm nay", year=today.year,
                             deadline=today + dt.timedelta(days=30), min_age=None, max_age=None)


def test_the_awards_tab_shows_programmes_waiting_nominations_and_decisions(aw, client_for):
    to_council(aw)
    html = client_for(aw.council).get(f"/app/awards/nodes/{aw.world.city.pk}/").content.decode()
    assert 'lang="vi"' in html and "Khen thưởng học sinh nghèo vượt khó" in html and "Chờ xét ở đây" in html
    assert "Học sinh nghèo vượt khó" in html  # the ready examples to start from
    html = client_for(aw.head_a).get(f"/app/awards/nodes/{aw.world.chapter_a.pk}/").content.decode()
    assert "Chương trình đang nhận hồ sơ của hội cấp trên" in html


def test_a_programme_is_made_from_a_ready_example(aw, client_for):
    c = client_for(aw.world.admin_city)
    form = c.get(f"/app/awards/nodes/{aw.world.city.pk}/programmes/new/?preset=excellent_teachers").content.decode()
    assert "Khen thưởng giáo viên dạy giỏi" in form and "Chất lượng giảng dạy | 50" in form
    resp = c.post(f"/app/awards/nodes/{aw.world.city.pk}/programmes/new/?preset=excellent_teachers", {
        "year": 2023, "name": "Khen thưởng giáo viên dạy giỏi", "nominee_kinds": ["teacher"], "amount": "500.000", "budget": "5.000.000",
        "deadline": "2023-11-30", "rubric": "Chất lượng giảng dạy | 50\nThành tích học sinh | 50", "pass_score": 70,
    })
    assert resp.status_code == 302
    p = Programme.objects.get(year=2023)
    assert (p.preset, p.amount, p.budget, p.rubric_max) == ("excellent_teachers", 500_000, 5_000_000, 100)


def test_a_bad_programme_form_names_the_fields_and_keeps_what_was_typed(aw, client_for):
    c = client_for(aw.world.admin_city)
    before = Programme.objects.count()
    html = c.post(f"/app/awards/nodes/{aw.world.city.pk}/programmes/new/", {
        "year": 2023, "name": "Học bổng Vừ A Dính", "amount": "1,000", "budget": "2.000.000", "deadline": "2023-11-30",
        "rubric": "Điểm thi mười", "pass_score": 70,
    }).content.decode()
    assert Programme.objects.count() == before
    assert "Học bổng Vừ A Dính" in html and "không rõ ràng" in html and "Dòng 1" in html


def test_a_nomination_with_a_file_that_is_not_what_it_says_saves_nothing(aw, client_for):
    programme = _open_programme(aw)
    c = client_for(aw.head_a)
    data = {"node": aw.world.chapter_a.pk, "nominee_kind": "student", "nominee_name": "Nguyễn Thị Mai", "achievement": "Học sinh giỏi",
            "poor_household": "on", "evidence": SimpleUploadedFile("so-ho-ngheo.pdf", b"MZ\x90\x00 an exe renamed")}
    html = c.post(f"/app/awards/programmes/{programme.pk}/nominate/", data).content.decode()
    assert "so-ho-ngheo.pdf" in html and "không phải tệp PDF" in html
    assert "Nguyễn Thị Mai" in html  # what was typed is kept
    assert not Nomination.objects.exists() and not Evidence.objects.exists()
    data["evidence"] = SimpleUploadedFile("hoc-ba.png", PNG)
    resp = c.post(f"/app/awards/programmes/{programme.pk}/nominate/", data)
    assert resp.status_code == 302
    n = Nomination.objects.get()
    assert n.evidence.count() == 1 and n.at_node_id == aw.world.commune_a.pk


def test_a_chapter_head_only_sees_the_units_they_may_nominate_for(aw, client_for):
    programme = _open_programme(aw)
    html = client_for(aw.head_a).get(f"/app/awards/programmes/{programme.pk}/nominate/").content.decode()
    assert "Chi hội tổ Anh Đào" in html and "Bằng Lăng" not in html and "phường Bến Đò" not in html


def test_the_commune_forwards_and_returns_from_the_nomination_page(aw, client_for):
    from .factories import nominate

    n = nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)
    c = client_for(aw.secretary_a)
    page = c.get(f"/app/awards/nominations/{n.pk}/").content.decode()
    assert "Chuyển lên Hội Khuyến học thành phố Thử" in page and "Trả lại" in page
    resp = c.post(f"/app/awards/nominations/{n.pk}/return/", {"reason": ""}, follow=True)
    assert "Ghi rõ lý do trả lại" in resp.content.decode()
    c.post(f"/app/awards/nominations/{n.pk}/forward/")
    n.refresh_from_db()
    assert n.at_node_id == aw.world.city.pk
    history = client_for(aw.head_a).get(f"/app/awards/nominations/{n.pk}/").content.decode()
    assert "Thuky_A" in history and "Chuyển lên" in history


def test_a_viewer_sees_a_pupil_by_initials_and_no_personal_data(aw, client_for):
    n = to_council(aw, address="Số 5, tổ Anh Đào")
    html = client_for(aw.viewer_a).get(f"/app/awards/nominations/{n.pk}/").content.decode()
    assert "N. T. Mai" in html and "Nguyễn Thị Mai" not in html and "Số 5, tổ Anh Đào" not in html
    html = client_for(aw.secretary_a).get(f"/app/awards/nominations/{n.pk}/").content.decode()
    assert "Nguyễn Thị Mai" in html and "Số 5, tổ Anh Đào" in html


def test_the_council_scores_from_the_page_and_bad_points_are_explained(aw, client_for):
    n = to_council(aw)
    c = client_for(aw.council)
    resp = c.post(f"/app/awards/nominations/{n.pk}/score/", {"score_results": 99, "score_hardship": 10}, follow=True)
    assert "Kết quả học tập" in resp.content.decode()
    n.refresh_from_db()
    assert n.score is None
    c.post(f"/app/awards/nominations/{n.pk}/score/", {"score_results": 50, "score_hardship": 30})
    c.post(f"/app/awards/nominations/{n.pk}/approve/")
    n.refresh_from_db()
    assert (n.score, n.status) == (80, "approved")


def test_the_ranking_page_lists_in_rank_order_in_a_fixed_number_of_queries(aw, client_for):
    from khuyenhoc.awards import services

    for i, name in enumerate(["An", "Bình", "Chi"]):
        n = to_council(aw, name=f"Hoàng Văn {name}")
        services.nomination_score(actor=aw.council, nomination=n, scores={"results": 50 + i, "hardship": 30})
    c = client_for(aw.council)
    url = f"/app/awards/programmes/{aw.programme.pk}/ranking/"
    with CaptureQueriesContext(connection) as few:
        html = c.get(url).content.decode()
    assert html.index("Hoàng Văn Chi") < html.index("Hoàng Văn Bình") < html.index("Hoàng Văn An")
    for name in ["Dũng", "Em", "Giang", "Hải"]:
        to_council(aw, name=f"Hoàng Văn {name}")
    with CaptureQueriesContext(connection) as more:
        c.get(url)
    assert len(more) == len(few)
    assert client_for(aw.secretary_a).get(url).status_code == 404


def test_a_decision_number_used_before_is_refused_on_the_form(aw, client_for):
    approved(aw)
    issue(aw.council, aw.world.city, [aw.programme], number=4)
    approved(aw, name="Lò Văn Páo")
    c = client_for(aw.council)
    form = c.get(f"/app/awards/nodes/{aw.world.city.pk}/decisions/new/").content.decode()
    assert 'value="5"' in form and "Về việc khen thưởng học sinh nghèo vượt khó năm 2022" in form
    data = {"programmes": [aw.programme.pk], "number": 4, "symbol": "QĐ-HKH", "date": "2022-12-30", "place": "Thử",
            "title": "Về việc khen thưởng", "issuer_name": "HỘI KHUYẾN HỌC THÀNH PHỐ THỬ", "issuing_body": "BAN THƯỜNG VỤ",
            "signer_title": "CHỦ TỊCH", "signer_name": "Hoàng Văn Ánh"}
    html = c.post(f"/app/awards/nodes/{aw.world.city.pk}/decisions/new/", data).content.decode()
    assert "04/QĐ-HKH" in html and "đã ban hành" in html
    assert Decision.objects.count() == 1
    data["number"] = 5
    assert c.post(f"/app/awards/nodes/{aw.world.city.pk}/decisions/new/", data).status_code == 302


def test_an_uploaded_decision_template_with_an_unknown_placeholder_is_named_on_the_page(aw, client_for):
    from docx import Document

    doc = Document()
    doc.add_paragraph("Số: {{ number }} — {{ so_quyet_dinh }}")
    out = io.BytesIO()
    doc.save(out)
    c = client_for(aw.council)
    html = c.post(f"/app/awards/nodes/{aw.world.city.pk}/decision-template/",
                  {"file": SimpleUploadedFile("mau.docx", out.getvalue())}).content.decode()
    assert "so_quyet_dinh" in html and "không có trong hệ thống" in html


def test_decision_documents_download_as_word_and_pdf(aw, client_for):
    approved(aw)
    decision = issue(aw.council, aw.world.city, [aw.programme], number=4)
    c = client_for(aw.council)
    docx = c.get(f"/app/awards/decisions/{decision.pk}/docx/")
    assert docx.status_code == 200 and docx.content.startswith(b"PK") and "quyet-dinh-04-qd-hkh-2022.docx" in docx["Content-Disposition"]
    pdf = c.get(f"/app/awards/decisions/{decision.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    # Pupils are named in full in the list: a viewer may open the decision, not print it.
    v = client_for(aw.viewer_a)
    assert v.get(f"/app/awards/decisions/{decision.pk}/docx/").status_code == 404  # the city's decision is outside A


def test_the_certificate_template_page_refuses_a_logo_that_is_not_an_image(aw, client_for):
    from khuyenhoc.awards.models import CertificateTemplate

    c = client_for(aw.council)
    url = f"/app/awards/nodes/{aw.world.city.pk}/certificate-template/"
    form = c.get(url).content.decode()
    assert "BAN THƯỜNG VỤ HỘI KHUYẾN HỌC THÀNH PHỐ THỬ" in form  # defaults taken from the tree
    data = {"issuer_parent": "HỘI KHUYẾN HỌC TỈNH THỬ", "issuer_name": "HỘI KHUYẾN HỌC THÀNH PHỐ THỬ", "title": "GIẤY KHEN",
            "conferring_body": "BAN THƯỜNG VỤ HỘI KHUYẾN HỌC THÀNH PHỐ THỬ", "signer_title": "CHỦ TỊCH", "signer_name": "Đỗ Thị Thanh",
            "logo": SimpleUploadedFile("logo.png", b"GIF89a not a png")}
    html = c.post(url, data).content.decode()
    assert "logo.png" in html and "không phải tệp PNG" in html and not CertificateTemplate.objects.exists()
    data["logo"] = SimpleUploadedFile("logo.png", PNG)
    assert c.post(url, data).status_code == 302
    assert CertificateTemplate.objects.get().logo.name.startswith("private/awards/templates/")


def test_searching_finds_names_without_accents_but_never_a_hidden_full_name(aw, client_for):
    to_council(aw)
    url = f"/app/awards/programmes/{aw.programme.pk}/"
    assert "Nguyễn Thị Mai" in client_for(aw.secretary_a).get(url, {"q": "nguyen thi"}).content.decode()
    viewer = client_for(aw.viewer_a)
    assert "N. T. Mai" not in viewer.get(url, {"q": "nguyen thi"}).content.decode()
    assert "N. T. Mai" in viewer.get(url, {"q": "mai"}).content.decode()
