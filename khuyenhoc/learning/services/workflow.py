"""The yearly workflow of a title: register, self-assess, review, approve, recognise.

Every function takes many evaluations at once (a chapter has hundreds of households)
and is all-or-nothing: one evaluation that cannot move stops the whole call with a
message naming it, and nothing is written. The single-evaluation forms call the same
functions with a list of one. Each moved evaluation gets an ``EvaluationStep`` (who,
when, from, to, comment); each call writes one audit row listing the evaluations.

    registered ─ self-assess ─▶ self_assessed ─ review ─▶ reviewed ─ approve ─▶ approved
        ▲                         │   ▲                     │                     │
        └──────── returned ◀──────┴───┴──── return ─────────┘                 recognise
                                  └──────── not met ◀───────┘                     ▼
                                                                              recognised
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.dates import format_date
from khuyenhoc.imports.bulk import insert_rows, reserve_ids, update_rows
from khuyenhoc.organizations.models import Node

from ..criteria import ScoringInputError
from ..models import (
    SUBJECT_FIELD,
    Citizen,
    Clan,
    Community,
    CriteriaSetVersion,
    DecidingBody,
    Evaluation,
    EvaluationStep,
    Household,
    Recognition,
    Status,
    Title,
    Unit,
)
from ..years import closed_paths
from .common import actor_label, actor_or_none, check_year_open, limit_list
from .criteria import default_set
from .scoring import (
    SCORE_FIELDS,
    apply_result,
    computed_inputs,
    merged_inputs,
    needed_inputs,
    subject_id,
)

SUBJECT_MODEL = {
    Title.FAMILY: Household,
    Title.CLAN: Clan,
    Title.COMMUNITY: Community,
    Title.UNIT: Unit,
    Title.CITIZEN: Citizen,
}

CAN_SELF_ASSESS = {Status.REGISTERED, Status.SELF_ASSESSED, Status.RETURNED}
CAN_REVIEW = {Status.SELF_ASSESSED, Status.REVIEWED}
CAN_RETURN = {Status.SELF_ASSESSED, Status.REVIEWED, Status.APPROVED, Status.NOT_MET}
CAN_APPROVE = {Status.REVIEWED}
CAN_MARK_NOT_MET = {Status.SELF_ASSESSED, Status.REVIEWED}
CAN_RECOGNISE = {Status.APPROVED}
CAN_WITHDRAW = {Status.REGISTERED}

_CHUNK = 2000

try:  # COPY on PostgreSQL raises the driver's own error, not Django's wrapper.
    from psycopg import IntegrityError as _PgIntegrityError

    _INTEGRITY_ERRORS: tuple[type[Exception], ...] = (IntegrityError, _PgIntegrityError)
except ImportError:  # pragma: no cover - psycopg is a dependency
    _INTEGRITY_ERRORS = (IntegrityError,)


def _chunks(seq: Sequence, size: int = _CHUNK):
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _names(evaluations: Iterable[Evaluation]) -> list[str]:
    return [str(e.subject) for e in evaluations]


_LOCK_FIELDS = (
    "id", "title", "year", "status", "passed", "total", "node_id", "criteria_set_id",
    *[f"{f}_id" for f in SUBJECT_FIELD.values()], "node__path", "node__name",
)


def _lock(evaluations, *, answers: bool = False) -> list[Evaluation]:
    """The evaluations again, locked in id order so that two bulk calls never deadlock.

    Only the columns the workflow reads are loaded (a page of hundreds, a ward of
    thousands); ``answers`` adds the points and the criteria sets for scoring.
    """
    if isinstance(evaluations, QuerySet):
        qs = evaluations
    else:
        ids = sorted({e.pk for e in evaluations})
        if not ids:
            return []
        qs = Evaluation.objects.filter(pk__in=ids)
    fields = _LOCK_FIELDS + (("answers", "inputs", "self_answers") if answers else ())
    evs = list(qs.select_for_update(of=("self",)).select_related("node").only(*fields).order_by("pk"))
    if answers:
        sets = CriteriaSetVersion.objects.in_bulk({e.criteria_set_id for e in evs})
        for e in evs:
            e.criteria_set = sets[e.criteria_set_id]
    return evs


def _check_open(evaluations: Sequence[Evaluation]) -> None:
    years = {e.year for e in evaluations}
    closed = closed_paths(years)
    if not closed:
        return
    bad = [e for e in evaluations if any(e.year == y and e.node.path.startswith(p) for y, p in closed)]
    if bad:
        raise ValidationError(
            _("The year is closed; these titles can no longer change: %(names)s")
            % {"names": limit_list(_names(bad))}
        )


def _check_status(evaluations: Sequence[Evaluation], allowed: set[str], action: str) -> None:
    bad = [e for e in evaluations if e.status not in allowed]
    if bad:
        raise ValidationError(
            _("%(action)s is not possible for: %(names)s (status: %(statuses)s).")
            % {
                "action": action,
                "names": limit_list(_names(bad)),
                "statuses": ", ".join(sorted({Status(e.status).label for e in bad})),
            }
        )


def _steps(actor, moves: list[tuple[Evaluation, str]], comment: str, changes: dict | None = None, *, who: str = "") -> None:
    name = who or actor_label(actor)
    user_id = getattr(actor_or_none(actor), "pk", None)
    now = timezone.now()
    changes = changes or {}
    insert_rows(
        EvaluationStep,
        ("evaluation_id", "at", "actor_id", "actor_name", "from_status", "to_status", "comment", "changes", "total"),
        (
            (e.pk, now, user_id, name, old, e.status, comment, _dumps(changes.get(e.pk)), e.total)
            for e, old in moves
        ),
    )


def _audit(actor, action: str, node: Node | None, evaluations: Sequence[Evaluation], **after) -> None:
    if not evaluations:
        return
    target = evaluations[0] if len(evaluations) == 1 else None
    audit_log(
        actor=actor,
        action=action,
        node=node or evaluations[0].node,
        target=target,
        after={"count": len(evaluations), "ids": [e.pk for e in evaluations][:1000], **after},
    )


def _move(
    *, actor, evaluations, allowed: set[str], to_status: str, action_label: str, audit_code: str,
    comment: str = "", node: Node | None = None, extra: dict | None = None, locked: bool = False,
) -> list[Evaluation]:
    evs = list(evaluations) if locked else _lock(evaluations)
    if not evs:
        raise ValidationError(_("Choose at least one evaluation."))
    _check_status(evs, allowed, action_label)
    _check_open(evs)
    now = timezone.now()
    moves = [(e, e.status) for e in evs]
    fields = {"status": to_status, "updated_at": now, **(extra or {})}
    if comment:
        fields["last_comment"] = comment
    for chunk in _chunks([e.pk for e in evs]):
        Evaluation.objects.filter(pk__in=chunk).update(**fields)
    for e in evs:
        for key, value in fields.items():
            setattr(e, key, value)
    _steps(actor, moves, comment)
    _audit(actor, audit_code, node, evs, status=to_status, comment=comment)
    return evs


# ----------------------------------------------------------------------- registration


def _subject_years_ok(title: str, subjects: Sequence, year: int) -> None:
    bad = [s for s in subjects if s.since_year > year or (s.until_year is not None and s.until_year < year)]
    if bad:
        raise ValidationError(
            _("Not recorded in %(year)s, so cannot register: %(names)s")
            % {"year": year, "names": limit_list([str(s) for s in bad])}
        )


@transaction.atomic
def evaluations_register(
    *, actor, title: str, subjects: Sequence, year: int,
    criteria_set: CriteriaSetVersion | None = None, node: Node | None = None, comment: str = "",
) -> list[Evaluation]:
    """Register subjects of one title for ``year`` (the start-of-year đăng ký)."""
    if title not in SUBJECT_FIELD:
        raise ValidationError({"title": _("Unknown title.")})
    subjects = list(subjects)
    if not subjects:
        raise ValidationError(_("Nothing to register."))
    model = SUBJECT_MODEL[title]
    if any(not isinstance(s, model) for s in subjects):
        raise ValidationError({"title": _("These subjects cannot hold this title.")})
    field = SUBJECT_FIELD[title]
    nodes = Node.objects.in_bulk({s.node_id for s in subjects})
    for n in nodes.values():
        check_year_open(n, year)
    _subject_years_ok(title, subjects, year)
    already = set(
        Evaluation.objects.filter(**{f"{field}__in": [s.pk for s in subjects], "year": year})
        .values_list(f"{field}_id", flat=True)
    )
    if already:
        raise ValidationError(
            _("Already registered for %(title)s in %(year)s: %(names)s")
            % {
                "title": Title(title).label,
                "year": year,
                "names": limit_list([str(s) for s in subjects if s.pk in already]),
            }
        )
    if len({s.pk for s in subjects}) != len(subjects):
        raise ValidationError(_("A subject is listed twice."))
    if criteria_set is not None:
        if criteria_set.title != title:
            raise ValidationError({"criteria_set": _("This criteria set is for another title.")})
        if title == Title.CITIZEN:
            wrong = [s for s in subjects if s.audience != criteria_set.audience]
            if wrong:
                raise ValidationError(
                    {"criteria_set": _("This form is for another group of people: %(names)s")
                     % {"names": limit_list([str(s) for s in wrong])}}
                )
    sets: dict[tuple[int, str], CriteriaSetVersion] = {}
    evs = []
    for s in subjects:
        cset = criteria_set
        if cset is None:
            audience = s.audience if title == Title.CITIZEN else ""
            key = (s.node_id, audience)
            if key not in sets:
                found = default_set(title, year, node=nodes[s.node_id], audience=audience)
                if found is None:
                    raise ValidationError(
                        {"criteria_set": _("There is no criteria set for %(title)s valid in %(year)s.")
                         % {"title": Title(title).label, "year": year}}
                    )
                sets[key] = found
            cset = sets[key]
        evs.append(
            Evaluation(
                title=title, year=year, node_id=s.node_id, criteria_set=cset,
                status=Status.REGISTERED, **{field: s},
            )
        )
    now = timezone.now()
    subject_ids = [f"{f}_id" for f in SUBJECT_FIELD.values()]
    for pk, e in zip(reserve_ids(Evaluation, len(evs)), evs, strict=True):
        e.pk = e.id = pk
        e.created_at = e.updated_at = now
    try:
        with transaction.atomic():
            insert_rows(
                Evaluation,
                ("id", "title", "year", "node_id", *subject_ids, "criteria_set_id", "status", "self_answers",
                 "answers", "inputs", "grade", "grade_label", "level", "reasons", "last_comment",
                 "created_at", "updated_at"),
                (
                    (e.pk, e.title, e.year, e.node_id, *(getattr(e, f) for f in subject_ids), e.criteria_set_id,
                     e.status, "{}", "{}", "{}", "", "", "", "", "", now, now)
                    for e in evs
                ),
            )
    except _INTEGRITY_ERRORS:
        raise ValidationError(_("Someone registered some of these at the same time; reload and try again.")) from None
    for e in evs:
        e.node = nodes[e.node_id]
    _steps(actor, [(e, "") for e in evs], comment)
    _audit(actor, "learning.evaluation.registered", node, evs, title=title, year=year)
    return evs


def evaluation_register(*, actor, title: str, subject, year: int, criteria_set=None, comment: str = "") -> Evaluation:
    return evaluations_register(
        actor=actor, title=title, subjects=[subject], year=year, criteria_set=criteria_set, comment=comment
    )[0]


@transaction.atomic
def evaluations_withdraw(*, actor, evaluations, comment: str = "", node: Node | None = None) -> int:
    """Undo registrations made by mistake, while nothing has been assessed yet."""
    evs = _lock(evaluations)
    _check_status(evs, CAN_WITHDRAW, _("Withdrawing"))
    _check_open(evs)
    _audit(actor, "learning.evaluation.withdrawn", node, evs, comment=comment)
    count = len(evs)
    for chunk in _chunks([e.pk for e in evs]):
        Evaluation.objects.filter(pk__in=chunk).delete()
    return count


# ---------------------------------------------------------------------------- scoring


def _score_all(items: list[tuple[Evaluation, dict, dict | None]], *, bulk: bool) -> None:
    """Score (evaluation, answers, declared inputs) in place, or explain the first bad answer."""
    needing = [
        (e.pk, e.title, e.year, subject_id(e)) for e, _a, _i in items if needed_inputs(e.criteria_set.parsed())
    ]
    needed = frozenset().union(*(needed_inputs(e.criteria_set.parsed()) for e, _a, _i in items))
    computed = computed_inputs(needing, needed) if needing else {}
    now = timezone.now()
    for e, answers, declared in items:
        declared = e.inputs if declared is None else declared
        used = merged_inputs(declared, computed.get(e.pk))
        try:
            result = e.criteria_set.scorer().score(answers, inputs=used)
        except ScoringInputError as exc:
            message = f"{e.subject}: {exc}" if bulk else str(exc)
            field = f"item_{exc.item_code}" if exc.item_code and not bulk else "answers"
            raise ValidationError({field: message}) from None
        e.answers = dict(answers)
        e.inputs = dict(declared or {})
        apply_result(e, result, used if used else None, now)


def _dumps(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _clean_inputs(declared: dict | None) -> dict | None:
    if declared is None:
        return None
    out = {}
    for key, value in declared.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValidationError({f"input_{key}": _("A share must be between 0% and 100%.")})
        out[key] = float(value)
    return out


@transaction.atomic
def evaluations_self_assess(
    *, actor, items: Sequence[tuple[Evaluation, dict, dict | None]], comment: str = "",
    node: Node | None = None, who: str = "",
) -> list[Evaluation]:
    """Record self-assessments: (evaluation, points per item, declared figures or None)."""
    evs = {e.pk: e for e in _lock([e for e, _a, _i in items], answers=True)}
    if not evs:
        raise ValidationError(_("Choose at least one evaluation."))
    rows = [(evs[e.pk], answers, _clean_inputs(inputs)) for e, answers, inputs in items]
    ordered = [r[0] for r in rows]
    _check_status(ordered, CAN_SELF_ASSESS, _("Self-assessment"))
    _check_open(ordered)
    moves = [(e, e.status) for e in ordered]
    _score_all(rows, bulk=len(rows) > 1)
    for e in ordered:
        e.self_answers = {}  # the same as the answers until a review changes them
        e.self_total = e.total
        e.status = Status.SELF_ASSESSED
    now = timezone.now()
    json_fields = {"self_answers", "answers", "inputs", "used_inputs"}
    fields = ["status", "self_answers", "self_total", "answers", "inputs", *SCORE_FIELDS, "updated_at"]
    for e in ordered:
        e.updated_at = now
    update_rows(
        Evaluation, fields,
        ([e.pk, *((_dumps(getattr(e, f)) if f in json_fields else getattr(e, f)) for f in fields)] for e in ordered),
    )
    _steps(actor, moves, comment, who=who)
    _audit(actor, "learning.evaluation.self_assessed", node, ordered)
    return ordered


def evaluation_self_assess(*, actor, evaluation: Evaluation, answers: dict, inputs: dict | None = None, comment: str = "", who: str = "") -> Evaluation:
    return evaluations_self_assess(actor=actor, items=[(evaluation, answers, inputs)], comment=comment, who=who)[0]


@transaction.atomic
def evaluation_review(
    *, actor, evaluation: Evaluation, answers: dict | None = None, inputs: dict | None = None, comment: str = ""
) -> Evaluation:
    """The commune's review (thẩm định): points may be adjusted, with a comment saying why."""
    e = _lock([evaluation], answers=True)[0]
    _check_status([e], CAN_REVIEW, _("Review"))
    _check_open([e])
    old_answers = dict(e.answers)
    old_inputs = dict(e.inputs or {})
    old_status = e.status
    new_answers = old_answers if answers is None else answers
    new_inputs = old_inputs if inputs is None else _clean_inputs(inputs)
    _score_all([(e, new_answers, new_inputs)], bulk=False)
    codes = sorted(set(old_answers) | set(e.answers))
    changed = {
        c: [old_answers.get(c), e.answers.get(c)] for c in codes if old_answers.get(c) != e.answers.get(c)
    }
    changed.update({
        f"input:{k}": [old_inputs.get(k), e.inputs.get(k)]
        for k in sorted(set(old_inputs) | set(e.inputs)) if old_inputs.get(k) != e.inputs.get(k)
    })
    if changed and not comment.strip():
        raise ValidationError({"comment": _("Say why the points were changed.")})
    self_answers = e.self_answers or None
    if self_answers is None and e.answers != old_answers:
        # The first change: keep what the subject gave itself.
        self_answers = old_answers
    e.status = Status.REVIEWED
    e.self_answers = self_answers or {}
    if comment:
        e.last_comment = comment
    e.save(update_fields=["status", "answers", "self_answers", "inputs", "last_comment", *SCORE_FIELDS, "updated_at"])
    _steps(actor, [(e, old_status)], comment, {e.pk: changed} if changed else None)
    audit_log(actor=actor, action="learning.evaluation.reviewed", node=e.node, target=e,
              before={"answers": old_answers, "inputs": old_inputs}, after={"answers": e.answers, "inputs": e.inputs, "total": e.total, "comment": comment})
    return e


@transaction.atomic
def evaluations_accept(*, actor, evaluations, comment: str = "", node: Node | None = None) -> list[Evaluation]:
    """Review many at once keeping the self-assessed points (the table's bulk review)."""
    evs = _lock(evaluations)
    unscored = [e for e in evs if e.total is None]
    if unscored:
        raise ValidationError(
            _("Not scored yet: %(names)s") % {"names": limit_list(_names(unscored))}
        )
    return _move(
        actor=actor, evaluations=evs, allowed={Status.SELF_ASSESSED}, to_status=Status.REVIEWED,
        action_label=_("Review"), audit_code="learning.evaluation.reviewed", comment=comment, node=node,
        locked=True,
    )


@transaction.atomic
def evaluations_return(*, actor, evaluations, comment: str, node: Node | None = None) -> list[Evaluation]:
    """Send dossiers back to the chapter; the comment says why and stays on the dossier."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the dossier is returned.")})
    return _move(
        actor=actor, evaluations=evaluations, allowed=CAN_RETURN, to_status=Status.RETURNED,
        action_label=_("Returning"), audit_code="learning.evaluation.returned", comment=comment.strip(), node=node,
    )


@transaction.atomic
def evaluations_approve(*, actor, evaluations, comment: str = "", node: Node | None = None) -> list[Evaluation]:
    """The council's approval of reviewed evaluations that meet the criteria."""
    evs = _lock(evaluations)
    failing = [e for e in evs if not e.passed]
    if failing:
        raise ValidationError(
            _("These do not meet the criteria and cannot be approved: %(names)s")
            % {"names": limit_list(_names(failing))}
        )
    return _move(
        actor=actor, evaluations=evs, allowed=CAN_APPROVE, to_status=Status.APPROVED,
        action_label=_("Approval"), audit_code="learning.evaluation.approved", comment=comment, node=node,
        locked=True,
    )


@transaction.atomic
def evaluations_mark_not_met(*, actor, evaluations, comment: str = "", node: Node | None = None) -> list[Evaluation]:
    """Close the year's dossier without the title. Refusing one that passes needs a reason."""
    evs = _lock(evaluations)
    if any(e.passed for e in evs) and not (comment or "").strip():
        raise ValidationError({"comment": _("Some of these meet the criteria: say why the title is refused.")})
    return _move(
        actor=actor, evaluations=evs, allowed=CAN_MARK_NOT_MET, to_status=Status.NOT_MET,
        action_label=_("Marking as not met"), audit_code="learning.evaluation.not_met", comment=comment, node=node,
        locked=True,
    )


@transaction.atomic
def evaluations_recognise(
    *, actor, node: Node, evaluations, title: str, year: int, body: str, body_name: str,
    number: str, decided_on: dt.date | None, note: str = "",
) -> Recognition:
    """Record the decision that recognises approved evaluations (one decision, many titles)."""
    errors = {}
    number = (number or "").strip()
    if not number:
        errors["number"] = _("Enter the decision number (e.g. 12/QĐ-UBND).")
    if decided_on is None:
        errors["decided_on"] = _("Enter the decision date.")
    elif decided_on.year < year:
        errors["decided_on"] = _("A decision for %(year)s cannot be dated before that year.") % {"year": year}
    if body not in DecidingBody.values:
        errors["body"] = _("Choose the deciding body.")
    if not (body_name or "").strip():
        errors["body_name"] = _("Enter the name of the deciding body.")
    if errors:
        raise ValidationError(errors)
    evs = _lock(evaluations)
    if not evs:
        raise ValidationError(_("There are no approved evaluations to recognise."))
    outside = [e for e in evs if not e.node.path.startswith(node.path) or e.title != title or e.year != year]
    if outside:
        raise ValidationError(
            _("These do not belong to this decision's unit, title or year: %(names)s")
            % {"names": limit_list(_names(outside))}
        )
    check_year_open(node, year)
    rec = Recognition.objects.create(
        node=node, title=title, year=year, body=body, body_name=body_name.strip(), number=number,
        decided_on=decided_on, note=note, created_by=actor_or_none(actor),
    )
    _move(
        actor=actor, evaluations=evs, allowed=CAN_RECOGNISE, to_status=Status.RECOGNISED,
        action_label=_("Recognition"), audit_code="learning.evaluation.recognised",
        comment=_("Decision %(number)s of %(date)s") % {"number": number, "date": format_date(decided_on)},
        node=node, extra={"recognition_id": rec.pk}, locked=True,
    )
    audit_log(actor=actor, action="learning.recognition.recorded", node=node, target=rec,
              after={"number": number, "decided_on": str(decided_on), "body_name": rec.body_name,
                     "title": title, "year": year, "count": len(evs)})
    return rec
