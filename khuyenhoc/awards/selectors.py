"""Reads of the awards area, limited to what the user may see.

Programmes are visible to the association that runs them and to every unit below it
(they are the ones who nominate); nominations follow the unit that proposed them;
decisions follow the association that issued them; an award is visible from either side.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Rank
from django.http import Http404

from khuyenhoc.accounts.permissions import Cap, granted_paths, subtree_q
from khuyenhoc.organizations.models import PATH_STEP, Node

from .models import (
    Award,
    Decision,
    Evidence,
    Nomination,
    NominationStatus,
    Programme,
    Quota,
)


def _ancestor_paths(paths: list[str]) -> set[str]:
    out: set[str] = set()
    for p in paths:
        out.update(p[: i * PATH_STEP] for i in range(1, len(p) // PATH_STEP + 1))
    return out


def programmes_for_user(user, cap: Cap = Cap.VIEW) -> QuerySet[Programme]:
    paths = granted_paths(user, cap)
    if not paths:
        return Programme.objects.none()
    return Programme.objects.filter(subtree_q(paths, "node__path") | Q(node__path__in=_ancestor_paths(paths))).select_related("node")


def get_programme(user, programme_id, cap: Cap = Cap.VIEW) -> Programme:
    try:
        return programmes_for_user(user, cap).get(pk=programme_id)
    except (Programme.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def programmes_open_to(node: Node) -> QuerySet[Programme]:
    """Programmes of this node and of every association above it."""
    return Programme.objects.filter(node__path__in=_ancestor_paths([node.path])).select_related("node")


def nominations_for_user(user, caps: tuple[Cap, ...] = (Cap.VIEW,)) -> QuerySet[Nomination]:
    paths = sorted({p for cap in caps for p in granted_paths(user, cap)})
    return Nomination.objects.filter(subtree_q(paths, "node__path"))


def get_nomination(user, nomination_id, cap: Cap = Cap.VIEW) -> Nomination:
    try:
        return (
            nominations_for_user(user, (cap,))
            .select_related("programme__node", "node", "at_node")
            .get(pk=nomination_id)
        )
    except (Nomination.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_evidence(user, evidence_id) -> Evidence:
    """Evidence holds personal data: only people who propose, review or see personal data."""
    qs = Evidence.objects.filter(nomination__in=nominations_for_user(user, (Cap.AWARDS_NOMINATE, Cap.AWARDS_DECIDE, Cap.VIEW_PERSONAL)))
    try:
        return qs.select_related("nomination").get(pk=evidence_id)
    except (Evidence.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def decisions_for_user(user, cap: Cap = Cap.VIEW) -> QuerySet[Decision]:
    return Decision.objects.filter(subtree_q(granted_paths(user, cap), "node__path")).select_related("node")


def get_decision(user, decision_id, cap: Cap = Cap.VIEW) -> Decision:
    try:
        return decisions_for_user(user, cap).get(pk=decision_id)
    except (Decision.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def awards_for_user(user, cap: Cap = Cap.VIEW) -> QuerySet[Award]:
    paths = granted_paths(user, cap)
    return Award.objects.filter(subtree_q(paths, "decision__node__path") | subtree_q(paths, "node__path"))


def get_award(user, award_id, cap: Cap = Cap.VIEW) -> Award:
    try:
        return awards_for_user(user, cap).select_related("decision__node", "programme").get(pk=award_id)
    except (Award.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def award_by_code(code: str) -> Award | None:
    code = (code or "").strip()
    if not code or len(code) > 40:
        return None
    return Award.objects.select_related("decision", "programme").filter(code=code).first()


# --- ranking and money ---------------------------------------------------------------


RANKED_STATUSES = (NominationStatus.PENDING, NominationStatus.APPROVED, NominationStatus.AWARDED)


def ranked_nominations(programme: Programme) -> QuerySet[Nomination]:
    """Nominations before the council, best first, with their rank and the running total.

    Rank and running total come from window functions, so the database ranks a
    province-wide programme in one query. Equal scores share a rank; the earlier
    nomination comes first in the running total. Unscored ones come last.
    """
    order = [F("score").desc(nulls_last=True), F("id").asc()]
    return (
        Nomination.objects.filter(programme=programme, at_node_id=programme.node_id, status__in=RANKED_STATUSES)
        .annotate(
            rank=Window(Rank(), order_by=[F("score").desc(nulls_last=True)]),
            running_total=Window(Sum("amount"), order_by=order),
        )
        .order_by(*order)
    )


def committed_amount(programme: Programme) -> int:
    """Money of nominations approved or awarded: what the budget already carries."""
    return (
        Nomination.objects.filter(programme=programme, status__in=[NominationStatus.APPROVED, NominationStatus.AWARDED]).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )


def status_counts(qs: QuerySet[Nomination]) -> dict[str, int]:
    return {row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("id"))}


def quota_usage(programme: Programme) -> list[tuple[Quota, int]]:
    quotas = list(programme.quotas.select_related("node"))
    if not quotas:
        return []
    live = Nomination.objects.filter(programme=programme, status__in=[s for s in NominationStatus.values if s not in ("rejected", "withdrawn")])
    out = []
    for q in quotas:
        out.append((q, live.filter(node__path__startswith=q.node.path).count()))
    return out


def payment_state(decision: Decision) -> dict:
    """How far the fund has paid a decision, read from the fund's own vouchers."""
    from khuyenhoc.fund.models import Voucher, VoucherStatus

    awards = list(decision.awards.filter(amount__gt=0, revoked_at__isnull=True).values("id", "amount", "payment_voucher_id"))
    due = sum(a["amount"] for a in awards)
    keys = [f"awards.award:{a['id']}" for a in awards]
    vouchers = {
        v.idempotency_key: v
        for v in Voucher.objects.filter(idempotency_key__in=keys).exclude(status=VoucherStatus.REJECTED)
    }
    posted = sum(v.amount for v in vouchers.values() if v.status == VoucherStatus.POSTED)
    drafted = sum(v.amount for v in vouchers.values() if v.status == VoucherStatus.DRAFT)
    if not awards:
        state = "nothing"
    elif posted == due:
        state = "paid"
    elif drafted + posted == due:
        state = "awaiting_approval"
    elif posted or drafted:
        state = "started"
    else:
        state = "unpaid"
    return {
        "state": state,
        "due": due,
        "posted": posted,
        "drafted": drafted,
        "count": len(awards),
        "vouchers": sorted(vouchers.values(), key=lambda v: v.pk),
        "unpaid_ids": [a["id"] for a in awards if f"awards.award:{a['id']}" not in vouchers],
    }
