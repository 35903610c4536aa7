"""The shipped criteria files, the TOML loader's checks and messages, and the dump round trip.

No database: run with ``pytest -p no:django tests/learning``.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khuyenhoc.learning.criteria import (
    PLACEHOLDER_NAME,
    CriteriaFileError,
    CriteriaSet,
    Criterion,
    Grade,
    Item,
    LegalBasis,
    PassRule,
    dump_set,
    load_builtin_sets,
    load_set,
    validate_set,
)

SETS_DIR = resources.files("khuyenhoc.learning.criteria").joinpath("sets")
BUILTIN_FILES = sorted(e.name for e in SETS_DIR.iterdir() if e.name.endswith(".toml"))


@pytest.fixture(scope="module")
def builtin() -> dict[str, CriteriaSet]:
    return load_builtin_sets()


# --------------------------------------------------------------------- shipped files


def test_expected_files_are_shipped() -> None:
    assert set(BUILTIN_FILES) == {
        "unit_tt22_2020.toml",
        "commune_community_tt25_2023.toml",
        "family_sample_qd448.toml",
        "clan_sample_qd448.toml",
        "community_sample_qd448.toml",
        "unit_sample_qd448.toml",
        "citizen_hkhvn_2021_2030_farmers.toml",
        "citizen_hkhvn_2021_2030_workers.toml",
        "citizen_hkhvn_2021_2030_officials.toml",
        "citizen_hkhvn_2021_2030_pupils.toml",
    }


@pytest.mark.parametrize("filename", BUILTIN_FILES)
def test_every_builtin_file_loads_and_describes_itself(filename: str) -> None:
    text = SETS_DIR.joinpath(filename).read_text(encoding="utf-8")
    cset = load_set(text, filename=filename)
    assert cset.code == filename.removesuffix(".toml")
    assert cset.version >= 1
    assert cset.source_note.strip()
    assert cset.legal_basis, "every shipped set says what it rests on"
    assert not (cset.is_sample and cset.official)
    # The file states its total, and the items add up to it.
    declared = tomllib.loads(text)["max_total"]
    assert declared == 100 == cset.max_total


@pytest.mark.parametrize("filename", BUILTIN_FILES)
def test_builtin_round_trip(filename: str) -> None:
    cset = load_set(SETS_DIR.joinpath(filename).read_text(encoding="utf-8"), filename=filename)
    dumped = dump_set(cset)
    again = load_set(dumped, filename="dumped.toml")
    assert again == cset
    assert dump_set(again) == dumped


def test_samples_are_labelled(builtin: dict[str, CriteriaSet]) -> None:
    samples = {code for code, s in builtin.items() if s.is_sample}
    assert samples == {
        "family_sample_qd448",
        "clan_sample_qd448",
        "community_sample_qd448",
        "unit_sample_qd448",
        "citizen_hkhvn_2021_2030_pupils",
    }
    for code in samples:
        assert builtin[code].name.startswith("MẪU — thay bằng"), code
        assert not builtin[code].official


def test_placeholders_are_marked(builtin: dict[str, CriteriaSet]) -> None:
    for cset in builtin.values():
        for item in cset.items:
            assert item.placeholder == (item.name == PLACEHOLDER_NAME), (cset.code, item.code)


def test_unit_tt22(builtin: dict[str, CriteriaSet]) -> None:
    s = builtin["unit_tt22_2020"]
    assert s.official and not s.is_sample and s.title == "unit"
    assert [c.max_points for c in s.criteria] == [30, 30, 40]
    assert [i.max_points for i in s.criteria[0].items] == [10, 10, 10]
    assert [i.max_points for i in s.criteria[1].items] == [10, 5, 10, 5]
    assert [(i.max_points, i.placeholder) for i in s.criteria[2].items] == [(25, False), (15, True)]
    bands = {g.code: (g.min_points, g.max_points) for g in s.grades}
    assert bands == {"good": (85, 100), "fair": (70, 84), "average": (50, 69), "not_met": (0, 49)}
    assert s.legal_basis[0].number == "22/2020/TT-BGDĐT"


def test_commune_community_tt25(builtin: dict[str, CriteriaSet]) -> None:
    s = builtin["commune_community_tt25_2023"]
    assert s.title == "commune_community"
    assert len(s.criteria) == 5
    assert s.recognition_years == 3
    assert s.points_unconfirmed
    assert [lv.code for lv in s.levels] == ["level_1", "level_2"]
    assert s.valid_from == date(2024, 2, 12)
    assert "minh họa" in s.source_note
    assert {c.max_points for c in s.criteria} == {20}


def test_family_sample(builtin: dict[str, CriteriaSet]) -> None:
    s = builtin["family_sample_qd448"]
    assert [c.max_points for c in s.criteria[:2]] == [30, 30]
    assert sum(c.max_points for c in s.criteria[2:]) == 40
    assert [i.max_points for i in s.criteria[0].items] == [10, 10, 10]
    assert [i.placeholder for i in s.criteria[1].items] == [False, False, True]
    assert s.pass_rule.min_total == 80 and not s.pass_rule.confirmed


def test_clan_sample_prerequisite(builtin: dict[str, CriteriaSet]) -> None:
    s = builtin["clan_sample_qd448"]
    (q,) = s.prerequisites
    assert (q.input, q.min_value, q.percent) == ("family_title_share", 0.5, True)
    mandatory = [i.code for i in s.items if i.mandatory]
    assert mandatory == ["1.1", "1.2", "1.3"]


@pytest.mark.parametrize("group", ["farmers", "workers", "officials", "pupils"])
def test_citizen_forms(builtin: dict[str, CriteriaSet], group: str) -> None:
    s = builtin[f"citizen_hkhvn_2021_2030_{group}"]
    assert s.title == "citizen" and s.audience == group
    assert [c.code for c in s.criteria] == ["A", "B", "C"]
    assert [len(c.items) for c in s.criteria] == [4, 4, 2]
    assert {i.max_points for i in s.items} == {10}
    assert (s.pass_rule.min_total, s.pass_rule.min_per_item) == (80, 5)
    assert s.grading == "pass_fail"
    numbers = {lb.number: lb for lb in s.legal_basis}
    assert set(numbers) == {"244/QĐ-KHVN", "324/QĐ-KHVN"}
    assert numbers["244/QĐ-KHVN"].issued_on == date(2022, 7, 28)
    assert all("chưa xác nhận" in lb.note for lb in s.legal_basis)
    # Only the pupils' form is a guess.
    assert s.audience_confirmed == (group != "pupils")
    assert s.is_sample == (group == "pupils")


# ---------------------------------------------------------------------- loader errors

GOOD = """\
code = "t"
version = 1
title = "family"
name = "Thử"
issuer = "Hội"
scope = "19"
recognition_years = 1
official = false
is_sample = true
source_note = "thử"

[pass_rule]
min_total = 15

[[grades]]
code = "ok"
label = "Đạt"
min_points = 15
max_points = 20

[[grades]]
code = "no"
label = "Chưa đạt"
min_points = 0
max_points = 14

[[criteria]]
code = "1"
name = "Một"

[[criteria.items]]
code = "1.1"
name = "Mục một"
max_points = 10

[[criteria.items]]
code = "1.2"
name = "Mục hai"
max_points = 10
"""


def _error(text: str) -> CriteriaFileError:
    with pytest.raises(CriteriaFileError) as info:
        load_set(text, filename="bad.toml")
    return info.value


def test_good_fixture_loads() -> None:
    s = load_set(GOOD, filename="good.toml")
    assert s.max_total == 20 and s.scope == "19"


def test_syntax_error_names_the_line() -> None:
    text = GOOD.replace('name = "Mục hai"', "name = Mục hai")
    err = _error(text)
    line = text.splitlines().index("name = Mục hai") + 1
    assert err.line == line
    assert str(err).startswith(f"Tệp bad.toml dòng {line}, cột 8: lỗi cú pháp TOML")
    assert "giá trị không hợp lệ" in str(err)


def test_syntax_error_missing_equals() -> None:
    err = _error('code "t"\n')
    assert str(err).startswith("Tệp bad.toml dòng 1, cột 6:")
    assert 'thiếu dấu "="' in str(err)


def test_syntax_error_duplicate_key() -> None:
    err = _error(GOOD.replace("version = 1\n", "version = 1\nversion = 2\n"))
    assert "dòng 3" in str(err)


def test_zero_max_points_names_field_and_line() -> None:
    text = GOOD.replace("max_points = 10\n", "max_points = 0\n", 1)
    err = _error(text)
    assert "criteria[1].items[1].max_points" in str(err)
    assert 'mục "1.1": điểm tối đa phải lớn hơn 0, đang là 0' in str(err)
    line = text.splitlines().index("max_points = 0") + 1
    assert err.line == line and f"(dòng {line})" in str(err)


def test_negative_max_points() -> None:
    err = _error(GOOD.replace("max_points = 10\n", "max_points = -5\n", 1))
    assert "đang là -5" in str(err)


def test_duplicate_item_code() -> None:
    err = _error(GOOD.replace('code = "1.2"', 'code = "1.1"'))
    assert 'mã mục "1.1" bị trùng' in str(err)


def test_duplicate_criterion_code() -> None:
    extra = '\n[[criteria]]\ncode = "1"\nname = "Lặp"\n\n[[criteria.items]]\ncode = "2.1"\nname = "x"\nmax_points = 5\n'
    err = _error(GOOD.replace("max_points = 20\n", "max_points = 25\n") + extra)
    assert 'mã tiêu chí "1" bị trùng' in str(err)


def test_duplicate_grade_code() -> None:
    err = _error(GOOD.replace('code = "no"', 'code = "ok"'))
    assert 'mã xếp loại "ok" bị trùng' in str(err)


def test_overlapping_grades() -> None:
    err = _error(GOOD.replace("max_points = 14", "max_points = 16"))
    assert 'xếp loại "no" (0–16) và "ok" (15–20) chồng nhau ở khoảng 15–16 điểm' in str(err)


def test_gap_between_grades() -> None:
    err = _error(GOOD.replace("max_points = 14", "max_points = 12"))
    assert 'giữa xếp loại "no" (0–12) và "ok" (15–20) bỏ trống khoảng 13–14 điểm' in str(err)


def test_grades_must_start_at_zero() -> None:
    err = _error(GOOD.replace("min_points = 0", "min_points = 2"))
    assert "khoảng 0–1 điểm chưa thuộc xếp loại nào" in str(err)


def test_grades_must_reach_the_top() -> None:
    err = _error(GOOD.replace("max_points = 20", "max_points = 18"))
    assert "khoảng 19–20 điểm chưa thuộc xếp loại nào" in str(err)


def test_grade_above_maximum_total() -> None:
    err = _error(GOOD.replace("max_points = 20", "max_points = 25"))
    assert 'xếp loại "ok" (15–25) vượt tổng điểm tối đa 20' in str(err)
    assert "grades[1].max_points" in str(err)


def test_grade_with_min_above_max() -> None:
    err = _error(GOOD.replace("min_points = 15", "min_points = 21"))
    assert "grades[1]" in str(err) and "(21–20)" in str(err)


def test_pass_mark_must_sit_on_a_band_floor() -> None:
    err = _error(GOOD.replace("min_total = 15", "min_total = 16"))
    assert "pass_rule.min_total" in str(err) and "0, 15" in str(err)


def test_pass_mark_above_total() -> None:
    err = _error(GOOD.replace("min_total = 15", "min_total = 30"))
    assert "mức đạt 30 phải từ 0 đến tổng điểm tối đa 20" in str(err)


@pytest.mark.parametrize(
    "field", ["code", "version", "title", "name", "issuer", "scope", "source_note", "official"]
)
def test_missing_required_field(field: str) -> None:
    lines = [ln for ln in GOOD.splitlines() if not ln.startswith(f"{field} =")]
    err = _error("\n".join(lines))
    assert f"trường {field}: thiếu trường bắt buộc" in str(err)


def test_missing_item_field_names_item() -> None:
    err = _error(
        GOOD.replace(
            'max_points = 10\n\n[[criteria.items]]\ncode = "1.2"',
            '\n[[criteria.items]]\ncode = "1.2"',
        )
    )
    assert "criteria[1].items[1].max_points" in str(err) and "thiếu trường bắt buộc" in str(err)


def test_missing_pass_rule_and_criteria() -> None:
    text = GOOD.split("[pass_rule]")[0]
    err = _error(text)
    assert "trường pass_rule" in str(err) and "trường criteria" in str(err)
    assert len(err.errors) == 2


def test_unknown_field_suggests_the_right_one() -> None:
    err = _error(GOOD.replace("max_points = 10\n", "max_point = 10\n", 1))
    assert "criteria[1].items[1].max_point" in str(err) and 'có phải "max_points"?' in str(err)


def test_wrong_types() -> None:
    err = _error(
        GOOD.replace("max_points = 10\n", "max_points = 7.5\n", 1).replace(
            "official = false", 'official = "no"'
        )
    )
    assert "phải là số nguyên, đang là 7.5" in str(err)
    assert "trường official" in str(err) and "true hoặc false" in str(err)


def test_datetime_is_not_a_date() -> None:
    err = _error(
        GOOD.replace('source_note = "thử"', 'source_note = "thử"\nvalid_from = 2024-01-01T10:00:00')
    )
    assert "trường valid_from" in str(err)


def test_declared_total_must_match() -> None:
    err = _error(GOOD.replace('source_note = "thử"', 'source_note = "thử"\nmax_total = 100'))
    assert "khai báo tổng điểm 100 nhưng các mục cộng lại được 20" in str(err)


def test_header_checks() -> None:
    text = (
        GOOD.replace('title = "family"', 'title = "village"')
        .replace('scope = "19"', 'scope = "Bắc Kạn"')
        .replace("recognition_years = 1", "recognition_years = 2")
        .replace("official = false", "official = true")
    )
    err = _error(text)
    messages = "\n".join(err.errors)
    assert 'danh hiệu "village" không hợp lệ' in messages
    assert "trường scope" in messages
    assert "thời hạn công nhận phải là 1 hoặc 3 năm" in messages
    assert (
        "bộ tiêu chí mẫu (is_sample = true) không thể đồng thời là văn bản chính thức" in messages
    )
    assert "phải ghi căn cứ pháp lý" in messages
    assert len(err.errors) >= 5  # every problem reported at once


def test_validity_period_order() -> None:
    err = _error(
        GOOD.replace(
            'source_note = "thử"',
            'source_note = "thử"\nvalid_from = 2025-01-01\nvalid_to = 2024-01-01',
        )
    )
    assert "trường valid_to" in str(err)


def test_mandatory_minimum_out_of_range() -> None:
    err = _error(
        GOOD.replace(
            "max_points = 10\n",
            "max_points = 10\nmandatory = true\nmin_points_if_mandatory = 11\n",
            1,
        )
    )
    assert "criteria[1].items[1].min_points_if_mandatory" in str(err)


def test_mandatory_defaults_to_full_points() -> None:
    s = load_set(
        GOOD.replace("max_points = 10\n", "max_points = 10\nmandatory = true\n", 1),
        filename="x.toml",
    )
    assert s.item("1.1").min_points_if_mandatory == 10


def test_min_per_item_above_an_item_maximum() -> None:
    err = _error(GOOD.replace("min_total = 15", "min_total = 15\nmin_per_item = 11"))
    assert 'mục "1.1" tối đa 10 điểm nên không bao giờ đạt mức tối thiểu 11' in str(err)


def test_grades_and_levels_together() -> None:
    err = _error(GOOD + '\n[[levels]]\ncode = "l1"\nlabel = "Mức 1"\nmin_total = 10\n')
    assert "hoặc grades (khung điểm) hoặc levels (mức độ)" in str(err)


def test_levels_must_not_get_easier() -> None:
    text = GOOD.split("[[grades]]")[0].replace("min_total = 15", "min_total = 5")
    text += '[[levels]]\ncode = "l1"\nlabel = "Mức 1"\nmin_total = 15\n\n[[levels]]\ncode = "l2"\nlabel = "Mức 2"\nmin_total = 10\n'
    text += GOOD[GOOD.index("[[criteria]]") :]
    err = _error(text)
    assert 'mức độ "l2" phải đòi hỏi không thấp hơn mức "l1"' in str(err)


def test_input_steps_must_rise() -> None:
    text = GOOD.replace(
        'name = "Mục hai"\nmax_points = 10\n',
        'name = "Mục hai"\nmax_points = 10\nfrom_input = "share"\n'
        "input_steps = [{ min_value = 0.5, points = 8 }, { min_value = 0.4, points = 10 }]\n",
    )
    err = _error(text)
    assert "criteria[1].items[2].input_steps[2]" in str(err)


def test_input_steps_need_from_input() -> None:
    text = GOOD.replace(
        'name = "Mục hai"\nmax_points = 10\n',
        'name = "Mục hai"\nmax_points = 10\ninput_steps = [{ min_value = 0.5, points = 8 }]\n',
    )
    assert "thiếu from_input" in str(_error(text))


def test_builtin_codes_are_unique(builtin: dict[str, CriteriaSet]) -> None:
    assert len(builtin) == len(BUILTIN_FILES)


# ------------------------------------------------------------------ validate and dump


def _small_set(**changes: object) -> CriteriaSet:
    base = CriteriaSet(
        code="tinh_19_family",
        version=2,
        title="family",
        name="Gia đình học tập tỉnh 19",
        issuer="Hội Khuyến học tỉnh",
        scope="19",
        recognition_years=1,
        criteria=(
            Criterion(
                "1", "Trẻ em", (Item("1.1", "Đi học", 10), Item("1.2", "Kết quả", 10, True, 5))
            ),
        ),
        pass_rule=PassRule(min_total=16, confirmed=False, note="tỉnh sẽ xác nhận"),
        legal_basis=(LegalBasis("12/QĐ-HKH", date(2024, 1, 5), "Quyết định", "ghi chú"),),
        official=True,
        source_note="Nhập từ trang quản trị",
        grades=(Grade("dat", "Đạt", 16, 20), Grade("chua", "Chưa đạt", 0, 15)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_validate_set_accepts_a_set_built_in_code() -> None:
    validate_set(_small_set())


def test_validate_set_names_fields() -> None:
    bad = _small_set(
        criteria=(Criterion("1", "Trẻ em", (Item("1.1", "Đi học", 0), Item("1.1", "x", 20))),)
    )
    with pytest.raises(CriteriaFileError) as info:
        validate_set(bad, filename="trang quản trị")
    text = str(info.value)
    assert "criteria[1].items[1].max_points" in text
    assert 'mã mục "1.1" bị trùng' in text
    assert info.value.field is not None


def test_dump_round_trip_of_an_edited_set() -> None:
    s = _small_set(
        source_note='Dòng 1\nDòng 2 có "ngoặc kép", dấu \\ và tab\tở giữa\n',
        name='Tên có "ngoặc"',
        valid_from=date(2024, 1, 1),
    )
    dumped = dump_set(s)
    assert load_set(dumped, filename="edited.toml") == s


_text = st.text(min_size=1, max_size=40).filter(lambda t: bool(t.strip()))


@settings(max_examples=200, deadline=None)
@given(name=_text, note=st.text(max_size=80), item_name=_text, label=_text)
def test_dump_round_trip_any_text(name: str, note: str, item_name: str, label: str) -> None:
    s = _small_set(
        name=name,
        source_note="x" + note,
        criteria=(
            Criterion(
                "1", item_name, (Item("1.1", item_name, 10, note=note), Item("1.2", "b", 10))
            ),
        ),
        grades=(Grade("dat", label, 16, 20), Grade("chua", label, 0, 15)),
        legal_basis=(LegalBasis("12/QĐ-HKH", None, note, note),),
    )
    assert load_set(dump_set(s), filename="rt.toml") == s
