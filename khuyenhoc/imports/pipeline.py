"""The one import pipeline: read → validate every row → plan → commit in one transaction.

`analyse` never writes. `run` analyses inside a transaction and, only when no row has
an error, lets the kind commit with bulk writes in that same transaction: a file with
errors writes nothing, a good file is written whole. Importing the same file twice
finds every row by its natural key the second time and creates nothing.

Progress is reported as one 0–100 figure over the phases (read, validate, plan,
write), because reading a workbook is a single call with no progress of its own.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from django.db import connection, transaction

from khuyenhoc.organizations.models import Node

from .columns import CellError, ValidationResult, header_detector, validate
from .reading import read_table
from .registry import ImportKind, Plan, Progress

VALIDATE_CHUNK = 20_000

# Share of the bar per phase; the last phase (write) only runs on commit.
ANALYSE_PHASES = {"read": 30, "validate": 50, "plan": 20}
RUN_PHASES = {"read": 20, "validate": 35, "plan": 15, "write": 30}

Reporter = Callable[[int, int, str], None]  # (done, total, message) like core.jobs.Progress


class _Bar:
    """Turns per-phase progress into one 0–100 figure for the reporter."""

    def __init__(self, report: Reporter | None, weights: dict[str, int]) -> None:
        self.report = report
        self.weights = weights
        self.offset = 0
        self.current = ""

    def phase(self, name: str, message: str) -> Progress:
        if self.current:
            self.offset += self.weights[self.current]
        self.current = name
        share = self.weights[name]
        offset = self.offset
        report = self.report

        def progress(done: int, total: int) -> None:
            if report is not None:
                report(offset + (share * done // total if total else share), 100, message)

        progress(0, 1)
        return progress

    def finish(self, message: str) -> None:
        if self.report is not None:
            self.report(100, 100, message)


def _validate(kind: ImportKind, table, progress: Progress) -> ValidationResult:
    """`columns.validate` in chunks, so the bar moves on a 100,000-row sheet."""
    rows = table.rows
    options = {
        "row_check": kind.row_check,
        "example_row": kind.example_row or None,
        "ignore_unknown": kind.ignore_unknown_columns,
    }
    if len(rows) <= VALIDATE_CHUNK:
        result = validate(table, kind.columns, **options)
        progress(1, 1)
        return result
    merged: ValidationResult | None = None
    seen_sheet_errors: set[str] = set()
    for start in range(0, len(rows), VALIDATE_CHUNK):
        part = validate(dataclasses.replace(table, rows=rows[start : start + VALIDATE_CHUNK]), kind.columns, **options)
        # Header problems are found again in every chunk: keep each one once.
        errors = []
        for e in part.errors:
            if e.row == table.header_row and e.column_header is None:
                key = re.sub(r"\d+", "#", e.message)
                if key in seen_sheet_errors:
                    continue
                seen_sheet_errors.add(key)
            errors.append(e)
        if merged is None:
            merged = dataclasses.replace(part, errors=errors)
        else:
            merged.rows.extend(part.rows)
            merged.errors.extend(errors)
            merged.skipped_example = merged.skipped_example or part.skipped_example
        progress(min(start + VALIDATE_CHUNK, len(rows)), len(rows))
    assert merged is not None
    merged.row_count = len(rows)
    return merged


def analyse(kind: ImportKind, data: bytes, *, filename: str, node: Node, report: Reporter | None = None, bar: _Bar | None = None) -> Plan:
    """Read, validate and plan a file without writing. Raises reading.ImportFileError
    when the file itself is refused (empty, not a spreadsheet, protected, too big…)."""
    bar = bar or _Bar(report, ANALYSE_PHASES)
    bar.phase("read", "Đang đọc tệp")
    table = read_table(data, filename=filename, max_rows=kind.max_rows, is_header=header_detector(kind.columns))
    result = _validate(kind, table, bar.phase("validate", "Đang kiểm tra từng dòng"))
    sheet = table.sheet
    del table  # the raw cells: a third of the memory a 100,000-row sheet needs
    missing = [c for c in kind.columns if c.required and c.key not in result.mapping]
    plan_progress = bar.phase("plan", "Đang đối chiếu với dữ liệu đã có")
    if missing:
        # Without a required column no row can be matched; the header errors say why.
        plan = Plan(kind=kind.code, sheet=sheet)
    else:
        plan = kind.plan(result.rows, node=node, sheet=sheet, present=frozenset(result.mapping), progress=plan_progress)
    plan.rows_total = result.row_count
    plan.skipped_example = result.skipped_example
    plan.errors = sorted([*result.errors, *plan.errors], key=_error_order)
    return plan


def _error_order(e: CellError) -> tuple:
    return (e.sheet, e.row or 0)


def run(
    kind: ImportKind,
    data: bytes,
    *,
    filename: str,
    node: Node,
    actor,
    dry_run: bool = False,
    report: Reporter | None = None,
    on_commit: Callable[[Plan], None] | None = None,
) -> Plan:
    """Analyse and, if every row is valid and not `dry_run`, commit all rows at once.

    The analysis runs outside the write transaction so its progress can be saved and
    seen (SQLite allows one writer at a time). The kind's `snapshot` is taken before
    and compared inside the transaction; if the register changed meanwhile, the file
    is analysed again inside the transaction before anything is written.
    `on_commit(plan)` runs inside the same transaction after the kind's writes (the
    import record and its audit row).
    """
    bar = _Bar(report, ANALYSE_PHASES if dry_run else RUN_PHASES)
    before = kind.snapshot(node)
    plan = analyse(kind, data, filename=filename, node=node, bar=bar)
    if plan.errors or dry_run:
        return plan
    write = bar.phase("write", "Đang ghi vào sổ")
    _roomy_page_cache()
    with transaction.atomic():
        _lock_units(node)
        if before is None or kind.snapshot(node) != before:
            plan = analyse(kind, data, filename=filename, node=node)
            if plan.errors:
                return plan
        plan.result = kind.commit(plan, actor=actor, node=node, progress=write)
        if on_commit is not None:
            on_commit(plan)
    bar.finish("Xong")
    return plan


def _roomy_page_cache() -> None:
    """Give SQLite a 64 MB page cache on this connection before a big write.

    Inserting 100,000 rows into a table with four indexes thrashes the default 2 MB
    cache (1.7 s of the 6 s an import of 100,000 members takes). The setting lives on
    the connection; memory is only used as pages are actually cached."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -65536")


def _lock_units(node: Node) -> None:
    """Serialise two imports into the same commune or chapter (PostgreSQL row locks;
    SQLite's IMMEDIATE transactions already serialise every writer)."""
    locked = [p for p in node.ancestor_paths() if len(p) >= len(node.path) - 9] or [node.path]
    list(Node.objects.select_for_update().filter(path__in=locked).order_by("path").values_list("pk", flat=True))
