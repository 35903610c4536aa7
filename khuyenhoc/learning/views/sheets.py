"""Excel sheets of a unit: households (template, import, export) and the year's points."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from khuyenhoc.accounts.permissions import Cap
from khuyenhoc.core.views import node_view

from ..forms import ScoresUploadForm, UploadForm, this_year
from ..services import sheets
from .common import head, year_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@node_view(Cap.TITLES_EDIT)
def household_import(request, node):
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = sheets.household_sheet_import(
                actor=request.user, node=node, data=upload.read(), filename=upload.name, since_year=this_year()
            )
        except sheets.SheetRefused as exc:
            errors = exc.messages
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Imported: %(c)s new households, %(u)s updated, %(n)s unchanged.") % {
                "c": result.created, "u": result.updated, "n": result.unchanged})
            return redirect("learning:household_list", node_id=node.pk)
    return render(request, "learning/import.html", {
        **head(request, node), "form": form, "errors": errors, "kind": "households",
        "template_url": reverse("learning:household_template", args=[node.pk]),
        "export_url": reverse("learning:household_export", args=[node.pk]),
    })


@node_view(Cap.TITLES_EDIT)
def household_template(request, node):
    return _xlsx(sheets.household_template(), "mau-nhap-ho-gia-dinh.xlsx")


@node_view(Cap.VIEW_PERSONAL)
def household_export(request, node):
    # Names, years of birth and minors: personal data, so only for those who may see it.
    from khuyenhoc.core.audit import audit_log

    audit_log(actor=request.user, action="learning.households.exported", node=node)
    return _xlsx(sheets.household_export(node), f"ho-gia-dinh-{node.code}.xlsx")


@node_view(Cap.TITLES_EDIT)
def scores_import(request, node):
    year = year_of(request, node)
    form = ScoresUploadForm(request.POST or None, request.FILES or None, initial={"year": year})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            evs = sheets.scores_sheet_import(
                actor=request.user, node=node, data=upload.read(), filename=upload.name, year=form.cleaned_data["year"]
            )
        except sheets.SheetRefused as exc:
            errors = exc.messages
        except ValidationError as exc:
            errors = exc.messages
        else:
            passed = sum(1 for e in evs if e.passed)
            messages.success(request, _("Scored %(n)s households: %(p)s meet the criteria.") % {"n": len(evs), "p": passed})
            return redirect(reverse("learning:review", args=[node.pk]) + f"?title=family&year={form.cleaned_data['year']}")
    return render(request, "learning/import.html", {
        **head(request, node), "form": form, "errors": errors, "kind": "scores", "year": year,
        "template_url": reverse("learning:scores_template", args=[node.pk]) + f"?year={year}",
    })


@node_view(Cap.TITLES_EDIT)
def scores_template(request, node):
    year = year_of(request, node)
    try:
        content = sheets.scores_sheet(node, year)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("learning:scores_import", node_id=node.pk)
    return _xlsx(content, f"tu-danh-gia-{node.code}-{year}.xlsx")
