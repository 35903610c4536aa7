"""Decisions on awards: issued once under one number, each award with its certificate code."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.dates import format_date
from khuyenhoc.core.text import initials_name, nfc
from khuyenhoc.organizations.models import Node, OfficerTitle
from khuyenhoc.organizations.selectors import current_officers

from ..models import (
    Award,
    Decision,
    Nomination,
    NominationStatus,
    NomineeKind,
    Programme,
    StepAction,
)
from ._common import add_step, require

ADULT_AGE = 18



def public_name(*, kind: str, name: str, birth_year: int | None, year: int) -> str:
    """Students, and anyone under 18 in the decision's year, by given name and initials only."""
    if kind == NomineeKind.STUDENT or (birth_year and year - birth_year < ADULT_AGE):
        return initials_name(name)
    return name


def _details(n: Nomination) -> str:
    parts = []
    if n.class_name:
        parts.append(n.class_name if n.class_name.lower().startswith("lớp") else f"Lớp {n.class_name}")
    if n.school:
        parts.append(n.school)
    if not parts and n.nominee_kind != NomineeKind.COLLECTIVE:
        parts.append(n.node.name)
    return ", ".join(parts)[:300]


def _subject(programmes: list[Programme], year: int) -> str:
    if len(programmes) == 1:
        name = programmes[0].name
        rest = name[len("Khen thưởng ") :] if name.lower().startswith("khen thưởng ") else name[0].lower() + name[1:]
        return f"Về việc khen thưởng {rest} năm {year}"
    return f"Về việc khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm {year}"


def decision_defaults(node: Node, programmes: list[Programme], on: dt.date) -> dict:
    """What a new decision of `node` would normally say; every value can be changed."""
    year = programmes[0].year if programmes else on.year
    if year < on.year:
        # Catching up on a past year: its decisions are dated in that year.
        on = dt.date(year, 12, 31)
    chair = current_officers(node, on).filter(title=OfficerTitle.CHAIR).first()
    last = Decision.objects.filter(node=node, year=on.year).aggregate(m=Max("number"))["m"] or 0
    parent = node.parent
    return {
        "number": last + 1,
        "symbol": "QĐ-HKH",
        "date": on,
        "place": node.place_name,
        "title": _subject(programmes, year) if programmes else "",
        "issuer_parent": parent.name.upper() if parent else "",
        "issuer_name": node.name.upper(),
        "issuing_body": f"BAN THƯỜNG VỤ {node.name.upper()}",
        "legal_bases": "\n".join(
            [
                "Căn cứ Điều lệ Hội Khuyến học Việt Nam;",
                f"Căn cứ Quy chế thi đua, khen thưởng của {node.name};",
                "Xét đề nghị của Hội đồng xét khen thưởng và Văn phòng Hội,",
            ]
        ),
        "recipients": "\n".join(["Như Điều 3;", f"{parent.name} (b/c);" if parent else "Cấp trên (b/c);", "Lưu: VP."]),
        "signer_title": "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH",
        "signer_name": chair.full_name if chair else "",
    }


@transaction.atomic
def decision_issue(
    *,
    actor,
    node: Node,
    programmes: list[Programme],
    number: int,
    date: dt.date,
    title: str,
    signer_title: str,
    signer_name: str,
    issuer_name: str,
    issuing_body: str,
    issuer_parent: str = "",
    symbol: str = "QĐ-HKH",
    place: str = "",
    legal_bases: str = "",
    recipients: str = "",
) -> Decision:
    """Issue the decision on every approved nomination of `programmes`. A number is used once a year."""
    require(actor, node, Cap.AWARDS_DECIDE, _("Only the council of %(unit)s may issue its award decisions.") % {"unit": node.name})
    programmes = list(Programme.objects.select_for_update().filter(pk__in=[p.pk for p in programmes]).order_by("pk"))
    errors: dict[str, str] = {}
    if not programmes:
        errors["programmes"] = _("Choose the programmes the decision awards.")
    elif any(p.node_id != node.pk for p in programmes):
        errors["programmes"] = _("A decision of %(unit)s awards only its own programmes.") % {"unit": node.name}
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        errors["number"] = _("Give the decision number.")
    if not isinstance(date, dt.date):
        errors["date"] = _("Give the date of the decision.")
    elif date > timezone.localdate():
        errors["date"] = _("The decision cannot be dated later than today.")
    symbol = nfc(symbol) or "QĐ-HKH"
    for field, value, message in (
        ("title", title, _("Give the subject of the decision.")),
        ("signer_title", signer_title, _("Give the signer's title.")),
        ("signer_name", signer_name, _("Give the signer's name.")),
        ("issuer_name", issuer_name, _("Give the issuing association's name.")),
        ("issuing_body", issuing_body, _("Give the deciding body.")),
    ):
        if not (value or "").strip():
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    existing = Decision.objects.filter(node=node, year=date.year, number=number).first()
    if existing:
        raise ValidationError(
            {"number": _("Decision %(code)s of %(year)s has already been issued on %(date)s (%(title)s); a number is used once.")
             % {"code": existing.code, "year": date.year, "date": format_date(existing.date), "title": existing.title}}
        )
    order = {p.pk: i for i, p in enumerate(programmes)}
    nominations = sorted(
        Nomination.objects.select_for_update()
        .select_related("node")
        .filter(programme__in=programmes, status=NominationStatus.APPROVED)
        .order_by("pk"),
        key=lambda n: (order[n.programme_id], n.nominee_kind, n.name_sort, n.pk),
    )
    if not nominations:
        raise ValidationError(_("No approved nominations are waiting for a decision in these programmes."))
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                node=node, year=date.year, number=number, symbol=symbol, date=date, place=nfc(place), title=nfc(title),
                issuer_parent=nfc(issuer_parent), issuer_name=nfc(issuer_name), issuing_body=nfc(issuing_body),
                legal_bases=(legal_bases or "").strip(), recipients=(recipients or "").strip(),
                signer_title=(signer_title or "").strip(), signer_name=nfc(signer_name),
                issued_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise ValidationError({"number": _("Decision number %(n)s of %(year)s has just been used by someone else.") % {"n": number, "year": date.year}}) from exc
    first_register = (Award.objects.filter(decision__node=node, decision__year=date.year).aggregate(m=Max("register_number"))["m"] or 0) + 1
    programmes_by_pk = {p.pk: p for p in programmes}
    awards = []
    for i, n in enumerate(nominations):
        p = programmes_by_pk[n.programme_id]
        awards.append(
            Award(
                decision=decision, nomination=n, node=n.node, programme=p, line=i + 1,
                nominee_kind=n.nominee_kind, nominee_name=n.nominee_name,
                public_name=public_name(kind=n.nominee_kind, name=n.nominee_name, birth_year=n.birth_year, year=date.year),
                details=_details(n), reason=(p.certificate_text or n.achievement)[:500], amount=n.amount, gift=p.gift,
                register_number=first_register + i, code=secrets.token_urlsafe(12),
            )
        )
    Award.objects.bulk_create(awards)
    total = sum(a.amount for a in awards)
    Decision.objects.filter(pk=decision.pk).update(total=total)
    decision.total = total
    Nomination.objects.filter(pk__in=[n.pk for n in nominations]).update(status=NominationStatus.AWARDED, updated_at=timezone.now())
    for n in nominations:
        add_step(n, StepAction.AWARDED, actor=actor, from_node=n.at_node, to_node=n.at_node, note=decision.code)
    audit_log(
        actor=actor, action="awards.decision.issued", node=node, target=decision,
        after={"code": decision.code, "date": date.isoformat(), "awards": len(awards), "total": total, "programmes": [p.pk for p in programmes]},
    )
    return decision


@transaction.atomic
def award_revoke(*, actor, award: Award, reason: str) -> Award:
    award = Award.objects.select_for_update().select_related("decision__node").get(pk=award.pk)
    require(actor, award.decision.node, Cap.AWARDS_DECIDE, _("Only the council of %(unit)s may revoke its certificates.") % {"unit": award.decision.node.name})
    if award.is_revoked:
        raise ValidationError(_("This certificate was already revoked."))
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the certificate.")})
    award.revoked_at = timezone.now()
    award.revoke_reason = reason[:300]
    award.revoked_by = actor if getattr(actor, "pk", None) else None
    award.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])
    audit_log(actor=actor, action="awards.award.revoked", node=award.decision.node, target=award,
              before={"revoked": False}, after={"revoked": True, "reason": award.revoke_reason})
    return award
