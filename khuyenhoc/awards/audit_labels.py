"""Readable labels of the awards area's audit codes, merged into core's table at start-up.

Kept here (as the fund does) so their Vietnamese lives in this app's own catalogue.
"""

from django.utils.translation import gettext_lazy as _

AWARDS_ACTION_LABELS = {
    "awards.programme.created": _("Created an award programme"),
    "awards.programme.updated": _("Changed an award programme"),
    "awards.programme.closed": _("Closed an award programme"),
    "awards.programme.reopened": _("Reopened an award programme"),
    "awards.quota.set": _("Set a nomination quota"),
    "awards.nomination.submitted": _("Proposed a nomination"),
    "awards.nomination.updated": _("Corrected a nomination"),
    "awards.nomination.resubmitted": _("Sent a returned nomination again"),
    "awards.nomination.forwarded": _("Forwarded a nomination"),
    "awards.nomination.returned": _("Returned a nomination"),
    "awards.nomination.withdrawn": _("Withdrew a nomination"),
    "awards.nomination.scored": _("Scored a nomination"),
    "awards.nomination.approved": _("Approved a nomination"),
    "awards.nomination.approved_ranked": _("Approved nominations in rank order"),
    "awards.nomination.rejected": _("Did not approve a nomination"),
    "awards.evidence.added": _("Attached evidence to a nomination"),
    "awards.evidence.viewed": _("Opened a nomination's evidence"),
    "awards.decision.issued": _("Issued an award decision"),
    "awards.decision.exported": _("Printed an award decision"),
    "awards.decision.payment_drafted": _("Drafted the payment of an award decision"),
    "awards.certificates.printed": _("Printed certificates"),
    "awards.award.revoked": _("Revoked a certificate"),
    "awards.template.certificate_saved": _("Changed the certificate template"),
    "awards.template.decision_uploaded": _("Uploaded a decision template"),
    "awards.template.decision_removed": _("Removed the decision template"),
    "awards.nominations.moved": _("Moved award nominations to the successor unit"),
}
