"""Throughput of the learning-title scoring engine.

The engine has to score about a million evaluations (learning citizens alone are tens
of millions nationally, re-scored when a set is corrected), so this measures rows per
second of ``score_many`` on random answers, and the one-off ``score`` for comparison.

    .venv/bin/python bench/bench_scoring.py              # 200,000 rows
    .venv/bin/python bench/bench_scoring.py --rows 20000 # smoke run
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

# Run from a checkout without relying on the editable install (`python bench/...` puts
# bench/ on the path, not the repository root).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from khuyenhoc.learning.criteria import (
    Scorer,
    load_builtin_sets,
    score,
    score_many,
)


def _rows(cset_items: list[tuple[str, int]], count: int, seed: int) -> list[dict[str, int]]:
    rng = random.Random(seed)
    # Answers skewed towards high marks, as real self-assessments are, so that both the
    # pass path and the failure-reason path are exercised.
    return [
        {code: min(top, max(0, round(rng.triangular(0, top, top)))) for code, top in cset_items}
        for _ in range(count)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--set", default="citizen_hkhvn_2021_2030_farmers", help="criteria set code"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    sets = load_builtin_sets()
    cset = sets[args.set]
    items = [(it.code, it.max_points) for it in cset.items if not it.from_input]
    rows = _rows(items, args.rows, args.seed)
    inputs = {"family_title_share": 0.6, "citizen_title_share": 0.85}

    t0 = time.perf_counter()
    results = score_many(cset, rows, inputs=inputs)
    batch = time.perf_counter() - t0

    sample = rows[: min(len(rows), 20_000)]
    t0 = time.perf_counter()
    for row in sample:
        score(cset, row, inputs=inputs)
    single = time.perf_counter() - t0

    scorer = Scorer(cset)
    t0 = time.perf_counter()
    for row in sample:
        scorer.score(row, inputs=inputs)
    reused = time.perf_counter() - t0

    passed = sum(r.passed for r in results)
    print(f"set: {cset.code} ({len(items)} items)")
    print(
        f"score_many:        {len(rows):>9,} rows in {batch:6.3f} s = {len(rows) / batch:>11,.0f} rows/s"
    )
    print(
        f"Scorer.score:      {len(sample):>9,} rows in {reused:6.3f} s = {len(sample) / reused:>11,.0f} rows/s"
    )
    print(
        f"score (compiles):  {len(sample):>9,} rows in {single:6.3f} s = {len(sample) / single:>11,.0f} rows/s"
    )
    print(f"passed: {passed:,} of {len(rows):,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
