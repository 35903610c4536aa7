"""Scoring evaluations stored in the database: one at a time, or in batch with write-back.

The engine (``khuyenhoc.learning.criteria``) is pure; this module feeds it rows and the
figures a set reads from other titles, and writes the results back as columns.

Batch scoring reads evaluations in primary-key chunks, scores each chunk with one
compiled ``Scorer`` per set, and writes the chunk back in one statement: on PostgreSQL
by COPY into a temporary table and one ``UPDATE … FROM``, elsewhere by ``executemany``.
A million household evaluations take well under a minute this way (bench/bench_learning.py),
against hours for one ORM save per row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ..criteria import CriteriaSet as EngineSet
from ..criteria import ScoreResult
from ..models import (
    Citizen,
    Community,
    CriteriaSetVersion,
    Evaluation,
    Household,
    Status,
    Title,
    Unit,
)

FAMILY_SHARE = "family_title_share"
CITIZEN_SHARE = "citizen_title_share"
# A subject counts as holding a title once the council has approved it.
TITLED = (Status.APPROVED, Status.RECOGNISED)


def needed_inputs(cset: EngineSet) -> frozenset[str]:
    names = {q.input for q in cset.prerequisites}
    names |= {it.from_input for it in cset.items if it.from_input}
    return frozenset(names)


def _share(titled: int, total: int) -> float | None:
    return round(titled / total, 4) if total else None


def computed_inputs(rows: Iterable[tuple[int, str, int, int]], needed: frozenset[str]) -> dict[int, dict[str, float]]:
    """Figures read from other titles, per evaluation id.

    ``rows`` are (evaluation id, title, year, subject id). Clans and village
    communities read the share of their households holding the learning-family title;
    units the share of their staff holding the learning-citizen title. A figure that
    cannot be computed (no households, no staff count) is left out, and the engine
    says so in the result's reasons.
    """
    out: dict[int, dict[str, float]] = defaultdict(dict)
    rows = list(rows)
    if not rows or not needed:
        return out
    by_title: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for ev_id, title, year, subject_id in rows:
        by_title[title].append((ev_id, year, subject_id))

    if FAMILY_SHARE in needed and by_title.get(Title.CLAN):
        for year, items in _by_year(by_title[Title.CLAN]).items():
            clan_ids = [s for _, s in items]
            links = Household.objects.existing_in(year).filter(clans__in=clan_ids)
            totals = dict(links.values("clans").annotate(n=Count("id")).values_list("clans", "n"))
            titled = dict(
                links.filter(
                    evaluations__year=year, evaluations__status__in=TITLED
                ).values("clans").annotate(n=Count("id")).values_list("clans", "n")
            )
            for ev_id, clan_id in items:
                share = _share(titled.get(clan_id, 0), totals.get(clan_id, 0))
                if share is not None:
                    out[ev_id][FAMILY_SHARE] = share

    if FAMILY_SHARE in needed and by_title.get(Title.COMMUNITY):
        paths = dict(
            Community.objects.filter(pk__in=[s for _, _, s in by_title[Title.COMMUNITY]])
            .values_list("pk", "node__path")
        )
        for ev_id, year, community_id in by_title[Title.COMMUNITY]:
            path = paths.get(community_id)
            households = Household.objects.existing_in(year).filter(node__path__startswith=path)
            agg = households.aggregate(
                total=Count("id", distinct=True),
                titled=Count(
                    "evaluations",
                    filter=Q(evaluations__year=year, evaluations__status__in=TITLED),
                ),
            )
            share = _share(agg["titled"], agg["total"])
            if share is not None:
                out[ev_id][FAMILY_SHARE] = share

    if CITIZEN_SHARE in needed and by_title.get(Title.UNIT):
        units = {
            u.pk: u
            for u in Unit.objects.filter(pk__in=[s for _, _, s in by_title[Title.UNIT]]).select_related("node")
        }
        for ev_id, year, unit_id in by_title[Title.UNIT]:
            unit = units.get(unit_id)
            if unit is None or not unit.staff_count:
                continue
            titled = Citizen.objects.filter(
                node__path__startswith=unit.node.path,
                evaluations__year=year,
                evaluations__status__in=TITLED,
            ).count()
            out[ev_id][CITIZEN_SHARE] = min(1.0, round(titled / unit.staff_count, 4))
    return out


def _by_year(items: list[tuple[int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    grouped: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for ev_id, year, subject_id in items:
        grouped[year].append((ev_id, subject_id))
    return grouped


def merged_inputs(declared: dict | None, computed: dict | None) -> dict[str, float]:
    """Figures the system computed, replaced by those the subject declared."""
    merged = dict(computed or {})
    for key, value in (declared or {}).items():
        if value is not None and value != "":
            merged[key] = value
    return merged


def subject_id(ev: Evaluation) -> int:
    return {
        Title.FAMILY: ev.household_id,
        Title.CLAN: ev.clan_id,
        Title.COMMUNITY: ev.community_id,
        Title.UNIT: ev.unit_id,
        Title.CITIZEN: ev.citizen_id,
    }[ev.title]


def inputs_for(ev: Evaluation, declared: dict | None = None) -> dict[str, float]:
    needed = needed_inputs(ev.criteria_set.parsed())
    computed = computed_inputs([(ev.pk, ev.title, ev.year, subject_id(ev))], needed).get(ev.pk, {})
    return merged_inputs(ev.inputs if declared is None else declared, computed)


def apply_result(ev: Evaluation, result: ScoreResult, used_inputs: dict | None, now) -> None:
    ev.total = result.total
    ev.max_total = result.max_total
    ev.passed = result.passed
    ev.grade = result.grade_code or ""
    ev.grade_label = (result.grade_label or "")[:80]
    ev.level = result.level_code or ""
    ev.reasons = "\n".join(result.reasons)
    ev.used_inputs = used_inputs or None
    ev.scored_at = now


SCORE_FIELDS = ["total", "max_total", "passed", "grade", "grade_label", "level", "reasons", "used_inputs", "scored_at"]


# ------------------------------------------------------------------------------ batch


def _row(pk: int, r: ScoreResult, used: dict | None) -> tuple:
    return (
        pk,
        r.total,
        r.max_total,
        r.passed,
        r.grade.code if r.grade else "",
        r.grade.label[:80] if r.grade else "",
        r.level.code if r.level else "",
        "\n".join(r.reasons),
        json.dumps(used, ensure_ascii=False) if used else None,
    )


_TMP = "learning_score_tmp"


def _write_postgres(rows: list[tuple], now) -> None:
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_TMP} (id bigint, total smallint, max_total smallint,"
            " passed boolean, grade varchar(40), grade_label varchar(80), level varchar(40),"
            " reasons text, used_inputs jsonb) ON COMMIT DROP"
        )
        with cur.cursor.copy(
            f"COPY {_TMP} (id, total, max_total, passed, grade, grade_label, level, reasons, used_inputs)"
            " FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"UPDATE learning_evaluation AS e SET total = t.total, max_total = t.max_total,"  # noqa: S608 - fixed names
            f" passed = t.passed, grade = t.grade, grade_label = t.grade_label, level = t.level,"
            f" reasons = t.reasons, used_inputs = t.used_inputs, scored_at = %s"
            f" FROM {_TMP} AS t WHERE e.id = t.id",
            [now],
        )
        cur.execute(f"TRUNCATE {_TMP}")


def _write_generic(rows: list[tuple], now) -> None:
    with connection.cursor() as cur:
        cur.executemany(
            "UPDATE learning_evaluation SET total = %s, max_total = %s, passed = %s, grade = %s,"
            " grade_label = %s, level = %s, reasons = %s, used_inputs = %s, scored_at = %s WHERE id = %s",
            [(*row[1:], now, row[0]) for row in rows],
        )


def write_results(rows: list[tuple], now) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        _write_postgres(rows, now)
    else:
        _write_generic(rows, now)


def _fetch(values_qs) -> list[tuple[int, int, dict]]:
    """(id, set id, answers) rows; the JSON is decoded here rather than by the ORM's
    per-row converters, which cost more than the scoring itself at a million rows."""
    sql, params = values_qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    loads = json.loads
    return [(pk, set_id, loads(answers) if isinstance(answers, str | bytes) else answers) for pk, set_id, answers in rows]


def evaluations_score_batch(*, queryset: QuerySet[Evaluation] | None = None, chunk_size: int = 20_000) -> int:
    """Score every evaluation of ``queryset`` that has answers, and store the results.

    Returns the number of evaluations scored. Runs in one transaction: a bad answer
    anywhere (which the services never store) leaves every row as it was. Declared
    figures and subjects are only read for the sets that use figures (not families).
    """
    qs = (queryset if queryset is not None else Evaluation.objects.all()).exclude(answers={})
    scorers: dict[int, tuple] = {}
    now = timezone.now()
    done = 0
    last = 0
    with transaction.atomic():
        while True:
            chunk = _fetch(qs.filter(pk__gt=last).order_by("pk").values_list("pk", "criteria_set_id", "answers")[:chunk_size])
            if not chunk:
                break
            last = chunk[-1][0]
            for set_id in {r[1] for r in chunk} - scorers.keys():
                row = CriteriaSetVersion.objects.get(pk=set_id)
                scorers[set_id] = (row.scorer(), needed_inputs(row.parsed()))
            with_inputs = [r[0] for r in chunk if scorers[r[1]][1]]
            extra: dict[int, tuple] = {}
            computed: dict[int, dict] = {}
            if with_inputs:
                fields = ("pk", "inputs", "title", "year", "household_id", "clan_id", "community_id", "unit_id", "citizen_id")
                extra = {r[0]: r for r in Evaluation.objects.filter(pk__in=with_inputs).values_list(*fields)}
                needed = frozenset().union(*(scorers[r[1]][1] for r in chunk))
                computed = computed_inputs(
                    [(pk, r[2], r[3], next(s for s in r[4:] if s is not None)) for pk, r in extra.items()], needed
                )
            out = []
            for pk, set_id, answers in chunk:
                scorer, needed = scorers[set_id]
                if needed:
                    used = merged_inputs(extra[pk][1], computed.get(pk))
                    out.append(_row(pk, scorer.score(answers, inputs=used), used))
                else:
                    out.append(_row(pk, scorer.score(answers), None))
            write_results(out, now)
            done += len(out)
    return done
