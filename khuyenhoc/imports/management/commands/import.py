"""`khuyenhoc import members FILE --unit CODE` — the import pipeline from the command line.

The same checks and messages as the web page; exit status 1 and every problem on
stderr when the file is refused or any row is wrong, and then nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from khuyenhoc.imports import services
from khuyenhoc.imports.columns import CellError
from khuyenhoc.imports.models import ImportStatus
from khuyenhoc.imports.registry import all_kinds, get_kind
from khuyenhoc.organizations.models import Node


class Command(BaseCommand):
    help = "Import a spreadsheet (xlsx, xls, csv) into a unit, all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what the sheet holds: " + ", ".join(k.code for k in all_kinds()))
        parser.add_argument("file", help="path of the .xlsx, .xls or .csv file")
        parser.add_argument("--unit", required=True, help="code of the unit to import into, e.g. BK-DX or BK-DX-01")
        parser.add_argument("--dry-run", action="store_true", help="check every row and show the counts, write nothing")
        parser.add_argument("--user", help="user name recorded as the importer (audit trail)")

    def handle(self, *args, **opts):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            kind = get_kind(opts["kind"])
        except LookupError:
            raise CommandError(
                _("Unknown import kind '%(kind)s'. Known: %(known)s.") % {"kind": opts["kind"], "known": ", ".join(k.code for k in all_kinds())}
            ) from None
        node = Node.objects.filter(code__iexact=opts["unit"]).first()
        if node is None:
            raise CommandError(_("There is no unit with code '%(code)s'.") % {"code": opts["unit"]})
        actor = None
        if opts["user"]:
            actor = get_user_model().objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(_("There is no user '%(user)s'.") % {"user": opts["user"]})
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from None

        show_progress = sys.stderr.isatty() and opts["verbosity"] > 0
        last = [-1]

        def report(done: int, total: int, message: str = "") -> None:
            percent = 100 * done // total if total else 0
            if show_progress and percent != last[0]:
                last[0] = percent
                self.stderr.write(f"\r{percent:3d}% {message}".ljust(60), ending="")

        try:
            job = services.import_file(actor=actor, node=node, kind=kind, file_name=path.name, data=data, dry_run=opts["dry_run"], report=report)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if show_progress:
            self.stderr.write("")
        counts = job.counts
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.message)
        if job.status == ImportStatus.INVALID:
            for sheet, row, column, message in job.errors:
                self.stderr.write(str(CellError(sheet, row, column, message)))
            if job.error_count > len(job.errors):
                self.stderr.write(_("… and %(n)s more problems.") % {"n": job.error_count - len(job.errors)})
            raise CommandError(
                _("%(errors)s problems in %(rows)s rows of %(total)s. Nothing was written.")
                % {"errors": job.error_count, "rows": counts.get("error_rows", 0), "total": counts.get("rows", 0)}
            )
        if job.message:
            self.stdout.write(job.message)
        summary = _("%(rows)s rows: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.") % {
            "rows": counts.get("rows", 0),
            "new": counts.get("new", 0),
            "changed": counts.get("changed", 0),
            "unchanged": counts.get("unchanged", 0),
        }
        if opts["dry_run"]:
            self.stdout.write(_("Checked, nothing written (--dry-run). %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported into %(unit)s. %(summary)s") % {"unit": node.name, "summary": summary}))
