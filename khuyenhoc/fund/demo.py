"""Demo step: the 2022 funds of Bắc Kạn city and its wards, communes and clan boards.

Every voucher is drafted by one person and approved by another through the services.
Across the tree, 2022 receipts equal `figures.FUND_RECEIPTS` and award payments equal
`figures.AWARD_PAYMENTS`, of which the city association's own fund paid
`figures.CITY_AWARD_PAYMENTS`; transfers between levels are netted out of those totals.
The city association's 2022 statement is published.
"""

from __future__ import annotations

import datetime as dt
import random

from khuyenhoc.demo import figures
from khuyenhoc.demo.names import ethnicity, person_name
from khuyenhoc.organizations.models import ChapterType

from . import selectors, services
from .models import AccountKind, Fund, PartyKind, Purpose, VoucherKind

YEAR = figures.YEAR
STEP = 50_000  # every demo amount is a multiple of 50.000 đ

FIRMS = [
    "Công ty CP Khoáng sản Bắc Kạn",
    "Công ty TNHH Xây dựng Sông Cầu",
    "Chi nhánh Điện lực Bắc Kạn",
    "Công ty CP Nước sạch Bắc Kạn",
    "Công ty TNHH Minh Khai",
    "Hợp tác xã Nông Thượng",
    "Công ty CP Du lịch Ba Bể",
]
ORGANISATIONS = [
    "Hội Cựu giáo chức thành phố",
    "Công đoàn ngành Giáo dục",
    "Hội Cựu chiến binh",
    "Hội Liên hiệp Phụ nữ",
    "Đoàn Thanh niên",
    "Ngân hàng Agribank chi nhánh Bắc Kạn",
]
PERSON_MENU = [200_000, 300_000, 500_000, 500_000, 1_000_000, 1_000_000, 2_000_000]
FAMILY_MENU = [500_000, 1_000_000, 2_000_000, 3_000_000]
FIRM_MENU = [5_000_000, 10_000_000, 15_000_000, 20_000_000]
ORG_MENU = [2_000_000, 3_000_000, 5_000_000, 10_000_000]
ANON_MENU = [500_000, 1_000_000, 2_000_000]


def _date(rng: random.Random, first_month: int, last_month: int) -> dt.date:
    month = rng.randint(first_month, last_month)
    return dt.date(YEAR, month, rng.randint(1, 28))


def _split(total: int, weights: list[float]) -> list[int]:
    """Split `total` by weights into multiples of STEP that add up exactly."""
    s = sum(weights)
    parts = [int(total * w / s) // STEP * STEP for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def _draw(rng: random.Random, total: int, menu: list[int]) -> list[int]:
    """Amounts from `menu` adding up to exactly `total` (the last one takes the rest)."""
    out: list[int] = []
    left = total
    while left > 0:
        a = rng.choice(menu)
        if a >= left or left - a < min(menu):
            out.append(left)
            break
        out.append(a)
        left -= a
    return out


def _person(rng: random.Random) -> str:
    return person_name(rng, female=rng.random() < 0.5, ethnicity=ethnicity(rng))


def _receipts(rng: random.Random, total: int, ward: str) -> list[dict]:
    """Planned receipts of one fund adding up to `total`."""
    ops = []
    left = total
    while left > 0:
        kind = rng.choices(
            [PartyKind.PERSON, PartyKind.FAMILY, PartyKind.FIRM, PartyKind.ORGANISATION, PartyKind.ANONYMOUS],
            weights=[40, 20, 15, 15, 10],
        )[0]
        menu = {
            PartyKind.PERSON: PERSON_MENU,
            PartyKind.FAMILY: FAMILY_MENU,
            PartyKind.FIRM: FIRM_MENU,
            PartyKind.ORGANISATION: ORG_MENU,
            PartyKind.ANONYMOUS: ANON_MENU,
        }[kind]
        amount = rng.choice(menu)
        if amount >= left or left - amount < STEP:
            amount = left
        left -= amount
        name = {
            PartyKind.PERSON: lambda: _person(rng),
            PartyKind.FAMILY: lambda: f"Gia đình {'ông' if rng.random() < 0.5 else 'bà'} {_person(rng)}",
            PartyKind.FIRM: lambda: rng.choice(FIRMS),
            PartyKind.ORGANISATION: lambda: f"{rng.choice(ORGANISATIONS)} {ward}".strip(),
            PartyKind.ANONYMOUS: lambda: "",
        }[kind]()
        ops.append(
            {
                "kind": VoucherKind.RECEIPT,
                "date": _date(rng, 1, 8),
                "amount": amount,
                "party_kind": kind,
                "party_name": name,
                "party_public": kind != PartyKind.ANONYMOUS and rng.random() < 0.7,
                "reason": rng.choice(["Ủng hộ Quỹ Khuyến học năm 2022", "Ủng hộ Tháng khuyến học", "Đóng góp xây dựng Quỹ Khuyến học"]),
                "bank": kind in (PartyKind.FIRM, PartyKind.ORGANISATION) and rng.random() < 0.7,
            }
        )
    return ops


def _awards(rng: random.Random, total: int, schools: list[str], individual_share: float = 0.3) -> list[dict]:
    """Planned award payments adding up to `total`: school lists and individual scholarships."""
    individual = int(total * individual_share) // STEP * STEP
    ops = []
    for amount in _draw(rng, individual, [500_000, 700_000, 1_000_000, 1_500_000, 2_000_000]):
        ops.append(
            {
                "kind": VoucherKind.PAYMENT,
                "date": _date(rng, 9, 12),
                "amount": amount,
                "party_kind": PartyKind.STUDENT,
                "party_name": _person(rng),
                "purpose": Purpose.AWARD,
                "reason": rng.choice(["Học bổng học sinh nghèo vượt khó", "Thưởng học sinh giỏi cấp tỉnh", "Thưởng tân sinh viên đỗ đại học"]),
            }
        )
    for amount in _draw(rng, total - individual, [3_000_000, 5_000_000, 8_000_000, 10_000_000]):
        school = rng.choice(schools)
        ops.append(
            {
                "kind": VoucherKind.PAYMENT,
                "date": _date(rng, 9, 12),
                "amount": amount,
                "party_kind": PartyKind.ORGANISATION,
                "party_name": school,
                "purpose": Purpose.AWARD,
                "reason": f"Khen thưởng học sinh giỏi, giáo viên dạy giỏi năm học 2021–2022 ({school})",
            }
        )
    return ops


def _activity(rng: random.Random, amount: int) -> dict:
    return {
        "kind": VoucherKind.PAYMENT,
        "date": _date(rng, 10, 12),
        "amount": amount,
        "party_kind": PartyKind.PERSON,
        "party_name": _person(rng),
        "purpose": Purpose.ACTIVITY,
        "reason": "Chi tổ chức hội nghị tổng kết công tác khuyến học",
    }


def _post(fund: Fund, op: dict, drafter, approver) -> None:
    accounts = {a.kind: a for a in fund.accounts.all()}
    if op.get("in_kind"):
        account = accounts[AccountKind.IN_KIND]
    elif op["kind"] == VoucherKind.RECEIPT:
        account = accounts.get(AccountKind.BANK) if op.get("bank") and AccountKind.BANK in accounts else accounts[AccountKind.CASH]
    else:
        cash = accounts[AccountKind.CASH]
        account = cash
        if AccountKind.BANK in accounts and selectors.account_balance(cash) < op["amount"]:
            account = accounts[AccountKind.BANK]
    v = services.voucher_draft(
        actor=drafter,
        fund=fund,
        kind=op["kind"],
        date=op["date"],
        account=account,
        amount=op["amount"],
        party_kind=op["party_kind"],
        party_name=op.get("party_name", ""),
        party_public=op.get("party_public", False),
        purpose=op.get("purpose", ""),
        reason=op["reason"],
        in_kind_description=op.get("in_kind", ""),
        attachments=1,
    )
    v = services.voucher_approve(actor=approver, voucher=v)
    if op.get("reverse"):
        rev = services.voucher_reverse(actor=drafter, voucher=v, reason=op["reverse"], date=op["date"] + dt.timedelta(days=2))
        services.voucher_approve(actor=approver, voucher=rev)


def build(ctx) -> None:
    rng = random.Random(figures.RANDOM_SEED * 7 + 3)  # own stream: other steps do not move these figures
    thuquy, chutich = ctx.users["thuquy"], ctx.users["chutich"]
    opened = dt.date(YEAR, 1, 1)
    ward_names = [w.name.replace("Hội Khuyến học ", "") for w in ctx.wards]

    city_fund = services.fund_create(
        actor=ctx.users["admin"],
        node=ctx.city,
        name="Quỹ Khuyến học thành phố Bắc Kạn",
        opened_on=opened,
        cash_opening=12_500_000,
        bank_accounts=[{"name": "Tài khoản Agribank", "bank_name": "Agribank chi nhánh Bắc Kạn", "account_number": "8300205012022", "opening": 73_400_000}],
    )
    ward_funds = [
        services.fund_create(actor=ctx.users["admin"], node=w, name=f"Quỹ Khuyến học {name}", opened_on=opened, cash_opening=rng.randrange(20, 80) * 100_000)
        for w, name in zip(ctx.wards, ward_names, strict=True)
    ]
    clans = [c for c in ctx.chapters if c.chapter_type == ChapterType.CLAN]
    clan_funds = [
        services.fund_create(actor=ctx.users["admin"], node=c, name=f"Quỹ khuyến học {c.name.replace('Ban khuyến học ', '')}", opened_on=opened, cash_opening=rng.randrange(5, 20) * 100_000)
        for c in clans
    ]

    # The totals the article gives, split between the levels.
    city_receipts = 96_450_000
    clan_receipts = [rng.randrange(12, 25) * 500_000 for _ in clans]
    ward_weights = [len([c for c in ctx.chapters if c.parent_id == w.pk]) for w in ctx.wards]
    ward_receipts = _split(figures.FUND_RECEIPTS - city_receipts - sum(clan_receipts), ward_weights)
    clan_awards = [r * 6 // 10 // STEP * STEP for r in clan_receipts]
    ward_awards = _split(figures.AWARD_PAYMENTS - figures.CITY_AWARD_PAYMENTS - sum(clan_awards), ward_weights)
    # Award decisions that the awards step pays through this fund are left out here,
    # so the year's totals stay exactly the article's.
    paid_by_awards = _paid_by_awards()
    ward_awards[0] -= paid_by_awards.get(ctx.wards[0].code, 0)

    plans: list[tuple[Fund, list[dict]]] = []
    schools_of = {w.pk: [c.name.replace("Ban khuyến học ", "") for c in ctx.chapters if c.parent_id == w.pk and c.chapter_type == ChapterType.SCHOOL] for w in ctx.wards}

    interest = 1_250_000
    city_ops = _receipts(rng, city_receipts - interest, "")
    city_ops.append({"kind": VoucherKind.RECEIPT, "date": dt.date(YEAR, 12, 26), "amount": interest, "party_kind": PartyKind.BANK,
                     "party_name": "Agribank chi nhánh Bắc Kạn", "reason": "Lãi tiền gửi năm 2022", "bank": True})
    all_schools = [s for ss in schools_of.values() for s in ss] or ["Trường THCS Đức Xuân"]
    city_left = figures.CITY_AWARD_PAYMENTS - paid_by_awards.get(ctx.city.code, 0)
    if city_left:
        city_ops += _awards(rng, city_left, all_schools, individual_share=0.5)
    city_ops.append(_activity(rng, 6_000_000))
    plans.append((city_fund, city_ops))

    for i, (ward, fund) in enumerate(zip(ctx.wards, ward_funds, strict=True)):
        ops = _receipts(rng, ward_receipts[i], ward_names[i])
        if i == 0:
            # A firm's bicycles, recorded at their stated value and handed on the same month.
            gift = next(op for op in ops if op["amount"] >= 5_000_000) if any(op["amount"] >= 5_000_000 for op in ops) else ops[0]
            gift.update({"in_kind": "20 xe đạp", "party_kind": PartyKind.FIRM, "party_name": "Công ty CP Khoáng sản Bắc Kạn", "party_public": True,
                         "reason": "Ủng hộ 20 xe đạp cho học sinh nghèo", "date": dt.date(YEAR, 8, 15)})
            ops.append({"kind": VoucherKind.PAYMENT, "date": dt.date(YEAR, 8, 20), "amount": gift["amount"], "in_kind": "20 xe đạp",
                        "party_kind": PartyKind.ORGANISATION, "party_name": f"Trường THCS {ward_names[i].replace('phường ', '')}",
                        "purpose": Purpose.SUPPORT, "reason": "Trao 20 xe đạp cho học sinh nghèo vượt khó"})
            # A typing slip, corrected by a reversing voucher (the books keep both).
            ops.append({"kind": VoucherKind.RECEIPT, "date": dt.date(YEAR, 3, 10), "amount": 5_000_000, "party_kind": PartyKind.PERSON,
                        "party_name": _person(rng), "reason": "Ủng hộ Quỹ Khuyến học năm 2022", "reverse": "Ghi nhầm 500.000 đ thành 5.000.000 đ"})
        ops += _awards(rng, ward_awards[i], schools_of.get(ward.pk) or all_schools)
        ops.append(_activity(rng, rng.randrange(4, 9) * 500_000))
        plans.append((fund, ops))

    for fund, receipts, awards in zip(clan_funds, clan_receipts, clan_awards, strict=True):
        ops = _receipts(rng, receipts, "")
        for amount in _draw(rng, awards, [300_000, 500_000, 1_000_000]):
            ops.append({"kind": VoucherKind.PAYMENT, "date": _date(rng, 9, 12), "amount": amount, "party_kind": PartyKind.STUDENT,
                        "party_name": _person(rng), "purpose": Purpose.AWARD, "reason": "Thưởng con cháu trong họ học giỏi"})
        plans.append((fund, ops))

    ducxuan = ctx.users.get("ducxuan")
    count = 0
    for fund, ops in plans:
        drafter, approver = (ducxuan, thuquy) if ducxuan and fund.node_id == ctx.wards[0].pk else (thuquy, chutich)
        # Receipts before payments of the same day keep every balance positive.
        for op in sorted(ops, key=lambda o: (o["date"], o["kind"] == VoucherKind.PAYMENT)):
            _post(fund, op, drafter, approver)
            count += 1

    # Two wards pass part of their fund up to the city association (netted out of the city's totals).
    for fund in ward_funds[3:5]:
        cash = fund.accounts.get(kind=AccountKind.CASH)
        payment, _receipt = services.transfer_draft(
            actor=thuquy, from_account=cash, to_account=city_fund.accounts.get(kind=AccountKind.BANK),
            amount=5_000_000, date=dt.date(YEAR, 10, 3), reason="Nộp Quỹ Khuyến học thành phố hỗ trợ học sinh vùng khó",
        )
        services.voucher_approve(actor=chutich, voucher=payment)
        count += 2

    ctx.log.append(f"Quỹ khuyến học: {len(plans)} quỹ, {count} phiếu thu chi năm {YEAR}")
    if not paid_by_awards:
        publish(ctx)


def _paid_by_awards() -> dict[str, int]:
    try:
        from khuyenhoc.awards.demo import PAID_BY_NODE
    except ImportError:
        return {}
    return dict(PAID_BY_NODE)


def publish(ctx) -> None:
    """Publish the city's 2022 statement — after the awards step has paid its decisions."""
    city_fund = Fund.objects.filter(node=ctx.city).order_by("pk").first()
    if city_fund is None or city_fund.disclosures.exists():
        return
    disclosure = services.disclosure_publish(
        actor=ctx.users["thuquy"], fund=city_fund, period_start=dt.date(YEAR, 1, 1), period_end=dt.date(YEAR, 12, 31)
    )
    ctx.log.append(f"Đã công khai báo cáo thu chi năm {YEAR} của Hội thành phố (/p/fund/{disclosure.token}/)")
