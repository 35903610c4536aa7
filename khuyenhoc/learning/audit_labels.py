"""Readable labels of the learning area's audit action codes, merged into core's table
at start-up (``LearningConfig.ready``), so their Vietnamese lives in this app's catalogue."""

from django.utils.translation import gettext_lazy as _

LEARNING_ACTION_LABELS = {
    "learning.criteria.created": _("Created a criteria set"),
    "learning.criteria.copied": _("Copied a criteria set"),
    "learning.criteria.updated": _("Changed a criteria set"),
    "learning.criteria.superseded": _("Created a new version of a criteria set"),
    "learning.criteria.activated": _("Offered a criteria set for registrations"),
    "learning.criteria.retired": _("Stopped offering a criteria set"),
    "learning.year.closed": _("Closed a year for the learning titles"),
    "learning.household.created": _("Added a household"),
    "learning.household.updated": _("Changed a household"),
    "learning.households.imported": _("Imported households from a sheet"),
    "learning.households.exported": _("Exported households (personal data)"),
    "learning.clan.created": _("Added a clan"),
    "learning.clan.updated": _("Changed a clan"),
    "learning.community.created": _("Added a village community"),
    "learning.unit.created": _("Added a unit"),
    "learning.unit.updated": _("Changed a unit"),
    "learning.subjects.synced": _("Added communities and units from the tree"),
    "learning.citizen.created": _("Added a citizen"),
    "learning.evaluation.registered": _("Registered for a learning title"),
    "learning.evaluation.withdrawn": _("Withdrew a registration"),
    "learning.evaluation.self_assessed": _("Recorded a self-assessment"),
    "learning.evaluation.reviewed": _("Reviewed a title dossier"),
    "learning.evaluation.returned": _("Returned a title dossier"),
    "learning.evaluation.approved": _("Approved learning titles"),
    "learning.evaluation.not_met": _("Marked titles as not met"),
    "learning.evaluation.recognised": _("Recognised learning titles"),
    "learning.recognition.recorded": _("Recorded a recognition decision"),
    "learning.public_link.rotated": _("Changed the public form address"),
    "learning.submission.confirmed": _("Confirmed a citizen's self-assessment"),
    "learning.submission.rejected": _("Rejected a citizen's self-assessment"),
}
