"""The 54 ethnic groups of Vietnam, with the statistics office's codes.

Source: "Danh mục các dân tộc Việt Nam", issued with Quyết định 1019/QĐ-TCTK of
12/11/2008 by the General Statistics Office (Tổng cục Thống kê), the list used by the
2009 and 2019 censuses; it replaced the 1979 list of Quyết định 121-TCTK/PPCĐ, which
numbered the groups differently (04 Hoa, 05 Khơ-me, 06 Mường). Codes 01–20 were
checked against the published table (qcvn109.gov.vn, Phụ lục E; gso.gov.vn DocID
15172); codes 21–54 follow the same list as printed in the census tables and should be
checked against the GSO table before they are exchanged with another system. The
register stores the two-digit code, so a change of spelling never touches member rows.

Spellings are the ones in everyday use in official documents today ("Khmer", "Mông",
"Ê Đê"); `ALIASES` lists the other spellings met in sheets ("H'Mông", "Khơ-me", …),
which imports accept.
"""

from __future__ import annotations

from khuyenhoc.core.text import search_key

ETHNICITIES: tuple[tuple[str, str], ...] = (
    ("01", "Kinh"),
    ("02", "Tày"),
    ("03", "Thái"),
    ("04", "Mường"),
    ("05", "Khmer"),
    ("06", "Hoa"),
    ("07", "Nùng"),
    ("08", "Mông"),
    ("09", "Dao"),
    ("10", "Gia Rai"),
    ("11", "Ê Đê"),
    ("12", "Ba Na"),
    ("13", "Sán Chay"),
    ("14", "Chăm"),
    ("15", "Cơ Ho"),
    ("16", "Xơ Đăng"),
    ("17", "Sán Dìu"),
    ("18", "Hrê"),
    ("19", "Ra Glai"),
    ("20", "Mnông"),
    ("21", "Thổ"),
    ("22", "Xtiêng"),
    ("23", "Khơ Mú"),
    ("24", "Bru - Vân Kiều"),
    ("25", "Cơ Tu"),
    ("26", "Giáy"),
    ("27", "Tà Ôi"),
    ("28", "Mạ"),
    ("29", "Giẻ Triêng"),
    ("30", "Co"),
    ("31", "Chơ Ro"),
    ("32", "Xinh Mun"),
    ("33", "Hà Nhì"),
    ("34", "Chu Ru"),
    ("35", "Lào"),
    ("36", "Kháng"),
    ("37", "La Chí"),
    ("38", "Phù Lá"),
    ("39", "La Hủ"),
    ("40", "La Ha"),
    ("41", "Pà Thẻn"),
    ("42", "Lự"),
    ("43", "Ngái"),
    ("44", "Chứt"),
    ("45", "Lô Lô"),
    ("46", "Mảng"),
    ("47", "Cơ Lao"),
    ("48", "Bố Y"),
    ("49", "Cống"),
    ("50", "Si La"),
    ("51", "Pu Péo"),
    ("52", "Rơ Măm"),
    ("53", "Brâu"),
    ("54", "Ơ Đu"),
)

# Other spellings met in sheets and older lists → canonical name above.
ALIASES: dict[str, str] = {
    "Việt": "Kinh",
    "Kinh (Việt)": "Kinh",
    "Khơ-me": "Khmer",
    "Khơ me": "Khmer",
    "Khơme": "Khmer",
    "H'Mông": "Mông",
    "H'mông": "Mông",
    "HMông": "Mông",
    "Hmông": "Mông",
    "Hmong": "Mông",
    "Hoa (Hán)": "Hoa",
    "Gia-rai": "Gia Rai",
    "Jrai": "Gia Rai",
    "Ê-đê": "Ê Đê",
    "Ba-na": "Ba Na",
    "Bahnar": "Ba Na",
    "Sán Chay (Cao Lan - Sán Chỉ)": "Sán Chay",
    "Cao Lan": "Sán Chay",
    "Cơ-ho": "Cơ Ho",
    "K'Ho": "Cơ Ho",
    "Xơ-đăng": "Xơ Đăng",
    "Raglay": "Ra Glai",
    "Ra-glai": "Ra Glai",
    "M'Nông": "Mnông",
    "X'tiêng": "Xtiêng",
    "Khơ-mú": "Khơ Mú",
    "Bru-Vân Kiều": "Bru - Vân Kiều",
    "Vân Kiều": "Bru - Vân Kiều",
    "Cơ-tu": "Cơ Tu",
    "Tà-ôi": "Tà Ôi",
    "Gié Triêng": "Giẻ Triêng",
    "Gié-Triêng": "Giẻ Triêng",
    "Chơ-ro": "Chơ Ro",
    "Xinh-mun": "Xinh Mun",
    "Chu-ru": "Chu Ru",
    "Cờ Lao": "Cơ Lao",
    "Co Lao": "Cơ Lao",
    "Ơ-đu": "Ơ Đu",
    "Rơ-măm": "Rơ Măm",
    "Pu Piéo": "Pu Péo",
}

CODE_TO_NAME: dict[str, str] = dict(ETHNICITIES)
NAME_TO_CODE: dict[str, str] = {name: code for code, name in ETHNICITIES}
NAMES: tuple[str, ...] = tuple(name for _, name in ETHNICITIES)
# Choices for model fields and forms: ("02", "Tày"). Proper names: not translated.
CHOICES: list[tuple[str, str]] = list(ETHNICITIES)

_BY_KEY: dict[str, str] = {search_key(name): code for code, name in ETHNICITIES}
_BY_KEY.update({search_key(alias): NAME_TO_CODE[name] for alias, name in ALIASES.items()})


def code_for(name: str) -> str | None:
    """The code of an ethnic group given by name or alias, ignoring accents and case."""
    return _BY_KEY.get(search_key(name))


def name_for(code: str) -> str:
    return CODE_TO_NAME.get(code, "")
