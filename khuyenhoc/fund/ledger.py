"""The hash chain over a fund's ledger, in a form anyone can recompute.

Each ledger row of a fund has a sequence number `seq` (1, 2, 3 … with no gap) and a
hash. The hash is the SHA-256, in lowercase hex, of this UTF-8 line (no line break)::

    khuyenhoc-ledger-v1|<fund id>|<seq>|<date YYYY-MM-DD>|<account id>|<amount>|<kind>|<party kind>|<purpose>|<voucher code>|<unit id>|<other unit id>|<previous hash>

- `amount` is a signed integer number of đồng (money in positive, money out negative);
- `kind` is `opening`, `receipt` or `payment`;
- `party kind`, `purpose` and `voucher code` may be empty (e.g. for an opening balance);
- `unit id` is the association unit on whose books the row stands; `other unit id` is the
  unit on the other side of a transfer, empty otherwise (both decide subtree totals);
- `previous hash` is the hash of row `seq - 1`, or 64 zeros for the first row.

So a published statement that names its closing row and that row's hash can be checked
later: recompute the chain from the public rows (the CSV on the disclosure page has
exactly these fields), and the last hash must equal the published one. No personal
data enters the hash, so the rows can be public.

Example with a shell: ``printf '%s' 'khuyenhoc-ledger-v1|1|1|2022-01-01|1|85000000|opening||||3||0000…0000' | sha256sum``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

FORMAT = "khuyenhoc-ledger-v1"
GENESIS = "0" * 64
CANONICAL_FIELDS = (
    "fund_id",
    "seq",
    "date",
    "account_id",
    "amount",
    "kind",
    "party_kind",
    "purpose",
    "voucher_code",
    "node_id",
    "counter_node_id",
    "prev_hash",
)


def canonical_line(
    *,
    fund_id: int,
    seq: int,
    date: dt.date,
    account_id: int,
    amount: int,
    kind: str,
    party_kind: str,
    purpose: str,
    voucher_code: str,
    node_id: int,
    counter_node_id: int | None,
    prev_hash: str,
) -> str:
    return "|".join(
        [
            FORMAT,
            str(int(fund_id)),
            str(int(seq)),
            date.isoformat(),
            str(int(account_id)),
            str(int(amount)),
            kind,
            party_kind or "",
            purpose or "",
            voucher_code or "",
            str(int(node_id)),
            str(int(counter_node_id)) if counter_node_id else "",
            prev_hash,
        ]
    )


def entry_hash(**fields) -> str:
    return hashlib.sha256(canonical_line(**fields).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first row of a fund's chain that does not match."""

    fund_id: int
    seq: int
    entry_id: int | None
    reason: str  # "hash", "link" or "gap"
    expected: str
    found: str


def verify_rows(fund_id: int, rows: Iterable[tuple], upto: int | None = None) -> tuple[int, ChainBreak | None, str]:
    """Check rows of one fund given in `seq` order as tuples of
    (id, seq, date, account_id, amount, kind, party_kind, purpose, voucher_code, node_id,
    counter_node_id, prev_hash, hash);
    `date` may be a date or its ISO text (faster: the database gives it as text).

    Returns (rows checked, first break or None, hash of the last good row).
    """
    prev = GENESIS
    expected_seq = 1
    sha256 = hashlib.sha256
    head = f"{FORMAT}|{int(fund_id)}|"
    for row in rows:
        entry_id, seq, date, account_id, amount, kind, party_kind, purpose, code, node_id, counter, prev_hash, stored = row
        if upto is not None and seq > upto:
            break
        if seq != expected_seq:
            return expected_seq - 1, ChainBreak(fund_id, expected_seq, None, "gap", str(expected_seq), str(seq)), prev
        if prev_hash != prev:
            return expected_seq - 1, ChainBreak(fund_id, seq, entry_id, "link", prev, prev_hash), prev
        if date.__class__ is not str:
            date = date.isoformat()
        line = f"{head}{seq}|{date}|{account_id}|{amount}|{kind}|{party_kind}|{purpose}|{code}|{node_id}|{counter or ''}|{prev}"
        computed = sha256(line.encode()).hexdigest()
        if computed != stored:
            return expected_seq - 1, ChainBreak(fund_id, seq, entry_id, "hash", computed, stored), prev
        prev = stored
        expected_seq += 1
    return expected_seq - 1, None, prev


def chain(fund_id: int, rows: Iterable[dict], start_seq: int = 1, prev_hash: str = GENESIS) -> Iterator[dict]:
    """Fill `seq`, `prev_hash` and `hash` into new rows (dicts with the other canonical fields)."""
    seq = start_seq
    prev = prev_hash
    for row in rows:
        row = {**row, "fund_id": fund_id, "seq": seq, "prev_hash": prev}
        row["hash"] = entry_hash(**{k: row[k] for k in CANONICAL_FIELDS})
        prev = row["hash"]
        seq += 1
        yield row
