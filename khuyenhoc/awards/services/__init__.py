"""Writes of the awards area. Pages, the API, the demo and commands call these."""

from .decisions import award_revoke, decision_defaults, decision_issue
from .nominations import (
    evidence_add,
    nomination_approve,
    nomination_create,
    nomination_forward,
    nomination_reject,
    nomination_resubmit,
    nomination_return,
    nomination_score,
    nomination_update,
    nomination_withdraw,
    nominations_approve_ranked,
)
from .payments import decision_approve_payments, decision_pay
from .programmes import (
    programme_create,
    programme_create_from_preset,
    programme_set_status,
    programme_update,
    quota_set,
)
from .templates import certificate_template_save, decision_template_remove, decision_template_upload

__all__ = [
    "award_revoke",
    "certificate_template_save",
    "decision_approve_payments",
    "decision_defaults",
    "decision_issue",
    "decision_pay",
    "decision_template_remove",
    "decision_template_upload",
    "evidence_add",
    "nomination_approve",
    "nomination_create",
    "nomination_forward",
    "nomination_reject",
    "nomination_resubmit",
    "nomination_return",
    "nomination_score",
    "nomination_update",
    "nomination_withdraw",
    "nominations_approve_ranked",
    "programme_create",
    "programme_create_from_preset",
    "programme_set_status",
    "programme_update",
    "quota_set",
]
