"""Readable labels of the member register's audit action codes.

Merged into `khuyenhoc.core.audit.ACTION_LABELS` by `MembersConfig.ready()`, so their
Vietnamese lives in this app's catalogue.
"""

from django.utils.translation import gettext_lazy as _

MEMBER_ACTION_LABELS = {
    "members.member.created": _("Added a member"),
    "members.member.updated": _("Changed a member's details"),
    "members.member.left": _("Recorded that a member left"),
    "members.member.rejoined": _("Recorded that a member rejoined"),
    "members.member.transferred": _("Transferred a member to another chapter"),
    "members.member.merged": _("Merged a duplicate member record"),
    "members.member.moved": _("Moved members to the successor unit"),
    "members.dues.recorded": _("Recorded dues"),
    "members.dues.cancelled": _("Cancelled a dues record"),
    "members.exported": _("Exported a member list"),
    "members.exported_personal": _("Exported a member list with ID numbers and phones"),
}
