"""Messages the API router shows, kept here so their Vietnamese lives in the fund catalogue."""

from django.utils.translation import gettext_lazy as _

POSTED_IMMUTABLE = _("A posted voucher cannot be changed or deleted; reverse it instead.")
DRAFT_NOT_EDITED = _("A draft is not edited: reject it and draft it again.")
BAD_JSON = _("The request body is not valid JSON for this operation.")
ACCOUNT_NOT_IN_FUND = _("This account does not belong to the fund.")
