"""A decision on awards as Word (docxtpl) and PDF (WeasyPrint), in the Decree 30/2020 layout."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from khuyenhoc.core.dates import admin_date_line, format_date
from khuyenhoc.core.money import amount_in_words, format_number, format_vnd

DEFAULT_TEMPLATE = Path(__file__).with_name("quyet_dinh_khen_thuong.docx")

KIND_WORDS = {
    "collective": "tập thể",
    "individual": "cá nhân",
    "teacher": "giáo viên",
    "student": "học sinh, sinh viên",
    "clan": "dòng họ học tập",
    "family": "gia đình học tập",
    "community": "cộng đồng học tập",
    "unit": "đơn vị học tập",
}
KIND_ORDER = list(KIND_WORDS)

# Every name a decision template may use, with what it holds (shown on the upload page).
PLACEHOLDERS = {
    "issuer_parent": "Cơ quan, tổ chức chủ quản (dòng trên, bên trái)",
    "issuer_name": "Tên hội ban hành (in đậm)",
    "number": "Số, ký hiệu, ví dụ 12/QĐ-HKH",
    "place_date": "Địa danh, ngày tháng năm, ví dụ Bắc Kạn, ngày 30 tháng 12 năm 2022",
    "decision_date": "Ngày quyết định dạng 30/12/2022",
    "year": "Năm của quyết định",
    "subject": "Trích yếu: Về việc khen thưởng …",
    "issuing_body": "Thẩm quyền quyết định, ví dụ BAN THƯỜNG VỤ HỘI KHUYẾN HỌC …",
    "issuing_body_title": "Thẩm quyền quyết định, chữ thường",
    "legal_bases": "Danh sách các căn cứ (mỗi dòng một căn cứ)",
    "article1": "Nội dung Điều 1 (danh sách và số tiền)",
    "article2": "Nội dung Điều 2 (nguồn kinh phí)",
    "article3": "Nội dung Điều 3 (trách nhiệm thi hành)",
    "summary": "Tóm tắt: 19 tập thể, 18 cá nhân…",
    "count": "Số khen thưởng",
    "awards": "Danh sách khen thưởng; mỗi dòng a có a.no, a.name, a.kind, a.details, a.programme, a.reason, a.amount, a.gift",
    "programmes": "Tên các chương trình khen thưởng",
    "total": "Tổng số tiền, ví dụ 66.150.000",
    "total_words": "Tổng số tiền bằng chữ",
    "recipients": "Danh sách nơi nhận",
    "signer_title": "Chức vụ người ký (có thể hai dòng)",
    "signer_name": "Họ tên người ký",
}


def summary(kinds: list[str]) -> str:
    """"19 tập thể, 18 cá nhân, 04 dòng họ học tập và 18 gia đình học tập" (Decree 30 pads below 10)."""
    counts = Counter(kinds)
    parts = [f"{counts[k]:02d} {KIND_WORDS[k]}" for k in KIND_ORDER if counts.get(k)]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1] if parts else ""


BODIES = {"BAN THƯỜNG VỤ": "Ban Thường vụ", "BAN CHẤP HÀNH": "Ban Chấp hành", "THƯỜNG TRỰC": "Thường trực"}


def proper_case(text: str, node) -> str:
    """An upper-case heading as it reads inside a sentence: "BAN THƯỜNG VỤ HỘI KHUYẾN HỌC
    THÀNH PHỐ BẮC KẠN" -> "Ban Thường vụ Hội Khuyến học thành phố Bắc Kạn". Proper names
    cannot be guessed, so the unit's own name is put back; anything else stays as typed."""
    if not text or not text.isupper():
        return text
    out = text.replace(node.name.upper(), node.name)
    for upper, proper in BODIES.items():
        out = out.replace(upper, proper)
    return out if not any(w.isupper() and len(w) > 1 for w in out.split()) else text


def decision_context(decision) -> dict:
    awards = list(decision.awards.select_related("programme").order_by("line"))
    programmes = list(dict.fromkeys(a.programme.name for a in awards))
    total = sum(a.amount for a in awards)
    text_summary = summary([a.nominee_kind for a in awards])
    body_title = proper_case(decision.issuing_body, decision.node)
    article1 = f"Khen thưởng {text_summary} (có danh sách kèm theo) đã có thành tích xuất sắc"
    reasons = list(dict.fromkeys(a.programme.certificate_text for a in awards if a.programme.certificate_text))
    if len(reasons) == 1:
        article1 = f"Tặng Giấy khen cho {text_summary} (có danh sách kèm theo) vì {reasons[0][0].lower()}{reasons[0][1:]}"
    article1 += "."
    if total:
        article1 += f" Tổng số tiền thưởng: {format_vnd(total)} ({amount_in_words(total)})."
    return {
        "issuer_parent": decision.issuer_parent,
        "issuer_name": decision.issuer_name,
        "number": decision.code,
        "place_date": admin_date_line(decision.place, decision.date),
        "decision_date": format_date(decision.date),
        "year": decision.year,
        "subject": decision.title,
        "issuing_body": decision.issuing_body,
        "issuing_body_title": body_title,
        "legal_bases": [line.strip() for line in decision.legal_bases.splitlines() if line.strip()],
        "article1": article1,
        "article2": f"Kinh phí khen thưởng trích từ Quỹ khuyến học của {proper_case(decision.issuer_name, decision.node)}.",
        "article3": "Văn phòng Hội, các tập thể và cá nhân có tên tại Điều 1 căn cứ Quyết định thi hành./.",
        "summary": text_summary,
        "count": len(awards),
        "awards": [
            {
                "no": a.line,
                "name": a.nominee_name,
                "kind": KIND_WORDS.get(a.nominee_kind, ""),
                "details": a.details,
                "programme": a.programme.name,
                "reason": a.reason,
                "amount": format_number(a.amount) if a.amount else "",
                "gift": a.gift,
                "revoked": a.is_revoked,
            }
            for a in awards
        ],
        "programmes": programmes,
        "total": format_number(total),
        "total_words": amount_in_words(total),
        "recipients": [line.strip().lstrip("-").strip() for line in decision.recipients.splitlines() if line.strip()],
        "signer_title": decision.signer_title,
        "signer_name": decision.signer_name,
    }


def _template_bytes(node) -> bytes:
    from ..models import DecisionTemplate

    own = DecisionTemplate.objects.filter(node__path__in=node.ancestor_paths()).order_by("-node__depth").first()
    if own and own.file:
        with own.file.open("rb") as f:
            return f.read()
    return DEFAULT_TEMPLATE.read_bytes()


def check_docx_template(content: bytes) -> set[str]:
    """Refuse a template that is not a Word file, has broken tags or unknown placeholders."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError

    try:
        tpl = DocxTemplate(io.BytesIO(content))
        names = set(tpl.get_undeclared_template_variables())
    except TemplateSyntaxError as exc:
        raise ValidationError({"file": _("The template has a broken placeholder: %(message)s.") % {"message": exc.message}}) from exc
    except Exception as exc:  # noqa: BLE001 - a damaged upload can fail in many ways inside the zip/XML readers
        raise ValidationError({"file": _("This file cannot be read as a Word (.docx) document.")}) from exc
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            {"file": _("The template uses placeholders that are not known: %(names)s. Use only: %(known)s.")
             % {"names": ", ".join("{{ " + n + " }}" for n in unknown), "known": ", ".join(sorted(PLACEHOLDERS))}}
        )
    return names


def render_docx(decision) -> bytes:
    from docxtpl import DocxTemplate, Listing

    tpl = DocxTemplate(io.BytesIO(_template_bytes(decision.node)))
    ctx = decision_context(decision)
    ctx["signer_title"] = Listing(ctx["signer_title"])
    tpl.render(ctx, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def render_pdf(decision) -> bytes:
    from weasyprint import HTML

    html = render_to_string("awards/pdf/decision.html", {"d": decision_context(decision), "decision": decision})
    return HTML(string=html).write_pdf()
