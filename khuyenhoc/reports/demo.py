"""The reports area's demo step: the city's earlier years, the province's 2023 plan and the
city's own 2023 plan (phương hướng nhiệm vụ) with a target for each ward.

The earlier years come from the city association's published history (domain.md); no
records exist for them, so they are kept as that year's closed figures, marked as
reported. 2022 stays open: it is the year the demo is about.
"""

from __future__ import annotations

from khuyenhoc.demo import figures

from . import services
from .seed import BAC_KAN_PROVINCE_PLAN

HISTORY_SOURCE = "Lịch sử Hội Khuyến học thành phố Bắc Kạn (số liệu đã công bố)"

# Ward targets in the city's 2023 plan: learning families as % of households.
WARD_FAMILY_TARGETS = {"DX": 85, "MK": 85, "CK": 82, "SC": 82, "HT": 80, "XH": 80, "DQ": 78, "NT": 78}


def history_figures(year: int) -> dict[str, dict[str, int]]:
    h = figures.HISTORY[year]
    out: dict[str, dict[str, int]] = {
        "org": {"chapters_and_boards": h["chapters"]},
        "members": {"total": h["members"]},
    }
    learning: dict[str, int] = {}
    for title, n in h.get("registered", {}).items():
        learning[f"{title}_registered"] = n
    for title, n in h.get("recognised", {}).items():
        learning[f"{title}_recognised"] = n
    if learning:
        out["learning"] = learning
    if "fund_receipts" in h:
        out["fund"] = {"receipts": h["fund_receipts"], "payments": h["fund_payments"], "payments_award": h["fund_payments"]}
    return out


def build(ctx) -> None:
    city, province = ctx.city, ctx.province
    for year in sorted(figures.HISTORY):
        services.year_record_reported(actor=None, node=city, year=year, figures=history_figures(year), source=HISTORY_SOURCE)

    code, name, kind, issuer, basis, y0, y1, note, targets = BAC_KAN_PROVINCE_PLAN
    plan = services.programme_create(
        actor=None, code=code, name=name, kind=kind, issuer=issuer, legal_basis=basis, year_from=y0, year_to=y1, node=province, note=note
    )
    for year, indicator, value, above, unconfirmed, tnote in targets:
        services.target_set(
            actor=None, programme=plan, year=year, indicator=indicator, value=value, above=above, unconfirmed=unconfirmed, note=tnote
        )

    own = services.plan_get_or_create(actor=None, node=city, year=figures.YEAR + 1)
    services.target_set(actor=None, programme=own, year=figures.YEAR + 1, indicator="family_rate", value=80)
    services.target_set(actor=None, programme=own, year=figures.YEAR + 1, indicator="members", value=11_500)
    services.target_set(actor=None, programme=own, year=figures.YEAR + 1, indicator="fund_receipts", value=800_000_000)
    by_code = {w.code.removeprefix("BK-"): w for w in ctx.wards}
    for wcode, value in WARD_FAMILY_TARGETS.items():
        ward = by_code.get(wcode)
        if ward is not None:
            services.target_set(actor=None, programme=own, year=figures.YEAR + 1, indicator="family_rate", value=value, node=ward)
    ctx.log.append(
        f"Báo cáo: số liệu các năm {', '.join(str(y) for y in sorted(figures.HISTORY))} (đã công bố), "
        f"kế hoạch năm {figures.YEAR + 1} của tỉnh và của thành phố"
    )
