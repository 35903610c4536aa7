"""Certificates of merit (giấy khen) as PDF, each with a QR code to its public check page.

Many certificates are laid out in chunks and the chunks' PDFs joined with pypdf, so a
1,000-certificate file never holds the layout of every page in memory at once. The QR
code is a PNG data URI made by segno: no network, and WeasyPrint draws a bitmap far
faster than hundreds of SVG squares.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable

from django.template.loader import render_to_string
from django.urls import reverse

from khuyenhoc.core.dates import admin_date_line, format_date
from khuyenhoc.organizations.models import Node, OfficerTitle
from khuyenhoc.organizations.selectors import current_officers

CHUNK = 100
Progress = Callable[[int, int, str], None]


def public_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + reverse("awards_public:certificate", args=[code])


def qr_data_uri(url: str) -> str:
    import segno

    # A fixed mask spares the search over all eight (most of the time segno spends).
    # One pixel a module: the page scales it up without smoothing (image-rendering: pixelated
    # gives /Interpolate false), so it prints as sharp as a vector and decodes in no time.
    return segno.make(url, error="m", mask=0).png_data_uri(scale=1, border=4, dark="#1b2a6b", light=None)


def _image_uri(field) -> str:
    if not field:
        return ""
    try:
        with field.open("rb") as f:
            data = f.read()
    except OSError:
        return ""
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def look_for(node: Node, on=None) -> dict:
    """The association's certificate template, or defaults taken from the tree and officers."""
    from ..models import CertificateTemplate

    tpl = CertificateTemplate.objects.filter(node=node).first()
    if tpl:
        return {
            "issuer_parent": tpl.issuer_parent,
            "issuer_name": tpl.issuer_name,
            "title": tpl.title,
            "conferring_body": tpl.conferring_body,
            "signer_title": tpl.signer_title,
            "signer_name": tpl.signer_name,
            "place": tpl.place or node.place_name,
            "logo": _image_uri(tpl.logo),
            "seal": _image_uri(tpl.seal),
            "from_template": True,
        }
    chair = current_officers(node, on).filter(title=OfficerTitle.CHAIR).first() if on else None
    return {
        "issuer_parent": node.parent.name.upper() if node.parent_id else "",
        "issuer_name": node.name.upper(),
        "title": "GIẤY KHEN",
        "conferring_body": f"BAN THƯỜNG VỤ {node.name.upper()}",
        "signer_title": "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH",
        "signer_name": chair.full_name if chair else "",
        "place": node.place_name,
        "logo": "",
        "seal": "",
        "from_template": False,
    }


PREFIXES = {"student": "Em ", "collective": "Tập thể: ", "family": "Gia đình ", "clan": "Dòng họ "}


def display_name(kind: str, name: str) -> str:
    """The name line of a certificate: "Em Nguyễn Thị Mai", "Gia đình Hoàng Văn Thái"."""
    prefix = PREFIXES.get(kind, "")
    if prefix and name.lower().startswith(prefix.strip().rstrip(":").lower()):
        return name
    return prefix + name


def _item(award, base_url: str) -> dict:
    url = public_url(base_url, award.code)
    return {
        "name": display_name(award.nominee_kind, award.nominee_name),
        "kind": award.nominee_kind,
        "details": award.details,
        "reason": award.reason,
        "gift": award.gift,
        "register": award.register_code,
        "code": award.code,
        "url": url,
        "qr": qr_data_uri(url),
        "revoked": award.is_revoked,
    }


def _shared(look: dict, decision) -> dict:
    return {
        "look": look,
        "decision_code": decision.code,
        "decision_date": format_date(decision.date),
        "date_line": admin_date_line(look["place"] or decision.place, decision.date),
        # The association's own template names its signer; otherwise the decision's signer signs.
        "signer_title": look["signer_title"] if look["from_template"] else decision.signer_title or look["signer_title"],
        "signer_name": look["signer_name"] if look["from_template"] else decision.signer_name or look["signer_name"],
    }


def _html_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).write_pdf()


def _frame_under_every_page(writer, frame_pdf: bytes) -> None:
    """Draw the shared frame page, once stored as a form XObject, under every page.

    Laying out the frame (borders, headings, signature block) is most of a certificate's
    cost; drawing a stored form costs nothing, so it is laid out once per file.
    """
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    frame = PdfReader(io.BytesIO(frame_pdf)).pages[0]
    form = DecodedStreamObject()
    form.set_data(frame.get_contents().get_data())
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): frame.mediabox,
        NameObject("/Resources"): frame["/Resources"].clone(writer),
    })
    form_ref = writer._add_object(form)
    call = DecodedStreamObject()
    call.set_data(b"q /KhFrame Do Q\n")
    call_ref = writer._add_object(call)
    for page in writer.pages:
        resources = page["/Resources"]
        xobjects = resources.get("/XObject")
        if xobjects is None:
            xobjects = DictionaryObject()
            resources[NameObject("/XObject")] = xobjects
        xobjects.get_object()[NameObject("/KhFrame")] = form_ref
        contents = page.raw_get("/Contents")
        parts = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([call_ref, *parts])


def render_certificates(awards: Iterable, *, base_url: str, progress: Progress | None = None, chunk: int = CHUNK) -> bytes:
    """One PDF with one A4 landscape page per award, in the order given."""
    from pypdf import PdfWriter

    awards = list(awards)
    if not awards:
        raise ValueError("no awards to print")
    decision = awards[0].decision
    shared = _shared(look_for(decision.node, decision.date), decision)
    frame = _html_pdf("awards/pdf/certificate_frame.html", shared)
    total = len(awards)
    writer = PdfWriter()
    for start in range(0, total, chunk):
        items = [_item(a, base_url) for a in awards[start : start + chunk]]
        writer.append(io.BytesIO(_html_pdf("awards/pdf/certificate_pages.html", {**shared, "items": items})))
        if progress:
            done = min(start + chunk, total)
            progress(done, total, f"{done}/{total}")
    _frame_under_every_page(writer, frame)
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
