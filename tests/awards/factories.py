"""Awards test data, built through the real services.

`commune_a_awards(world)` gives one finished cycle owned by commune A (a programme of
commune A, a nomination from chapter A with evidence, approved and awarded in a
decision); the permission walk uses it. Tests build their own richer world in conftest.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

# The smallest real files of each kind (magic bytes and enough to be valid).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

NOMINATED_ON = dt.date(2022, 12, 1)
DECIDED_ON = dt.date(2022, 12, 30)


def student_programme(actor, node, **overrides):
    from khuyenhoc.awards import services

    fields = {
        "year": 2022,
        "name": "Khen thưởng học sinh nghèo vượt khó",
        "nominee_kinds": ["student"],
        "deadline": dt.date(2022, 12, 15),
        "amount": 500_000,
        "budget": 2_000_000,
        "rubric": [{"key": "results", "label": "Kết quả học tập", "max": 60}, {"key": "hardship", "label": "Hoàn cảnh", "max": 40}],
        "pass_score": 50,
        "min_age": 6,
        "max_age": 18,
        "certificate_text": "Đã có thành tích vượt khó vươn lên trong học tập năm học 2021–2022",
    }
    fields.update(overrides)
    return services.programme_create(actor=actor, node=node, **fields)


def nominate(actor, programme, node, name="Nguyễn Thị Mai", **overrides):
    from khuyenhoc.awards import services

    fields = {
        "nominee_kind": "student",
        "nominee_name": name,
        "birth_year": 2010,
        "class_name": "7A",
        "school": "Trường THCS Đức Xuân",
        "achievement": "Học sinh giỏi hai năm liền, nhà thuộc hộ nghèo.",
        "on": NOMINATED_ON,
    }
    fields.update(overrides)
    return services.nomination_create(actor=actor, programme=programme, node=node, **fields)


def issue(actor, node, programmes, number=1, date=DECIDED_ON, **overrides):
    from khuyenhoc.awards import services

    fields = services.decision_defaults(node, programmes, date)
    fields.update({"number": number, "date": date, "signer_name": fields["signer_name"] or "Hoàng Văn Ánh"})
    fields.update(overrides)
    return services.decision_issue(actor=actor, node=node, programmes=programmes, **fields)


def commune_a_awards(world):
    """One finished cycle owned by commune A; built once per world."""
    cached = getattr(world, "_awards", None)
    if cached:
        return cached
    from khuyenhoc.awards import services

    admin = world.admin_a
    programme = student_programme(admin, world.commune_a)
    nomination = nominate(admin, programme, world.chapter_a)
    evidence = services.evidence_add(actor=admin, nomination=nomination, upload=PNG, name="hoc-ba.png")
    services.nomination_score(actor=admin, nomination=nomination, scores={"results": 55, "hardship": 35})
    services.nomination_approve(actor=admin, nomination=nomination)
    decision = issue(admin, world.commune_a, [programme])
    award = decision.awards.get()
    world._awards = SimpleNamespace(programme=programme, nomination=nomination, evidence=evidence, decision=decision, award=award)
    return world._awards
