"""Demo step: the members of Bắc Kạn city association, year 2022.

Exactly `figures.MEMBERS` (11,089) active members on 31/12/2022 over the 161 chapters
and boards, and a year that moves: 900 joined and 120 left during 2022, so that the
register held 10,309 members on 1 January and 10,427 on 30 September 2022 — the
published September figure (shared/domain.md). Dues of 12,000 đồng for 2022 (a demo
choice: the amount varies locally) paid by most members.

Deterministic: the step draws from its own random stream (seeded from the demo seed)
so other areas' demo data do not shift when this step changes. Written through the
register's bulk services, like an import; runs in well under ten seconds.
"""

from __future__ import annotations

import datetime as dt
import random

from khuyenhoc.demo import figures
from khuyenhoc.demo.names import VILLAGE_NAMES, ethnicity, person_name
from khuyenhoc.organizations.models import ChapterType, NodeKind

from .ethnicities import code_for
from .models import Gender, MemberKind
from .services import dues_bulk_create, members_bulk_create

YEAR = figures.YEAR
START_2022 = 10_309
JOINED = {"jan_sep": 200, "oct_dec": 700}
LEFT = {"jan_sep": 82, "oct_dec": 38}
EARLIER_LEAVERS = 250  # left between 2018 and 2021: history only
DUES_AMOUNT = 12_000
DUES_PAID_SHARE = 0.93
FOUNDED = dt.date(2002, 9, 23)

# Relative size of a unit's membership by its type.
WEIGHTS = {
    ChapterType.RESIDENTIAL: 86,
    ChapterType.VILLAGE: 80,
    ChapterType.SCHOOL: 42,
    ChapterType.AGENCY: 24,
    ChapterType.FIRM: 30,
    ChapterType.CLAN: 38,
}
LEAVE_REASONS = ["Chuyển nơi ở", "Tuổi cao, sức yếu", "Xin thôi sinh hoạt", "Qua đời", "Đi làm ăn xa"]
HONORARY_PER_WARD = 3


def _shares(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainders)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cccds: set[str] = set()

    def cccd(self, birth_year: int, female: bool) -> str:
        # 3-digit province code (006 Bắc Kạn), gender/century digit, 2-digit year, 6 digits.
        century = 0 if birth_year < 2000 else 2
        while True:
            number = f"006{century + int(female)}{birth_year % 100:02d}{self.rng.randint(0, 999_999):06d}"
            if number not in self.cccds:
                self.cccds.add(number)
                return number

    def person(self, node, *, joined_on: dt.date, address: str) -> dict:
        rng = self.rng
        female = rng.random() < 0.52
        ethnic = ethnicity(rng)
        birth_year = min(int(rng.triangular(1937, 2000, 1962)), joined_on.year - 18)
        row = {
            "node_id": node.pk,
            "kind": MemberKind.INDIVIDUAL,
            "full_name": person_name(rng, female=female, ethnicity=ethnic),
            "gender": Gender.FEMALE if female else Gender.MALE,
            "birth_year": birth_year,
            "birth_date": dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.4 else None,
            "ethnicity": code_for(ethnic) or "",
            "citizen_id": self.cccd(birth_year, female) if rng.random() < 0.65 else "",
            "phone": f"09{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.55 else "",
            "address": address,
            "joined_on": joined_on,
        }
        return row


def _address(rng: random.Random, node) -> str:
    if node.chapter_type == ChapterType.RESIDENTIAL:
        return node.name.replace("Chi hội khuyến học ", "").capitalize()
    if node.chapter_type == ChapterType.VILLAGE:
        return node.name.replace("Chi hội khuyến học ", "").capitalize()
    return f"Thôn {rng.choice(VILLAGE_NAMES)}"


def build(ctx) -> None:
    rng = random.Random(figures.RANDOM_SEED * 1_000 + 11)
    people = _People(rng)
    units = list(ctx.chapters)
    assert len(units) == figures.CHAPTERS_AND_BOARDS
    end = dt.date(YEAR, 12, 31)
    before_2022 = dt.date(YEAR - 1, 12, 31)

    rows: list[dict] = []
    # Collective members: each school, agency and firm board's own unit; honorary: a few
    # respected elders per ward association.
    for unit in units:
        if unit.kind == NodeKind.BOARD and unit.chapter_type in (ChapterType.SCHOOL, ChapterType.AGENCY, ChapterType.FIRM):
            rows.append(
                {
                    "node_id": unit.pk,
                    "kind": MemberKind.COLLECTIVE,
                    "full_name": unit.name.replace("Ban khuyến học ", ""),
                    "joined_on": _date_between(rng, FOUNDED, before_2022),
                    "address": "",
                }
            )
    for ward in ctx.wards:
        ward_units = [u for u in units if u.parent_id == ward.pk]
        for _ in range(HONORARY_PER_WARD):
            row = people.person(rng.choice(ward_units), joined_on=_date_between(rng, dt.date(2010, 1, 1), before_2022), address="")
            row["kind"] = MemberKind.HONORARY
            row["birth_year"] = min(row["birth_year"], 1955)
            row["birth_date"] = None
            rows.append(row)

    fixed = len(rows)  # collective and honorary members: on the register all year
    joined_2022 = JOINED["jan_sep"] + JOINED["oct_dec"]
    left_2022 = LEFT["jan_sep"] + LEFT["oct_dec"]
    individuals = figures.MEMBERS - joined_2022 - fixed + left_2022  # on 1 January, besides `fixed`
    assert individuals + fixed == START_2022
    per_unit = _shares(individuals + joined_2022, [WEIGHTS.get(u.chapter_type, 40) for u in units])
    slots = [u for u, n in zip(units, per_unit, strict=True) for _ in range(n)]
    rng.shuffle(slots)
    windows = (
        [(dt.date(YEAR, 1, 1), dt.date(YEAR, 9, 30))] * JOINED["jan_sep"]
        + [(dt.date(YEAR, 10, 1), end)] * JOINED["oct_dec"]
    )
    for i, unit in enumerate(slots):
        window = windows[i - individuals] if i >= individuals else (FOUNDED, before_2022)
        rows.append(people.person(unit, joined_on=_date_between(rng, *window), address=_address(rng, unit)))

    # Leavers among the members of 1 January, dated in 2022 (Jan–Sep, then Oct–Dec).
    leavers = rng.sample(range(fixed, fixed + individuals), left_2022)
    for n, idx in enumerate(leavers):
        window = (dt.date(YEAR, 1, 1), dt.date(YEAR, 9, 30)) if n < LEFT["jan_sep"] else (dt.date(YEAR, 10, 1), end)
        start = max(window[0], rows[idx]["joined_on"] + dt.timedelta(days=1))
        rows[idx]["left_on"] = _date_between(rng, start, window[1])
        rows[idx]["leave_reason"] = rng.choice(LEAVE_REASONS)
    # History: members who left before 2022.
    for _ in range(EARLIER_LEAVERS):
        unit = rng.choice(units)
        row = people.person(unit, joined_on=_date_between(rng, FOUNDED, dt.date(2017, 12, 31)), address=_address(rng, unit))
        row["left_on"] = _date_between(rng, dt.date(2018, 1, 1), before_2022)
        row["leave_reason"] = rng.choice(LEAVE_REASONS)
        rows.append(row)

    ids = members_bulk_create(rows=rows)

    dues = []
    for pk, row in zip(ids, rows, strict=True):
        left_on = row.get("left_on")
        if left_on is not None and left_on.year < YEAR:
            continue
        first, last = max(row["joined_on"], dt.date(YEAR, 1, 10)), min(left_on or end, end)
        if first <= last and rng.random() < DUES_PAID_SHARE:
            paid_on = _date_between(rng, first, last)
            dues.append({"member_id": pk, "node_id": row["node_id"], "year": YEAR, "amount": DUES_AMOUNT, "paid_on": paid_on, "receipt_ref": ""})
    dues_bulk_create(actor=None, rows=dues)
    active = figures.MEMBERS
    ctx.log.append(f"Hội viên: {active:,} đang sinh hoạt ngày 31/12/{YEAR} ({joined_2022} vào, {left_2022} ra trong năm), {len(dues):,} đã nộp hội phí {YEAR}".replace(",", "."))
