"""Learning titles at national scale: batch scoring from the database, the review table,
subtree counts.

Builds a throwaway province (SQLite file, or with --pg a PostgreSQL database of its own
that is dropped afterwards), fills it with bulk inserts — households with two members,
one self-assessed learning-family evaluation each — then measures:

* batch scoring of every evaluation from the database with the results written back
  (``services.evaluations_score_batch``), against scoring one evaluation per ORM round
  trip (fetch, score, save) on a sample, extrapolated;
* the review table page of one commune of 5,000 households (the real view, template
  included, through Django's test client), for several filters;
* ``selectors.title_counts`` for the whole province, and counts by child unit.

    .venv/bin/python -m bench bench_learning                 # SQLite, 1,000,000 households
    .venv/bin/python bench/bench_learning.py --pg            # the same on PostgreSQL
    .venv/bin/python bench/bench_learning.py --smoke         # tiny, for make bench-smoke
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

YEAR = 2024
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def _setup(args) -> tuple[str | None, str | None]:
    """Point Django at a fresh database before it is set up; returns what to clean up."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "khuyenhoc.config.settings.test"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if args.pg:
        name = f"kh_learning_bench_{os.getpid()}"
        _psql(f"DROP DATABASE IF EXISTS {name}")
        _psql(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = PG_URL.format(name=name)
        return name, None
    os.environ.pop("DATABASE_URL", None)
    folder = tempfile.mkdtemp(prefix="kh-learning-bench-")
    os.environ["SQLITE_PATH"] = str(Path(folder) / "bench.sqlite3")
    return None, folder


def _psql(sql: str) -> None:
    # A fixed local tool and statements built from our own constants.
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql, "postgres"],  # noqa: S603, S607
                   check=True, capture_output=True)


def _cleanup(pg_name: str | None, folder: str | None) -> None:
    from django.db import connections

    connections.close_all()
    if pg_name:
        _psql(f"DROP DATABASE IF EXISTS {pg_name}")
    if folder:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _timed(fn, repeat: int = 1):
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, times


def _build(args):
    """The province: communes of chapters of households; returns (province, review commune, admin)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from khuyenhoc.accounts.models import Role
    from khuyenhoc.accounts.services import grant_add, user_create
    from khuyenhoc.core.text import name_sort_key, search_key
    from khuyenhoc.imports.bulk import insert_rows
    from khuyenhoc.learning.models import CriteriaSetVersion, Evaluation, Household, HouseholdMember
    from khuyenhoc.organizations.models import ChapterType, NodeKind
    from khuyenhoc.organizations.services import node_create

    rng = random.Random(args.seed)
    national = node_create(actor=None, parent=None, name="Hội Khuyến học Việt Nam", kind=NodeKind.NATIONAL, code="VN")
    province = node_create(actor=None, parent=national, name="Hội Khuyến học tỉnh Thử", kind=NodeKind.PROVINCE, code="P")
    chapters = []
    review_commune = None
    per_chapter = args.households // (args.communes * args.chapters)
    for c in range(args.communes):
        commune = node_create(actor=None, parent=province, name=f"Hội Khuyến học xã {c:04d}", kind=NodeKind.COMMUNE, code=f"P-{c:04d}")
        review_commune = review_commune or commune
        for k in range(args.chapters):
            chapters.append(node_create(actor=None, parent=commune, name=f"Chi hội thôn {c:04d}-{k:02d}", kind=NodeKind.CHAPTER,
                                        chapter_type=ChapterType.VILLAGE, code=f"P-{c:04d}-{k:02d}"))
    admin = user_create(actor=None, username="bench", password="bench-pass-1", validate=False, full_name="Bench")
    grant_add(actor=None, user=admin, node=province, role=Role.ADMIN)
    family = CriteriaSetVersion.objects.get(code="family_sample_qd448", version=1)
    items = [(it.code, it.max_points) for it in family.parsed().items]

    now = timezone.now()
    surnames = ["Nguyễn", "Hoàng", "Nông", "Ma", "Triệu", "Lý", "Hà", "Lục"]
    given = ["An", "Bình", "Cường", "Dũng", "Hà", "Lan", "Mai", "Sơn", "Thảo", "Vinh"]
    names = [f"{s} Văn {g}" for s in surnames for g in given]
    keys = {n: (name_sort_key(n), search_key(n)) for n in names}

    def households():
        pk = 0
        for chapter in chapters:
            for i in range(per_chapter):
                pk += 1
                name = names[pk % len(names)]
                yield (pk, chapter.pk, f"{i:05d}", name, keys[name][0], keys[name][1], "", 2000, now, now)

    def members():
        pk = 0
        for hh in range(1, per_chapter * len(chapters) + 1):
            name = names[hh % len(names)]
            for rel, year in (("head", 1970 + hh % 30), ("spouse", 1972 + hh % 30)):
                pk += 1
                yield (pk, hh, name, keys[name][0], year, "m", rel, "completed", True, rel == "head", 0)

    def evaluations():
        for hh in range(1, per_chapter * len(chapters) + 1):
            chapter = chapters[(hh - 1) // per_chapter]
            # Skewed towards high marks, as real self-assessments are.
            answers = {code: min(top, max(0, round(rng.triangular(0, top, top)))) for code, top in items}
            text = json.dumps(answers)
            yield (hh, "family", YEAR, chapter.pk, hh, family.pk, "self_assessed", "{}", text, "{}", "", "", "", "", "", now, now)

    t0 = time.perf_counter()
    with transaction.atomic():
        insert_rows(Household, ("id", "node_id", "code", "head_name", "head_sort", "search", "address", "since_year", "created_at", "updated_at"), households(), batch_size=20_000)
        insert_rows(HouseholdMember, ("id", "household_id", "full_name", "name_sort", "birth_year", "gender", "relation", "schooling", "literate", "studies_topic", "position"), members(), batch_size=20_000)
        insert_rows(Evaluation, ("id", "title", "year", "node_id", "household_id", "criteria_set_id", "status", "self_answers", "answers", "inputs", "grade", "grade_label", "level", "reasons", "last_comment", "created_at", "updated_at"), evaluations(), batch_size=20_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in ("learning_household", "learning_householdmember", "learning_evaluation"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608 - fixed names
    _vacuum()
    n = per_chapter * len(chapters)
    print(f"data: {args.communes:,} communes, {len(chapters):,} chapters, {n:,} households, {2 * n:,} members, "
          f"{n:,} evaluations — loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    return province, review_commune, admin, n


def _vacuum() -> None:
    """What autovacuum does after a bulk load or a million-row update (statistics,
    visibility map for index-only scans)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _one_per_round_trip(ids):
    """The naive way: fetch, score and save one evaluation per ORM round trip."""
    from django.utils import timezone

    from khuyenhoc.learning.criteria import score
    from khuyenhoc.learning.models import Evaluation
    from khuyenhoc.learning.services.scoring import SCORE_FIELDS, apply_result

    for pk in ids:
        ev = Evaluation.objects.select_related("criteria_set").get(pk=pk)
        apply_result(ev, score(ev.criteria_set.parsed(), ev.answers), None, timezone.now())
        ev.save(update_fields=SCORE_FIELDS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", action="store_true", help="run on PostgreSQL (a throwaway database)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--communes", type=int, default=200)
    parser.add_argument("--chapters", type=int, default=10, help="chapters per commune")
    parser.add_argument("--sample", type=int, default=2_000, help="evaluations scored one per round trip")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (to inspect plans)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.households, args.communes, args.chapters, args.sample = 2_000, 10, 4, 100

    pg_name, folder = _setup(args)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return _run(args)
    finally:
        if args.keep:
            print(f"kept: {pg_name or folder}")
        else:
            _cleanup(pg_name, folder)


def _run(args) -> int:
    from django.db import connection
    from django.test import Client

    from khuyenhoc.learning import selectors
    from khuyenhoc.learning.models import Evaluation
    from khuyenhoc.learning.services import evaluations_score_batch

    print(f"database: {connection.vendor}", flush=True)
    province, commune, admin, n = _build(args)

    # 1. Batch scoring from the database, results written back.
    done, (batch,) = _timed(lambda: evaluations_score_batch(queryset=Evaluation.objects.filter(year=YEAR, title="family")))
    assert done == n
    passed = Evaluation.objects.filter(passed=True).count()
    sample_ids = list(Evaluation.objects.order_by("pk").values_list("pk", flat=True)[: args.sample])
    _none, (naive,) = _timed(lambda: _one_per_round_trip(sample_ids))
    naive_rate = len(sample_ids) / naive
    print(f"batch scoring:        {n:>10,} evaluations in {batch:7.2f} s = {n / batch:>9,.0f} /s "
          f"({passed:,} pass)")
    print(f"one per round trip:   {len(sample_ids):>10,} evaluations in {naive:7.2f} s = {naive_rate:>9,.0f} /s "
          f"→ {n / naive_rate:,.0f} s for all; batch is {n / batch / naive_rate:.0f}× faster")

    # 2. The review table of one commune (the page itself, template included).
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    size = selectors.title_counts(commune, YEAR)["family"].total
    base = f"/app/learning/nodes/{commune.pk}/review/?title=family&year={YEAR}"
    for label, query in (("all", ""), ("borderline", "&outcome=borderline"), ("changed", "&outcome=changed"),
                         ("failed, page 3", "&outcome=failed&page=3"), ("search", "&q=hoang")):
        client.get(base + query)  # warm
        response, times = _timed(lambda q=query: client.get(base + q), repeat=5)
        assert response.status_code == 200
        print(f"review table ({size:,} households, {label}): median {statistics.median(times) * 1000:6.0f} ms, "
              f"max {max(times) * 1000:6.0f} ms")

    # 3. Counts for the whole province: first right after the million-row write-back,
    # then once the table is vacuumed, as autovacuum does within a minute of such a write.
    def counts_figures(label):
        selectors.title_counts(province, YEAR)
        counts, times = _timed(lambda: selectors.title_counts(province, YEAR), repeat=5)
        f = counts["family"]
        print(f"subtree counts, {label} ({f.total:,} households): median {statistics.median(times) * 1000:6.0f} ms, "
              f"max {max(times) * 1000:6.0f} ms — total {f.total:,}, registered {f.registered:,}, recognised {f.recognised:,}")

    counts_figures("just after scoring")
    _vacuum()
    counts_figures("vacuumed")
    _rows, times = _timed(lambda: selectors.title_counts_by_child(province, YEAR), repeat=3)
    print(f"counts by child unit ({args.communes:,} communes): median {statistics.median(times) * 1000:6.0f} ms")
    denominators, times = _timed(lambda: selectors.citizen_denominators(province, YEAR), repeat=3)
    print(f"adults and unit staff (reads {2 * n:,} members): median {statistics.median(times) * 1000:6.0f} ms "
          f"— {denominators['adults']:,} adults")
    return 0


if __name__ == "__main__":
    sys.exit(main())
