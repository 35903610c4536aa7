"""The seed article's figures (Bắc Kạn city association, year 2022), in one place.

The demo generator builds data whose totals equal these, and the tests assert them.
"Over 768 million" and similar phrases are pinned to exact amounts here.
"""

YEAR = 2022
RANDOM_SEED = 2022

CHAPTERS_AND_BOARDS = 161
MEMBERS = 11_089
LEARNING_FAMILIES = 10_110
LEARNING_CLANS = 9
LEARNING_COMMUNITIES = 101
LEARNING_UNITS = 26

FUND_RECEIPTS = 768_350_000  # "hơn 768 triệu đồng"
AWARD_PAYMENTS = 481_200_000  # "trên 481 triệu đồng"
CITY_AWARD_PAYMENTS = 66_150_000  # "hơn 66 triệu đồng" paid by the city association itself

CERTIFICATES = {"collective": 19, "individual": 18, "clan": 4, "family": 18}

# Published history of the city association (shared/domain.md), for earlier years.
HISTORY = {
    2016: {"chapters": 153, "members": 8_389, "registered": {"family": 7_878, "clan": 9, "community": 108, "unit": 20}},
    2017: {"chapters": 152, "members": 10_300, "recognised": {"family": 8_500, "clan": 8, "unit": 24},
           "fund_receipts": 50_000_000, "fund_payments": 42_000_000},
}

# (short name, is_commune, residential/village chapters, schools, agencies, firms, clans)
WARDS = [
    ("Đức Xuân", False, 14, 4, 3, 1, 0),
    ("Nguyễn Thị Minh Khai", False, 15, 4, 3, 1, 1),
    ("Phùng Chí Kiên", False, 13, 3, 2, 1, 1),
    ("Sông Cầu", False, 15, 3, 3, 1, 0),
    ("Huyền Tụng", False, 15, 3, 1, 1, 1),
    ("Xuất Hóa", False, 13, 2, 1, 1, 1),
    ("Dương Quang", True, 13, 3, 1, 0, 1),
    ("Nông Thượng", True, 12, 2, 1, 0, 1),
]
WARD_CODES = {
    "Đức Xuân": "DX",
    "Nguyễn Thị Minh Khai": "MK",
    "Phùng Chí Kiên": "CK",
    "Sông Cầu": "SC",
    "Huyền Tụng": "HT",
    "Xuất Hóa": "XH",
    "Dương Quang": "DQ",
    "Nông Thượng": "NT",
}

DEMO_PASSWORD = "khuyenhoc2022"  # noqa: S105 - a published demo login, never used in production
