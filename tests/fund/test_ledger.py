"""The hash chain as the public would recompute it (no database)."""

from __future__ import annotations

import datetime as dt
import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from khuyenhoc.fund.ledger import CANONICAL_FIELDS, GENESIS, canonical_line, chain, verify_rows

ROW = st.fixed_dictionaries(
    {
        "date": st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
        "account_id": st.integers(1, 10**6),
        "amount": st.integers(-(10**12), 10**12),
        "kind": st.sampled_from(["opening", "receipt", "payment"]),
        "party_kind": st.sampled_from(["", "person", "firm", "student"]),
        "purpose": st.sampled_from(["", "award", "support"]),
        "voucher_code": st.sampled_from(["", "PT-2022-0001", "PC-2023-0107"]),
        "node_id": st.integers(1, 10**6),
        "counter_node_id": st.one_of(st.none(), st.integers(1, 10**6)),
    }
)


def _tuples(rows):
    return [(i, r["seq"], r["date"], r["account_id"], r["amount"], r["kind"], r["party_kind"], r["purpose"], r["voucher_code"],
             r["node_id"], r["counter_node_id"], r["prev_hash"], r["hash"]) for i, r in enumerate(rows, start=1)]


def test_the_documented_line_gives_the_stored_hash():
    line = canonical_line(fund_id=1, seq=1, date=dt.date(2022, 1, 1), account_id=1, amount=85_000_000, kind="opening",
                          party_kind="", purpose="", voucher_code="", node_id=3, counter_node_id=None, prev_hash=GENESIS)
    assert line == "khuyenhoc-ledger-v1|1|1|2022-01-01|1|85000000|opening||||3||" + "0" * 64
    row = next(chain(1, [{"date": dt.date(2022, 1, 1), "account_id": 1, "amount": 85_000_000, "kind": "opening",
                          "party_kind": "", "purpose": "", "voucher_code": "", "node_id": 3, "counter_node_id": None}]))
    assert row["hash"] == hashlib.sha256(line.encode()).hexdigest()


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=12), data=st.data())
def test_any_change_to_any_field_of_any_row_is_found_at_that_row(rows, data):
    chained = list(chain(7, rows))
    assert verify_rows(7, _tuples(chained)) == (len(rows), None, chained[-1]["hash"])
    victim = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.sampled_from([f for f in CANONICAL_FIELDS if f not in ("fund_id", "seq", "prev_hash")]))
    tampered = [dict(r) for r in chained]
    value = tampered[victim][field]
    if value is None:
        tampered[victim][field] = 1
    elif isinstance(value, dt.date):
        tampered[victim][field] = value + dt.timedelta(days=1)
    elif isinstance(value, int):
        tampered[victim][field] = value + 1
    else:
        tampered[victim][field] = value + "x"
    checked, brk, _ = verify_rows(7, _tuples(tampered))
    assert brk is not None and brk.seq == victim + 1 and brk.reason == "hash" and checked == victim


def test_a_recomputed_chain_hides_nothing_because_the_published_hash_changes():
    rows = list(chain(3, [{"date": dt.date(2022, 5, 1), "account_id": 2, "amount": a, "kind": "receipt", "party_kind": "person",
                           "purpose": "", "voucher_code": f"PT-2022-{i:04d}", "node_id": 9, "counter_node_id": None}
                          for i, a in enumerate([100, 200, 300], start=1)]))
    published = rows[-1]["hash"]
    keep = ("date", "account_id", "kind", "party_kind", "purpose", "voucher_code", "node_id", "counter_node_id")
    rewritten = list(chain(3, [{**{k: r[k] for k in keep}, "amount": r["amount"] * 10} for r in rows]))
    assert verify_rows(3, _tuples(rewritten))[1] is None  # a forger can re-hash everything…
    assert rewritten[-1]["hash"] != published  # …but not keep the hash that was published
