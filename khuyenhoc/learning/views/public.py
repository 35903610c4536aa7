"""The public learning-citizen form, reached through a chapter's own link; no account needed.

The page shows only the chapter's name and the form. What a person sends waits for
the chapter head (``CitizenSubmission``): it never changes or reveals a record, so the
link can be posted on the village notice board. CSRF-protected and rate-limited per
address.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render

from khuyenhoc.core.views import apply_validation_error

from ..forms import AssessForm, PublicCitizenForm, this_year
from ..models import Audience, Title
from ..services import default_set, submission_create
from ..services.public import node_for_token

# Submissions allowed per client address and link in an hour.
RATE_LIMIT = 10
RATE_WINDOW = 3600


def _rate_key(request, token: str) -> str:
    # The same notion of the client's address as the login lockout (django-axes), so a
    # reverse proxy configured once for axes is configured for this limit too.
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request) or ""
    return "learning-public:" + hashlib.sha256(f"{token}|{address}".encode()).hexdigest()[:32]


def citizen_form(request, token):
    node = node_for_token(token)
    if node is None:
        raise Http404
    year = this_year()
    group = request.POST.get("group") or request.GET.get("group") or ""
    if group not in Audience.values:
        return render(request, "learning/public/citizen_groups.html", {"node": node, "groups": Audience.choices, "year": year})
    row = default_set(Title.CITIZEN, year, node=node, audience=group)
    if row is None:
        return render(request, "learning/public/citizen_groups.html", {
            "node": node, "groups": Audience.choices, "year": year, "missing": Audience(group).label})
    cset = row.parsed()
    person = PublicCitizenForm(request.POST or None)
    points = AssessForm(request.POST or None, cset=cset)
    if request.method == "POST":
        key = _rate_key(request, token)
        tries = cache.get(key, 0)
        if tries >= RATE_LIMIT:
            return render(request, "learning/public/citizen_limit.html", {"node": node}, status=429)
        if person.is_valid() and points.is_valid():
            cache.set(key, tries + 1, RATE_WINDOW)
            if person.cleaned_data.get("website"):
                # A bot filled the hidden field: thank it and keep nothing.
                return render(request, "learning/public/citizen_thanks.html", {"node": node, "total": None})
            data = person.cleaned_data
            try:
                sub = submission_create(
                    node=node, year=year, full_name=data["full_name"], birth_year=data["birth_year"],
                    gender=data["gender"], audience=group, criteria_set=row, answers=points.answers(),
                )
            except ValidationError as exc:
                apply_validation_error(points, exc)
            else:
                return render(request, "learning/public/citizen_thanks.html", {
                    "node": node, "total": sub.total, "passed": sub.passed, "max_total": row.max_total,
                    "pass_mark": row.pass_min_total, "min_per_item": cset.pass_rule.min_per_item,
                })
    return render(request, "learning/public/citizen_form.html", {
        "node": node, "person": person, "points": points, "group": group, "group_label": Audience(group).label,
        "cset": cset, "row": row, "year": year,
    })
