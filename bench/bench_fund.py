"""Fund benchmark: balances, books, subtree statements, chain verification and posting.

Builds a throwaway database (a temporary SQLite file, or with --pg a PostgreSQL database
created and dropped here) holding `--rows` ledger rows across `--funds` funds in a tree
of provinces, communes and chapters, then measures, each beside a naive version that
loads rows through the ORM and sums them in a Python loop:

- a fund's balance and a month's cash book (target < 200 ms),
- the receipts-and-payments statement of a whole province subtree (target < 1 s),
- verifying every fund's hash chain (target < 10 s),
- posting drafts from `--writers` concurrent processes through `voucher_approve`
  (target >= 500 vouchers/s on PostgreSQL), then checks numbers are gapless and chains intact.

Ledger rows for the read benchmarks are written in bulk with their real hash chain
(vouchers are not materialised for them); the posting benchmark goes through the services.

    .venv/bin/python bench/bench_fund.py --pg          # full size on PostgreSQL
    .venv/bin/python bench/bench_fund.py               # full size on SQLite
    .venv/bin/python bench/bench_fund.py --smoke       # tiny, seconds
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

def _pg_server_url() -> str:
    """The PostgreSQL server to create the throwaway database on: KHUYENHOC_BENCH_PG, else the
    server of DATABASE_URL, else the local one."""
    if os.environ.get("KHUYENHOC_BENCH_PG"):
        return os.environ["KHUYENHOC_BENCH_PG"].rstrip("/")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.rsplit("/", 1)[0]
    return "postgres://postgres@127.0.0.1:5432"


PG_ADMIN_URL = _pg_server_url()
YEAR = 2022


def _args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--funds", type=int, default=10_000)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--provinces", type=int, default=2)
    p.add_argument("--writers", type=int, default=4)
    p.add_argument("--post", type=int, default=4_000, help="vouchers posted in the write benchmark")
    p.add_argument("--samples", type=int, default=20)
    p.add_argument("--pg", action="store_true", help="run on PostgreSQL (a database created and dropped here); default when DATABASE_URL is PostgreSQL")
    p.add_argument("--smoke", action="store_true", help="tiny sizes, runs in seconds")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--no-naive", action="store_true", help="skip the naive comparisons")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    a.pg = a.pg or os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if a.smoke:
        a.funds, a.rows, a.post, a.samples = 40, 4_000, 200, 5
    return a


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--worker":
        return _worker(argv[1:])
    args = _args(argv)
    if args.child:
        return _run(args)
    # Django is set up in a child process so its database choice never leaks into (or
    # from) other benchmarks run by `python -m bench` in the same interpreter.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "khuyenhoc.config.settings.test", "DJANGO_DEBUG": "0"}
    tmpdir = None
    dbname = None
    if args.pg:
        dbname = f"kh_fund_bench_{os.getpid()}"
        _pg_admin(f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = f"{PG_ADMIN_URL}/{dbname}"
    else:
        tmpdir = tempfile.mkdtemp(prefix="kh_fund_bench_")
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(Path(tmpdir) / "bench.sqlite3")
        env["KHUYENHOC_VAR_DIR"] = tmpdir
    try:
        return subprocess.call([sys.executable, str(Path(__file__).resolve()), *argv, "--child"], env=env, cwd=REPO)  # noqa: S603
    finally:
        if args.keep:
            print(f"kept: {env.get('DATABASE_URL') or env['SQLITE_PATH']}")
        elif dbname:
            _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        elif tmpdir:
            for f in Path(tmpdir).glob("*"):
                f.unlink()
            os.rmdir(tmpdir)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


# --- the measured run (child process) -----------------------------------------------------


def _run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    print(f"database: {vendor}; {args.funds:,} funds, {args.rows:,} ledger rows, {args.writers} writers")
    world = _generate(args)
    print(f"generated in {time.perf_counter() - t0:.1f} s")
    failures = 0
    results = []
    results.append(_bench_balance(args, world))
    results.append(_bench_book(args, world))
    results.append(_bench_subtree(args, world))
    results.append(_bench_verify(args, world))
    print()
    print(f"{'measure':<34}{'ours':>12}{'naive':>12}{'ratio':>9}  target")
    for name, ours, naive, target in results:
        ratio = (f"{naive / ours:8.0f}x" if naive / ours >= 10 else f"{naive / ours:8.1f}x") if naive else "       -"
        ok = "ok" if ours <= target else "MISSED"
        print(f"{name:<34}{_ms(ours):>12}{_ms(naive) if naive else '-':>12}{ratio}  < {_ms(target)} {ok}")
    ceiling, rate, hot_rate, batch_rate, problems = _bench_posting(args, world)
    failures += len(problems)

    def note(r):
        return "ok" if r >= 500 else ("MISSED" if vendor == "postgresql" else "(target is for PostgreSQL)")

    w = args.writers
    print(f"{f'posting, {w} writers, 1 per approval':<34}{rate:>9,.0f} vouchers/s  >= 500 {note(rate)}")
    print(f"{f'  ceiling: {w} writers, bare commits':<34}{ceiling:>9,.0f} commits/s   (a one-row insert per transaction)")
    if world.get("wal_per_voucher"):
        print(f"{'  log written per voucher':<34}{world['wal_per_voucher']:>9,.0f} bytes       (each commit waits for its flush to disk)")
    print(f"{f'posting, {w} writers, 50 per approval':<34}{batch_rate:>9,.0f} vouchers/s  >= 500 {note(batch_rate)}")
    print(f"{f'posting, {w} writers, all on one fund':<34}{hot_rate:>9,.0f} vouchers/s  (1 per approval; all queue on one fund's lock)")
    print(f"cpu: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for p in problems:
        print("   PROBLEM:", p)
    return 1 if failures else 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _generate(args) -> dict:
    from django.db import connection, transaction

    from khuyenhoc.accounts.models import Role
    from khuyenhoc.accounts.services import grant_add, user_create
    from khuyenhoc.fund.ledger import CANONICAL_FIELDS, GENESIS, entry_hash
    from khuyenhoc.fund.models import AccountKind, Fund, FundAccount
    from khuyenhoc.organizations.models import Node, NodeKind

    rng = random.Random(1)
    with transaction.atomic():
        national = Node.objects.create(kind=NodeKind.NATIONAL, name="Hội Khuyến học Việt Nam", code="VN", path="00000000.", depth=1)
        Node.objects.filter(pk=national.pk).update(path=f"{national.pk:08d}.")
        national.refresh_from_db()
        provinces = _level(national, NodeKind.PROVINCE, args.provinces, "P")
        per_province = max(1, args.funds // args.provinces)
        communes_per = max(1, round(per_province ** 0.5 / 2))
        chapters_per = max(0, per_province // communes_per - 1)
        communes = [c for p in provinces for c in _level(p, NodeKind.COMMUNE, communes_per, f"{p.code}-")]
        chapters = [c for cm in communes for c in _level(cm, NodeKind.CHAPTER, chapters_per, f"{cm.code}-")]
        fund_nodes = (communes + chapters)[: args.funds]
        funds = Fund.objects.bulk_create(
            [Fund(node=n, name=f"Quỹ khuyến học {n.code}", opened_on=dt.date(YEAR, 1, 1)) for n in fund_nodes], batch_size=5000
        )
        accounts = FundAccount.objects.bulk_create(
            [FundAccount(fund=f, kind=k, name=k) for f in funds for k in (AccountKind.CASH, AccountKind.BANK)], batch_size=5000
        )
        admin = user_create(actor=None, username="bench_admin", password="x", validate=False)  # noqa: S106
        treasurer = user_create(actor=None, username="bench_treasurer", password="x", validate=False)  # noqa: S106
        grant_add(actor=None, user=admin, node=national, role=Role.ADMIN)
        grant_add(actor=None, user=treasurer, node=national, role=Role.TREASURER)

    by_fund = {}
    for a in accounts:
        by_fund.setdefault(a.fund_id, []).append(a.pk)
    per_fund = max(2, args.rows // len(funds))
    node_of = {f.pk: f.node_id for f in funds}
    now = dt.datetime.now(dt.UTC)
    days = [dt.date(YEAR, 1, 1) + dt.timedelta(days=d) for d in range(365)]

    def rows():
        for f in funds:
            cash, bank = by_fund[f.pk]
            prev = GENESIS
            counters = {"PT": 0, "PC": 0}
            dates = sorted(rng.choice(days) for _ in range(per_fund - 1))
            for seq in range(1, per_fund + 1):
                if seq == 1:
                    account, amount, kind, party, purpose, code, date = cash, 10_000_000, "opening", "", "", "", days[0]
                else:
                    date = dates[seq - 2]
                    account = cash if rng.random() < 0.6 else bank
                    if rng.random() < 0.7:
                        counters["PT"] += 1
                        kind, party, purpose = "receipt", rng.choice(["person", "family", "firm", "organisation", "anonymous"]), ""
                        amount, code = rng.randrange(1, 50) * 100_000, f"PT-{YEAR}-{counters['PT']:04d}"
                    else:
                        counters["PC"] += 1
                        kind, party, purpose = "payment", "student", rng.choice(["award", "award", "support", "activity"])
                        amount, code = -rng.randrange(1, 10) * 100_000, f"PC-{YEAR}-{counters['PC']:04d}"
                fields = {"fund_id": f.pk, "seq": seq, "date": date, "account_id": account, "amount": amount, "kind": kind,
                          "party_kind": party, "purpose": purpose, "voucher_code": code, "node_id": node_of[f.pk],
                          "counter_node_id": None, "prev_hash": prev}
                h = entry_hash(**{k: fields[k] for k in CANONICAL_FIELDS})
                yield (f.pk, seq, account, node_of[f.pk], code, date, amount, kind, party, purpose, now, prev, h)
                prev = h

    cols = "fund_id, seq, account_id, node_id, voucher_code, date, amount, kind, party_kind, purpose, posted_at, prev_hash, hash"
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.connection.cursor().copy(f"COPY fund_ledgerentry ({cols}) FROM STDIN") as copy:
                for r in rows():
                    copy.write_row(r)
        else:
            batch = []
            sql = f"INSERT INTO fund_ledgerentry ({cols}) VALUES ({', '.join(['%s'] * 13)})"  # noqa: S608
            for r in rows():
                batch.append(r)
                if len(batch) >= 20_000:
                    cur.executemany(sql, batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
    with connection.cursor() as cur:
        # What autovacuum does within a minute of a bulk load: statistics, and on PostgreSQL the
        # visibility map that lets the subtree statement read its covering index alone.
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"funds": funds, "provinces": provinces, "admin": admin, "treasurer": treasurer, "rng": rng, "accounts": by_fund}


def _level(parent, kind, n, prefix):
    from khuyenhoc.organizations.models import Node

    made = Node.objects.bulk_create(
        [Node(parent=parent, kind=kind, name=f"{kind} {prefix}{i}", code=f"{prefix}{i:03d}", path=f"tmp-{prefix}{i:03d}", depth=parent.depth + 1,
              chapter_type="village" if kind == "chapter" else "") for i in range(n)],
        batch_size=5000,
    )
    for m in made:
        m.path = f"{parent.path}{m.pk:08d}."
    Node.objects.bulk_update(made, ["path"], batch_size=5000)
    return made


def _timed(fn, *a) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*a)
    return time.perf_counter() - t, out


def _bench_balance(args, world):
    from khuyenhoc.fund.models import LedgerEntry
    from khuyenhoc.fund.selectors import fund_balance

    sample = world["rng"].sample(world["funds"], min(args.samples, len(world["funds"])))
    ours, naive = [], []
    for f in sample:
        t, value = _timed(fund_balance, f)
        ours.append(t)
        if not args.no_naive:
            t0 = time.perf_counter()
            total = 0
            for e in LedgerEntry.objects.filter(fund=f):
                total += e.amount
            naive.append(time.perf_counter() - t0)
            assert total == value
    return ("a fund's balance (median)", statistics.median(ours), statistics.median(naive) if naive else 0, 0.2)


def _bench_book(args, world):
    from khuyenhoc.fund.models import FundAccount, LedgerEntry
    from khuyenhoc.fund.selectors import book

    start, end = dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31)
    sample = world["rng"].sample(world["funds"], min(args.samples, len(world["funds"])))
    ours, naive = [], []
    for f in sample:
        account = FundAccount.objects.get(pk=world["accounts"][f.pk][0])
        t, b = _timed(book, account, start, end)
        ours.append(t)
        if not args.no_naive:
            t0 = time.perf_counter()
            opening, rows = 0, []
            for e in LedgerEntry.objects.filter(account=account).order_by("date", "seq"):
                if e.date < start or (e.kind == "opening" and e.date <= end):
                    opening += e.amount
                elif e.date <= end:
                    rows.append(e)
            naive.append(time.perf_counter() - t0)
            assert opening == b.opening and len(rows) == len(b.rows)
    return ("a month's cash book (median)", statistics.median(ours), statistics.median(naive) if naive else 0, 0.2)


def _bench_subtree(args, world):
    from khuyenhoc.fund.models import LedgerEntry
    from khuyenhoc.fund.selectors import subtree_statement

    province = world["provinces"][0]
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    subtree_statement(province, start, end)  # warm the caches, as a running server would be
    t, st = _timed(subtree_statement, province, start, end)
    naive = 0
    if not args.no_naive:
        t0 = time.perf_counter()
        receipts = 0
        for e in LedgerEntry.objects.filter(node__path__startswith=province.path, date__gte=start, date__lte=end):
            if e.kind == "receipt":
                receipts += e.amount
        naive = time.perf_counter() - t0
        assert receipts == st.total.receipts
    return ("a province's subtree statement", t, naive, 1.0)


def _bench_verify(args, world):
    from khuyenhoc.fund.ledger import CANONICAL_FIELDS, GENESIS, entry_hash
    from khuyenhoc.fund.models import LedgerEntry
    from khuyenhoc.fund.selectors import verify_all_chains

    t0 = time.perf_counter()
    bad = [b for _f, _n, b in verify_all_chains() if b is not None]
    t = time.perf_counter() - t0
    assert not bad, bad[:3]
    naive = 0
    if not args.no_naive:
        t0 = time.perf_counter()
        prev, fund = GENESIS, None
        for e in LedgerEntry.objects.order_by("fund_id", "seq").iterator(chunk_size=5000):
            if e.fund_id != fund:
                prev, fund = GENESIS, e.fund_id
            fields = {k: getattr(e, k) for k in CANONICAL_FIELDS if k != "prev_hash"}
            assert entry_hash(**fields, prev_hash=prev) == e.hash
            prev = e.hash
        naive = time.perf_counter() - t0
    return ("verifying the whole chain", t, naive, 10.0)


def _drafts(world, funds, count):
    from khuyenhoc.fund.models import Voucher

    rng = world["rng"]
    treasurer = world["treasurer"]
    objs = []
    for i in range(count):
        f = funds[i % len(funds)]
        receipt = rng.random() < 0.75
        objs.append(
            Voucher(
                fund=f, node_id=f.node_id, kind="receipt" if receipt else "payment", year=YEAR + 1, date=dt.date(YEAR + 1, 1, 2),
                account_id=world["accounts"][f.pk][0], amount=rng.randrange(1, 20) * 10_000, party_kind="person" if receipt else "student",
                party_name=f"Người {i}", purpose="" if receipt else "award", reason="Bench", created_by=treasurer,
            )
        )
    made = Voucher.objects.bulk_create(objs, batch_size=5000)
    ids = [v.pk for v in made]
    rng.shuffle(ids)
    return ids


def _post_with_writers(args, world, ids, batch: int = 1) -> float:
    go = Path(tempfile.mkdtemp(prefix="kh_go_")) / "go"
    env = {**os.environ}
    procs = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(world["admin"].pk), str(go), str(batch), *map(str, ids[w :: args.writers])],
            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(args.writers)
    ]
    # Every worker finishes Django's start-up and opens its connection before the clock starts.
    deadline = time.monotonic() + 120
    while len(list(go.parent.glob("ready.*"))) < len(procs):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            break
        time.sleep(0.01)
    t0 = time.perf_counter()
    go.touch()
    outs = [p.communicate(timeout=3600) for p in procs]
    elapsed = time.perf_counter() - t0
    for f in go.parent.glob("*"):
        f.unlink()
    go.parent.rmdir()
    for p, (_out, err) in zip(procs, outs, strict=True):
        if p.returncode:
            raise RuntimeError(err[-2000:])
    retries = sum(int(out.split()[-1]) for out, _err in outs if out.strip())
    if retries:
        print(f"   ({retries} approvals retried after 'database is locked')")
    return len(ids) / elapsed


def _wal_position() -> int | None:
    """PostgreSQL's WAL position in bytes (None on SQLite): what a posting writes to the log,
    which every commit waits to be flushed to disk."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
        return int(cur.fetchone()[0])


def _bench_posting(args, world):
    from django.db import connection
    from django.db.models import Count, Max

    from khuyenhoc.fund.models import Voucher
    from khuyenhoc.fund.selectors import verify_all_chains

    funds = world["funds"][: max(1, min(len(world["funds"]), 40))]
    # The ceiling set by the database and its disk: the same writers each committing one
    # one-row insert per transaction (on PostgreSQL every commit waits for its WAL flush).
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_commit_probe (id INTEGER PRIMARY KEY, w INTEGER)")
    ceiling = _post_with_writers(args, world, list(range(1, args.post + 1)), batch=0)
    ids = _drafts(world, funds, args.post)
    wal0 = _wal_position()
    rate = _post_with_writers(args, world, ids)
    world["wal_per_voucher"] = (_wal_position() - wal0) / len(ids) if wal0 is not None else None
    hot = world["funds"][-1:]
    hot_ids = _drafts(world, hot, max(args.post // 4, 50))
    hot_rate = _post_with_writers(args, world, hot_ids)
    # An approver approving a list at once (e.g. an award decision's payments): 50 per transaction,
    # each batch on one fund, as the approval page sends them.
    batch_funds = world["funds"][40:80] or funds
    per_fund = max(1, args.post // len(batch_funds))
    batch_ids = []
    for f in batch_funds:
        batch_ids += sorted(_drafts(world, [f], per_fund))
    chunks = [batch_ids[i : i + 50] for i in range(0, len(batch_ids), 50)]
    world["rng"].shuffle(chunks)
    batch_rate = _post_with_writers(args, world, [pk for c in chunks for pk in c], batch=50)
    all_ids = ids + hot_ids + batch_ids
    problems = []
    posted = Voucher.objects.filter(pk__in=all_ids, status="posted").count()
    if posted != len(all_ids):
        problems.append(f"{len(all_ids) - posted} vouchers were not posted")
    for row in (
        Voucher.objects.filter(fund__in=funds + hot + batch_funds, status="posted", year=YEAR + 1)
        .values("fund", "kind")
        .annotate(n=Count("id"), top=Max("number"))
    ):
        if row["n"] != row["top"]:
            problems.append(f"numbers of fund {row['fund']} {row['kind']} are not gapless: {row['n']} vouchers, last number {row['top']}")
    bad = [b for _f, _n, b in verify_all_chains([f.pk for f in funds + hot + batch_funds]) if b is not None]
    if bad:
        problems.append(f"chain breaks after posting: {bad[:3]}")
    return ceiling, rate, hot_rate, batch_rate, problems


def _worker(argv: list[str]) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import OperationalError

    from khuyenhoc.fund.models import Voucher
    from khuyenhoc.fund.services import voucher_approve, vouchers_approve

    approver = get_user_model().objects.get(pk=int(argv[0]))
    go = Path(argv[1])
    batch = int(argv[2])
    ids = [int(a) for a in argv[3:]]
    Voucher.objects.filter(pk__in=ids[:1]).exists()  # open the connection before the start
    (go.parent / f"ready.{os.getpid()}").touch()
    deadline = time.monotonic() + 300
    while not go.exists():
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.002)
    retries = 0

    def attempt(fn, **kw):
        # SQLite's busy handler is not fair: under load a writer may wait past busy_timeout
        # at BEGIN IMMEDIATE (before any work), so trying again is safe. Counted and shown.
        nonlocal retries
        for _ in range(20):
            try:
                return fn(**kw)
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                retries += 1
        raise RuntimeError("database stayed locked")

    if batch == 0:  # the commit ceiling: one one-row insert per transaction, nothing else
        from django.db import connection

        with connection.cursor() as cur:
            for pk in ids:
                cur.execute("INSERT INTO bench_commit_probe (id, w) VALUES (%s, %s)", [pk, os.getpid()])
    elif batch == 1:
        for pk in ids:
            attempt(voucher_approve, actor=approver, voucher=Voucher(pk=pk))
    else:
        for i in range(0, len(ids), batch):
            attempt(vouchers_approve, actor=approver, vouchers=[Voucher(pk=pk) for pk in ids[i : i + batch]])
    print(retries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
