"""An association's own look: its certificate template and its Word template for decisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.text import nfc
from khuyenhoc.organizations.models import Node

from ..documents.decision import check_docx_template
from ..models import CertificateTemplate, DecisionTemplate
from ..uploads import IMAGE_EXTENSIONS, MAX_IMAGE_BYTES, CheckedFile, check_upload, store
from ._common import require

MAX_DOCX_BYTES = 5 * 1024 * 1024


@transaction.atomic
def certificate_template_save(
    *,
    actor,
    node: Node,
    issuer_name: str,
    conferring_body: str,
    signer_title: str,
    signer_name: str,
    issuer_parent: str = "",
    title: str = "GIẤY KHEN",
    place: str = "",
    logo=None,
    seal=None,
    remove_logo: bool = False,
    remove_seal: bool = False,
) -> CertificateTemplate:
    require(actor, node, Cap.AWARDS_DECIDE, _("You may not change the certificates of %(unit)s.") % {"unit": node.name})
    errors = {}
    for field, value in (("issuer_name", issuer_name), ("conferring_body", conferring_body), ("signer_title", signer_title), ("signer_name", signer_name)):
        if not (value or "").strip():
            errors[field] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    images: dict[str, CheckedFile] = {}
    for field, upload in (("logo", logo), ("seal", seal)):
        if upload:
            images[field] = check_upload(upload, field=field, allowed=IMAGE_EXTENSIONS, limit=MAX_IMAGE_BYTES)
    tpl = CertificateTemplate.objects.filter(node=node).first() or CertificateTemplate(node=node)
    before = {"issuer_name": tpl.issuer_name, "signer_name": tpl.signer_name, "logo": bool(tpl.logo), "seal": bool(tpl.seal)} if tpl.pk else None
    tpl.issuer_parent = nfc(issuer_parent)
    tpl.issuer_name = nfc(issuer_name)
    tpl.title = nfc(title) or "GIẤY KHEN"
    tpl.conferring_body = nfc(conferring_body)
    tpl.signer_title = (signer_title or "").strip()
    tpl.signer_name = nfc(signer_name)
    tpl.place = nfc(place)
    tpl.updated_by = actor if getattr(actor, "pk", None) else None
    if remove_logo:
        tpl.logo = ""
    if remove_seal:
        tpl.seal = ""
    for field, checked in images.items():
        setattr(tpl, field, store(checked, "templates"))
    tpl.save()
    audit_log(actor=actor, action="awards.template.certificate_saved", node=node, target=tpl, before=before,
              after={"issuer_name": tpl.issuer_name, "signer_name": tpl.signer_name, "logo": bool(tpl.logo), "seal": bool(tpl.seal)})
    return tpl


@transaction.atomic
def decision_template_upload(*, actor, node: Node, upload, name: str | None = None) -> DecisionTemplate:
    """Keep an association's Word template after checking every placeholder in it is known."""
    require(actor, node, Cap.AWARDS_DECIDE, _("You may not change the decision template of %(unit)s.") % {"unit": node.name})
    original = (name or getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    if not original.lower().endswith(".docx"):
        raise ValidationError({"file": _("%(name)s is not a Word (.docx) file.") % {"name": original or "?"}})
    content = upload if isinstance(upload, bytes) else upload.read(MAX_DOCX_BYTES + 1)
    if len(content) > MAX_DOCX_BYTES:
        raise ValidationError({"file": _("%(name)s is larger than the limit of %(limit)s MB.") % {"name": original, "limit": MAX_DOCX_BYTES // (1024 * 1024)}})
    if not content.startswith(b"PK\x03\x04"):
        raise ValidationError({"file": _("The content of %(name)s is not a Word (.docx) file, whatever its name says.") % {"name": original}})
    check_docx_template(content)
    checked = CheckedFile(original_name=original, extension=".docx", content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          content=content, sha256="")
    tpl = DecisionTemplate.objects.filter(node=node).first() or DecisionTemplate(node=node)
    tpl.file = store(checked, "templates")
    tpl.original_name = original
    tpl.uploaded_by = actor if getattr(actor, "pk", None) else None
    tpl.save()
    audit_log(actor=actor, action="awards.template.decision_uploaded", node=node, target=tpl, after={"name": original})
    return tpl


@transaction.atomic
def decision_template_remove(*, actor, node: Node) -> None:
    require(actor, node, Cap.AWARDS_DECIDE, _("You may not change the decision template of %(unit)s.") % {"unit": node.name})
    deleted, _rows = DecisionTemplate.objects.filter(node=node).delete()
    if deleted:
        audit_log(actor=actor, action="awards.template.decision_removed", node=node, target=node)
