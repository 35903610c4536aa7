"""Vietnamese text helpers: normalisation, search keys, collation and person names.

Everything here is pure Python (no Django, no database) so it can be used from
models, forms, importers and management commands alike.

Collation in a nutshell
-----------------------
Vietnamese dictionary order compares words letter by letter using the alphabet
``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y``; the tone marks
only break ties between words whose letters are identical. ``collation_key``
turns a string into a key made of ASCII digits only, so that a plain byte or
string comparison of keys gives that order. Digits-only keys sort identically
under SQLite's BINARY collation, PostgreSQL's "C" collation *and* the usual
glibc/ICU locale collations (which ignore punctuation and would otherwise
reorder keys containing it), so the key can be stored in a column and used in
ORDER BY on any of our databases.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "TONE_MARKS",
    "TONE_NAMES",
    "VIETNAMESE_ALPHABET",
    "collation_key",
    "initials_name",
    "name_sort_key",
    "nfc",
    "search_key",
    "split_name",
]

# The 29 letters of the Vietnamese alphabet in dictionary order, with the four
# Latin letters that only occur in foreign names (f, j, w, z) slotted in where
# the Latin alphabet puts them, so "Fatima" sorts between "Ê..." and "G...".
VIETNAMESE_ALPHABET: tuple[str, ...] = tuple(
    "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
)

# Tone order used as the secondary key. We follow the common dictionary order
# (Từ điển tiếng Việt, Hoàng Phê): ngang (no mark), huyền (grave), hỏi (hook
# above), ngã (tilde), sắc (acute), nặng (dot below). Index 0 is "no tone".
TONE_NAMES: tuple[str, ...] = ("ngang", "huyền", "hỏi", "ngã", "sắc", "nặng")
TONE_MARKS: tuple[str, ...] = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE_INDEX: dict[str, int] = {mark: i for i, mark in enumerate(TONE_MARKS) if mark}

# Marks that make a different *letter* (ă â ê ô ơ ư), as opposed to tones.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_MODIFIED_LETTER: dict[tuple[str, str], str] = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}

# Key alphabet. Every code is either two digits starting with 0-4 or eight
# digits starting with 9, so the code set is prefix-free and comparing two keys
# character by character is the same as comparing their code sequences.
_END = "00"  # end of the letter part; lowest so "An" < "An Bình" < "Anh"
_WORD_SEP = "01"  # between words; below every letter so comparison is word by word
_DIGIT_BASE = 2  # "02".."11" for 0-9: digits sort before letters
_LETTER_BASE = _DIGIT_BASE + 10  # "12".."44" for the 33 letters above
_LETTER_CODE: dict[str, str] = {
    letter: f"{_LETTER_BASE + i:02d}" for i, letter in enumerate(VIETNAMESE_ALPHABET)
}
_OTHER_PREFIX = "9"  # other scripts/symbols letters: after all Latin, by code point


def nfc(s: str | None) -> str:
    """Return ``s`` in Unicode NFC, stripped, with inner whitespace runs collapsed.

    Vietnamese text arrives both precomposed and decomposed (old Windows
    keyboards, macOS file names, some Excel exports); NFC makes equal-looking
    strings compare equal. ``None`` becomes ``""`` so callers can pass optional
    model fields straight through.
    """
    if s is None:
        return ""
    # str.split() without arguments also splits on NBSP, thin spaces, tabs, newlines.
    return " ".join(unicodedata.normalize("NFC", s).split())


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def search_key(s: str | None) -> str:
    """Return an accent-free, lowercase, single-spaced key for fuzzy search.

    ``search_key("Nguyễn Văn Ẩn") == "nguyen van an"``. Works the same for NFC
    and NFD input. All combining marks are dropped (not only Vietnamese ones),
    so "Renée" matches "renee" as well. The function is idempotent.
    """
    # đ has no Unicode decomposition, so it must be mapped by hand.
    text = nfc(s).lower().replace("đ", "d")
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if not _is_mark(ch))
    # Re-compose and re-collapse: removing marks can leave e.g. Hangul jamo that
    # NFC joins again, and we want search_key(search_key(x)) == search_key(x).
    return nfc(stripped)


def _clusters(text: str) -> list[tuple[str, str]]:
    """Split decomposed text into (base character, following marks) pairs."""
    clusters: list[tuple[str, str]] = []
    for ch in text:
        if _is_mark(ch):
            if clusters:
                base, marks = clusters[-1]
                clusters[-1] = (base, marks + ch)
            # A mark with nothing to attach to carries no information: drop it.
        else:
            clusters.append((ch, ""))
    return clusters


def _analyse(s: str | None) -> list[tuple[list[str], int]]:
    """Break ``s`` into words, each a list of codes plus the word's tone index."""
    words: list[tuple[list[str], int]] = []
    codes: list[str] = []
    tone = 0
    for base, marks in _clusters(unicodedata.normalize("NFD", nfc(s).lower())):
        letter = base
        for mark in marks:
            letter = _MODIFIED_LETTER.get((base, mark), letter)
        if letter in _LETTER_CODE:
            codes.append(_LETTER_CODE[letter])
            # The tone belongs to the syllable, not to a particular vowel: taking
            # it per word makes "hoà" (old style) and "hòa" (new style) equal.
            if tone == 0:
                tone = next((_TONE_INDEX[m] for m in marks if m in _TONE_INDEX), 0)
        elif (digit := unicodedata.decimal(base, None)) is not None:
            codes.append(f"{_DIGIT_BASE + digit:02d}")
        elif base.isalnum():
            codes.append(f"{_OTHER_PREFIX}{ord(base):07d}")
        else:
            # Spaces, hyphens, apostrophes, punctuation: all act as word breaks,
            # so "Hoàng-Anh" and "Hoàng Anh" collate together.
            if codes:
                words.append((codes, tone))
                codes, tone = [], 0
    if codes:
        words.append((codes, tone))
    return words


def collation_key(s: str | None) -> str:
    """Return a digits-only key whose plain string order is Vietnamese order.

    Primary level: words compared letter by letter in ``VIETNAMESE_ALPHABET``
    order (a < ă < â, d < đ, o < ô < ơ, u < ư), word by word, digits before
    letters, other scripts after Latin by code point. Secondary level: the tone
    of each word in ``TONE_NAMES`` order, only when all letters are equal. The
    comparison is case-insensitive and punctuation only separates words.

    Layout: ``<letter codes, words joined by 01> 00 <one tone digit per word>``.
    Keys grow by about two characters per letter; size database columns for it.
    """
    words = _analyse(s)
    primary = _WORD_SEP.join("".join(codes) for codes, _ in words)
    tones = "".join(str(tone) for _, tone in words)
    return primary + _END + tones


def split_name(full_name: str | None) -> tuple[str, str, str]:
    """Split a Vietnamese full name into (family, middle, given).

    "Nguyễn Thị Mai" -> ("Nguyễn", "Thị", "Mai"); "Mai" -> ("", "", "Mai");
    "Lê Lợi" -> ("Lê", "", "Lợi"). Compound family names ("Tôn Nữ", "Âu
    Dương") cannot be told apart from middle names without a list, so the first
    word is always taken as the family name.
    """
    words = nfc(full_name).split()
    if not words:
        return ("", "", "")
    if len(words) == 1:
        return ("", "", words[0])
    return (words[0], " ".join(words[1:-1]), words[-1])


# Separates the given-name key from the family+middle key in name_sort_key.
# Keys from collation_key are either equal or differ before either ends, so
# any constant works; a fixed one keeps stored keys easy to read.
_NAME_PART_SEP = "00"


def name_sort_key(full_name: str | None) -> str:
    """Return a key ordering people the Vietnamese way: by given name first.

    The given name (last word) is compared first, including its tone, then the
    family name, then middle names, each with ``collation_key`` rules. So
    "Nguyễn Thị An" < "Lê Đức Anh" < "Hoàng Văn Ẩn" < "Trần Văn Bình".
    """
    family, middle, given = split_name(full_name)
    rest = f"{family} {middle}"
    return collation_key(given) + _NAME_PART_SEP + collation_key(rest)


def _initial(word: str) -> str:
    """First letter of ``word``, uppercased, keeping ă/â/ê/ô/ơ/ư but not the tone."""
    for base, marks in _clusters(unicodedata.normalize("NFD", word)):
        if base.isalnum():
            kept = "".join(m for m in marks if m not in _TONE_INDEX)
            return unicodedata.normalize("NFC", base + kept).upper()
    return ""


def initials_name(full_name: str | None) -> str:
    """Shorten a name for public pages about minors: "Nguyễn Thị Mai" -> "N. T. Mai".

    Every word but the given name becomes its first letter and a dot (the tone
    is dropped, the letter itself kept: "Đặng Ứng Minh" -> "Đ. Ư. Minh"). The
    given name stays in full so the child can still be addressed by name
    without identifying the family. A single word is returned unchanged.
    """
    family, middle, given = split_name(full_name)
    parts = [f"{initial}." for w in f"{family} {middle}".split() if (initial := _initial(w))]
    return " ".join([*parts, given]) if given else ""
