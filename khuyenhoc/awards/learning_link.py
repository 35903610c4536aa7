"""Nominating learning families, clans, communities and units straight from their recognition.

A recognition record is a learning-title evaluation of the programme's year in the
"recognised" state (khuyenhoc.learning: Evaluation with its Recognition decision). The
nomination copies the name, the unit and the recognition's decision, and remembers the
evaluation (source_kind/source_id) so the same record is never nominated twice in a
programme.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap, granted_paths, subtree_q
from khuyenhoc.core.dates import format_date

from .models import LIVE_STATUSES, Nomination, NomineeKind, Programme
from .services import nomination_create

SOURCE_KIND = "learning.evaluation"
# learning.Title value -> nominee kind
TITLE_KINDS = {
    "family": NomineeKind.FAMILY,
    "clan": NomineeKind.CLAN,
    "community": NomineeKind.COMMUNITY,
    "unit": NomineeKind.UNIT,
}
TITLE_WORDS = {"family": "Gia đình học tập", "clan": "Dòng họ học tập", "community": "Cộng đồng học tập", "unit": "Đơn vị học tập"}


def learning_available() -> bool:
    try:
        from khuyenhoc.learning.models import Evaluation, Status  # noqa: F401
    except ImportError:
        return False
    return True


def recognised_candidates(user, programme: Programme) -> QuerySet:
    """Recognised records of the programme's year and kinds that the user may nominate."""
    from khuyenhoc.learning.models import Evaluation, Status

    titles = [t for t, kind in TITLE_KINDS.items() if kind in programme.nominee_kinds]
    if not titles:
        return Evaluation.objects.none()
    paths = [p for p in granted_paths(user, Cap.AWARDS_NOMINATE)]
    taken = Nomination.objects.filter(programme=programme, source_kind=SOURCE_KIND, status__in=LIVE_STATUSES).values("source_id")
    return (
        Evaluation.objects.filter(subtree_q(paths, "node__path"), title__in=titles, year=programme.year, status=Status.RECOGNISED,
                                  node__path__startswith=programme.node.path)
        .exclude(pk__in=taken)
        .select_related("node", "recognition", "household", "clan", "community", "unit")
        .order_by("title", "node__path", "-total", "pk")
    )


def subject_name(evaluation) -> str:
    subject = evaluation.subject
    return getattr(subject, "head_name", None) or getattr(subject, "name", "") or str(subject)


def recognition_text(evaluation) -> str:
    rec = evaluation.recognition
    text = f"Được công nhận danh hiệu \"{TITLE_WORDS[evaluation.title]}\" năm {evaluation.year}"
    if rec is not None:
        text += f" theo Quyết định số {rec.number} ngày {format_date(rec.decided_on)} của {rec.body_name}"
    if evaluation.total is not None and evaluation.max_total:
        text += f"; đạt {evaluation.total}/{evaluation.max_total} điểm"
    return text + "."


@transaction.atomic
def nomination_from_recognition(*, actor, programme: Programme, evaluation, achievement: str = "", on: dt.date | None = None) -> Nomination:
    """Nominate a recognised family, clan, community or unit without retyping it."""
    from khuyenhoc.learning.models import Status

    if evaluation.status != Status.RECOGNISED or evaluation.title not in TITLE_KINDS:
        raise ValidationError(_("Only a recognised learning family, clan, community or unit can be nominated from its record."))
    if evaluation.year != programme.year:
        raise ValidationError(
            _("The record is of %(year)s; this programme is for %(programme_year)s.") % {"year": evaluation.year, "programme_year": programme.year}
        )
    subject = evaluation.subject
    address = getattr(subject, "address", "") or ""
    extra = (achievement or "").strip()
    return nomination_create(
        actor=actor,
        programme=programme,
        node=evaluation.node,
        nominee_kind=TITLE_KINDS[evaluation.title],
        nominee_name=subject_name(evaluation),
        achievement=recognition_text(evaluation) + (f"\n{extra}" if extra else ""),
        school=evaluation.node.name,
        address=address,
        source_kind=SOURCE_KIND,
        source_id=evaluation.pk,
        on=on,
    )


@transaction.atomic
def nominations_from_recognitions(*, actor, programme: Programme, evaluations, on: dt.date | None = None) -> list[Nomination]:
    """Several at once: all are nominated, or none."""
    evaluations = list(evaluations)
    if not evaluations:
        raise ValidationError(_("Choose at least one recognised record."))
    return [nomination_from_recognition(actor=actor, programme=programme, evaluation=e, on=on) for e in evaluations]
