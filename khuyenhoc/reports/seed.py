"""Targets of the 2021–2030 programmes, as editable data (shared/domain.md, "Targets to track").

Loaded by migration 0002 for every install; an administrator edits them on the targets
page. Figures the sources do not confirm are flagged ``unconfirmed`` and say why.
QĐ 387's numeric 2030 rates are not in our sources, so none are loaded for 2030.
"""

from __future__ import annotations

# (code, name, kind, issuer, legal basis, year_from, year_to, note, targets)
# target: (year, indicator, value, above, unconfirmed, note)
STATE_PROGRAMMES = [
    (
        "QD-387-TTg-2022",
        "Đẩy mạnh học tập suốt đời trong gia đình, dòng họ, cộng đồng, đơn vị giai đoạn 2021 – 2030",
        "state",
        "Thủ tướng Chính phủ",
        "Quyết định số 387/QĐ-TTg ngày 25/3/2022",
        2021,
        2030,
        "Chỉ tiêu năm 2030 của Quyết định chưa có trong nguồn tham khảo: hãy nhập theo văn bản.",
        [
            (2025, "family_rate", 70, False, False, ""),
            (2025, "clan_rate", 65, False, False, ""),
            (2025, "community_rate", 65, False, False, ""),
            (2025, "unit_rate", 80, False, False, ""),
            (2025, "citizen_community_rate", 40, False, False, "người lao động trong gia đình, dòng họ, cộng đồng"),
            (2025, "citizen_unit_rate", 60, False, False, "cán bộ, công chức, viên chức, người lao động trong đơn vị cấp xã"),
        ],
    ),
    (
        "QD-677-TTg-2022",
        "Xây dựng mô hình Công dân học tập giai đoạn 2021 – 2030",
        "state",
        "Thủ tướng Chính phủ",
        "Quyết định số 677/QĐ-TTg ngày 03/6/2022",
        2021,
        2030,
        "",
        [
            (2025, "citizen_community_rate", 40, False, False, ""),
            (2025, "citizen_unit_rate", 60, False, False, ""),
            (2025, "citizen_digital_rate", 70, False, False, ""),
            (
                2030,
                "citizen_community_rate",
                60,
                False,
                True,
                "60% theo văn bản tiếng Việt do một nguồn trích; 70% theo một bản tóm tắt khác — chưa xác nhận",
            ),
            (2030, "citizen_unit_rate", 80, False, False, ""),
            (2030, "citizen_digital_rate", 90, False, False, ""),
        ],
    ),
    (
        "HKHVN-DH-2021-2026",
        "Chương trình hành động nhiệm kỳ 2021 – 2026 của Hội Khuyến học Việt Nam",
        "congress",
        "Hội Khuyến học Việt Nam",
        "Nghị quyết Đại hội đại biểu toàn quốc Hội Khuyến học Việt Nam nhiệm kỳ 2021 – 2026",
        2021,
        2026,
        "",
        [
            (2026, "citizen_working_age_rate", 50, False, False, ""),
            (2026, "family_rate", 70, False, False, ""),
            (2026, "clan_rate", 65, False, False, ""),
            (2026, "community_rate", 65, False, False, ""),
        ],
    ),
]

# The Bắc Kạn province plan for 2023 belongs to the province association: loaded by the demo.
BAC_KAN_PROVINCE_PLAN = (
    "BKN-KH-2023",
    "Kế hoạch năm 2023 của Hội Khuyến học tỉnh Bắc Kạn",
    "plan",
    "Hội Khuyến học tỉnh Bắc Kạn",
    "",
    2023,
    2023,
    "Chỉ tiêu lấy từ tin tức của tỉnh; chưa đối chiếu với văn bản kế hoạch.",
    [
        (2023, "family_rate", 75, False, True, ""),
        (2023, "community_rate", 85, True, True, "trên 85% thôn, tổ dân phố"),
        (2023, "clan_registered_rate", 70, False, True, "70% số dòng họ đăng ký"),
        (2023, "unit_rate", 95, False, True, "95% cơ quan, đơn vị cấp xã"),
        (2023, "citizen_community_rate", 40, False, True, ""),
        (2023, "citizen_unit_rate", 90, False, True, ""),
    ],
)
