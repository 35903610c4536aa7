"""The scoring engine: results, reasons, input errors, and properties over random sets.

No database: run with ``pytest -p no:django tests/learning``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from khuyenhoc.learning.criteria import (
    CriteriaSet,
    Criterion,
    Grade,
    InputStep,
    Item,
    Level,
    PassRule,
    Prerequisite,
    Scorer,
    ScoreResult,
    ScoringInputError,
    dump_set,
    load_builtin_sets,
    load_set,
    score,
    score_many,
    validate_set,
)

BUILTIN = load_builtin_sets()
CITIZEN = BUILTIN["citizen_hkhvn_2021_2030_farmers"]
CITIZEN_CODES = [i.code for i in CITIZEN.items]
UNIT = BUILTIN["unit_tt22_2020"]
CLAN = BUILTIN["clan_sample_qd448"]
COMMUNE = BUILTIN["commune_community_tt25_2023"]


def citizen_answers(*values: int) -> dict[str, int]:
    assert len(values) == 10
    return dict(zip(CITIZEN_CODES, values, strict=True))


def full_marks(cset: CriteriaSet) -> dict[str, int]:
    return {i.code: i.max_points for i in cset.items if not i.from_input}


# ------------------------------------------------------------------ learning citizen


def test_citizen_80_with_one_indicator_at_4_fails() -> None:
    r = score(CITIZEN, citizen_answers(4, 10, 10, 10, 10, 10, 10, 6, 5, 5))
    assert r.total == 80
    assert not r.passed
    assert len(r.reasons) == 1
    assert 'Chỉ số "A1 — ' in r.reasons[0]
    assert "đạt 4 điểm, dưới mức tối thiểu 5 điểm mỗi chỉ số" in r.reasons[0]


def test_citizen_80_with_all_at_least_5_passes() -> None:
    r = score(CITIZEN, citizen_answers(*[8] * 10))
    assert r.total == 80 and r.passed and r.reasons == []
    r = score(CITIZEN, citizen_answers(5, 5, 10, 10, 10, 10, 10, 10, 5, 5))
    assert r.total == 80 and r.passed


def test_citizen_79_fails_by_one_point() -> None:
    r = score(CITIZEN, citizen_answers(7, 8, 8, 8, 8, 8, 8, 8, 8, 8))
    assert r.total == 79 and not r.passed
    assert r.reasons == ["Tổng điểm 79/100, thiếu 1 điểm so với mức đạt 80."]


def test_citizen_reports_every_shortfall() -> None:
    r = score(CITIZEN, citizen_answers(3, 4, 10, 10, 10, 10, 10, 10, 5, 5))
    assert r.total == 77
    assert "thiếu 3 điểm so với mức đạt 80" in r.reasons[0]
    assert sum("dưới mức tối thiểu 5" in x for x in r.reasons) == 2


def test_citizen_per_group_points() -> None:
    r = score(CITIZEN, citizen_answers(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
    assert r.criterion_points == {"A": 10, "B": 26, "C": 19}
    assert r.item_points["B4"] == 8
    assert r.max_total == 100
    assert r.grade is None and r.level is None
    assert (r.set_code, r.set_version) == (CITIZEN.code, 1)


# --------------------------------------------------------------------- input errors


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (11, "11 điểm vượt mức tối đa 10"),
        (-1, "điểm không được âm, nhận được -1"),
        (7.5, "điểm phải là số nguyên, nhận được 7.5"),
        (7.0, "điểm phải là số nguyên, nhận được 7.0"),
        ("7", "điểm phải là số nguyên, nhận được '7'"),
        (True, "điểm phải là số nguyên, nhận được True"),
    ],
)
def test_bad_answer_names_the_item(value: object, fragment: str) -> None:
    with pytest.raises(ScoringInputError) as info:
        score(CITIZEN, {"A1": 10, "B2": value})  # type: ignore[dict-item]
    assert info.value.item_code == "B2"
    assert str(info.value).startswith('Mục "B2 — ')
    assert fragment in str(info.value)


def test_bad_answer_in_batch() -> None:
    rows = [full_marks(UNIT), {**full_marks(UNIT), "2.2": 6}]
    with pytest.raises(ScoringInputError) as info:
        score_many(UNIT, rows)
    assert "6 điểm vượt mức tối đa 5" in str(info.value) and info.value.item_code == "2.2"


def test_unknown_item_code() -> None:
    with pytest.raises(ScoringInputError) as info:
        score(CITIZEN, {"A1": 5, "Z9": 3})
    assert str(info.value) == f'Bộ tiêu chí "{CITIZEN.code}" không có mục "Z9".'
    assert info.value.item_code == "Z9"


def test_derived_item_cannot_be_answered() -> None:
    with pytest.raises(ScoringInputError) as info:
        score(CLAN, {"2.1": 10}, inputs={"family_title_share": 0.9})
    assert 'được tính từ số liệu "family_title_share"' in str(info.value)


def test_missing_answers_count_as_zero() -> None:
    r = score(UNIT, {"1.1": 10, "1.2": None})
    assert r.total == 10 and r.item_points["1.2"] == 0 and r.item_points["3.1"] == 0


def test_strict_rejects_missing_answers() -> None:
    answers = full_marks(UNIT)
    del answers["2.3"]
    with pytest.raises(ScoringInputError) as info:
        score(UNIT, answers, strict=True)
    assert info.value.item_code == "2.3" and str(info.value).startswith(
        'Thiếu điểm cho mục "2.3 — '
    )
    with pytest.raises(ScoringInputError):
        score(UNIT, {**answers, "2.3": None}, strict=True)
    assert score(UNIT, full_marks(UNIT), strict=True).total == 100


def test_int_like_answers_are_accepted() -> None:
    class Points(int):
        pass

    r = score(UNIT, {"1.1": Points(7)})
    assert r.item_points["1.1"] == 7 and type(r.item_points["1.1"]) is int


def test_bad_input_value() -> None:
    with pytest.raises(ScoringInputError) as info:
        score(CLAN, full_marks(CLAN), inputs={"family_title_share": "nửa"})  # type: ignore[dict-item]
    assert 'Số liệu "family_title_share"' in str(info.value)
    with pytest.raises(ScoringInputError):
        score(CLAN, full_marks(CLAN), inputs={"family_title_share": float("nan")})


def test_strict_rejects_missing_inputs() -> None:
    with pytest.raises(ScoringInputError) as info:
        score(CLAN, full_marks(CLAN), strict=True)
    assert 'Thiếu số liệu "family_title_share"' in str(info.value)


# ------------------------------------------------------------------ grades and rules


@pytest.mark.parametrize(
    ("total", "grade", "passed"),
    [
        (100, "good", True),
        (85, "good", True),
        (84, "fair", True),
        (70, "fair", True),
        (69, "average", True),
        (50, "average", True),
        (49, "not_met", False),
        (0, "not_met", False),
    ],
)
def test_unit_tt22_grades(total: int, grade: str, passed: bool) -> None:
    answers: dict[str, int] = {}
    left = total
    for item in UNIT.items:
        answers[item.code] = min(item.max_points, left)
        left -= answers[item.code]
    r = score(UNIT, answers)
    assert r.total == total
    assert (r.grade_code, r.passed) == (grade, passed)
    if not passed:
        assert f"thiếu {50 - total} điểm so với mức đạt 50" in r.reasons[0]


def test_clan_prerequisite_and_derived_points() -> None:
    answers = full_marks(CLAN)
    r = score(CLAN, answers, inputs={"family_title_share": 0.9})
    assert r.total == 100 and r.passed and r.grade_code == "passed"
    assert r.item_points["2.1"] == 20

    r = score(CLAN, answers, inputs={"family_title_share": 0.7})
    assert r.item_points["2.1"] == 15 and r.total == 95 and r.passed

    r = score(CLAN, answers, inputs={"family_title_share": 0.45})
    assert r.item_points["2.1"] == 0
    assert not r.passed and r.grade_code == "not_passed"
    assert "Chưa đạt điều kiện tiên quyết" in r.reasons[-1]
    assert "hiện là 45%, cần từ 50%" in r.reasons[-1]


def test_missing_input_is_explained() -> None:
    r = score(CLAN, full_marks(CLAN))
    assert not r.passed
    assert any(
        'Chưa có số liệu "family_title_share"' in x and "điều kiện tiên quyết" in x
        for x in r.reasons
    )
    assert any("tạm tính 0 điểm" in x for x in r.reasons)


def test_failed_mandatory_item_caps_the_grade() -> None:
    answers = {**full_marks(CLAN), "1.3": 0}
    r = score(CLAN, answers, inputs={"family_title_share": 1.0})
    assert r.total == 90
    assert not r.passed
    assert r.grade_code == "not_passed"  # not "Đạt" beside a failed mandatory item
    assert r.reasons == [
        'Mục bắt buộc "1.3 — Không có con cháu trong dòng họ lưu ban, bỏ học" đạt 0/10 điểm, cần ít nhất 10.'
    ]


def test_mandatory_minimum_boundary() -> None:
    cset = load_set(
        dump_set(UNIT).replace(
            'code = "2.3"\nname = "Thành viên hoàn thành các chương trình bồi dưỡng bắt buộc"\nmax_points = 10\n',
            'code = "2.3"\nname = "Thành viên hoàn thành các chương trình bồi dưỡng bắt buộc"\nmax_points = 10\n'
            "mandatory = true\nmin_points_if_mandatory = 8\n",
        ),
        filename="x.toml",
    )
    assert cset.item("2.3").mandatory
    assert score(cset, {**full_marks(cset), "2.3": 8}).passed
    r = score(cset, {**full_marks(cset), "2.3": 7})
    assert not r.passed and r.grade_code == "not_met"
    assert r.reasons == [
        'Mục bắt buộc "2.3 — Thành viên hoàn thành các chương trình bồi dưỡng bắt buộc" đạt 7/10 điểm, cần ít nhất 8.'
    ]


def test_levels() -> None:
    def answers(*points: int) -> dict[str, int]:
        return dict(zip(["1.1", "2.1", "3.1", "4.1", "5.1"], points, strict=True))

    assert score(COMMUNE, answers(20, 20, 20, 20, 16)).level_code == "level_2"
    r = score(COMMUNE, answers(20, 20, 20, 20, 15))
    assert r.level_code == "level_1" and r.passed
    r = score(COMMUNE, answers(20, 20, 20, 20, 9))
    assert r.level is None and not r.passed
    assert "Chưa đạt Mức độ 1" in r.reasons[0] and "đạt 9/20 điểm, cần ít nhất 10" in r.reasons[0]
    r = score(COMMUNE, answers(10, 10, 10, 10, 9))
    assert not r.passed
    assert any("thiếu 1 điểm so với mức đạt 50" in x for x in r.reasons)


def test_score_many_matches_score() -> None:
    rows = [citizen_answers(*[(i + k) % 11 for k in range(10)]) for i in range(30)]
    assert score_many(CITIZEN, rows) == [score(CITIZEN, row) for row in rows]
    scorer = Scorer(CITIZEN)
    assert [scorer.score(row) for row in rows] == score_many(CITIZEN, iter(rows))


def test_scoring_works_on_a_dumped_and_reloaded_set() -> None:
    again = load_set(dump_set(CLAN), filename="x.toml")
    answers = full_marks(CLAN)
    inputs = {"family_title_share": 0.6}
    assert score(again, answers, inputs=inputs) == score(CLAN, answers, inputs=inputs)


# ------------------------------------------------------------------------ properties


@st.composite
def criteria_sets(draw: st.DrawFn) -> CriteriaSet:
    """Random valid sets covering every rule the engine applies."""
    criteria = []
    for ci in range(draw(st.integers(1, 4))):
        items = []
        for ii in range(draw(st.integers(1, 4))):
            top = draw(st.integers(1, 20))
            mandatory = draw(st.booleans())
            minimum = draw(st.integers(1, top)) if mandatory else 0
            from_input = ""
            steps: tuple[InputStep, ...] = ()
            if draw(st.integers(0, 5)) == 0:
                from_input = "share"
                cuts = sorted(draw(st.sets(st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9]), min_size=1)))
                pts = sorted(
                    draw(st.lists(st.integers(0, top), min_size=len(cuts), max_size=len(cuts)))
                )
                steps = tuple(InputStep(c, p) for c, p in zip(cuts, pts, strict=True))
            items.append(
                Item(
                    f"{ci}.{ii}",
                    f"mục {ci}.{ii}",
                    top,
                    mandatory,
                    minimum,
                    from_input=from_input,
                    input_steps=steps,
                )
            )
        criteria.append(Criterion(f"C{ci}", f"tiêu chí {ci}", tuple(items)))
    max_total = sum(i.max_points for c in criteria for i in c.items)
    smallest = min(i.max_points for c in criteria for i in c.items)
    min_per_item = draw(st.one_of(st.none(), st.integers(0, smallest)))
    grades: tuple[Grade, ...] = ()
    levels: tuple[Level, ...] = ()
    kind = draw(st.sampled_from(["grades", "levels", "pass_fail"]))
    if kind == "grades" and max_total >= 1:
        floors = sorted(draw(st.sets(st.integers(1, max_total), min_size=1, max_size=4)))
        bounds = [0, *floors, max_total + 1]
        grades = tuple(
            Grade(f"g{k}", f"hạng {k}", bounds[k], bounds[k + 1] - 1)
            for k in range(len(bounds) - 1)
        )
        min_total = draw(st.sampled_from(floors))
    else:
        min_total = draw(st.integers(0, max_total))
    if kind == "levels":
        totals = sorted(draw(st.lists(st.integers(0, max_total), min_size=1, max_size=3)))
        ratios = sorted(
            draw(
                st.lists(
                    st.sampled_from([0.0, 0.25, 0.5, 0.8, 1.0]),
                    min_size=len(totals),
                    max_size=len(totals),
                )
            )
        )
        levels = tuple(
            Level(f"l{k}", f"mức {k}", t, r)
            for k, (t, r) in enumerate(zip(totals, ratios, strict=True))
        )
    prereqs: tuple[Prerequisite, ...] = ()
    if draw(st.booleans()):
        prereqs = (Prerequisite("share", "tỉ lệ", draw(st.sampled_from([0.2, 0.5])), True),)
    cset = CriteriaSet(
        code="random",
        version=1,
        title="family",
        name="ngẫu nhiên",
        issuer="thử",
        scope="national",
        recognition_years=1,
        criteria=tuple(criteria),
        pass_rule=PassRule(min_total=min_total, min_per_item=min_per_item),
        source_note="hypothesis",
        grades=grades,
        levels=levels,
        prerequisites=prereqs,
    )
    validate_set(cset)  # the strategy only makes sets the loader would accept
    return cset


@st.composite
def set_and_answers(draw: st.DrawFn) -> tuple[CriteriaSet, dict[str, int], dict[str, float]]:
    cset = draw(st.one_of(criteria_sets(), st.sampled_from(list(BUILTIN.values()))))
    answers = {i.code: draw(st.integers(0, i.max_points)) for i in cset.items if not i.from_input}
    # Some answers left out on purpose: they count as 0.
    answers = {k: v for k, v in answers.items() if draw(st.booleans()) or v}
    inputs = {
        name: draw(st.floats(0, 1))
        for name in ("share", "family_title_share", "citizen_title_share")
        if draw(st.booleans())
    }
    return cset, answers, inputs


def _rank(cset: CriteriaSet, r: ScoreResult) -> tuple[int, int]:
    grade_rank = -1
    if r.grade is not None:
        grade_rank = sorted(g.min_points for g in cset.grades).index(r.grade.min_points)
    level_rank = cset.levels.index(r.level) if r.level is not None else -1
    return grade_rank, level_rank


@settings(max_examples=400, deadline=None)
@given(set_and_answers())
def test_totals_never_exceed_maxima(
    case: tuple[CriteriaSet, dict[str, int], dict[str, float]],
) -> None:
    cset, answers, inputs = case
    r = score(cset, answers, inputs=inputs)
    assert 0 <= r.total <= cset.max_total
    for item in cset.items:
        assert 0 <= r.item_points[item.code] <= item.max_points
    for crit in cset.criteria:
        assert r.criterion_points[crit.code] <= crit.max_points
    assert sum(r.criterion_points.values()) == r.total == sum(r.item_points.values())
    if cset.grades:
        assert r.grade is not None
        assert r.passed == (r.grade.min_points >= cset.pass_rule.min_total)
    if r.level is not None:
        assert r.passed
    assert r.passed == _reference_passed(cset, r, inputs)


def _reference_passed(cset: CriteriaSet, r: ScoreResult, inputs: Mapping[str, float]) -> bool:
    """The pass rule written out plainly from its definition, as an oracle for the engine."""
    rule = cset.pass_rule
    points = r.item_points
    if r.total < rule.min_total:
        return False
    if any(points[i.code] < i.min_points_if_mandatory for i in cset.items if i.mandatory):
        return False
    if rule.min_per_item is not None and any(p < rule.min_per_item for p in points.values()):
        return False
    for q in cset.prerequisites:
        if q.input not in inputs or inputs[q.input] < q.min_value:
            return False
    if cset.levels:
        return any(
            r.total >= lv.min_total
            and all(
                r.criterion_points[c.code] >= lv.min_criterion_ratio * c.max_points - 1e-9
                for c in cset.criteria
            )
            for lv in cset.levels
        )
    return True


@settings(max_examples=600, deadline=None)
@given(set_and_answers(), st.data())
def test_more_points_never_make_things_worse(
    case: tuple[CriteriaSet, dict[str, int], dict[str, float]], data: st.DataObject
) -> None:
    cset, answers, inputs = case
    answerable = [i for i in cset.items if not i.from_input]
    assume(answerable)
    item = data.draw(st.sampled_from(answerable))
    before = answers.get(item.code, 0)
    after = data.draw(st.integers(before, item.max_points))
    low = score(cset, answers, inputs=inputs)
    high = score(cset, {**answers, item.code: after}, inputs=inputs)
    assert high.total == low.total + (after - before)
    assert not (low.passed and not high.passed)
    low_grade, low_level = _rank(cset, low)
    high_grade, high_level = _rank(cset, high)
    assert high_grade >= low_grade
    assert high_level >= low_level


@settings(max_examples=200, deadline=None)
@given(criteria_sets(), st.floats(0, 1), st.floats(0, 1))
def test_a_better_input_never_makes_things_worse(cset: CriteriaSet, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    answers = {i.code: i.max_points // 2 for i in cset.items if not i.from_input}
    low = score(cset, answers, inputs={"share": lo})
    high = score(cset, answers, inputs={"share": hi})
    assert high.total >= low.total
    assert not (low.passed and not high.passed)
    (low_grade, low_level), (high_grade, high_level) = _rank(cset, low), _rank(cset, high)
    assert high_grade >= low_grade and high_level >= low_level


@settings(max_examples=150, deadline=None)
@given(criteria_sets())
def test_random_sets_round_trip(cset: CriteriaSet) -> None:
    assert load_set(dump_set(cset), filename="rt.toml") == cset


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=10, max_size=10))
def test_citizen_rule_matches_its_definition(values: list[int]) -> None:
    r = score(CITIZEN, citizen_answers(*values))
    assert r.passed == (sum(values) >= 80 and min(values) >= 5)


def test_level_ratio_is_exact_on_boundaries() -> None:
    # 0.8 of 20 is 16 exactly; float noise must not demand 17.
    scorer = Scorer(COMMUNE)
    mins: Mapping[str, int] = {"1.1": 16, "2.1": 16, "3.1": 16, "4.1": 16, "5.1": 16}
    r = scorer.score(mins)
    assert r.total == 80 and r.level_code == "level_2"
