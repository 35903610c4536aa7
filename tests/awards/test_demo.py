"""The demo's awards: the year-end conference of 30/12/2022 and the city's money, as the article says."""

from collections import Counter

from django.db.models import Sum

from khuyenhoc.awards import demo as awards_demo
from khuyenhoc.awards.models import Award, Decision
from khuyenhoc.demo import figures
from khuyenhoc.demo.generate import build_demo, build_tree, build_users


def test_the_conference_decision_gives_19_collectives_18_individuals_4_clans_and_18_families(db, settings, tmp_path):
    from khuyenhoc.fund import demo as fund_demo

    settings.MEDIA_ROOT = tmp_path
    build_demo(steps=[build_tree, build_users, fund_demo.build, awards_demo.build])
    conference = Decision.objects.get(node__code="BK", date__day=30, date__month=12)
    assert conference.code == "38/QĐ-HKH"
    kinds = Counter(conference.awards.values_list("nominee_kind", flat=True))
    assert kinds == {"collective": 19, "individual": 18, "clan": 4, "family": 18} == figures.CERTIFICATES
    from khuyenhoc.awards.documents.decision import decision_context

    ctx = decision_context(conference)
    assert "19 tập thể, 18 cá nhân, 04 dòng họ học tập và 18 gia đình học tập" in ctx["article1"]
    assert ctx["place_date"] == "Bắc Kạn, ngày 30 tháng 12 năm 2022"
    # The city's decisions carry exactly the article's 66 million; what the ledger shows as paid
    # never exceeds the article, whichever step paid it.
    city_total = Decision.objects.filter(node__code="BK").aggregate(s=Sum("total"))["s"]
    assert city_total == figures.CITY_AWARD_PAYMENTS == awards_demo.PAID_BY_NODE["BK"]
    from khuyenhoc.fund.models import LedgerEntry

    paid = LedgerEntry.objects.filter(purpose="award", date__year=2022)
    assert -paid.aggregate(s=Sum("amount"))["s"] == figures.AWARD_PAYMENTS
    assert -paid.filter(fund__node__code="BK").aggregate(s=Sum("amount"))["s"] == figures.CITY_AWARD_PAYMENTS
    # Pupils stay initials-only on the public pages.
    student = Award.objects.filter(nominee_kind="student").first()
    assert student.public_name != student.nominee_name and student.public_name.endswith(student.nominee_name.split()[-1])
