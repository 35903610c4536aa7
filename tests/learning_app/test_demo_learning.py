"""The demo city's learning titles equal the seed article's 2022 figures."""

import time

from khuyenhoc.demo import figures
from khuyenhoc.demo.generate import build_demo, build_tree, build_users
from khuyenhoc.learning import demo
from khuyenhoc.learning.models import Evaluation, Recognition, Status
from khuyenhoc.learning.selectors import title_counts
from khuyenhoc.organizations.models import Node


def test_the_demo_recognises_exactly_the_seed_figures_with_a_few_failures(db):
    t0 = time.perf_counter()
    build_demo(steps=[build_tree, build_users, demo.build])
    elapsed = time.perf_counter() - t0
    city = Node.objects.get(code="BK")
    counts = title_counts(city, figures.YEAR)
    assert counts["family"].recognised == figures.LEARNING_FAMILIES == 10_110
    assert counts["clan"].recognised == figures.LEARNING_CLANS == 9
    assert counts["community"].recognised == figures.LEARNING_COMMUNITIES == 101
    assert counts["unit"].recognised == figures.LEARNING_UNITS == 26
    for title in ("family", "clan", "community", "unit"):
        c = counts[title]
        assert c.recognised < c.registered <= c.total, title
        assert c.registered - c.recognised == c.not_met, title
    assert counts["family"].registered <= counts["family"].recognised * 1.05
    # Spread over the 8 wards and communes, each with its own decisions by its People's Committee.
    wards = Node.objects.filter(parent=city)
    per_ward = [title_counts(w, figures.YEAR)["family"].recognised for w in wards]
    assert len(per_ward) == 8 and min(per_ward) > 500 and max(per_ward) < 2500
    assert Recognition.objects.filter(title="family", year=figures.YEAR).count() == 8
    assert all(r.number.endswith("/QĐ-UBND") for r in Recognition.objects.all())
    # The 2023 learning-citizen model has begun in one chapter.
    assert Evaluation.objects.filter(title="citizen", year=2023, status=Status.SELF_ASSESSED).exists()
    print(f"learning demo built in {elapsed:.1f} s")
