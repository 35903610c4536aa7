"""Ready example programmes an association starts from and then adapts.

The names, criteria and rubrics are data printed on Vietnamese documents, so they are
kept in Vietnamese here; only the chooser's labels go through gettext. Amounts are
typical city-level figures, not rules: every field stays editable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import NomineeKind


@dataclass(frozen=True)
class Preset:
    key: str
    label: object
    name: str
    description: str
    nominee_kinds: list[str]
    amount: int
    certificate_text: str
    rubric: list[dict] = field(default_factory=list)
    pass_score: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    requires_poor_household: bool = False
    requires_evidence: bool = False
    requires_recognition: bool = False
    gift: str = ""

    def fields(self, year: int) -> dict:
        school_year = f"{year - 1}–{year}"
        return {
            "preset": self.key,
            "name": self.name,
            "description": self.description.format(year=year, school_year=school_year),
            "nominee_kinds": list(self.nominee_kinds),
            "amount": self.amount,
            "gift": self.gift,
            "certificate_text": self.certificate_text.format(year=year, school_year=school_year),
            "rubric": [dict(item) for item in self.rubric],
            "pass_score": self.pass_score,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "requires_poor_household": self.requires_poor_household,
            "requires_evidence": self.requires_evidence,
            "requires_recognition": self.requires_recognition,
        }


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in [
        Preset(
            key="poor_students",
            label=_("Poor students overcoming hardship"),
            name="Khen thưởng học sinh nghèo vượt khó",
            description=(
                "Học sinh thuộc hộ nghèo, cận nghèo có xác nhận của UBND xã, phường; vượt khó vươn lên, "
                "đạt kết quả học tập từ khá trở lên, hạnh kiểm tốt năm học {school_year}."
            ),
            nominee_kinds=[NomineeKind.STUDENT],
            amount=500_000,
            certificate_text="Đã có thành tích vượt khó vươn lên trong học tập năm học {school_year}",
            rubric=[
                {"key": "results", "label": "Kết quả học tập", "max": 50},
                {"key": "hardship", "label": "Hoàn cảnh khó khăn, nỗ lực vượt khó", "max": 30},
                {"key": "conduct", "label": "Rèn luyện, đạo đức", "max": 20},
            ],
            pass_score=60,
            min_age=6,
            max_age=18,
            requires_poor_household=True,
            requires_evidence=True,
        ),
        Preset(
            key="excellent_students",
            label=_("Excellent students"),
            name="Khen thưởng học sinh giỏi",
            description="Học sinh đạt danh hiệu học sinh giỏi, học sinh xuất sắc hoặc đạt giải trong các kỳ thi học sinh giỏi năm học {school_year}.",
            nominee_kinds=[NomineeKind.STUDENT],
            amount=300_000,
            certificate_text="Đã đạt thành tích xuất sắc trong học tập năm học {school_year}",
            rubric=[
                {"key": "results", "label": "Kết quả học tập cả năm", "max": 60},
                {"key": "contests", "label": "Giải thưởng các kỳ thi", "max": 30},
                {"key": "conduct", "label": "Rèn luyện, đạo đức", "max": 10},
            ],
            pass_score=70,
            min_age=6,
            max_age=18,
        ),
        Preset(
            key="university_entrants",
            label=_("Top university entrants"),
            name="Khen thưởng tân sinh viên đỗ đại học điểm cao",
            description="Học sinh đỗ vào các trường đại học năm {year} với tổng điểm thi cao, ưu tiên học sinh có hoàn cảnh khó khăn.",
            nominee_kinds=[NomineeKind.STUDENT],
            amount=1_000_000,
            certificate_text="Đã đỗ đại học với kết quả cao trong kỳ thi tốt nghiệp trung học phổ thông năm {year}",
            rubric=[
                {"key": "exam", "label": "Tổng điểm thi", "max": 70},
                {"key": "hardship", "label": "Hoàn cảnh gia đình", "max": 20},
                {"key": "conduct", "label": "Rèn luyện, đạo đức", "max": 10},
            ],
            pass_score=60,
            min_age=17,
            max_age=21,
            requires_evidence=True,
        ),
        Preset(
            key="excellent_teachers",
            label=_("Excellent teachers"),
            name="Khen thưởng giáo viên dạy giỏi",
            description="Giáo viên đạt danh hiệu giáo viên dạy giỏi các cấp, có học sinh đạt giải, tích cực trong công tác khuyến học năm học {school_year}.",
            nominee_kinds=[NomineeKind.TEACHER],
            amount=500_000,
            certificate_text="Đã có thành tích xuất sắc trong giảng dạy và công tác khuyến học năm học {school_year}",
            rubric=[
                {"key": "teaching", "label": "Chất lượng giảng dạy", "max": 50},
                {"key": "pupils", "label": "Thành tích của học sinh", "max": 30},
                {"key": "promotion", "label": "Tham gia công tác khuyến học", "max": 20},
            ],
            pass_score=70,
        ),
        Preset(
            key="collectives",
            label=_("Collectives with outstanding study-promotion work"),
            name="Khen thưởng tập thể có thành tích xuất sắc trong công tác khuyến học",
            description="Chi hội, ban khuyến học, hội khuyến học cơ sở có thành tích xuất sắc trong công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm {year}.",
            nominee_kinds=[NomineeKind.COLLECTIVE],
            amount=500_000,
            certificate_text="Đã có thành tích xuất sắc trong công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm {year}",
            rubric=[
                {"key": "organisation", "label": "Tổ chức, phát triển hội viên", "max": 30},
                {"key": "fund", "label": "Xây dựng quỹ khuyến học", "max": 30},
                {"key": "models", "label": "Xây dựng các mô hình học tập", "max": 40},
            ],
            pass_score=70,
        ),
        Preset(
            key="individuals",
            label=_("Individuals with outstanding study-promotion work"),
            name="Khen thưởng cá nhân có thành tích xuất sắc trong công tác khuyến học",
            description="Cán bộ, hội viên, nhà hảo tâm có thành tích xuất sắc trong công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm {year}.",
            nominee_kinds=[NomineeKind.INDIVIDUAL, NomineeKind.TEACHER],
            amount=300_000,
            certificate_text="Đã có thành tích xuất sắc trong công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm {year}",
            rubric=[
                {"key": "work", "label": "Kết quả công tác khuyến học", "max": 60},
                {"key": "example", "label": "Gương mẫu, lan tỏa", "max": 40},
            ],
            pass_score=70,
            min_age=18,
        ),
        Preset(
            key="model_families",
            label=_("Model learning families"),
            name="Khen thưởng gia đình học tập tiêu biểu",
            description="Gia đình được công nhận danh hiệu \"Gia đình học tập\" năm {year}, tiêu biểu trong phong trào học tập suốt đời.",
            nominee_kinds=[NomineeKind.FAMILY],
            amount=300_000,
            certificate_text="Đã có thành tích tiêu biểu trong xây dựng \"Gia đình học tập\" năm {year}",
            requires_recognition=True,
        ),
        Preset(
            key="model_clans",
            label=_("Model learning clans"),
            name="Khen thưởng dòng họ học tập tiêu biểu",
            description="Dòng họ được công nhận danh hiệu \"Dòng họ học tập\" năm {year}, tiêu biểu trong phong trào khuyến học.",
            nominee_kinds=[NomineeKind.CLAN],
            amount=500_000,
            certificate_text="Đã có thành tích tiêu biểu trong xây dựng \"Dòng họ học tập\" năm {year}",
            requires_recognition=True,
        ),
        Preset(
            key="model_communities",
            label=_("Model learning communities"),
            name="Khen thưởng cộng đồng học tập tiêu biểu",
            description="Thôn, tổ dân phố được công nhận danh hiệu \"Cộng đồng học tập\" năm {year}, tiêu biểu trong phong trào học tập suốt đời.",
            nominee_kinds=[NomineeKind.COMMUNITY],
            amount=500_000,
            certificate_text="Đã có thành tích tiêu biểu trong xây dựng \"Cộng đồng học tập\" năm {year}",
            requires_recognition=True,
        ),
    ]
}
