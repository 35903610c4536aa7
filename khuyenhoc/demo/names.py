"""Plausible Vietnamese names for the demo: Kinh, Tày, Nùng and Dao, as in Bắc Kạn."""

import random

FAMILY = {
    "Kinh": ["Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Phan", "Đinh"],
    "Tày": ["Hoàng", "Nông", "Hà", "Ma", "Lục", "Hứa", "Triệu", "Lường", "Hoàng", "Nông"],
    "Nùng": ["Lý", "Vi", "Lương", "Chu", "Hoàng", "Nông", "Lăng"],
    "Dao": ["Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chu"],
}
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thanh", "Công", "Đình"]
MIDDLE_F = ["Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Kim"]
MIDDLE_DAO_M = ["Văn", "Tà", "Kim", "Phúc"]
MIDDLE_DAO_F = ["Thị", "Mùi", "Tả"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hải", "Hùng", "Khánh", "Lâm", "Long", "Mạnh",
           "Nam", "Phong", "Quân", "Sơn", "Tâm", "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Hưng",
           "Chiến", "Dương", "Hoàn", "Lực", "Tài", "Thành"]
GIVEN_F = ["Anh", "Bích", "Chi", "Dung", "Duyên", "Hà", "Hạnh", "Hoa", "Hồng", "Huệ", "Hương", "Lan",
           "Liên", "Linh", "Mai", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thu", "Thủy",
           "Trang", "Vân", "Yến", "Xuân", "Lụa", "Nhàn", "Thơm"]
ETHNIC_WEIGHTS = [("Tày", 48), ("Kinh", 34), ("Nùng", 10), ("Dao", 6), ("H'Mông", 1), ("Sán Chay", 1)]

VILLAGE_NAMES = [
    "Nà Pài", "Khuổi Mật", "Nà Chè", "Bản Bung", "Nà Dì", "Phiêng My", "Nà Rào", "Nà Pẻn", "Khuổi Cuồng",
    "Tân Thành", "Thôm Luông", "Nà Chuông", "Nặm Cắt", "Bản Vẻn", "Nà Cù", "Khuổi Hẻo", "Nà Hoan",
    "Bản Cạu", "Pác Châm", "Nà Kẻ", "Khuổi Dủm", "Nà Thác", "Phiêng Luông", "Nà Bản", "Bản Pjạc",
    "Nà Mòn", "Cốc Phấy", "Nà Vị", "Nông Tiến", "Phiêng Pục", "Pá Danh", "Khuổi Chang",
]


def person_name(rng: random.Random, *, female: bool, ethnicity: str) -> str:
    families = FAMILY.get(ethnicity, FAMILY["Kinh"])
    fam = rng.choice(families)
    if ethnicity == "Dao":
        mid = rng.choice(MIDDLE_DAO_F if female else MIDDLE_DAO_M)
    else:
        mid = rng.choice(MIDDLE_F if female else MIDDLE_M)
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    return f"{fam} {mid} {given}"


def ethnicity(rng: random.Random) -> str:
    names, weights = zip(*ETHNIC_WEIGHTS, strict=True)
    return rng.choices(names, weights=weights)[0]
