"""The public check of a certificate: anyone with its QR code or its code, no login.

An unknown, mistyped or forged code gets the same "not found" page as any other, with
nothing about why; a pupil is shown by given name and initials only.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse

from .. import selectors
from ..forms import CheckCodeForm


def certificate_check(request):
    form = CheckCodeForm(request.GET or None)
    if form.is_valid():
        code = form.cleaned_data["code"].strip().rstrip("/").rsplit("/", 1)[-1]
        return redirect(reverse("awards_public:certificate", args=[code or "-"]))
    return render(request, "awards/public/check.html", {"form": form})


def certificate(request, certificate_code):
    award = selectors.award_by_code(certificate_code)
    if award is None:
        response = render(request, "awards/public/not_found.html", {"form": CheckCodeForm()}, status=404)
    else:
        response = render(request, "awards/public/certificate.html", {"a": award, "d": award.decision, "p": award.programme})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response
