"""Readable names of the reports area's audit actions, added to core.audit.ACTION_LABELS."""

from django.utils.translation import gettext_lazy as _

REPORTS_ACTION_LABELS = {
    "reports.year.closed": _("Closed a year"),
    "reports.year.recorded": _("Recorded a past year's published figures"),
    "reports.figures.imported": _("Imported a statistics sheet"),
    "reports.programme.created": _("Created a programme or plan"),
    "reports.target.set": _("Set a target"),
    "reports.target.deleted": _("Removed a target"),
    "reports.template.uploaded": _("Uploaded a report template"),
    "reports.template.reset": _("Went back to the default report template"),
}
