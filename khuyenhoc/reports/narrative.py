"""The annual review report's drafted Vietnamese text and tables, filled from the statistics.

Everything here returns plain strings and lists, the context of the DOCX template
(docx_report.py) and of the preview on the statistics page. The wording follows the
city association's published year-end report (Bắc Kạn city, 2022): "Đến nay, toàn thành
phố Bắc Kạn có 161 chi hội và Ban khuyến học, với 11.089 hội viên." Numbers are written the
Vietnamese way (11.089; "hơn 768 triệu đồng"; counts under ten with a leading zero, "09
dòng họ học tập", as administrative texts do). A figure that is not available is written
"…" so the secretariat sees what to fill in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from khuyenhoc.core.dates import admin_date_line
from khuyenhoc.core.money import format_number, million_text
from khuyenhoc.organizations.models import Node, NodeKind, OfficerTitle
from khuyenhoc.organizations.selectors import current_officers

from .labels import TITLE_LABELS
from .models import Indicator
from .selectors import TargetCheck, YearStats

MISSING = "…"
PROGRAMMES_2030 = (
    "“Đẩy mạnh học tập suốt đời trong gia đình, dòng họ, cộng đồng, đơn vị giai đoạn 2021 – 2030”",
    "“Xây dựng mô hình Công dân học tập giai đoạn 2021 – 2030”",
)


# --- numbers -------------------------------------------------------------------------------


def count_text(n: int | None, *, pad: bool = True) -> str:
    """11089 -> "11.089"; 9 -> "09" (administrative texts pad counts under ten)."""
    if n is None:
        return MISSING
    if pad and 0 < n < 10:
        return f"{n:02d}"
    return format_number(int(n))


def money_text(amount: int | None, *, over: str = "hơn") -> str:
    """768_350_000 -> "hơn 768 triệu đồng"; 66_000_000 -> "66 triệu đồng"; 500_000 -> "500.000 đồng"."""
    if amount is None:
        return MISSING
    if abs(amount) < 1_000_000:
        return f"{format_number(amount)} đồng"
    whole = million_text(amount)
    return whole if amount % 1_000_000 == 0 else f"{over} {whole}"


def million(amount: int | None) -> Decimal | None:
    """Đồng to million đồng, exact (for tables: 768.35)."""
    if amount is None:
        return None
    return Decimal(amount) / Decimal(1_000_000)


def million_cell(amount: int | None) -> str:
    """Million đồng with one decimal, Vietnamese comma, truncated: 768_350_000 -> "768,3"."""
    if amount is None:
        return MISSING
    tenths = abs(amount) // 100_000
    text = f"{format_number(tenths // 10)},{tenths % 10}"
    return f"-{text}" if amount < 0 and tenths else text


def percent_text(value: Decimal | int | None) -> str:
    if value is None:
        return MISSING
    text = f"{Decimal(value):.1f}".replace(".", ",")
    return text.removesuffix(",0") + "%"


def change_text(current: int | None, previous: int | None, unit: str = "") -> str:
    """ "tăng 789 hội viên" / "giảm 12" / "bằng" against last year; "" if either is missing."""
    if current is None or previous is None:
        return ""
    d = current - previous
    if d == 0:
        return "không thay đổi"
    word = "tăng" if d > 0 else "giảm"
    suffix = f" {unit}" if unit else ""
    return f"{word} {format_number(abs(d))}{suffix}"


# --- names -------------------------------------------------------------------------------


def area_of(node: Node, name: str | None = None) -> str:
    """ "Hội Khuyến học thành phố Bắc Kạn" -> "thành phố Bắc Kạn"."""
    name = name or node.name
    for prefix in ("Hội Khuyến học ", "Hội khuyến học ", "HỘI KHUYẾN HỌC "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def supervising_body(node: Node, area: str) -> str:
    """The People's Committee of the same level, as the header's upper line."""
    if node.kind == NodeKind.NATIONAL:
        return ""
    if area.lower().startswith(("thành phố", "tỉnh", "huyện", "thị xã", "quận", "xã", "phường", "thị trấn", "đặc khu")):
        return f"UBND {area.upper()}"
    return ""


def level_words(node: Node) -> str:
    return {
        NodeKind.NATIONAL: "toàn quốc",
        NodeKind.PROVINCE: "tỉnh",
        NodeKind.DISTRICT: "thành phố" if "thành phố" in node.name else "huyện",
        NodeKind.COMMUNE: "xã" if " xã " in f" {node.name} " else "phường",
    }.get(node.kind, "cơ sở")


# --- the text --------------------------------------------------------------------------------


def _v(stats: YearStats | None, group: str, key: str) -> int | None:
    return stats.get(group, key) if stats is not None else None


def paragraphs(node: Node, stats: YearStats, previous: YearStats | None, checks_next: list[TargetCheck]) -> dict[str, str]:
    y = stats.year
    area = area_of(node)
    level = level_words(node)
    chapters = _v(stats, "org", "chapters_and_boards")
    members = _v(stats, "members", "total")
    prev_members = _v(previous, "members", "total")
    out: dict[str, str] = {}

    out["situation"] = (
        f"Trong năm {y}, được sự quan tâm lãnh đạo, chỉ đạo của các cấp ủy Đảng, chính quyền; sự đồng lòng của "
        "các tầng lớp nhân dân, sự ủng hộ của các doanh nghiệp và sự nỗ lực, nhiệt tình, trách nhiệm của đội ngũ "
        f"cán bộ khuyến học từ {level} đến cơ sở, phong trào thi đua khuyến học, khuyến tài, xây dựng xã hội học "
        "tập, học tập suốt đời trên địa bàn tiếp tục được duy trì ổn định."
    )

    members_part = f", với {count_text(members)} hội viên"
    change = change_text(members, prev_members, "hội viên")
    if change and change != "không thay đổi":
        members_part += f" ({change} so với năm {previous.year})"
    out["organisation"] = f"Đến nay, toàn {area} có {count_text(chapters)} chi hội và Ban khuyến học{members_part}."
    communes = _v(stats, "org", "communes") or 0
    if communes and node.kind != NodeKind.COMMUNE:
        out["organisation"] += f" Các chi hội, Ban khuyến học sinh hoạt trong {count_text(communes)} hội khuyến học xã, phường."
    joined = _v(stats, "members", "joined")
    if joined:
        out["organisation"] += f" Trong năm đã kết nạp {count_text(joined)} hội viên mới."

    fam = _v(stats, "learning", "family_recognised")
    clan = _v(stats, "learning", "clan_recognised")
    comm = _v(stats, "learning", "community_recognised")
    unit = _v(stats, "learning", "unit_recognised")
    out["learning"] = (
        f"Năm {y}, Hội Khuyến học {area} đã đẩy mạnh phong trào thi đua khuyến học, khuyến tài, xây dựng xã hội học "
        "tập, tạo sự lan tỏa sâu rộng trong mọi tầng lớp nhân dân. Trong năm, đã có "
        f"{count_text(fam)} hộ đạt danh hiệu “Gia đình học tập”, {count_text(clan)} “Dòng họ học tập”, "
        f"{count_text(comm)} thôn, tổ dân phố đạt “Cộng đồng học tập” và {count_text(unit)} “Đơn vị học tập”."
    )
    citizens = _v(stats, "learning", "citizen_recognised")
    if citizens:
        out["learning"] += f" Có {count_text(citizens)} người đạt danh hiệu “Công dân học tập”."
    rates = []
    for t in ("family", "clan", "community", "unit"):
        reg = _v(stats, "learning", f"{t}_registered")
        rec = _v(stats, "learning", f"{t}_recognised")
        if reg and rec is not None:
            rates.append(f"{str(TITLE_LABELS[t]).lower()} đạt {percent_text(_rate(rec, reg))}")
    if rates:
        out["learning"] += " So với số đăng ký: " + "; ".join(rates) + "."

    receipts = _v(stats, "fund", "receipts")
    payments = _v(stats, "fund", "payments")
    balance = _v(stats, "fund", "balance")
    out["fund"] = f"Trong năm, các cấp hội đã thu quỹ được {money_text(receipts)}"
    if payments is not None:
        out["fund"] += f", chi {money_text(payments)}"
    if balance is not None:
        out["fund"] += f"; số dư quỹ đến 31/12/{y} là {money_text(balance)}"
    out["fund"] += "."

    award_amount = award_money(stats)
    own_amount = award_money(stats, own=True)
    out["awards"] = (
        "Các cấp hội đã tổ chức khen thưởng cho các tập thể, cá nhân đạt thành tích xuất sắc trong công tác khuyến "
        "học, khuyến tài, khen thưởng học sinh nghèo vượt khó… với tổng số tiền "
        f"{money_text(award_amount, over='trên')}"
    )
    if own_amount:
        out["awards"] += f" (trong đó, Hội Khuyến học {area} khen thưởng {money_text(own_amount)})"
    out["awards"] += "."
    # Certificates of merit given by the association itself (the seed: "Hội Khuyến học
    # thành phố Bắc Kạn đã tặng giấy khen cho 19 tập thể, 18 cá nhân, …").
    certs = [
        (stats.own_value("awards", "certificates_collective"), "tập thể"),
        (stats.own_value("awards", "certificates_individual"), "cá nhân"),
        (stats.own_value("awards", "certificates_clan"), "dòng họ học tập"),
        (stats.own_value("awards", "certificates_family"), "gia đình học tập"),
    ]
    given = [f"{count_text(n)} {what}" for n, what in certs if n]
    if given:
        listed = ", ".join(given[:-1]) + (" và " if len(given) > 1 else "") + given[-1]
        out["certificates"] = (
            f"Hội Khuyến học {area} đã tặng giấy khen cho {listed}, vì đã có nhiều thành tích xuất sắc trong công tác "
            f"khuyến học, khuyến tài, xây dựng xã hội học tập năm {y}."
        )
    else:
        out["certificates"] = (
            f"Hội Khuyến học {area} đã tặng giấy khen cho {MISSING} tập thể, {MISSING} cá nhân, {MISSING} dòng họ học "
            f"tập và {MISSING} gia đình học tập."
        )

    centres = _v(stats, "clc", "centres")
    if centres:
        out["centres"] = (
            f"Toàn {area} có {count_text(centres)} trung tâm học tập cộng đồng, mở "
            f"{count_text(_v(stats, 'clc', 'classes'))} lớp với {count_text(_v(stats, 'clc', 'learners'))} lượt người học."
        )
    else:
        out["centres"] = ""

    out["assessment"] = (
        "Bên cạnh những kết quả đạt được, công tác khuyến học còn một số hạn chế: "
        f"{MISSING} (Văn phòng Hội bổ sung ưu điểm, hạn chế, nguyên nhân và bài học kinh nghiệm)."
    )
    out["direction"] = (
        f"Năm {y + 1}, Hội Khuyến học {area} tiếp tục triển khai thực hiện chương trình {PROGRAMMES_2030[0]} và "
        f"{PROGRAMMES_2030[1]} trên địa bàn {area}. Tiếp tục củng cố và phát triển hội viên; phát động phong trào "
        "thi đua khuyến học, khuyến tài trong các cấp hội; quản lý nguồn quỹ khuyến học bảo đảm công khai, minh "
        "bạch, đúng quy định."
    )
    return out


def _rate(num: int, den: int) -> Decimal | None:
    from .selectors import rate

    return rate(num, den)


def award_money(stats: YearStats | None, *, own: bool = False) -> int | None:
    """Money given in awards and scholarships: the fund's award payments (the ledger is the
    record of money; awards decided in the awards area are paid through it, and awards
    paid straight from a fund count too). Without the fund area, the awards' amounts."""
    if stats is None:
        return None
    getter = stats.own_value if own else stats.get
    paid = getter("fund", "payments_award")
    if paid is not None:
        return paid
    return getter("awards", "amount")


INDICATOR_PHRASES = {
    Indicator.FAMILY_RATE: "Gia đình học tập đạt {v} số hộ",
    Indicator.CLAN_RATE: "Dòng họ học tập đạt {v} số dòng họ",
    Indicator.CLAN_REGISTERED_RATE: "Dòng họ học tập đạt {v} số dòng họ đăng ký",
    Indicator.COMMUNITY_RATE: "Cộng đồng học tập cấp thôn, tổ dân phố đạt {v}",
    Indicator.UNIT_RATE: "Đơn vị học tập đạt {v} số cơ quan, đơn vị",
    Indicator.CITIZEN_COMMUNITY_RATE: "Công dân học tập đạt {v} số người trong độ tuổi lao động trong gia đình, dòng họ, cộng đồng",
    Indicator.CITIZEN_UNIT_RATE: "Công dân học tập đạt {v} số cán bộ, công chức, viên chức, người lao động trong các đơn vị",
    Indicator.CITIZEN_WORKING_AGE_RATE: "Công dân học tập đạt {v} số người trong độ tuổi lao động",
    Indicator.CITIZEN_DIGITAL_RATE: "{v} công dân học tập có kỹ năng số đáp ứng yêu cầu công việc",
    Indicator.MEMBERS: "Phát triển hội viên đạt {v} hội viên",
    Indicator.FUND_RECEIPTS: "Vận động quỹ khuyến học đạt {v}",
}


def target_text(check: TargetCheck) -> str:
    t = check.target
    if t.is_percent:
        value = ("trên " if t.above else "") + percent_text(t.value)
    elif t.indicator == Indicator.FUND_RECEIPTS:
        value = ("trên " if t.above else "") + money_text(int(t.value))
    else:
        value = ("trên " if t.above else "") + count_text(int(t.value), pad=False)
    text = INDICATOR_PHRASES[t.indicator].format(v=value)
    if t.unconfirmed:
        text += " (chỉ tiêu chưa được xác nhận)"
    return text


def signer(node: Node, on: dt.date) -> tuple[str, str]:
    chair = current_officers(node, on).filter(title=OfficerTitle.CHAIR).first()
    return ("TM. BAN THƯỜNG VỤ", chair.full_name if chair else "")


def recipients(node: Node) -> list[str]:
    out = []
    if node.parent_id:
        out.append(f"- {node.parent.name} (b/c);")
    area = area_of(node)
    if node.kind in (NodeKind.DISTRICT, NodeKind.PROVINCE, NodeKind.COMMUNE):
        out.append(f"- Thường trực cấp ủy, UBND {area} (b/c);")
    if node.kind in (NodeKind.DISTRICT, NodeKind.PROVINCE):
        out.append("- Các hội khuyến học cấp dưới;")
    elif node.kind == NodeKind.COMMUNE:
        out.append("- Các chi hội, Ban khuyến học;")
    out.append("- Lưu VP.")
    return out


def header(node: Node, stats: YearStats, on: dt.date, number: str = "") -> dict[str, str]:
    area = area_of(node)
    return {
        "supervising_body": supervising_body(node, area),
        "association": node.name.upper(),
        "number": f"Số: {number or '…'}/BC-HKH",
        "place_date": admin_date_line(node.place_name or "", on),
        "title": "BÁO CÁO",
        "subject": (
            f"Tổng kết công tác khuyến học, khuyến tài, xây dựng xã hội học tập năm {stats.year} "
            f"và phương hướng, nhiệm vụ năm {stats.year + 1}"
        ),
        "intro": (
            f"Thực hiện hướng dẫn của {node.parent.name if node.parent_id else 'cấp trên'} về việc tổng kết công tác "
            f"năm {stats.year}, {node.name} báo cáo kết quả thực hiện nhiệm vụ năm {stats.year} và phương hướng, nhiệm vụ "
            f"năm {stats.year + 1} như sau:"
        ),
    }
