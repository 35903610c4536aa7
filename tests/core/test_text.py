"""Tests for khuyenhoc.core.text: normalisation, search keys, collation, names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khuyenhoc.core.text import (
    TONE_MARKS,
    TONE_NAMES,
    VIETNAMESE_ALPHABET,
    collation_key,
    initials_name,
    name_sort_key,
    nfc,
    search_key,
    split_name,
)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def by_collation(words: list[str]) -> list[str]:
    return sorted(words, key=collation_key)


# --- nfc ---------------------------------------------------------------------


def test_nfc_turns_none_into_empty_string():
    assert nfc(None) == ""


def test_nfc_composes_decomposed_vietnamese():
    decomposed = nfd("Nguyễn Văn Ẩn")
    assert decomposed != "Nguyễn Văn Ẩn"
    assert nfc(decomposed) == "Nguyễn Văn Ẩn"


def test_nfc_strips_and_collapses_all_kinds_of_whitespace():
    assert nfc("  Hội\t Khuyến\u00a0\u00a0học \n tỉnh  ") == "Hội Khuyến học tỉnh"


# --- search_key --------------------------------------------------------------


def test_search_key_removes_diacritics_and_lowercases():
    assert search_key("Nguyễn Văn Ẩn") == "nguyen van an"


def test_search_key_maps_d_with_stroke_in_both_cases():
    assert search_key("Đặng Đình đức") == "dang dinh duc"


def test_search_key_gives_the_same_result_for_decomposed_input():
    assert search_key(nfd("  Trần   Thị Ngọc Ánh ")) == "tran thi ngoc anh"


def test_search_key_of_none_is_empty():
    assert search_key(None) == ""


def test_search_key_drops_foreign_accents_too():
    assert search_key("Renée Müller") == "renee muller"


@given(st.text())
def test_search_key_is_idempotent(s):
    once = search_key(s)
    assert search_key(once) == once


@given(st.text())
def test_search_key_output_has_no_combining_marks_or_d_with_stroke(s):
    key = search_key(s)
    assert "đ" not in key
    assert not any(unicodedata.category(ch).startswith("M") for ch in nfd(key))


VIETNAMESE_LOWER = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)
vietnamese_text = st.text(alphabet=VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper() + " ")


@given(vietnamese_text)
def test_search_key_of_vietnamese_text_is_plain_ascii_letters(s):
    key = search_key(s)
    assert set(key) <= set("abcdefghijklmnopqrstuvwxyz ")
    assert search_key(nfd(s)) == key


# --- alphabet ----------------------------------------------------------------


def test_alphabet_has_the_29_vietnamese_letters_in_dictionary_order():
    native = [letter for letter in VIETNAMESE_ALPHABET if letter not in "fjwz"]
    assert " ".join(native) == "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y"


def test_alphabet_places_foreign_letters_where_latin_puts_them():
    order = VIETNAMESE_ALPHABET.index
    assert order("ê") < order("f") < order("g")
    assert order("i") < order("j") < order("k")
    assert order("v") < order("w") < order("x")
    assert order("y") < order("z") == len(VIETNAMESE_ALPHABET) - 1


def test_tone_order_is_ngang_huyen_hoi_nga_sac_nang():
    assert TONE_NAMES == ("ngang", "huyền", "hỏi", "ngã", "sắc", "nặng")
    assert TONE_MARKS[1:] == ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")


# --- collation_key -------------------------------------------------------------


def test_collation_key_is_made_of_ascii_digits_only():
    key = collation_key("Nguyễn Văn Ẩn, lớp 10A — 北京 ß")
    assert key.isascii() and key.isdigit()


def test_single_letters_sort_in_alphabet_order():
    shuffled = sorted(VIETNAMESE_ALPHABET, reverse=True)
    assert by_collation(shuffled) == list(VIETNAMESE_ALPHABET)


def test_a_sorts_before_a_breve_before_a_circumflex():
    assert by_collation(["ấm", "ăn", "anh"]) == ["anh", "ăn", "ấm"]


def test_d_sorts_before_d_with_stroke():
    assert by_collation(["Đức", "Dũng", "Đào", "Duy"]) == ["Dũng", "Duy", "Đào", "Đức"]


def test_o_before_o_circumflex_before_o_horn():
    assert by_collation(["ơn", "ông", "ong", "ôm", "ở"]) == ["ong", "ôm", "ông", "ở", "ơn"]


def test_u_sorts_before_u_horn():
    assert by_collation(["ưng", "uyên", "ửa", "út"]) == ["út", "uyên", "ửa", "ưng"]


def test_tone_is_only_a_tie_breaker_after_letters():
    # "àn" has a tone but letters a-n; "ăn" has no tone but a different letter.
    assert by_collation(["ăn", "àn", "an"]) == ["an", "àn", "ăn"]
    assert by_collation(["bá", "ba", "bác"]) == ["ba", "bá", "bác"]


def test_tones_sort_ngang_huyen_hoi_nga_sac_nang():
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert by_collation(list(reversed(tones))) == tones


def test_comparison_is_word_by_word():
    assert by_collation(["Anh", "An Bình", "An"]) == ["An", "An Bình", "Anh"]


def test_collation_ignores_case():
    assert collation_key("NGUYỄN văn ẨN") == collation_key("nguyễn Văn ẩn")


def test_collation_is_the_same_for_nfc_and_nfd_input():
    assert collation_key(nfd("Trường Tiểu học Đồng Phúc")) == collation_key(
        "Trường Tiểu học Đồng Phúc"
    )


def test_old_and_new_tone_placement_collate_the_same():
    # "hoà" (tone on a, older style) and "hòa" (tone on o) are the same word.
    assert collation_key("Hoà Bình") == collation_key("Hòa Bình")


def test_punctuation_separates_words_like_a_space():
    assert collation_key("Hoàng-Anh") == collation_key("Hoàng Anh")
    assert collation_key("  Hoàng   Anh ") == collation_key("Hoàng Anh")


def test_digits_sort_before_letters():
    assert by_collation(["Lớp A", "Lớp 9", "Lớp 10"]) == ["Lớp 10", "Lớp 9", "Lớp A"]


def test_empty_string_sorts_first():
    assert by_collation(["a", "", "0"]) == ["", "0", "a"]


def test_other_scripts_sort_after_latin_letters():
    assert by_collation(["北京", "zoo", "yến"]) == ["yến", "zoo", "北京"]


# A word for the property test: letters from the alphabet with one tone on its
# first letter. The reference order is computed from the indices directly.
word_strategy = st.tuples(
    st.lists(st.integers(0, len(VIETNAMESE_ALPHABET) - 1), min_size=1, max_size=5),
    st.integers(0, len(TONE_MARKS) - 1),
    st.booleans(),
)
phrase_strategy = st.lists(word_strategy, max_size=4)


def render(phrase) -> str:
    words = []
    for letters, tone, upper in phrase:
        text = "".join(VIETNAMESE_ALPHABET[i] for i in letters)
        text = text[0] + TONE_MARKS[tone] + text[1:]
        words.append(nfc(text.upper() if upper else text))
    return " ".join(words)


def reference_key(phrase):
    # Primary: letter indices word by word; secondary: the tone of each word.
    return ([letters for letters, _, _ in phrase], [tone for _, tone, _ in phrase])


def sign(a, b) -> int:
    return (a > b) - (a < b)


@given(phrase_strategy, phrase_strategy)
def test_collation_key_order_agrees_with_the_alphabet_and_tone_order(p, q):
    assert sign(collation_key(render(p)), collation_key(render(q))) == sign(
        reference_key(p), reference_key(q)
    )


@given(st.lists(st.text(), min_size=3, max_size=3))
def test_collation_key_sorting_is_a_consistent_total_order(texts):
    a, b, c = (collation_key(t) for t in texts)
    # Keys are plain strings; check what a database relies on: antisymmetry,
    # transitivity, and that sorting does not depend on the input order.
    assert (a <= b and b <= a) == (a == b)
    if a <= b and b <= c:
        assert a <= c
    forward = [collation_key(t) for t in sorted(texts, key=collation_key)]
    backward = [collation_key(t) for t in sorted(reversed(texts), key=collation_key)]
    assert forward == backward == sorted([a, b, c])
    assert a.isascii() and a.isdigit()


# --- names ---------------------------------------------------------------------


def test_split_name_into_family_middle_and_given():
    assert split_name("Nguyễn Thị Ngọc Mai") == ("Nguyễn", "Thị Ngọc", "Mai")
    assert split_name("Lê Lợi") == ("Lê", "", "Lợi")
    assert split_name("  Mai ") == ("", "", "Mai")
    assert split_name("") == ("", "", "")
    assert split_name(None) == ("", "", "")


def test_split_name_normalises_decomposed_input():
    assert split_name(nfd("Trần Văn Bình")) == ("Trần", "Văn", "Bình")


def test_names_sort_by_given_name_first():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Đức Anh", "Hoàng Văn Ẩn"]
    assert sorted(names, key=name_sort_key) == [
        "Nguyễn Thị An",
        "Lê Đức Anh",
        "Hoàng Văn Ẩn",
        "Trần Văn Bình",
    ]


def test_given_name_bich_sorts_before_binh():
    assert sorted(["Lê Văn Bình", "Trần Thị Bích"], key=name_sort_key) == [
        "Trần Thị Bích",
        "Lê Văn Bình",
    ]


def test_given_name_dung_sorts_before_duc_with_stroke():
    assert sorted(["Lê Văn Đức", "Vũ Tiến Dũng"], key=name_sort_key) == [
        "Vũ Tiến Dũng",
        "Lê Văn Đức",
    ]


def test_given_names_with_o_variants_sort_o_then_o_circumflex_then_o_horn():
    names = ["Lý Thị Ơn", "Lý Văn Ông", "Lý Văn Ong"]
    assert sorted(names, key=name_sort_key) == ["Lý Văn Ong", "Lý Văn Ông", "Lý Thị Ơn"]


def test_same_given_name_sorts_by_family_then_middle_name():
    names = ["Trần Văn An", "Lê Văn An", "Lê Đức An", "Lê An"]
    assert sorted(names, key=name_sort_key) == ["Lê An", "Lê Đức An", "Lê Văn An", "Trần Văn An"]


def test_given_name_shorter_prefix_sorts_first():
    assert sorted(["A Anh", "Z An"], key=name_sort_key) == ["Z An", "A Anh"]


def test_name_sort_key_ignores_case_and_normalisation():
    assert name_sort_key(nfd("nguyễn thị an")) == name_sort_key("NGUYỄN THỊ AN")


def test_initials_name_keeps_given_name_and_abbreviates_the_rest():
    assert initials_name("Nguyễn Thị Mai") == "N. T. Mai"
    assert initials_name("Trần Văn Hoàng Nam") == "T. V. H. Nam"


def test_initials_keep_the_letter_but_drop_the_tone():
    assert initials_name("Đặng Ứng Minh") == "Đ. Ư. Minh"
    assert initials_name(nfd("Ông Ấu Lan")) == "Ô. Â. Lan"


@pytest.mark.parametrize(("name", "expected"), [("Mai", "Mai"), ("", ""), (None, "")])
def test_initials_name_of_short_or_empty_names(name, expected):
    assert initials_name(name) == expected
