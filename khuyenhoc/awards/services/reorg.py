"""How awards follow the reorganisation of the tree (registered in AwardsConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from khuyenhoc.core.audit import audit_log
from khuyenhoc.organizations.models import Node

from ..models import Nomination, NominationStatus, Programme, ProgrammeStatus

OPEN_STATUSES = (NominationStatus.PENDING, NominationStatus.RETURNED, NominationStatus.APPROVED)


def close_check(node: Node) -> str | None:
    """A unit cannot close while nominations wait for it to review them."""
    waiting = Nomination.objects.filter(at_node=node, status__in=[NominationStatus.PENDING, NominationStatus.RETURNED]).count()
    if waiting:
        return _("%(n)s award nominations are waiting at it: forward, return or withdraw them, or merge the unit instead.") % {"n": waiting}
    return None


def move_nominations(old: Node, new: Node, effective: dt.date) -> int:
    """On a merge, open programmes and nominations still under way follow the successor;
    issued decisions and their awards stay with the association that issued them."""
    programmes = Programme.objects.filter(node=old, status=ProgrammeStatus.OPEN).update(node=new)
    live = Nomination.objects.filter(status__in=OPEN_STATUSES)
    proposed = live.filter(node=old).update(node=new)
    waiting = live.filter(at_node=old).update(at_node=new)
    if programmes or proposed or waiting:
        audit_log(actor=None, action="awards.nominations.moved", node=new, target=new,
                  before={"node": old.pk}, after={"programmes": programmes, "proposed": proposed, "waiting": waiting, "effective": effective.isoformat()})
    return programmes + proposed + waiting
