"""Scoring an evaluation against a criteria set: a pure function of the set and the answers.

No database, no clock, no settings: the same set and answers always give the same
result, so results can be recomputed when a set is corrected and batch-scored in
workers. The engine will score about a million evaluations a year nationally, so
``Scorer`` compiles a set once into flat tuples and the per-row work is a few list
operations; ``score`` is the convenient one-off form.

Rules, in the order they are applied:

* Answers are whole points per item code; a missing answer (or ``None``) counts as 0
  unless ``strict=True``. An item with ``from_input`` takes its points from the named
  input instead and must not be answered.
* The set passes when the total reaches ``pass_rule.min_total``, every mandatory item
  reaches its minimum, no item is below ``pass_rule.min_per_item`` (if set), every
  prerequisite input reaches its threshold and, for sets graded by levels, at least
  the lowest level is reached.
* The grade is the band holding the total; when the set does not pass, it is capped to
  the highest failing band, so a page never shows "Tốt" beside "không đạt". For
  levels, the level is the highest one reached, or None when the set does not pass.

Every rule only gets easier to meet as points rise, so more points on any item never
lower the grade or level nor turn a pass into a fail (a property the tests check).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .schema import CriteriaSet, Grade, Item, Level

__all__ = ["ScoreResult", "Scorer", "ScoringInputError", "score", "score_many"]


class ScoringInputError(ValueError):
    """An answer or input that cannot be scored; the message names the item in Vietnamese."""

    def __init__(self, message: str, *, set_code: str, item_code: str | None = None) -> None:
        super().__init__(message)
        self.set_code = set_code
        self.item_code = item_code


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which
# measurably slows batch scoring, and nothing in the engine mutates a result.
@dataclass(slots=True)
class ScoreResult:
    set_code: str
    set_version: int
    total: int
    max_total: int
    criterion_points: dict[str, int]
    item_points: dict[str, int]
    passed: bool
    grade: Grade | None = None
    level: Level | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def grade_code(self) -> str | None:
        return self.grade.code if self.grade else None

    @property
    def grade_label(self) -> str | None:
        return self.grade.label if self.grade else None

    @property
    def level_code(self) -> str | None:
        return self.level.code if self.level else None


def _fmt_number(value: float, percent: bool) -> str:
    """Vietnamese number text: decimal comma, percent when the figure is a share."""
    if percent:
        text = f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"
    else:
        text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _label(item: Item) -> str:
    return f'"{item.code} — {item.name}"'


class _InputContext:
    """What the inputs decide, computed once per inputs mapping (once per batch)."""

    __slots__ = ("derived_points", "prereq_reasons", "info_reasons")

    def __init__(
        self, derived_points: list[int], prereq_reasons: list[str], info_reasons: list[str]
    ) -> None:
        self.derived_points = derived_points
        self.prereq_reasons = prereq_reasons
        self.info_reasons = info_reasons


class Scorer:
    """A criteria set compiled for fast repeated scoring.

    The set must be valid (as returned by ``load_set`` or accepted by
    ``validate_set``); the scorer does not re-check it.
    """

    __slots__ = (
        "cset",
        "_answered",
        "_answered_items",
        "_answered_set",
        "_maxes",
        "_derived",
        "_derived_codes",
        "_positions",
        "_all_codes",
        "_slices",
        "_crit_codes",
        "_crit_max",
        "_max_total",
        "_min_total",
        "_min_per_item",
        "_mandatory",
        "_grade_pass",
        "_grade_fail",
        "_levels",
        "_set_code",
        "_version",
        "_pass_mark_text",
        "_item_word",
        "_labels",
    )

    def __init__(self, cset: CriteriaSet) -> None:
        self.cset = cset
        self._set_code = cset.code
        self._version = cset.version
        all_items = [it for c in cset.criteria for it in c.items]
        self._all_codes = tuple(it.code for it in all_items)
        self._labels = tuple(_label(it) for it in all_items)  # built once, not per failing row
        answered = [it for it in all_items if not it.from_input]
        self._answered_items = tuple(answered)
        self._answered = tuple(it.code for it in answered)
        self._answered_set = frozenset(self._answered)
        self._maxes = tuple(it.max_points for it in answered)
        self._derived = tuple((i, it) for i, it in enumerate(all_items) if it.from_input)
        self._derived_codes = frozenset(it.code for _, it in self._derived)
        # Where each answered value goes in the set-ordered list, only needed when some
        # items are derived; otherwise answered order *is* set order.
        self._positions = tuple(i for i, it in enumerate(all_items) if not it.from_input)
        slices = []
        start = 0
        for c in cset.criteria:
            slices.append((start, start + len(c.items)))
            start += len(c.items)
        self._slices = tuple(slices)
        self._crit_codes = tuple(c.code for c in cset.criteria)
        self._crit_max = tuple(c.max_points for c in cset.criteria)
        self._max_total = sum(self._crit_max)
        self._min_total = cset.pass_rule.min_total
        self._min_per_item = cset.pass_rule.min_per_item
        self._mandatory = tuple(
            (i, it.min_points_if_mandatory, it.max_points)
            for i, it in enumerate(all_items)
            if it.mandatory
        )
        self._pass_mark_text = str(self._min_total)
        # A learning-citizen form calls its items "chỉ số" (indicators); other sets "mục".
        self._item_word = ("Chỉ số", "chỉ số") if cset.title == "citizen" else ("Mục", "mục")
        self._grade_pass, self._grade_fail = self._grade_tables(cset)
        self._levels = tuple(
            (
                lv,
                tuple(math.ceil(lv.min_criterion_ratio * m - 1e-9) for m in self._crit_max),
            )
            for lv in cset.levels
        )

    def _grade_tables(
        self, cset: CriteriaSet
    ) -> tuple[tuple[Grade | None, ...], tuple[Grade | None, ...]]:
        """Grade by total, for passed and for failed evaluations, as direct lookups."""
        if not cset.grades:
            return (), ()
        by_total: list[Grade | None] = [None] * (self._max_total + 1)
        for g in cset.grades:
            for t in range(max(g.min_points, 0), min(g.max_points, self._max_total) + 1):
                by_total[t] = g
        failing = [g for g in cset.grades if g.min_points < self._min_total]
        top_fail = max(failing, key=lambda g: g.min_points) if failing else None
        fail_table = [
            g if (g is not None and g.min_points < self._min_total) else top_fail for g in by_total
        ]
        return tuple(by_total), tuple(fail_table)

    # ----------------------------------------------------------------- inputs

    def _inputs(self, inputs: Mapping[str, float] | None, strict: bool) -> _InputContext:
        inputs = inputs or {}
        prereq_reasons: list[str] = []
        info_reasons: list[str] = []
        for q in self.cset.prerequisites:
            value = self._input_value(inputs, q.input, strict, f"điều kiện tiên quyết ({q.label})")
            if value is None:
                prereq_reasons.append(
                    f'Chưa có số liệu "{q.input}" ({q.label}) để xét điều kiện tiên quyết.'
                )
            elif value < q.min_value:
                prereq_reasons.append(
                    f"Chưa đạt điều kiện tiên quyết: {q.label} — hiện là "
                    f"{_fmt_number(value, q.percent)}, cần từ {_fmt_number(q.min_value, q.percent)}."
                )
        derived_points: list[int] = []
        for _, it in self._derived:
            value = self._input_value(inputs, it.from_input, strict, f"mục {_label(it)}")
            points = 0
            if value is None:
                info_reasons.append(
                    f'Chưa có số liệu "{it.from_input}" để tính điểm mục {_label(it)}; tạm tính 0 điểm.'
                )
            else:
                for step in it.input_steps:
                    if value >= step.min_value:
                        points = step.points
            derived_points.append(points)
        return _InputContext(derived_points, prereq_reasons, info_reasons)

    def _input_value(
        self, inputs: Mapping[str, float], name: str, strict: bool, used_for: str
    ) -> float | None:
        value = inputs.get(name)
        if value is None:
            if strict:
                raise ScoringInputError(
                    f'Thiếu số liệu "{name}" dùng cho {used_for}.', set_code=self._set_code
                )
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ScoringInputError(
                f'Số liệu "{name}" dùng cho {used_for} phải là một số, nhận được {value!r}.',
                set_code=self._set_code,
            )
        return float(value)

    # ---------------------------------------------------------------- answers

    def _bad_keys(self, answers: Mapping[str, object]) -> ScoringInputError:
        for key in answers:
            if key in self._answered_set:
                continue
            if key in self._derived_codes:
                item = self.cset.item(key)
                return ScoringInputError(
                    f'Mục {_label(item)} được tính từ số liệu "{item.from_input}", không nhập điểm trực tiếp.',
                    set_code=self._set_code,
                    item_code=key,
                )
            return ScoringInputError(
                f'Bộ tiêu chí "{self._set_code}" không có mục "{key}".',
                set_code=self._set_code,
                item_code=str(key),
            )
        raise AssertionError("unreachable: called only when a key is unknown")  # pragma: no cover

    def _clean(self, values: list[object], strict: bool) -> list[int]:
        """The slow path: explain the first bad answer, or normalise None and int-likes."""
        out: list[int] = []
        for item, value in zip(self._answered_items, values, strict=True):
            if value is None:
                if strict:
                    raise ScoringInputError(
                        f"Thiếu điểm cho mục {_label(item)}.",
                        set_code=self._set_code,
                        item_code=item.code,
                    )
                out.append(0)
                continue
            if isinstance(value, bool):
                number = None
            else:
                try:
                    # operator.index accepts whole-number types (int subclasses, numpy
                    # integers) and refuses floats, so 7.5 and 7.0 are both rejected.
                    number = operator.index(value)  # type: ignore[call-overload]
                except TypeError:
                    number = None
            if number is None:
                raise ScoringInputError(
                    f"Mục {_label(item)}: điểm phải là số nguyên, nhận được {value!r}.",
                    set_code=self._set_code,
                    item_code=item.code,
                )
            if number < 0:
                raise ScoringInputError(
                    f"Mục {_label(item)}: điểm không được âm, nhận được {number}.",
                    set_code=self._set_code,
                    item_code=item.code,
                )
            if number > item.max_points:
                raise ScoringInputError(
                    f"Mục {_label(item)}: {number} điểm vượt mức tối đa {item.max_points}.",
                    set_code=self._set_code,
                    item_code=item.code,
                )
            out.append(number)
        return out

    # ---------------------------------------------------------------- scoring

    def score(
        self,
        answers: Mapping[str, object],
        *,
        inputs: Mapping[str, float] | None = None,
        strict: bool = False,
    ) -> ScoreResult:
        return self._score(answers, self._inputs(inputs, strict), strict)

    def score_many(
        self,
        rows: Iterable[Mapping[str, object]],
        *,
        inputs: Mapping[str, float] | None = None,
        strict: bool = False,
    ) -> list[ScoreResult]:
        """Score many answer mappings sharing the same inputs (computed once)."""
        ctx = self._inputs(inputs, strict)
        one = self._score
        return [one(row, ctx, strict) for row in rows]

    def _score(
        self, answers: Mapping[str, object], ctx: _InputContext, strict: bool
    ) -> ScoreResult:
        if not self._answered_set.issuperset(answers):
            raise self._bad_keys(answers)
        get = answers.get
        values: list = [get(code) for code in self._answered]
        for v, top in zip(values, self._maxes):  # noqa: B905 - same length by construction
            # One cheap test per value; anything unusual (None, wrong type, out of
            # range) falls to the slow path, which either normalises or explains.
            if type(v) is not int or v < 0 or v > top:
                values = self._clean(values, strict)
                break
        if self._derived:
            full = [0] * len(self._all_codes)
            for pos, v in zip(self._positions, values):  # noqa: B905
                full[pos] = v
            for (pos, _), v in zip(self._derived, ctx.derived_points):  # noqa: B905
                full[pos] = v
            values = full

        total = sum(values)
        crit = [sum(values[a:b]) for a, b in self._slices]

        reasons: list[str] = []
        if total < self._min_total:
            reasons.append(
                f"Tổng điểm {total}/{self._max_total}, thiếu {self._min_total - total} điểm "
                f"so với mức đạt {self._pass_mark_text}."
            )
        for pos, minimum, top in self._mandatory:
            if values[pos] < minimum:
                reasons.append(
                    f"Mục bắt buộc {self._labels[pos]} đạt {values[pos]}/{top} điểm, "
                    f"cần ít nhất {minimum}."
                )
        floor = self._min_per_item
        if floor is not None and min(values) < floor:
            for pos, v in enumerate(values):
                if v < floor:
                    reasons.append(
                        f"{self._item_word[0]} {self._labels[pos]} đạt {v} điểm, dưới mức "
                        f"tối thiểu {floor} điểm mỗi {self._item_word[1]}."
                    )
        if ctx.prereq_reasons:
            reasons.extend(ctx.prereq_reasons)

        level: Level | None = None
        if self._levels:
            for lv, mins in reversed(self._levels):
                if total >= lv.min_total and all(c >= m for c, m in zip(crit, mins)):  # noqa: B905
                    level = lv
                    break
            if level is None:
                reasons.extend(self._level_reasons(total, crit))

        passed = not reasons
        if not passed:
            level = None
        grade: Grade | None = None
        if self._grade_pass:
            grade = self._grade_pass[total] if passed else self._grade_fail[total]
        if ctx.info_reasons:
            reasons.extend(ctx.info_reasons)
        return ScoreResult(
            self._set_code,
            self._version,
            total,
            self._max_total,
            dict(zip(self._crit_codes, crit)),  # noqa: B905
            dict(zip(self._all_codes, values)),  # noqa: B905
            passed,
            grade,
            level,
            reasons,
        )

    def _level_reasons(self, total: int, crit: list[int]) -> list[str]:
        lv, mins = self._levels[0]
        out: list[str] = []
        if total < lv.min_total:
            out.append(
                f"Chưa đạt {lv.label}: tổng điểm {total}, thiếu {lv.min_total - total} điểm "
                f"so với mức {lv.min_total}."
            )
        for c, got, need, top in zip(self.cset.criteria, crit, mins, self._crit_max):  # noqa: B905
            if got < need:
                out.append(
                    f'Chưa đạt {lv.label}: tiêu chí "{c.code} — {c.name}" đạt {got}/{top} điểm, '
                    f"cần ít nhất {need}."
                )
        return out


def score(
    cset: CriteriaSet,
    answers: Mapping[str, object],
    *,
    inputs: Mapping[str, float] | None = None,
    strict: bool = False,
) -> ScoreResult:
    """Score one evaluation. For many rows use ``score_many`` or a ``Scorer``."""
    return Scorer(cset).score(answers, inputs=inputs, strict=strict)


def score_many(
    cset: CriteriaSet,
    rows: Iterable[Mapping[str, object]],
    *,
    inputs: Mapping[str, float] | None = None,
    strict: bool = False,
) -> list[ScoreResult]:
    """Score many evaluations of one set; ``inputs`` are shared by every row.

    When each row has its own inputs (e.g. each clan's share of learning families),
    build one ``Scorer(cset)`` and call ``scorer.score(row, inputs=...)`` per row.
    """
    return Scorer(cset).score_many(rows, inputs=inputs, strict=strict)
