"""The public learning-citizen form: a chapter's link, submissions, the head's confirmation."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.dates import format_date
from khuyenhoc.core.text import nfc, search_key
from khuyenhoc.organizations.models import Node, NodeKind, NodeStatus

from ..criteria import ScoringInputError
from ..models import (
    Citizen,
    CitizenSubmission,
    CriteriaSetVersion,
    HouseholdMember,
    PublicLink,
    Status,
    SubmissionStatus,
    Title,
)
from .common import actor_or_none, check_year_open
from .subjects import citizen_create
from .workflow import evaluation_register, evaluation_self_assess

PUBLIC_KINDS = {NodeKind.CHAPTER, NodeKind.BOARD, NodeKind.SUBCHAPTER}


def public_link_for(node: Node) -> PublicLink:
    link = PublicLink.objects.filter(node=node).first()
    if link is None:
        if node.kind not in PUBLIC_KINDS:
            raise ValidationError(_("Only a chapter or a study-promotion board has a public form."))
        link = PublicLink.objects.create(node=node, token=secrets.token_urlsafe(24))
    return link


@transaction.atomic
def public_link_rotate(*, actor, node: Node) -> PublicLink:
    """A new address; the old one stops working (e.g. after it was posted too widely)."""
    link = public_link_for(node)
    link.token = secrets.token_urlsafe(24)
    link.active = True
    link.save(update_fields=["token", "active"])
    audit_log(actor=actor, action="learning.public_link.rotated", node=node, target=link)
    return link


def node_for_token(token: str) -> Node | None:
    link = (
        PublicLink.objects.select_related("node")
        .filter(token=token, active=True, node__status=NodeStatus.ACTIVE)
        .first()
    )
    return link.node if link else None


@transaction.atomic
def submission_create(
    *, node: Node, year: int, full_name: str, birth_year: int, gender: str, audience: str,
    criteria_set: CriteriaSetVersion, answers: dict,
) -> CitizenSubmission:
    """A self-assessment typed by the person; it waits for the chapter head."""
    check_year_open(node, year)
    if criteria_set.title != Title.CITIZEN or criteria_set.audience != audience:
        raise ValidationError({"audience": _("This form is for another group of people.")})
    try:
        result = criteria_set.scorer().score(answers)
    except ScoringInputError as exc:
        field = f"item_{exc.item_code}" if exc.item_code else None
        raise ValidationError({field: str(exc)} if field else str(exc)) from None
    return CitizenSubmission.objects.create(
        node=node, year=year, full_name=nfc(full_name), birth_year=birth_year, gender=gender,
        audience=audience, criteria_set=criteria_set, answers=dict(answers),
        total=result.total, passed=result.passed,
    )


def matching_members(sub: CitizenSubmission):
    """Household members of the chapter with the same name and year of birth."""
    key = search_key(sub.full_name)
    return [
        m for m in HouseholdMember.objects.filter(
            household__node__path__startswith=sub.node.path, birth_year=sub.birth_year
        ).select_related("household")
        if search_key(m.full_name) == key
    ]


@transaction.atomic
def submission_confirm(*, actor, submission: CitizenSubmission, member: HouseholdMember | None = None):
    """The chapter head confirms: the citizen is recorded (or found), registered and self-assessed."""
    sub = CitizenSubmission.objects.select_for_update().get(pk=submission.pk)
    if sub.status != SubmissionStatus.PENDING:
        raise ValidationError(_("This self-assessment has already been handled."))
    citizen = None
    if member is not None:
        citizen = Citizen.objects.filter(member=member).first()
    if citizen is None:
        key = search_key(sub.full_name)
        citizen = Citizen.objects.filter(
            node=sub.node, search=key, birth_year=sub.birth_year, gender=sub.gender
        ).first()
    if citizen is None:
        citizen = citizen_create(
            actor=actor, node=sub.node, full_name=sub.full_name, birth_year=sub.birth_year,
            gender=sub.gender, audience=sub.audience, since_year=sub.year, member=member,
        )
    elif citizen.audience != sub.audience:
        raise ValidationError(
            _("%(name)s is recorded in another group of people; change the record first.") % {"name": citizen.full_name}
        )
    ev = citizen.evaluations.filter(year=sub.year).first()
    if ev is None:
        ev = evaluation_register(actor=actor, title=Title.CITIZEN, subject=citizen, year=sub.year, criteria_set=sub.criteria_set)
    elif ev.status not in (Status.REGISTERED, Status.SELF_ASSESSED, Status.RETURNED):
        raise ValidationError(_("%(name)s's title for this year is already under review.") % {"name": citizen.full_name})
    ev = evaluation_self_assess(
        actor=actor, evaluation=ev, answers=sub.answers,
        comment=_("Self-assessed by the person on the public form on %(date)s; confirmed by the chapter.")
        % {"date": format_date(timezone.localtime(sub.created_at).date())},
    )
    sub.status = SubmissionStatus.ACCEPTED
    sub.handled_by = actor_or_none(actor)
    sub.handled_at = timezone.now()
    sub.evaluation = ev
    sub.save(update_fields=["status", "handled_by", "handled_at", "evaluation"])
    audit_log(actor=actor, action="learning.submission.confirmed", node=sub.node, target=sub,
              after={"citizen": citizen.pk, "evaluation": ev.pk})
    return ev


@transaction.atomic
def submission_reject(*, actor, submission: CitizenSubmission) -> CitizenSubmission:
    sub = CitizenSubmission.objects.select_for_update().get(pk=submission.pk)
    if sub.status != SubmissionStatus.PENDING:
        raise ValidationError(_("This self-assessment has already been handled."))
    sub.status = SubmissionStatus.REJECTED
    sub.handled_by = actor_or_none(actor)
    sub.handled_at = timezone.now()
    sub.save(update_fields=["status", "handled_by", "handled_at"])
    audit_log(actor=actor, action="learning.submission.rejected", node=sub.node, target=sub)
    return sub
