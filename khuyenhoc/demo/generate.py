"""The demo association: Hội Khuyến học thành phố Bắc Kạn, year 2022.

Deterministic (fixed seed). Each area adds its own step; the steps run in order and
each one writes through that area's services, as a user would.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction

from khuyenhoc.accounts.models import Role
from khuyenhoc.accounts.services import grant_add, user_create
from khuyenhoc.organizations.models import ChapterType, Node, NodeKind, OfficerTitle
from khuyenhoc.organizations.services import node_create, officer_add

from . import figures
from .names import VILLAGE_NAMES, ethnicity, person_name


@dataclass
class DemoContext:
    rng: random.Random
    national: Node | None = None
    province: Node | None = None
    city: Node | None = None
    wards: list[Node] = field(default_factory=list)
    chapters: list[Node] = field(default_factory=list)
    users: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def _chapter_names(rng: random.Random, ward: str, is_commune: bool, n_res: int, n_sch: int, n_ag: int, n_firm: int, n_clan: int):
    villages = list(VILLAGE_NAMES)
    rng.shuffle(villages)
    out = []
    for i in range(n_res):
        if is_commune or ward in ("Huyền Tụng", "Xuất Hóa"):
            out.append((f"Chi hội khuyến học thôn {villages[i % len(villages)]}", ChapterType.VILLAGE, NodeKind.CHAPTER))
        else:
            out.append((f"Chi hội khuyến học tổ {i + 1}", ChapterType.RESIDENTIAL, NodeKind.CHAPTER))
    schools = [f"Trường Mầm non {ward}", f"Trường Tiểu học {ward}", f"Trường THCS {ward}", "Trường THPT Bắc Kạn"
               if ward == "Đức Xuân" else f"Trường Tiểu học số 2 {ward}"]
    for i in range(n_sch):
        out.append((f"Ban khuyến học {schools[i % len(schools)]}", ChapterType.SCHOOL, NodeKind.BOARD))
    agencies = [f"UBND {'xã' if is_commune else 'phường'} {ward}", f"Công an {'xã' if is_commune else 'phường'} {ward}", f"Trạm Y tế {ward}"]
    for i in range(n_ag):
        out.append((f"Ban khuyến học {agencies[i % len(agencies)]}", ChapterType.AGENCY, NodeKind.BOARD))
    firms = ["Công ty CP Khoáng sản Bắc Kạn", "Công ty TNHH Xây dựng Sông Cầu", "Chi nhánh Điện lực Bắc Kạn",
             "Công ty CP Nước sạch Bắc Kạn", "Hợp tác xã Nông Thượng", "Công ty TNHH Minh Khai"]
    for i in range(n_firm):
        out.append((f"Ban khuyến học {firms[(len(ward) + i) % len(firms)]}", ChapterType.FIRM, NodeKind.BOARD))
    clans = ["Hoàng", "Nông", "Ma", "Triệu", "Hà", "Lục"]
    for i in range(n_clan):
        out.append((f"Ban khuyến học dòng họ {clans[(len(ward) + i) % len(clans)]}", ChapterType.CLAN, NodeKind.BOARD))
    return out


def _officers(ctx: DemoContext, node: Node, titles: list[str], start: dt.date) -> None:
    for title in titles:
        female = ctx.rng.random() < 0.45
        officer_add(
            actor=None,
            node=node,
            full_name=person_name(ctx.rng, female=female, ethnicity=ethnicity(ctx.rng)),
            title=title,
            term_start=start,
            term_label="2021–2026" if start.year >= 2021 else "2016–2021",
        )


def build_tree(ctx: DemoContext) -> None:
    ctx.national = node_create(actor=None, parent=None, name="Hội Khuyến học Việt Nam", kind=NodeKind.NATIONAL, code="VN", founded_on=dt.date(1996, 10, 2))
    # The old Bắc Kạn province (code 06) is not in the 2025 map; it merged into Thái Nguyên (19).
    ctx.province = node_create(actor=None, parent=ctx.national, name="Hội Khuyến học tỉnh Bắc Kạn", kind=NodeKind.PROVINCE, code="BKN", place_name="Bắc Kạn")
    ctx.city = node_create(actor=None, parent=ctx.province, name="Hội Khuyến học thành phố Bắc Kạn", kind=NodeKind.DISTRICT, code="BK", place_name="Bắc Kạn", founded_on=dt.date(2002, 9, 23))
    _officers(ctx, ctx.city, [OfficerTitle.CHAIR, OfficerTitle.STANDING_VICE_CHAIR, OfficerTitle.VICE_CHAIR, OfficerTitle.SECRETARY_GENERAL], dt.date(2021, 6, 15))
    for short, is_commune, n_res, n_sch, n_ag, n_firm, n_clan in figures.WARDS:
        wcode = figures.WARD_CODES[short]
        prefix = "xã" if is_commune else "phường"
        ward = node_create(actor=None, parent=ctx.city, name=f"Hội Khuyến học {prefix} {short}", kind=NodeKind.COMMUNE, code=f"BK-{wcode}", place_name="Bắc Kạn")
        ctx.wards.append(ward)
        _officers(ctx, ward, [OfficerTitle.CHAIR, OfficerTitle.VICE_CHAIR], dt.date(2021, 7, 1))
        for i, (name, ctype, kind) in enumerate(_chapter_names(ctx.rng, short, is_commune, n_res, n_sch, n_ag, n_firm, n_clan), start=1):
            chapter = node_create(actor=None, parent=ward, name=name, kind=kind, code=f"BK-{wcode}-{i:02d}", chapter_type=ctype, place_name="Bắc Kạn")
            ctx.chapters.append(chapter)
            _officers(ctx, chapter, [OfficerTitle.CHAPTER_HEAD], dt.date(2021, 8, 1))
    ctx.log.append(f"Cây tổ chức: 1 hội thành phố, {len(ctx.wards)} hội phường/xã, {len(ctx.chapters)} chi hội và ban khuyến học")


def build_users(ctx: DemoContext) -> None:
    pw = figures.DEMO_PASSWORD
    plan = [
        ("admin", "Quản trị Hội Khuyến học thành phố", ctx.city, [Role.ADMIN]),
        ("thuky", "Văn phòng Hội thành phố", ctx.city, [Role.SECRETARY]),
        ("thuquy", "Thủ quỹ Hội thành phố", ctx.city, [Role.TREASURER]),
        ("chutich", "Chủ tịch Hội thành phố", ctx.city, [Role.TREASURER, Role.COUNCIL]),
        ("ducxuan", "Hội Khuyến học phường Đức Xuân", ctx.wards[0], [Role.ADMIN]),
        ("chihoi", "Chi hội trưởng tổ 1 Đức Xuân", ctx.chapters[0], [Role.CHAPTER_HEAD]),
    ]
    for username, full_name, node, roles in plan:
        user = user_create(actor=None, username=username, password=pw, full_name=full_name, validate=False)
        for role in roles:
            grant_add(actor=None, user=user, node=node, role=role)
        ctx.users[username] = user


# Each area adds its step as `build(ctx)` in khuyenhoc/<area>/demo.py, run in this order.
AREA_STEPS = ["members", "learning", "fund", "awards", "fund:publish", "reports"]


def _area_steps():
    import importlib
    import importlib.util

    steps = []
    for entry in AREA_STEPS:
        area, _, func = entry.partition(":")
        name = f"khuyenhoc.{area}.demo"
        if importlib.util.find_spec(name) is not None:
            steps.append(getattr(importlib.import_module(name), func or "build"))
    return steps


STEPS = [build_tree, build_users]


@transaction.atomic
def build_demo(*, steps=None) -> DemoContext:
    if Node.objects.filter(code="BK").exists():
        raise RuntimeError("Dữ liệu mẫu đã có (mã BK). Dùng --reset để tạo lại.")
    ctx = DemoContext(rng=random.Random(figures.RANDOM_SEED))
    for step in steps or [*STEPS, *_area_steps()]:
        step(ctx)
    return ctx
