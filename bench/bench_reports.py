"""Benchmark the year statistics, the DOCX report and the dashboard on a province-sized tree.

    .venv/bin/python -m bench.bench_reports                    # full size, SQLite then PostgreSQL
    .venv/bin/python -m bench.bench_reports --smoke            # tiny, SQLite only, no load test
    .venv/bin/python -m bench.bench_reports --db pg --no-load  # PostgreSQL only, no gunicorn
    .venv/bin/python -m bench.bench_reports --db pg --keep kh_mine --only-load --workers 3  # iterate

Each run uses a throwaway database (a temporary SQLite file; a PostgreSQL database
`kh_bench_reports_<pid>` created and dropped on BENCH_PG_URL, default the local server),
unless --keep NAME names one to keep (PostgreSQL database NAME, var/NAME.sqlite3): a later
run with the same name and sizes skips the generation (drop it yourself when done).
The generator writes a province: 10 districts, 100 communes, 1,000 chapters, 1,000,000
members (with their membership periods), 1,000,000 households each evaluated for the
learning-family title, 200,000 posted ledger entries in 100 funds and 50,000 awards — with
INSERT … SELECT over a generated series, because writing that through the services would
take hours; the figures only read the tables. It prints each timing, the ratio against the
same statistics computed by a naive loop over the nodes (one provider call per node), and
the dashboard's 95th percentile under 20 concurrent clients (unless --no-load).

The load test serves the dashboard with gunicorn (sync workers, 2 per core + 1, as
docs/operations.md recommends; --workers/--threads to compare) and loads it with wrk
(`apt-get install wrk`: p50/p90/p95/p99 from a separate C process, keep-alive connections,
--duration seconds). Without wrk it says so and falls back to Python threads in the bench
process, which share the two cores and a GIL with nothing else to do and so overstate the
latencies; the smoke run (CI) has no load test and needs no wrk.

Targets: statistics < 1 s on PostgreSQL, < 3 s on SQLite; DOCX < 5 s; dashboard p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics as stats_mod
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

YEAR = 2024
FULL = {"districts": 10, "communes": 100, "chapters": 1000, "members": 1_000_000, "households": 1_000_000, "entries": 200_000, "awards": 50_000}
SMOKE = {"districts": 2, "communes": 4, "chapters": 20, "members": 2_000, "households": 2_000, "entries": 500, "awards": 100}
TARGETS = {"sqlite": 3.0, "postgresql": 1.0}
REPO = Path(__file__).resolve().parents[1]
# gunicorn as docs/operations.md recommends (the load test's default): sync workers, two
# per core and one more. Threaded workers keep each client's connection on one worker, so
# under wrk's keep-alive connections the busiest worker sets the tail (p95 444 ms against
# 188 ms with 4 × 2 threads on 2 cores).
WORKERS = 2 * (os.cpu_count() or 1) + 1
THREADS = 1


# --- the parent: one child process per database -------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, SQLite only, no load test")
    parser.add_argument(
        "--scale", type=float, default=1.0,
        help="fraction of the full province (0.1: 100 chapters, 100,000 members …) to profile at a medium size",
    )
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default=None)
    parser.add_argument("--no-load", dest="load", action="store_false", help="skip the 20-client load test of the dashboard")
    parser.add_argument("--load", dest="load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-naive", dest="naive", action="store_false", help="skip the naive per-node loop (40 s at full size)")
    parser.add_argument("--naive", dest="naive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only-load", action="store_true", help="measure the dashboard load test only (with --keep, to iterate)")
    parser.add_argument(
        "--load-tool", choices=["wrk", "threads"], default="wrk",
        help="wrk (falls back to threads when it is not installed) or Python threads in the bench process",
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="requests per client in the load test without wrk")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load with wrk")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers in the load test")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per gunicorn worker in the load test")
    parser.add_argument(
        "--keep", metavar="NAME", default="",
        help="keep the generated data to measure again: PostgreSQL database NAME, SQLite file var/NAME.sqlite3; "
        "a later run with the same NAME and sizes skips the generation",
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    db = args.db or ("sqlite" if args.smoke else "both")
    backends = ["sqlite", "pg"] if db == "both" else [db]
    failures = 0
    for backend in backends:
        failures += run_backend(backend, args)
    return 1 if failures else 0


def run_backend(backend: str, args) -> int:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "khuyenhoc.config.settings.test"
    extra = ["--smoke"] if args.smoke else ["--scale", str(args.scale)]
    extra += ["--load"] if args.load else ["--no-load"]
    extra += ["--naive"] if args.naive else ["--no-naive"]
    extra += ["--only-load"] if args.only_load else []
    extra += ["--load-tool", args.load_tool]
    extra += ["--clients", str(args.clients), "--requests", str(args.requests), "--duration", str(args.duration)]
    extra += ["--workers", str(args.workers), "--threads", str(args.threads)]
    keep = args.keep
    if keep and not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", keep):
        raise SystemExit("--keep: lower-case letters, digits and _ only")
    if keep:
        extra += ["--keep", keep]
    if backend == "sqlite":
        if keep:
            (REPO / "var").mkdir(exist_ok=True)
            path = str(REPO / "var" / f"{keep}.sqlite3")
        else:
            fd, path = tempfile.mkstemp(prefix="kh-bench-reports-", suffix=".sqlite3")
            os.close(fd)
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = path
        try:
            return _run_child("sqlite", env, extra)
        finally:
            if not keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(path + suffix).unlink(missing_ok=True)
    server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = keep or f"kh_bench_reports_{os.getpid()}"
    try:
        import psycopg

        with psycopg.connect(_pg_dsn(server), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - no server: say so and go on
        print(f"   PostgreSQL skipped: {exc}")
        return 0
    env["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + name
    try:
        return _run_child("postgresql", env, extra + ["--database-url", env["DATABASE_URL"]])
    finally:
        if not keep:
            with psycopg.connect(_pg_dsn(server), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _run_child(vendor: str, env: dict, extra: list[str]) -> int:
    print(f"   --- {vendor}", flush=True)
    return subprocess.run([sys.executable, "-m", "bench.bench_reports", "--child", vendor, *extra], env=env, cwd=REPO).returncode  # noqa: S603


# --- the child: generate, then measure ------------------------------------------------------------


def child(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    sizes = SMOKE if args.smoke else scaled(args.scale)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"   migrate: {time.perf_counter() - t0:.1f} s", flush=True)
    province = kept(sizes) if args.keep else None
    if province is None:
        t0 = time.perf_counter()
        province = generate(sizes)
        print(f"   generate {sizes}: {time.perf_counter() - t0:.1f} s", flush=True)
        if args.keep:
            _kept_sizes(sizes)
    return measure(province, args, sizes)


KEPT_KEY = "bench:sizes"


def _kept_sizes(sizes: dict) -> None:
    from khuyenhoc.reports.models import FiguresCache

    FiguresCache.objects.update_or_create(key=KEPT_KEY, defaults={"version": -1, "data": sizes})


def kept(sizes: dict):
    """The province a former run with --keep generated at the same sizes, else None (a
    database holding anything else is refused). Cached figures of the former run are
    dropped so that "first" timings compute again."""
    from khuyenhoc.organizations.models import Node
    from khuyenhoc.reports.models import FiguresCache

    province = Node.objects.filter(code="BP").first()
    if province is None:
        if Node.objects.exists():
            raise SystemExit("--keep: that database holds other data; choose another name")
        return None
    row = FiguresCache.objects.filter(key=KEPT_KEY).first()
    if row is None or row.data != sizes:
        raise SystemExit(f"--keep: that database was generated at other sizes ({row.data if row else '?'}); choose another name")
    FiguresCache.objects.exclude(key=KEPT_KEY).delete()
    print(f"   reusing the kept data {sizes}", flush=True)
    return province


def scaled(scale: float) -> dict[str, int]:
    """The full sizes times `scale`, keeping whole chapters per commune and communes per district."""
    if scale == 1:
        return dict(FULL)
    out = {k: max(1, int(v * scale)) for k, v in FULL.items()}
    out["districts"] = max(1, min(FULL["districts"], out["communes"]))
    out["communes"] = max(out["districts"], out["communes"] // out["districts"] * out["districts"])
    out["chapters"] = max(out["communes"], out["chapters"] // out["communes"] * out["communes"])
    return out


def _series(vendor: str, n: int) -> str:
    if vendor == "postgresql":
        return f"generate_series(1, {int(n)}) AS s(i)"
    return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(n)}) SELECT i FROM s) AS s"  # noqa: S608 - an int


def _default_sql(field, vendor: str) -> str:
    from django.db import models

    if field.null:
        return "NULL"
    default = field.get_default() if field.has_default() else None
    if isinstance(field, models.BooleanField):
        return ("TRUE" if default else "FALSE") if vendor == "postgresql" else ("1" if default else "0")
    if isinstance(field, models.JSONField):
        return "'{}'" if not isinstance(default, list) else "'[]'"
    if isinstance(field, models.DateTimeField):
        return "CURRENT_TIMESTAMP"
    if isinstance(field, models.DateField):
        return "CURRENT_DATE"
    if isinstance(field, models.IntegerField | models.BigIntegerField | models.PositiveSmallIntegerField | models.DecimalField):
        return str(int(default or 0))
    if isinstance(field, models.BinaryField):
        return "''" if vendor != "postgresql" else "''::bytea"
    return "'" + str(default or "").replace("'", "''") + "'"


def fill(model, n: int, exprs: dict[str, str]) -> None:
    """INSERT n rows of `model` with one SELECT over a series `i` = 1..n; unnamed columns get defaults."""
    from django.db import connection

    vendor = connection.vendor
    cols, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(connection.ops.quote_name(f.column))
        values.append(exprs.get(f.name) or exprs.get(f.attname) or _default_sql(f, vendor))
    unknown = set(exprs) - {f.name for f in model._meta.concrete_fields} - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no {unknown}")
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(cols)}) SELECT {', '.join(values)} FROM {_series(vendor, n)}"  # noqa: S608 - our own model metadata
    with connection.cursor() as cur:
        cur.execute(sql)


def _max_id(model) -> int:
    from django.db.models import Max

    return model.objects.aggregate(m=Max("id"))["m"] or 0


def generate(sizes: dict):
    import datetime as dt

    from django.apps import apps
    from django.db import connection, transaction

    from khuyenhoc.organizations.models import ChapterType, NodeKind
    from khuyenhoc.organizations.services import node_create

    pg = connection.vendor == "postgresql"

    def mod(a: str, b: int) -> str:
        return f"({a} % {b})"

    def idiv(a: str, b: int) -> str:
        return f"({a} / {b})"  # integer division on both databases

    def date_sql(year: int, day_expr: str) -> str:
        if pg:
            return f"(DATE '{year}-01-01' + ({day_expr})::int)"
        return f"date('{year}-01-01', '+' || ({day_expr}) || ' days')"

    with transaction.atomic():
        national = node_create(actor=None, parent=None, name="Hội Khuyến học Việt Nam", kind=NodeKind.NATIONAL, code="BVN")
        province = node_create(actor=None, parent=national, name="Hội Khuyến học tỉnh Thử Nghiệm", kind=NodeKind.PROVINCE, code="BP", place_name="Thử Nghiệm")
        districts = [
            node_create(actor=None, parent=province, name=f"Hội Khuyến học huyện {d + 1}", kind=NodeKind.DISTRICT, code=f"BP-{d + 1}")
            for d in range(sizes["districts"])
        ]
        per_d = sizes["communes"] // len(districts)
        communes = [
            node_create(actor=None, parent=districts[c // per_d], name=f"Hội Khuyến học xã {c + 1}", kind=NodeKind.COMMUNE, code=f"BP-X{c + 1}")
            for c in range(sizes["communes"])
        ]
        per_c = sizes["chapters"] // len(communes)
        chapters = [
            node_create(
                actor=None, parent=communes[k // per_c], name=f"Chi hội thôn {k + 1}", kind=NodeKind.CHAPTER,
                code=f"BP-C{k + 1}", chapter_type=ChapterType.VILLAGE,
            )
            for k in range(sizes["chapters"])
        ]
    c0 = chapters[0].pk
    assert [c.pk for c in chapters] == list(range(c0, c0 + len(chapters)))
    nch = len(chapters)
    chapter_of = f"({c0} + {mod('i', nch)})"
    commune_of = f"({communes[0].pk} + {mod('i', len(communes))})"

    Member = apps.get_model("members", "Member")
    Period = apps.get_model("members", "MembershipPeriod")
    m0 = _max_id(Member)
    person = {
        "kind": "'individual'", "gender": f"CASE WHEN {mod('i', 2)} = 0 THEN 'female' ELSE 'male' END",
        "birth_year": f"(1940 + {mod('i', 60)})", "ethnicity": f"CASE WHEN {mod('i', 3)} = 0 THEN '01' ELSE '02' END",
    }
    with transaction.atomic():
        fill(Member, sizes["members"], {
            "node": chapter_of, "full_name": "'Nguyễn Văn An'", "search_key": "'nguyen van an'", "sort_key": "'an'",
            "joined_on": date_sql(2015, mod("i", 3000)), "status": "'active'", **person,
        })
        # A stay carries copies of its member's kind, gender, year of birth and ethnicity.
        fill(Period, sizes["members"], {
            "member": f"({m0} + i)", "node": chapter_of, "start": date_sql(2015, mod("i", 3000)), "start_reason": "'joined'", **person,
        })
    print(f"   members: {Period.objects.count()} periods", flush=True)

    Household = apps.get_model("learning", "Household")
    Evaluation = apps.get_model("learning", "Evaluation")
    SetVersion = apps.get_model("learning", "CriteriaSetVersion")
    cset = SetVersion.objects.filter(title="family").order_by("pk").first()
    h0 = _max_id(Household)
    with transaction.atomic():
        fill(Household, sizes["households"], {
            "node": chapter_of, "since_year": "2015", "code": "'H' || i" if not pg else "'H' || i::text",
            "head_name": "'Hoàng Văn Bình'", "head_sort": "'binh'",
        })
        fill(Evaluation, sizes["households"], {
            "title": "'family'", "year": str(YEAR), "node": chapter_of, "household": f"({h0} + i)", "criteria_set": str(cset.pk),
            "status": f"CASE WHEN {mod('i', 10)} < 8 THEN 'recognised' ELSE 'registered' END",
        })
    print(f"   learning: {Evaluation.objects.count()} evaluations", flush=True)

    Fund = apps.get_model("fund", "Fund")
    Account = apps.get_model("fund", "FundAccount")
    Entry = apps.get_model("fund", "LedgerEntry")
    with transaction.atomic():
        for c in communes:
            f = Fund.objects.create(node=c, name=f"Quỹ {c.name}", opened_on=dt.date(2020, 1, 1))
            Account.objects.create(fund=f, kind="cash", name="Tiền mặt")
        f0 = Fund.objects.filter(node=communes[0]).get().pk
        a0 = Account.objects.get(fund_id=f0).pk
        nf = len(communes)
        fill(Entry, sizes["entries"], {
            "fund": f"({f0} + {mod('i', nf)})", "seq": f"(1 + {idiv('i', nf)})", "account": f"({a0} + {mod('i', nf)})",
            "node": commune_of, "date": date_sql(YEAR, mod("i", 365)),
            "amount": f"CASE WHEN {mod('i', 4)} = 0 THEN -500000 ELSE 1000000 END",
            "kind": f"CASE WHEN {mod('i', 4)} = 0 THEN 'payment' ELSE 'receipt' END",
            "party_kind": f"CASE WHEN {mod('i', 4)} = 0 THEN 'student' ELSE 'person' END",
            "purpose": f"CASE WHEN {mod('i', 4)} = 0 THEN 'award' ELSE '' END",
            "posted_at": "CURRENT_TIMESTAMP", "prev_hash": "''", "hash": "''",
        })
    print(f"   fund: {Entry.objects.count()} ledger entries", flush=True)

    Programme = apps.get_model("awards", "Programme")
    Decision = apps.get_model("awards", "Decision")
    Nomination = apps.get_model("awards", "Nomination")
    Award = apps.get_model("awards", "Award")
    with transaction.atomic():
        for c in communes:
            Programme.objects.create(node=c, year=YEAR, name="Học sinh nghèo vượt khó", deadline=dt.date(YEAR, 11, 1), amount=500_000)
            Decision.objects.create(node=c, year=YEAR, number=1, date=dt.date(YEAR, 12, 1), title="Khen thưởng", issuer_name=c.name,
                                    issuing_body="BAN THƯỜNG VỤ", signer_title="CHỦ TỊCH", signer_name="Nguyễn Văn A")
        p0 = Programme.objects.filter(node=communes[0]).get().pk
        d0 = Decision.objects.filter(node=communes[0]).get().pk
        n0 = _max_id(Nomination)
        fill(Nomination, sizes["awards"], {
            "programme": f"({p0} + {mod('i', nf)})", "node": chapter_of, "at_node": commune_of, "nominee_kind": "'student'",
            "nominee_name": "'Hoàng Thị Mai'", "name_sort": "'mai'", "achievement": "'Học giỏi'", "amount": "500000", "status": "'awarded'",
        })
        fill(Award, sizes["awards"], {
            "decision": f"({d0} + {mod('i', nf)})", "nomination": f"({n0} + i)", "node": chapter_of,
            "programme": f"({p0} + {mod('i', nf)})", "line": "i", "nominee_kind": "'student'", "nominee_name": "'Hoàng Thị Mai'",
            "public_name": "'Mai H. T.'", "reason": "'Học sinh nghèo vượt khó'", "amount": "500000", "register_number": "i",
            "code": "'B' || i" if not pg else "'B' || i::text",
        })
    print(f"   awards: {Award.objects.count()} awards", flush=True)
    with connection.cursor() as cur:
        # What autovacuum does within a minute of a bulk load (bench_members does the same):
        # statistics for every table, and on PostgreSQL the visibility map that the
        # index-only scans of the roll-up rely on.
        cur.execute("VACUUM ANALYZE" if pg else "ANALYZE")
    return province


CPU = {"best": 0.0}


def _time(fn, repeat: int = 3) -> tuple[float, float, object]:
    """(first run, best of the others) in seconds, and the last result; the best run's CPU
    time of this process is kept in CPU["best"] (SQLite works in-process, so on a shared,
    busy machine it tells the cost apart from waiting for a core)."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    first = time.perf_counter() - t0
    best, CPU["best"] = first, time.process_time() - c0
    for _ in range(max(0, repeat - 1)):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        took = time.perf_counter() - t0
        if took < best:
            best, CPU["best"] = took, time.process_time() - c0
    return first, best, result


def _load() -> str:
    try:
        return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except OSError:
        return ""


def naive(province, year: int) -> dict:
    """The same figures the naive way: every provider asked about every node, one by one."""
    from khuyenhoc.reports import providers, selectors

    tree = selectors.tree_as_of(province, selectors.year_end(year))
    total: dict[str, dict[str, int]] = {}
    for node_id in tree.ids:
        for p in providers.PROVIDERS:
            figures = p([node_id], year)
            if figures:
                providers.add_into(total.setdefault(p.group, {}), figures)
    return total


def measure(province, args, sizes) -> int:
    from django.db import connection

    from khuyenhoc.reports import selectors
    from khuyenhoc.reports.docx_report import render_report
    from khuyenhoc.reports.report import report_data

    vendor = connection.vendor
    if args.only_load:
        return load_test(province, args, vendor)
    failures = 0
    first, best, stats = _time(lambda: selectors.compute_year_statistics(province, YEAR))
    limit = TARGETS[vendor]
    ok = best < limit or args.smoke
    failures += 0 if ok else 1
    print(
        f"   statistics of the province: first {first:.2f} s, best {best:.2f} s (CPU {CPU['best']:.2f} s; {_load()}) "
        f"(target < {limit:.0f} s) {'OK' if ok else 'SLOW'}",
        flush=True,
    )
    expect = {"chapters": sizes["chapters"], "members": sizes["members"], "families": sizes["households"] * 8 // 10, "awards": sizes["awards"]}
    got = {
        "chapters": stats.get("org", "chapters_and_boards"), "members": stats.get("members", "total"),
        "families": stats.get("learning", "family_recognised"), "awards": stats.get("awards", "awards"),
    }
    if got != expect:
        print(f"   WRONG FIGURES: {got} != {expect}")
        failures += 1
    if args.naive:
        t0 = time.perf_counter()
        slow_total = naive(province, YEAR)
        slow = time.perf_counter() - t0
        same = all(
            slow_total.get(g, {}).get(k) == stats.total.get(g, {}).get(k)
            for g, k in (("members", "total"), ("fund", "receipts"), ("learning", "family_recognised"))
        )
        print(f"   naive per-node loop: {slow:.2f} s — {slow / best:.0f}× slower{'' if same else ' (AND DIFFERENT FIGURES)'}", flush=True)
        failures += 0 if same else 1

    first, best, content = _time(lambda: render_report(report_data(province, YEAR)), repeat=2)
    # The first run is the one that counts: it computes this year and last year (for the
    # comparison) from the records; the second finds both in the shared cache.
    ok = first < 5 or args.smoke
    failures += 0 if ok else 1
    print(
        f"   annual review report (DOCX, {len(content) // 1024} KB): first {first:.2f} s, best {best:.2f} s "
        f"(CPU {CPU['best']:.2f} s) (target < 5 s) {'OK' if ok else 'SLOW'}",
        flush=True,
    )

    first, best, _data = _time(lambda: selectors.dashboard_data(province, YEAR), repeat=3)
    print(f"   dashboard data: first (computed) {first:.2f} s, cached {best * 1000:.1f} ms", flush=True)
    if args.load and not args.smoke:
        failures += load_test(province, args, vendor)
    return 1 if failures else 0


# --- 20 clients against the dashboard ----------------------------------------------------------------

# wrk's own report gives p50/p90/p99; this script adds the 95th percentile and counts every
# answer other than 200 (wrk's "Non-2xx" line leaves redirects out: a lost session would
# answer 302 to the login page). Latencies are in microseconds.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not200 = 0 end
function response(status, headers, body) if status ~= 200 then not200 = not200 + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("not200") end
  local e = summary.errors
  io.write(string.format("KH requests %d\\nKH seconds %.3f\\nKH not200 %d\\nKH socket_errors %d\\n",
    summary.requests, summary.duration / 1e6, bad, e.connect + e.read + e.write + e.timeout))
  for _, p in ipairs({50, 90, 95, 99}) do io.write(string.format("KH p%d %d\\n", p, latency:percentile(p))) end
end
"""


def load_test(province, args, vendor: str) -> int:
    """The dashboard of the province under `args.clients` concurrent clients, served by gunicorn
    as deployed (debug off). The load comes from wrk (Debian: `apt-get install wrk`), a
    separate C process; without it, from threads of this process, which compete with
    gunicorn for the cores and for this process's GIL and so overstate the latencies (a
    "(Python threads)" figure is not to be compared with a wrk one)."""
    import shutil
    import socket

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from khuyenhoc.accounts.models import Role
    from khuyenhoc.accounts.services import grant_add, user_create

    user = get_user_model().objects.filter(username="bench").first()  # a kept database has it
    if user is None:
        user = user_create(actor=None, username="bench", password="bench-pass-1", validate=False)
        grant_add(actor=None, user=user, node=province, role=Role.VIEWER)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ)
    # Serve with the settings `make run` uses (debug off), not the test settings: those
    # close the database connection after every request for the sake of live-server tests,
    # which no deployment does (the base settings keep each connection for 60 s).
    env["DJANGO_SETTINGS_MODULE"] = "khuyenhoc.config.settings.dev"
    env["DJANGO_DEBUG"] = "0"
    workers, threads = str(args.workers), str(args.threads)
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn on 127.0.0.1
        [sys.executable, "-m", "gunicorn", "khuyenhoc.config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", workers, "--threads", threads, "--log-level", "warning"],
        env=env, cwd=REPO,
    )
    path = f"/app/reports/nodes/{province.pk}/dashboard/?year={YEAR}"
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    server = f"{workers} gunicorn workers × {threads} threads"
    try:
        for _ in range(100):  # wait for the server, at most ~10 s
            try:
                status, _t = _get(port, path, cookie)
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("   load test: gunicorn did not start")
            return 1
        if status != 200:
            print(f"   load test: the dashboard answered {status}")
            return 1
        wrk = shutil.which("wrk") if args.load_tool == "wrk" else None
        if wrk:
            return _load_wrk(wrk, port, path, cookie, args, server)
        if args.load_tool == "wrk":
            print("   load test: wrk not found (apt-get install wrk); falling back to Python threads in this process", flush=True)
        return _load_threads(port, path, cookie, args, server)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _get(port: int, path: str, cookie: str) -> tuple[int, float]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status, time.perf_counter() - t0


def _verdict(p95_ms: float, bad: str) -> str:
    return "OK" if p95_ms < 300 and not bad else "SLOW" if not bad else "FAILED"


def _load_wrk(wrk: str, port: int, path: str, cookie: str, args, server: str) -> int:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
        script = f.name
    url = f"http://127.0.0.1:{port}{path}"
    base = [wrk, "-c", str(args.clients), "-t", str(min(2, args.clients)), "--latency", "--timeout", "10s",
            "-H", f"Cookie: {cookie}", "-s", script]
    try:
        # Every worker (and each of its threads' connections) computes and caches once.
        subprocess.run([*base, "-d", "3s", url], capture_output=True, check=True)  # noqa: S603
        load = _load()
        out = subprocess.run([*base, "-d", f"{args.duration}s", url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        Path(script).unlink(missing_ok=True)
    got = {k: float(v) for k, v in re.findall(r"^KH (\w+) ([\d.]+)$", out, re.M)}
    ms = {p: got[f"p{p}"] / 1000 for p in (50, 90, 95, 99)}
    bad = ""
    if got["not200"]:
        bad += f", {int(got['not200'])} answers other than 200"
    if got["socket_errors"]:
        bad += f", {int(got['socket_errors'])} socket errors"
    verdict = _verdict(ms[95], bad)
    print(
        f"   dashboard under {args.clients} clients (wrk, {int(got['requests'])} requests in {got['seconds']:.0f} s, {server}): "
        f"p50 {ms[50]:.0f} ms, p90 {ms[90]:.0f} ms, p95 {ms[95]:.0f} ms (target < 300 ms), p99 {ms[99]:.0f} ms, "
        f"{got['requests'] / got['seconds']:.0f} req/s{bad} ({load} at the start) {verdict}",
        flush=True,
    )
    return 0 if verdict == "OK" else 1


def _load_threads(port: int, path: str, cookie: str, args, server: str) -> int:
    for _ in range(args.workers * 2):  # every worker computes and caches once
        _get(port, path, cookie)
    times: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def client_loop():
        for _ in range(args.requests):
            status, t = _get(port, path, cookie)
            with lock:
                times.append(t)
                if status != 200:
                    errors.append(status)

    load = _load()
    threads = [threading.Thread(target=client_loop) for _ in range(args.clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1] * 1000
    bad = f", errors {errors[:5]}" if errors else ""
    verdict = _verdict(p95, bad)
    print(
        f"   dashboard under {args.clients} clients (Python threads, {len(times)} requests, {server}): "
        f"p50 {stats_mod.median(times) * 1000:.0f} ms, p95 {p95:.0f} ms (target < 300 ms), "
        f"{len(times) / wall:.0f} req/s{bad} ({load} at the start) {verdict}",
        flush=True,
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
