"""The official list of 54 ethnic groups and the spellings imports accept."""

from khuyenhoc.core.text import search_key
from khuyenhoc.members import ethnicities


def test_the_list_has_the_54_groups_with_two_digit_codes_in_order():
    codes = [code for code, _ in ethnicities.ETHNICITIES]
    assert len(ethnicities.ETHNICITIES) == 54
    assert codes == [f"{i:02d}" for i in range(1, 55)]
    assert len(set(ethnicities.NAMES)) == 54


def test_no_two_names_collide_once_accents_are_dropped():
    assert len({search_key(n) for n in ethnicities.NAMES}) == 54


def test_the_first_codes_follow_the_2008_statistics_list():
    assert [ethnicities.name_for(c) for c in ("01", "02", "03", "04", "05", "06", "07", "08", "09")] == [
        "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao",
    ]


def test_other_spellings_and_missing_accents_find_the_group():
    assert ethnicities.code_for("H'Mông") == "08"
    assert ethnicities.code_for("hmong") == "08"
    assert ethnicities.code_for("tay") == "02"
    assert ethnicities.code_for("Khơ-me") == "05"
    assert ethnicities.code_for("San Chay") == "13"
    assert ethnicities.code_for("Người sao Hỏa") is None


def test_every_alias_points_at_a_listed_group():
    assert set(ethnicities.ALIASES.values()) <= set(ethnicities.NAMES)
