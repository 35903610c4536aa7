"""Official administrative units from the package `vietnam-provinces` (2025 map:
34 provinces, 3,321 communes), and the command-line skeleton loader."""

from __future__ import annotations

from django.db import transaction
from vietnam_provinces import Province, Ward

from .models import Node, NodeKind


def province_name(code: int | str) -> str:
    return Province.from_code(int(code)).name


def commune_name(code: int | str) -> str:
    return Ward.from_code(int(code)).name


def lookup(code: str) -> tuple[str, str] | None:
    """'19' → ('province', 'Thái Nguyên'); '1843' → ('commune', 'Phường Bắc Kạn')."""
    if not code or not str(code).isdigit():
        return None
    n = int(code)
    try:
        if n < 100:
            return ("province", Province.from_code(n).name)
        return ("commune", Ward.from_code(n).name)
    except (ValueError, KeyError):
        return None


def communes_of(province_code: int) -> list[Ward]:
    return [w for w in Ward.iter_all() if int(w.province_code) == int(province_code)]


@transaction.atomic
def load_skeleton(*, actor=None, province_codes: list[int] | None = None, stdout=None) -> dict[str, int]:
    """Create (idempotently) the national association, provinces and commune associations."""
    from .services import node_create

    created = {"province": 0, "commune": 0}
    national = Node.objects.filter(kind=NodeKind.NATIONAL, parent__isnull=True).first()
    if national is None:
        national = node_create(
            actor=actor, parent=None, name="Hội Khuyến học Việt Nam", kind=NodeKind.NATIONAL, code="VN"
        )
    provinces = [p for p in Province.iter_all() if province_codes is None or int(p.code) in province_codes]
    for p in provinces:
        pcode = str(int(p.code))
        pnode = Node.objects.filter(kind=NodeKind.PROVINCE, admin_unit_code=pcode, status="active").first()
        if pnode is None:
            pnode = node_create(
                actor=actor,
                parent=national,
                name=f"Hội Khuyến học tỉnh {p.name}" if "Thành phố" not in p.name else f"Hội Khuyến học {p.name}",
                kind=NodeKind.PROVINCE,
                code=f"P{pcode}",
                admin_unit_code=pcode,
                admin_unit_name=p.name,
            )
            created["province"] += 1
        existing = set(
            Node.objects.filter(parent=pnode, kind=NodeKind.COMMUNE).values_list("admin_unit_code", flat=True)
        )
        used_codes = set(Node.objects.filter(code__startswith="W").values_list("code", flat=True))
        for w in communes_of(int(p.code)):
            wcode = str(int(w.code))
            if wcode in existing or f"W{wcode}" in used_codes:
                continue
            node_create(
                actor=actor,
                parent=pnode,
                name=f"Hội Khuyến học {w.name[0].lower()}{w.name[1:]}",
                kind=NodeKind.COMMUNE,
                code=f"W{wcode}",
                admin_unit_code=wcode,
                admin_unit_name=w.name,
            )
            created["commune"] += 1
        if stdout is not None:
            stdout.write(f"{p.name}: {created['commune']} xã/phường\n")
    return created
