"""The demo association equals the seed article's figures."""

from khuyenhoc.demo import figures
from khuyenhoc.demo.generate import build_demo
from khuyenhoc.organizations.models import Node, NodeKind
from khuyenhoc.organizations.selectors import descendant_counts


def test_the_demo_city_has_8_wards_and_161_chapters_and_boards(db):
    ctx = build_demo()
    city = Node.objects.get(code="BK")
    counts = descendant_counts(city)
    assert counts[NodeKind.COMMUNE] == 8
    assert counts["grassroots"] == figures.CHAPTERS_AND_BOARDS == 161
    wards = set(Node.objects.filter(parent=city).values_list("name", flat=True))
    assert "Hội Khuyến học phường Đức Xuân" in wards and "Hội Khuyến học xã Nông Thượng" in wards
    assert set(ctx.users) >= {"admin", "thuky", "thuquy", "chihoi"}
    # Fixed seed: the same run gives the same people.
    assert city.officers.order_by("pk").first().full_name == DEMO_CITY_CHAIR


DEMO_CITY_CHAIR = "Lục Văn Tâm"
