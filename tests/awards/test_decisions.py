"""Decisions: issued once per number, printed as DOCX and PDF in the Decree 30 layout."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.awards import services
from khuyenhoc.awards.documents import decision as decision_doc
from khuyenhoc.awards.models import Award, Decision, NominationStatus

from .conftest import approved
from .factories import issue


@pytest.fixture
def decision(aw):
    approved(aw, name="Nguyễn Thị Mai")
    approved(aw, name="Lò Văn Páo", birth_year=2009)
    return issue(aw.council, aw.world.city, [aw.programme], number=7, signer_name="Lục Văn Tâm")


def test_issuing_turns_approved_nominations_into_awards_with_unguessable_codes(aw, decision):
    assert decision.code == "07/QĐ-HKH" and decision.total == 1_000_000
    awards = list(decision.awards.order_by("line"))
    assert [a.nominee_name for a in awards] == ["Nguyễn Thị Mai", "Lò Văn Páo"]  # Vietnamese order: by given name
    assert {a.public_name for a in awards} == {"N. T. Mai", "L. V. Páo"}
    assert [a.register_number for a in awards] == [1, 2] and awards[0].register_code == "01/GK-HKH"
    assert len({a.code for a in awards}) == 2 and all(len(a.code) >= 16 for a in awards)
    assert all(a.nomination.status == NominationStatus.AWARDED for a in awards)
    assert awards[0].details == "Lớp 7A, Trường THCS Đức Xuân"


def test_a_decision_number_is_used_once_a_year(aw, decision):
    approved(aw, name="Hà Thị Lan")
    before = Decision.objects.count(), Award.objects.count()
    with pytest.raises(ValidationError) as exc:
        issue(aw.council, aw.world.city, [aw.programme], number=7, date=dt.date(2022, 12, 31))
    assert "07/QĐ-HKH" in str(exc.value) and "30/12/2022" in str(exc.value)
    assert (Decision.objects.count(), Award.objects.count()) == before
    # The next year starts again at 1; a new number of 2022 is fine.
    assert issue(aw.council, aw.world.city, [aw.programme], number=8).awards.count() == 1


def test_nothing_to_decide_or_no_right_to_decide_is_refused(aw, decision):
    with pytest.raises(ValidationError, match="No approved"):
        issue(aw.council, aw.world.city, [aw.programme], number=9)
    approved(aw, name="Hà Thị Lan")
    with pytest.raises(ValidationError):
        issue(aw.secretary_a, aw.world.city, [aw.programme], number=9)
    with pytest.raises(ValidationError):
        issue(aw.council, aw.world.city, [aw.programme], number=9, date=dt.date(2099, 1, 1))


def test_the_decision_as_word_reads_like_an_administrative_document(decision):
    from docx import Document

    doc = Document(io.BytesIO(decision_doc.render_docx(decision)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Số: 07/QĐ-HKH" in cells
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
    assert "Thử, ngày 30 tháng 12 năm 2022" in cells
    assert "HỘI KHUYẾN HỌC THÀNH PHỐ THỬ" in cells and "HỘI KHUYẾN HỌC TỈNH THỬ" in cells
    assert "Về việc khen thưởng học sinh nghèo vượt khó năm 2022" in text
    assert "Căn cứ Điều lệ Hội Khuyến học Việt Nam;" in text
    assert "Tặng Giấy khen cho 02 học sinh, sinh viên" in text and "1.000.000 đ (Một triệu đồng)" in text
    assert "Nguyễn Thị Mai" in cells and "Lò Văn Páo" in cells and "1.000.000" in cells
    assert "TM. BAN THƯỜNG VỤ" in cells and "Lục Văn Tâm" in cells
    assert "{{" not in text + cells and "{%" not in text + cells
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 30
    assert doc.styles["Normal"].font.name == "Times New Roman"


def test_the_decision_as_pdf_has_the_same_content(decision):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(decision_doc.render_pdf(decision)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Số: 07/QĐ-HKH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Thử, ngày 30 tháng 12 năm 2022",
                     "QUYẾT ĐỊNH", "DANH SÁCH KHEN THƯỞNG", "Nguyễn Thị Mai", "Lục Văn Tâm", "Một triệu đồng"):
        assert expected in text, expected
    assert round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == 210


def _docx_with(*paragraphs: str) -> bytes:
    from docx import Document

    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_an_association_template_with_an_unknown_placeholder_is_refused_naming_it(aw):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.decision_template_upload(actor=aw.council, node=aw.world.city, upload=_docx_with("Số: {{ number }}", "{{ ngay_ky }} {{ chu_tich }}"), name="mau.docx")
    assert "{{ chu_tich }}, {{ ngay_ky }}" in str(exc.value)
    with pytest.raises(ValidationError):
        services.decision_template_upload(actor=aw.council, node=aw.world.city, upload=_docx_with("{% for a in awards %}"), name="mau.docx")
    with pytest.raises(ValidationError):
        services.decision_template_upload(actor=aw.council, node=aw.world.city, upload=b"%PDF-1.4 not word", name="mau.docx")


def test_an_association_template_is_used_for_its_decisions(aw, decision):
    from docx import Document

    services.decision_template_upload(
        actor=aw.council, node=aw.world.city, name="mau-rieng.docx",
        upload=_docx_with("QUYẾT ĐỊNH SỐ {{ number }} — {{ summary }}", "Tổng: {{ total }} đồng ({{ total_words }})"),
    )
    doc = Document(io.BytesIO(decision_doc.render_docx(decision)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "QUYẾT ĐỊNH SỐ 07/QĐ-HKH — 02 học sinh, sinh viên" in text and "Tổng: 1.000.000 đồng (Một triệu đồng)" in text


def test_the_summary_counts_like_the_seed_article():
    kinds = ["collective"] * 19 + ["individual"] * 18 + ["clan"] * 4 + ["family"] * 18
    assert decision_doc.summary(kinds) == "19 tập thể, 18 cá nhân, 04 dòng họ học tập và 18 gia đình học tập"


def test_the_default_template_uses_only_known_placeholders():
    names = decision_doc.check_docx_template(decision_doc.DEFAULT_TEMPLATE.read_bytes())
    assert {"number", "place_date", "awards", "signer_name"} <= names
