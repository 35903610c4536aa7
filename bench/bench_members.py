"""Member import and search: this project's pipeline against django-import-export.

On one generated XLSX of member rows (the template's columns), measured side by side
into the same empty table of the same throwaway database:

* the pipeline (`khuyenhoc.imports`: read, validate every row, duplicate checks
  against the register, bulk write of members and their membership periods);
* django-import-export's ModelResource, row by row (its default), reading the same
  file through tablib, the same columns into the same table, finding existing rows
  by CCCD as the pipeline does.

Each import runs in a fresh child process, so its peak memory (max RSS) is its own.
Then member search on a register of 1,000,000 members: the list page's query (first
page of 50 in Vietnamese name order plus the total count) for a few typical searches.

    .venv/bin/python -m bench.bench_members                 # SQLite, then PostgreSQL if reachable
    .venv/bin/python -m bench.bench_members --db sqlite     # one database only
    .venv/bin/python -m bench.bench_members --smoke         # tiny sizes, SQLite, seconds
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PG_SERVER = os.environ.get("KHUYENHOC_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CHAPTERS = 50
SEARCHES = ["nguyen van an", "van an", "lan", "hoang thi", "nong duc hung", "zzz"]


# ------------------------------------------------------------------ environment


def _configure(db: str, sqlite_path: str | None, pg_name: str | None) -> None:
    """Point Django at the throwaway database; must run before django.setup()."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "khuyenhoc.config.settings.dev"
    os.environ["DJANGO_DEBUG"] = "0"  # no query log: it would slow and bloat both sides
    os.environ.pop("DATABASE_URL", None)
    if db == "pg":
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{pg_name}"
    else:
        os.environ["SQLITE_PATH"] = sqlite_path or ""
    import django

    django.setup()


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _pg_reachable() -> bool:
    try:
        _pg_admin("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means: no server to measure on
        return False
    return True


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ------------------------------------------------------------------------- data


def _tree():
    from khuyenhoc.organizations.models import ChapterType, Node, NodeKind
    from khuyenhoc.organizations.services import node_create

    root = Node.objects.filter(code="BENCH").first()
    if root:
        return root, list(Node.objects.filter(parent__parent=root).order_by("code"))
    root = node_create(actor=None, parent=None, name="Hội Khuyến học tỉnh Đo", kind=NodeKind.PROVINCE, code="BENCH")
    commune = node_create(actor=None, parent=root, name="Hội Khuyến học xã Đo", kind=NodeKind.COMMUNE, code="BENCH-X")
    chapters = [
        node_create(actor=None, parent=commune, name=f"Chi hội thôn {i}", kind=NodeKind.CHAPTER, chapter_type=ChapterType.VILLAGE, code=f"BENCH-X-{i:02d}")
        for i in range(1, CHAPTERS + 1)
    ]
    return root, chapters


def _people(n: int, codes: list[str], seed: int = 1):
    """Rows keyed like the template's columns; every row has a unique CCCD."""
    from khuyenhoc.demo.names import ethnicity, person_name

    rng = random.Random(seed)
    for i in range(n):
        female = rng.random() < 0.52
        ethnic = ethnicity(rng)
        year = rng.randint(1940, 2000)
        yield {
            "row_no": i + 1,
            "chapter_code": codes[i % len(codes)],
            "full_name": person_name(rng, female=female, ethnicity=ethnic),
            "kind": "Cá nhân",
            "gender": "Nữ" if female else "Nam",
            "birth_year": year,
            "birth_date": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.4 else None,
            "ethnicity": ethnic,
            "citizen_id": f"0{rng.randint(1, 96):02d}{int(female)}{year % 100:02d}{i:06d}",
            "phone": f"09{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.55 else None,
            "address": f"Thôn {i % 40 + 1}",
            "joined_on": dt.date(rng.randint(2003, 2023), rng.randint(1, 12), rng.randint(1, 28)),
        }


def _write_sheet(path: Path, rows: int, codes: list[str]) -> float:
    from khuyenhoc.members.importing import MEMBER_IMPORT

    started = time.perf_counter()
    path.write_bytes(MEMBER_IMPORT.export(_people(rows, codes)))
    return time.perf_counter() - started


def _empty_register() -> None:
    from django.db import connection

    from khuyenhoc.core.models import AuditEvent
    from khuyenhoc.imports.models import ImportJob
    from khuyenhoc.members.models import Dues, Member, MembershipPeriod, MemberTransfer

    with connection.cursor() as cur:
        for model in (Dues, MemberTransfer, MembershipPeriod, Member, ImportJob, AuditEvent):
            cur.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608 - table names from model meta
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE members_member")


# ------------------------------------------------------------------- the imports


def _import_pipeline(path: Path) -> dict:
    from khuyenhoc.imports import services
    from khuyenhoc.members.importing import MEMBER_IMPORT
    from khuyenhoc.organizations.models import Node

    node = Node.objects.get(code="BENCH-X")
    started = time.perf_counter()
    job = services.import_file(actor=None, node=node, kind=MEMBER_IMPORT, file_name=path.name, data=path.read_bytes())
    seconds = time.perf_counter() - started
    if job.status != "done":
        raise SystemExit(f"pipeline import failed: {job.status} {job.message} {job.errors[:3]}")
    return {"seconds": seconds, "rows": job.counts["new"]}


def _resource_class():
    from import_export import fields, resources, widgets

    from khuyenhoc.members import ethnicities
    from khuyenhoc.members.importing import GENDER_CODES, KIND_CODES
    from khuyenhoc.members.models import Member
    from khuyenhoc.members.services import name_keys, reversed_words
    from khuyenhoc.organizations.models import Node

    class ChoiceWidget(widgets.Widget):
        def __init__(self, codes):
            super().__init__()
            self.codes = codes

        def clean(self, value, row=None, **kwargs):
            return self.codes.get(value, "") if value else ""

    class MemberResource(resources.ModelResource):
        node = fields.Field(attribute="node", column_name="Mã chi hội", widget=widgets.ForeignKeyWidget(Node, field="code"))
        full_name = fields.Field(attribute="full_name", column_name="Họ và tên")
        kind = fields.Field(attribute="kind", column_name="Loại hội viên", widget=ChoiceWidget(KIND_CODES))
        gender = fields.Field(attribute="gender", column_name="Giới tính", widget=ChoiceWidget(GENDER_CODES))
        birth_year = fields.Field(attribute="birth_year", column_name="Năm sinh", widget=widgets.IntegerWidget())
        birth_date = fields.Field(attribute="birth_date", column_name="Ngày sinh", widget=widgets.DateWidget())
        ethnicity = fields.Field(attribute="ethnicity", column_name="Dân tộc", widget=ChoiceWidget(ethnicities.NAME_TO_CODE))
        citizen_id = fields.Field(attribute="citizen_id", column_name="Số CCCD")
        phone = fields.Field(attribute="phone", column_name="Điện thoại")
        address = fields.Field(attribute="address", column_name="Địa chỉ")
        joined_on = fields.Field(attribute="joined_on", column_name="Ngày vào hội", widget=widgets.DateWidget())

        class Meta:
            model = Member
            fields = ("node", "full_name", "kind", "gender", "birth_year", "birth_date", "ethnicity", "citizen_id", "phone", "address", "joined_on")
            import_id_fields = ("citizen_id",)
            skip_diff = True  # its fastest row-by-row setting

        def before_save_instance(self, instance, row, **kwargs):
            # The same derived columns the pipeline stores, so both tables are equal.
            instance.search_key, instance.sort_key = name_keys(instance.full_name)
            instance.reverse_key = reversed_words(instance.search_key)
            instance.phone = instance.phone or ""
            instance.address = instance.address or ""

    return MemberResource


def _import_baseline(path: Path) -> dict:
    import tablib

    resource = _resource_class()()
    started = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": result.totals["new"]}


def _child(args) -> None:
    _configure(args.db, args.sqlite_path, args.pg_name)
    path = Path(args.file)
    result = _import_pipeline(path) if args.child == "pipeline" else _import_baseline(path)
    result["max_rss_mb"] = _max_rss_mb()
    print(json.dumps(result))


def _run_child(kind: str, args, path: Path) -> dict:
    cmd = [sys.executable, "-m", "bench.bench_members", "--child", kind, "--file", str(path), "--db", args.db_one]
    if args.db_one == "pg":
        cmd += ["--pg-name", args.pg_name]
    else:
        cmd += ["--sqlite-path", args.sqlite_path]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"{kind} import failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------ search


def _seed_register(total: int, chapters) -> float:
    """`total` members straight through the bulk service (what an import writes)."""
    from khuyenhoc.members import ethnicities
    from khuyenhoc.members.importing import GENDER_CODES
    from khuyenhoc.members.services import members_bulk_create

    by_code = {c.code: c.pk for c in chapters}
    started = time.perf_counter()
    batch = []
    for row in _people(total, list(by_code), seed=7):
        batch.append(
            {
                "node_id": by_code[row["chapter_code"]],
                "full_name": row["full_name"],
                "gender": GENDER_CODES[row["gender"]],
                "birth_year": row["birth_year"],
                "ethnicity": ethnicities.code_for(row["ethnicity"]) or "",
                "citizen_id": row["citizen_id"],
                "phone": row["phone"] or "",
                "joined_on": row["joined_on"],
            }
        )
        if len(batch) == 100_000:
            members_bulk_create(rows=batch)
            batch = []
    members_bulk_create(rows=batch)
    from django.db import connection

    with connection.cursor() as cur:
        # What autovacuum does after a bulk load: statistics for every table (the
        # planner needs the tree's too), and on PostgreSQL the visibility map that
        # index-only scans (the search plan) rely on.
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started


def _search_latency(root, repeats: int) -> list[tuple[str, int, float]]:
    from khuyenhoc.members import selectors

    out = []
    for q in SEARCHES:
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            results = selectors.MemberResults(root, selectors.MemberFilter(q=q))
            count = results.count()
            page = list(results[:50])
            timings.append(time.perf_counter() - started)
        timings.sort()
        out.append((q, count, timings[len(timings) // 2]))
        assert len(page) == min(count, 50)
    return out


# --------------------------------------------------------------------------- main


def _one_database(args) -> None:
    """Measure on one database, printing each figure as soon as it is known."""
    from django.core.management import call_command

    db = "PostgreSQL" if args.db_one == "pg" else "SQLite"

    def say(line: str) -> None:
        print(f"[{db}] {line}", flush=True)

    call_command("migrate", verbosity=0)
    root, chapters = _tree()
    with tempfile.TemporaryDirectory(prefix="kh-bench-") as tmp:
        path = Path(tmp) / "hoi-vien.xlsx"
        _write_sheet(path, args.rows, [c.code for c in chapters])
        say(f"sheet: {args.rows:,} member rows in the template's columns, {path.stat().st_size / 1e6:.1f} MB xlsx")
        _empty_register()
        p = _run_child("pipeline", args, path)
        p_rate = p["rows"] / p["seconds"]
        say(f"pipeline (read + validate + duplicate checks + bulk write): {p['rows']:,} rows in {p['seconds']:.2f} s = {p_rate:,.0f} rows/s, peak RSS {p['max_rss_mb']:.0f} MB")
        if not args.skip_baseline:
            _empty_register()
            b = _run_child("baseline", args, path)
            b_rate = b["rows"] / b["seconds"]
            say(f"django-import-export ModelResource, row by row:          {b['rows']:,} rows in {b['seconds']:.2f} s = {b_rate:,.0f} rows/s, peak RSS {b['max_rss_mb']:.0f} MB")
            say(f"ratio: {p_rate / b_rate:.1f}x (target: at least 8x; peak memory target: under 500 MB)")
    _empty_register()
    seconds = _seed_register(args.search_members, chapters)
    say(f"search: register of {args.search_members:,} members written in {seconds:.0f} s; first page of 50 in name order + exact count, median of {args.repeats}:")
    for q, count, elapsed in _search_latency(root, args.repeats):
        say(f"  {q!r:18} {count:>9,} found  {elapsed * 1000:7.1f} ms")
    _empty_register()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="member rows in the generated sheet")
    parser.add_argument("--search-members", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--db", default="sqlite,pg", help="sqlite, pg or both (pg is skipped if no server answers)")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL only")
    parser.add_argument("--skip-baseline", action="store_true", help="pipeline and search only")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, SQLite only, a few seconds")
    parser.add_argument("--child", choices=["pipeline", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-path", help=argparse.SUPPRESS)
    parser.add_argument("--pg-name", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.db = args.db if args.db in ("sqlite", "pg") else "sqlite"
        _child(args)
        return 0
    if args.smoke:
        args.rows, args.search_members, args.repeats = 500, 5_000, 3
        args.db = "sqlite"
    if args.pg:
        args.db = "pg"
    databases = [d.strip() for d in args.db.split(",") if d.strip()]
    for db in databases:
        if db == "pg" and not _pg_reachable():
            print(f"[PostgreSQL] skipped: no server at {PG_SERVER}")
            continue
        # Each database in its own process: Django is configured once per process.
        cmd = [sys.executable, "-m", "bench.bench_members", "--db-run", db, *_passthrough(args)]
        done = subprocess.run(cmd, cwd=REPO, check=False)  # noqa: S603
        if done.returncode:
            return done.returncode
    return 0


def _passthrough(args) -> list[str]:
    out = ["--rows", str(args.rows), "--search-members", str(args.search_members), "--repeats", str(args.repeats)]
    if args.skip_baseline:
        out.append("--skip-baseline")
    return out


def _db_run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-run", required=True)
    parser.add_argument("--rows", type=int)
    parser.add_argument("--search-members", type=int)
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args(argv)
    args.db_one = args.db_run
    tmp = tempfile.mkdtemp(prefix="kh-bench-db-")
    args.sqlite_path = str(Path(tmp) / "bench.sqlite3")
    args.pg_name = f"kh_bench_members_{os.getpid()}"
    if args.db_one == "pg":
        _pg_admin(f'CREATE DATABASE "{args.pg_name}"')
    try:
        _configure(args.db_one, args.sqlite_path, args.pg_name)
        _one_database(args)
    finally:
        if args.db_one == "pg":
            from django.db import connections

            connections.close_all()
            _pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)')
        for f in Path(tmp).glob("*"):
            f.unlink()
        Path(tmp).rmdir()
    return 0


if __name__ == "__main__":
    if "--db-run" in sys.argv:
        sys.exit(_db_run(sys.argv[1:]))
    sys.exit(main())
