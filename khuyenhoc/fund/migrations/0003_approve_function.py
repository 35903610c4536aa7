"""PostgreSQL: approve and post one voucher in one call (`fund_approve_one`).

The everyday approval (one receipt or payment, not a transfer, not a reversal) is the write
that must sustain ≥ 500 vouchers/s from 4 writers (issue #5). Done statement by statement,
even in plain SQL, it cost about 4.7 ms of CPU per voucher on this 2-core machine, spread over
ten round trips; this function does the same work in one, inside the database.

It follows `services.vouchers_approve` step for step, which stays the reference (SQLite,
batches, transfers, reversals) — keep the two in step when either changes:

1. lock the voucher, then its fund row (the same order as every other approval);
2. refuse, with a code and nothing written: `missing`, `not_draft`, `own` (the approver drafted
   it), `role` (no approving role on the fund's unit or above), `closed` (the year is closed at
   the unit or above, by the fund's year lock or the association's year close), `balance`
   (a payment larger than the account's balance; `info` carries the balance); `general` asks
   the caller to take the general path (transfers and reversals);
3. take the next number of the fund, kind and year (upsert, row-locked until commit);
4. mark the voucher posted; append the ledger row with its hash (`ledger.canonical_line`,
   computed here with sha256()); write the audit row with the same before/after snapshot as
   `services._snapshot`.

Parameters that are the application's constants (prefixes, the ledger format, the tree's
path step, the roles that may approve, the translated draft code) come from Python, so they
keep one source. tests/fund/test_fast_posting.py posts through both paths and compares.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION fund_approve_one(
    p_id bigint, p_actor bigint, p_roles text[], p_now timestamptz, p_draft_code text,
    p_receipt_prefix text, p_payment_prefix text, p_format text, p_path_step int
) RETURNS TABLE (problem text, info text, voucher fund_voucher) AS $$
DECLARE
    v fund_voucher;
    f_node bigint;
    f_name text;
    n_path text;
    n_depth int;
    n_name text;
    y int;
    signed bigint;
    bal bigint;
    num int;
    code text;
    last_seq int;
    prev text;
    digest text;
    snap jsonb;
BEGIN
    SELECT * INTO v FROM fund_voucher WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'missing'::text, NULL::text, NULL::fund_voucher;
        RETURN;
    END IF;
    IF v.transfer_pair_id IS NOT NULL OR v.reverses_id IS NOT NULL
       OR EXISTS (SELECT 1 FROM fund_voucher o WHERE o.transfer_pair_id = p_id) THEN
        RETURN QUERY SELECT 'general'::text, NULL::text, v;
        RETURN;
    END IF;
    SELECT f.node_id, f.name, n.path, n.depth, n.name INTO f_node, f_name, n_path, n_depth, n_name
      FROM fund_fund f JOIN organizations_node n ON n.id = f.node_id
     WHERE f.id = v.fund_id
       FOR UPDATE OF f;
    IF v.status <> 'draft' THEN
        RETURN QUERY SELECT 'not_draft'::text, NULL::text, v;
        RETURN;
    END IF;
    IF v.created_by_id = p_actor THEN
        RETURN QUERY SELECT 'own'::text, NULL::text, v;
        RETURN;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM accounts_rolegrant g JOIN organizations_node gn ON gn.id = g.node_id
         WHERE g.user_id = p_actor AND g.revoked_at IS NULL AND gn.status = 'active' AND g.role = ANY (p_roles)
           AND substr(n_path, 1, length(gn.path)) = gn.path
    ) THEN
        RETURN QUERY SELECT 'role'::text, f_name, v;
        RETURN;
    END IF;
    y := extract(year FROM v.date)::int;
    IF EXISTS (
        SELECT 1 FROM fund_fundyearlock c JOIN organizations_node cn ON cn.id = c.node_id
         WHERE c.year = y AND cn.path IN (SELECT substr(n_path, 1, i * p_path_step) FROM generate_series(1, n_depth) i)
    ) OR EXISTS (
        SELECT 1 FROM reports_yearclose c JOIN organizations_node cn ON cn.id = c.node_id
         WHERE c.year = y AND cn.path IN (SELECT substr(n_path, 1, i * p_path_step) FROM generate_series(1, n_depth) i)
    ) THEN
        RETURN QUERY SELECT 'closed'::text, n_name, v;
        RETURN;
    END IF;
    signed := CASE WHEN v.kind = 'receipt' THEN v.amount ELSE -v.amount END;
    IF signed < 0 THEN
        SELECT COALESCE(SUM(amount), 0) INTO bal FROM fund_ledgerentry WHERE account_id = v.account_id;
        IF bal + signed < 0 THEN
            RETURN QUERY SELECT 'balance'::text, bal::text, v;
            RETURN;
        END IF;
    END IF;

    INSERT INTO fund_vouchersequence AS s (fund_id, kind, year, last_number) VALUES (v.fund_id, v.kind, y, 1)
        ON CONFLICT (fund_id, kind, year) DO UPDATE SET last_number = s.last_number + 1
        RETURNING s.last_number INTO num;
    code := CASE WHEN v.kind = 'receipt' THEN p_receipt_prefix ELSE p_payment_prefix END
            || '-' || y || '-' || CASE WHEN num < 10000 THEN lpad(num::text, 4, '0') ELSE num::text END;
    snap := jsonb_build_object(
        'code', p_draft_code, 'fund', v.fund_id, 'kind', v.kind, 'status', v.status,
        'date', to_char(v.date, 'YYYY-MM-DD'), 'account', v.account_id, 'amount', v.amount,
        'party_kind', v.party_kind, 'party_name', v.party_name, 'purpose', v.purpose,
        'reason', v.reason, 'reverses', v.reverses_id
    );
    UPDATE fund_voucher SET number = num, year = y, node_id = f_node, status = 'posted',
           approved_by_id = p_actor, posted_at = p_now
     WHERE id = p_id
    RETURNING * INTO v;

    SELECT l.seq, l.hash INTO last_seq, prev FROM fund_ledgerentry l WHERE l.fund_id = v.fund_id ORDER BY l.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        prev := repeat('0', 64);
    END IF;
    digest := encode(sha256(convert_to(
        p_format || '|' || v.fund_id || '|' || (last_seq + 1) || '|' || to_char(v.date, 'YYYY-MM-DD') || '|'
        || v.account_id || '|' || signed || '|' || v.kind || '|' || COALESCE(v.party_kind, '') || '|'
        || COALESCE(v.purpose, '') || '|' || code || '|' || f_node || '||' || prev, 'UTF8')), 'hex');
    INSERT INTO fund_ledgerentry (fund_id, seq, account_id, node_id, voucher_id, voucher_code, date, amount, kind,
                                  party_kind, purpose, counter_node_id, posted_at, prev_hash, hash)
    VALUES (v.fund_id, last_seq + 1, v.account_id, f_node, v.id, code, v.date, signed, v.kind,
            COALESCE(v.party_kind, ''), COALESCE(v.purpose, ''), NULL, p_now, prev, digest);
    INSERT INTO core_auditevent (at, actor_id, node_id, node_path, action, target_type, target_id, before, after)
    VALUES (p_now, p_actor, f_node, n_path, 'fund.voucher.posted', 'fund.voucher', v.id::text,
            snap, snap || jsonb_build_object('code', code, 'status', 'posted'));
    RETURN QUERY SELECT NULL::text, NULL::text, v;
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = "DROP FUNCTION IF EXISTS fund_approve_one(bigint, bigint, text[], timestamptz, text, text, text, text, int);"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("fund", "0002_guard_triggers"), ("reports", "0001_initial"), ("accounts", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
