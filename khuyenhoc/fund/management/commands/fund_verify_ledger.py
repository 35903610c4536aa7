"""Recompute every fund's hash chain and name the first row that does not match; check that
every account's stored balance equals the sum of its ledger rows."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from khuyenhoc.core.money import format_vnd
from khuyenhoc.fund.models import Fund, FundAccount, LedgerEntry
from khuyenhoc.fund.selectors import balance_mismatches, verify_all_chains


def describe_break(brk, fund_name: str, code: str = "") -> str:
    where = _("fund %(id)s (%(name)s), row %(seq)s") % {"id": brk.fund_id, "name": fund_name, "seq": brk.seq}
    if code:
        where += f" ({code})"
    if brk.reason == "gap":
        return _("%(where)s is missing: the next row found is number %(found)s.") % {"where": where, "found": brk.found}
    if brk.reason == "link":
        return _("%(where)s does not point to the hash of the row before it.") % {"where": where}
    return _("%(where)s does not match its hash: its content was changed after it was written.") % {"where": where}


class Command(BaseCommand):
    help = "Verify the hash chain of every fund's ledger (or of --fund ID) and the accounts' stored balances; exit 1 on a mismatch."

    def add_arguments(self, parser):
        parser.add_argument("--fund", type=int, action="append", help="Only this fund id (repeatable).")

    def handle(self, *args, **opts):
        t0 = time.perf_counter()
        funds = rows = 0
        breaks = []
        for _fund_id, checked, brk in verify_all_chains(opts["fund"]):
            funds += 1
            rows += checked
            if brk is not None:
                breaks.append(brk)
        balances = balance_mismatches(opts["fund"])
        elapsed = time.perf_counter() - t0
        if breaks:
            names = dict(Fund.objects.filter(pk__in=[b.fund_id for b in breaks]).values_list("pk", "name"))
            codes = dict(LedgerEntry.objects.filter(pk__in=[b.entry_id for b in breaks if b.entry_id]).values_list("pk", "voucher_code"))
            for brk in breaks:
                self.stderr.write(describe_break(brk, names.get(brk.fund_id, "?"), codes.get(brk.entry_id, "")))
        if balances:
            accounts = FundAccount.objects.select_related("fund").in_bulk([a for a, _s, _t in balances])
            for account_id, stored, summed in balances:
                a = accounts.get(account_id)
                self.stderr.write(
                    _("Account %(id)s (%(name)s, fund %(fund)s): stored balance %(stored)s, but its ledger rows sum to %(sum)s.")
                    % {"id": account_id, "name": a.name if a else "?", "fund": a.fund.name if a else "?", "stored": format_vnd(stored), "sum": format_vnd(summed)}
                )
        if breaks or balances:
            raise CommandError(
                _("The ledger does not verify: %(n)s fund(s) with a changed or missing row, %(m)s account(s) whose balance differs from its rows.")
                % {"n": len(breaks), "m": len(balances)}
            )
        self.stdout.write(
            _("The ledger verifies: %(rows)s rows in %(funds)s fund(s), %(seconds).1f s.") % {"rows": rows, "funds": funds, "seconds": elapsed}
        )
