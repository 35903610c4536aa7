"""Evidence files: only real images and PDFs under the size limit, stored privately."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from khuyenhoc.awards import services
from khuyenhoc.awards.models import Evidence
from khuyenhoc.awards.uploads import MAX_EVIDENCE_BYTES
from khuyenhoc.core.models import AuditEvent

from .factories import JPEG, PDF, PNG, nominate


@pytest.fixture
def nomination(aw):
    return nominate(aw.head_a, aw.programme, aw.world.chapter_a, poor_household=True)


@pytest.mark.parametrize(("name", "content", "kind"), [("hoc-ba.png", PNG, "image/png"), ("Ảnh học bạ.JPG", JPEG, "image/jpeg"),
                                                        ("giay-xac-nhan.jpeg", JPEG, "image/jpeg"), ("so-ho-ngheo.pdf", PDF, "application/pdf")])
def test_images_and_pdfs_are_kept_under_a_random_private_name(aw, nomination, name, content, kind, settings):
    e = services.evidence_add(actor=aw.head_a, nomination=nomination, upload=SimpleUploadedFile(name, content))
    assert (e.original_name, e.content_type, e.size) == (name, kind, len(content))
    assert e.file.name.startswith("private/awards/evidence/") and name.rsplit(".", 1)[0] not in e.file.name
    assert e.file.read() == content
    assert nomination.steps.filter(action="evidence", note=name).exists()


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("virus.exe", b"MZ\x90\x00", "only JPG, PNG, PDF"),
        ("ho-ngheo.docx", b"PK\x03\x04", "only JPG, PNG, PDF"),
        ("so-ho-ngheo.pdf", b"PK\x03\x04 word file renamed", "not a PDF file"),
        ("hoc-ba.jpg", PNG, "not a JPG file"),
        ("hoc-ba.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG file"),
        ("trong.pdf", b"", "is empty"),
        ("qua-lon.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES, "larger than the limit of 5 MB"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_saved(aw, nomination, name, content, text):
    from django.utils import translation

    before = (Evidence.objects.count(), AuditEvent.objects.count())
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=aw.head_a, nomination=nomination, upload=SimpleUploadedFile(name, content))
    assert text in str(exc.value)
    assert (Evidence.objects.count(), AuditEvent.objects.count()) == before


def test_only_people_at_the_nomination_can_attach_evidence(aw, nomination):
    with pytest.raises(ValidationError):
        services.evidence_add(actor=aw.viewer_a, nomination=nomination, upload=PNG, name="a.png")
    with pytest.raises(ValidationError):
        services.evidence_add(actor=aw.world.admin_b, nomination=nomination, upload=PNG, name="a.png")


def test_evidence_is_served_only_to_people_who_may_see_personal_data(aw, nomination, client_for):
    e = services.evidence_add(actor=aw.head_a, nomination=nomination, upload=PNG, name="hoc-ba.png")
    url = f"/app/awards/evidence/{e.pk}/"
    resp = client_for(aw.secretary_a).get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png" and b"".join(resp.streaming_content) == PNG
    assert "no-store" in resp["Cache-Control"]
    assert client_for(aw.viewer_a).get(url).status_code == 404
    assert client_for(aw.world.admin_b).get(url).status_code == 404
    assert client_for(aw.council).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="awards.evidence.viewed").count() == 2
