"""Import kinds: what one kind of sheet (members, households, bank statements…) is.

An area describes its sheet once and registers it in its `AppConfig.ready()`:

    class MemberImport(ImportKind):
        code = "members"
        columns = (Column("full_name", "Họ và tên", required=True), …)
        natural_key = "member id, else CCCD, else name + year of birth + chapter"

        def plan(self, rows, *, node, sheet, progress): …   # classify, no writes
        def commit(self, plan, *, actor, node, progress): … # bulk writes

    register(MemberImport())

The pipeline (`khuyenhoc.imports.pipeline`) does the rest the same way for every kind:
template download, reading, validating every row, the preview with counts of new /
changed / unchanged / error rows, all-or-nothing commit in one transaction, the
command line and the progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.imports.columns import CellError, CleanRow, Column
from khuyenhoc.imports.reading import DEFAULT_MAX_ROWS

Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    return None


@dataclass
class Plan:
    """What an import would do; built without writing anything.

    `new` and `changed` hold whatever the kind's `commit` needs (the pipeline only
    counts them); `samples` are a few readable lines for the preview page.
    """

    kind: str
    sheet: str
    rows_total: int = 0
    new: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    skipped_example: bool = False
    samples: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows_total,
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "error_rows": self.error_rows(),
            "errors": len(self.errors),
        }


class ImportKind:
    """Base of every import kind; subclasses set the attributes and two methods."""

    code: str = ""
    label: Any = ""  # lazy gettext
    sheet_title: str = ""  # name of the data sheet in the template (Vietnamese)
    file_stem: str = ""  # "mau-nhap-hoi-vien" → mau-nhap-hoi-vien.xlsx
    columns: Sequence[Column] = ()
    example_row: dict[str, Any] = {}
    notes: str = ""  # the template's "Hướng dẫn" sheet
    natural_key: str = ""  # shown to users: how a row finds its existing record
    cap: Cap = Cap.EDIT_MEMBERS
    max_rows: int = DEFAULT_MAX_ROWS
    ignore_unknown_columns: bool = False

    def row_check(self, values: dict[str, Any]) -> Iterable[tuple[str | None, str]] | None:
        """Cross-column rules for one parsed row: (column key or None, message) pairs."""
        return None

    def plan(
        self,
        rows: list[CleanRow],
        *,
        node,
        sheet: str,
        present: frozenset[str],
        progress: Progress = no_progress,
    ) -> Plan:
        """Classify valid rows as new / changed / unchanged and add the errors only the
        database can reveal (unknown codes, records outside the unit…). No writes.
        `present` are the keys of the columns the file has: a column that is absent
        leaves stored values alone, while a blank cell in a present column clears them."""
        raise NotImplementedError

    def commit(self, plan: Plan, *, actor, node, progress: Progress = no_progress) -> dict[str, Any]:
        """Write the plan with bulk operations; runs inside the pipeline's transaction."""
        raise NotImplementedError

    def snapshot(self, node) -> Any:
        """A cheap fingerprint of the records a plan for `node` depends on.

        The pipeline plans outside the write transaction and compares the fingerprint
        inside it; None (the default) means "always plan again inside"."""
        return None

    def template(self) -> bytes:
        from khuyenhoc.imports.templates_xlsx import write_template

        return write_template(self.columns, sheet_title=self.sheet_title, example_row=self.example_row, notes=self.notes)

    def export(self, rows: Iterable[dict[str, Any]]) -> bytes:
        """Rows in the template's columns, so a list can go out and come back."""
        from khuyenhoc.imports.templates_xlsx import write_rows

        return write_rows(self.columns, rows, sheet_title=self.sheet_title)


_kinds: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    if not kind.code:
        raise ValueError("an import kind needs a code")
    _kinds[kind.code] = kind
    return kind


def get_kind(code: str) -> ImportKind:
    """The registered kind; LookupError if there is none."""
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(code) from None


def kind_or_404(code: str) -> ImportKind:
    try:
        return get_kind(code)
    except LookupError:
        raise Http404 from None


def all_kinds() -> list[ImportKind]:
    return sorted(_kinds.values(), key=lambda k: k.code)
