"""Member lists to XLSX, in the import template's columns, with personal data masked
for readers who may not see it, and every export in the audit trail."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log
from khuyenhoc.core.jobs import job_attach_file, register_job
from khuyenhoc.organizations.models import Node

from . import selectors
from .forms import FilterForm, filter_from, units_of
from .importing import MEMBER_IMPORT, export_rows

# Larger exports are written by the background worker (openpyxl writes about 5,000
# member rows a second).
INLINE_EXPORT_ROWS = 5_000
EXPORT_TASK = "members.export"


def member_filter(node: Node, filters: dict) -> selectors.MemberFilter:
    form = FilterForm(filters or None, units=units_of(node))
    return filter_from(form)[0]


def export_name(node: Node) -> str:
    return f"hoi-vien-{node.code}-{timezone.localdate():%Y%m%d}.xlsx"


def export_members(*, actor, node: Node, filters: dict) -> bytes:
    """The sheet for `filters` (the list page's query), audited as an export."""
    paths = selectors.personal_paths(actor)
    qs = selectors.member_list(node, member_filter(node, filters), personal=selectors.may_see_personal(paths, node))
    members = list(qs)
    data = MEMBER_IMPORT.export(export_rows(members, personal_paths=paths))
    personal = any(p.startswith(node.path) or node.path.startswith(p) for p in paths)
    audit_log(
        actor=actor,
        action="members.exported_personal" if personal else "members.exported",
        node=node,
        target=node,
        after={"rows": len(members), "filters": filters},
    )
    return data


@register_job(EXPORT_TASK)
def export_task(job, progress) -> None:
    progress(0, 1, _("Writing the sheet"))
    data = export_members(actor=job.created_by, node=job.node, filters=job.params.get("filters") or {})
    job_attach_file(job, name=export_name(job.node), content=data)
    progress(1, 1, _("Done"))
