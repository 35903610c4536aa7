"""Certificates as PDF with a QR code, and the public page that confirms them."""

import io
import re

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.awards import services
from khuyenhoc.awards.documents.certificates import public_url, render_certificates
from khuyenhoc.awards.jobs import certificates_job_start
from khuyenhoc.core.jobs import run_job
from khuyenhoc.core.models import AuditEvent, Job

from .conftest import approved
from .factories import PNG, issue

BASE = "https://khuyenhoc.example.vn"


@pytest.fixture
def decision(aw):
    approved(aw, name="Nguyễn Thị Mai")
    approved(aw, name="Lò Văn Páo")
    return issue(aw.council, aw.world.city, [aw.programme], number=12, signer_name="Lục Văn Tâm")


def _text(pdf: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_a_certificate_is_one_landscape_a4_page_with_its_qr_code(decision):
    from pypdf import PdfReader

    award = decision.awards.get(nominee_name="Nguyễn Thị Mai")
    pdf = render_certificates([award], base_url=BASE)
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert len(reader.pages) == 1
    assert (round(float(page.mediabox.width) / 72 * 25.4), round(float(page.mediabox.height) / 72 * 25.4)) == (297, 210)
    text = page.extract_text()
    for expected in ("GIẤY KHEN", "Nguyễn Thị Mai", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Quyết định số 12/QĐ-HKH",
                     "Thử, ngày 30 tháng 12 năm 2022", "Lục Văn Tâm", "vượt khó vươn lên", award.code):
        assert expected in text, expected
    assert len(page.images) >= 1  # the QR code


def test_the_qr_code_points_to_the_public_check_page():
    import segno

    url = public_url(BASE, "abc_DEF-123")
    assert url == BASE + "/p/awards/c/abc_DEF-123/"
    assert segno.make(url, error="m").designator.endswith("M")


def test_all_certificates_of_a_decision_come_in_one_file_with_progress(aw, decision, settings):
    job = certificates_job_start(actor=aw.council, decision=decision, base_url=BASE)
    job = run_job(job.pk)
    assert job.status == "done", job.error
    assert (job.done, job.total) == (2, 2)
    pages, text = _text(job.result_file.read())
    assert pages == 2 and "Nguyễn Thị Mai" in text and "Lò Văn Páo" in text
    assert job.result_name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="awards.certificates.printed").exists()


def test_chunks_are_joined_in_order(decision):
    awards = list(decision.awards.order_by("line"))
    pdf = render_certificates(awards * 3, base_url=BASE, chunk=2)
    pages, text = _text(pdf)
    assert pages == 6


def test_the_public_page_confirms_a_certificate_naming_a_pupil_by_initials_only(decision, client):
    award = decision.awards.get(nominee_name="Nguyễn Thị Mai")
    resp = client.get(f"/p/awards/c/{award.code}/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "N. T. Mai" in html and "Nguyễn Thị Mai" not in html
    assert "12/QĐ-HKH" in html and "30/12/2022" in html and "Khen thưởng học sinh nghèo vượt khó" in html
    assert "Trường THCS" not in html and "Lớp 7A" not in html  # no school or class for a pupil either
    assert resp["X-Robots-Tag"].startswith("noindex")


def test_unknown_and_forged_codes_get_the_same_not_found_page(decision, client):
    award = decision.awards.first()
    forged = award.code[:-1] + ("A" if award.code[-1] != "A" else "B")
    bodies = set()
    for code in (forged, "khong-co", "x" * 200, "' OR 1=1 --"):
        resp = client.get(f"/p/awards/c/{code}/")
        assert resp.status_code == 404
        # Only the page's own address and the per-response CSRF mask may differ.
        body = re.sub(r'<input name="next"[^>]*>', "", resp.content.decode())
        bodies.add(re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", body))
    assert len(bodies) == 1
    body = bodies.pop()
    assert "N. T. Mai" not in body and "12/QĐ-HKH" not in body


def test_the_check_form_leads_to_the_page(decision, client):
    award = decision.awards.first()
    resp = client.get("/p/awards/check/", {"code": f" {BASE}/p/awards/c/{award.code}/ "})
    assert resp.status_code == 302 and resp["Location"] == f"/p/awards/c/{award.code}/"


def test_a_revoked_certificate_says_so_on_its_page(aw, decision, client):
    award = decision.awards.first()
    with pytest.raises(ValidationError):
        services.award_revoke(actor=aw.council, award=award, reason="")
    with pytest.raises(ValidationError):
        services.award_revoke(actor=aw.secretary_a, award=award, reason="Khai sai")
    services.award_revoke(actor=aw.council, award=award, reason="Hồ sơ khai sai")
    html = client.get(f"/p/awards/c/{award.code}/").content.decode()
    assert 'role="alert"' in html and "badge ok" not in html
    # A revoked certificate is left out of the printing of the whole decision.
    job = run_job(certificates_job_start(actor=aw.council, decision=decision, base_url=BASE).pk)
    assert _text(job.result_file.read())[0] == 1


def test_the_association_template_puts_its_names_logo_and_seal_on_the_certificate(aw, decision):
    from pypdf import PdfReader

    services.certificate_template_save(
        actor=aw.council, node=aw.world.city, issuer_parent="HỘI KHUYẾN HỌC TỈNH THỬ", issuer_name="HỘI KHUYẾN HỌC THÀNH PHỐ THỬ",
        title="GIẤY KHEN", conferring_body="BAN THƯỜNG VỤ HỘI KHUYẾN HỌC THÀNH PHỐ THỬ", signer_title="TM. BAN THƯỜNG VỤ\nPHÓ CHỦ TỊCH",
        signer_name="Đỗ Thị Thanh", logo=_named(PNG, "logo.png"), seal=_named(PNG, "con-dau.png"),
    )
    page = PdfReader(io.BytesIO(render_certificates([decision.awards.first()], base_url=BASE))).pages[0]
    assert "Đỗ Thị Thanh" in page.extract_text() and "PHÓ CHỦ TỊCH" in page.extract_text()
    assert len(page.images) >= 3
    with pytest.raises(ValidationError, match="PNG"):
        services.certificate_template_save(actor=aw.council, node=aw.world.city, issuer_name="X", conferring_body="X",
                                           signer_title="X", signer_name="X", logo=_named(b"%PDF-1.4", "logo.pdf"))


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_printing_needs_the_right_to_see_personal_data(aw, decision, client_for):
    award = decision.awards.first()
    assert client_for(aw.council).get(f"/app/awards/awards/{award.pk}/certificate/").status_code == 200
    assert client_for(aw.world.admin_b).get(f"/app/awards/awards/{award.pk}/certificate/").status_code == 404
    # The viewer of commune A sees the award of its chapter but may not print a pupil's certificate.
    resp = client_for(aw.viewer_a).get(f"/app/awards/awards/{award.pk}/certificate/")
    assert resp.status_code == 302
    assert not Job.objects.exists()
