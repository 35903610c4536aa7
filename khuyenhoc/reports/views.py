"""Reports pages. Thin: every node comes through the scoping decorator, every change through services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khuyenhoc.accounts.permissions import Cap, user_caps
from khuyenhoc.core.views import apply_validation_error, node_view
from khuyenhoc.organizations.models import Node

from . import drill, providers, selectors, services
from .forms import CloseForm, ReportOptionsForm, TargetForm, UploadForm
from .labels import FIGURE_LABELS, GROUP_LABELS, figure_label, is_money
from .models import PERCENT_INDICATORS, Indicator, Target

FIRST_YEAR = 2000
GROUP_ORDER = ("org", "members", "learning", "fund", "awards", "clc")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def year_from(request, node: Node) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if not year:
        return selectors.latest_year(node)
    if not FIRST_YEAR <= year <= today.year + 1:
        raise Http404
    return year


def _file_name(node: Node, year: int, stem: str, ext: str) -> str:
    return f"{stem}-{slugify(node.code) or node.pk}-{year}.{ext}"


# Main figures of each group, always listed, each followed by its breakdown (present keys only).
MAIN_KEYS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "org": [("communes", ()), ("chapters_and_boards", ("type_",)), ("chapters", ()), ("boards", ()), ("subchapters", ())],
    "members": [
        ("total", ("ethnicity_", "age_")),
        ("individual", ()),
        ("collective", ()),
        ("honorary", ()),
        ("male", ()),
        ("female", ()),
        ("joined", ()),
        ("left", ()),
    ],
    "learning": [
        *[(f"{t}_{s}", ()) for t in ("family", "clan", "community", "unit", "citizen") for s in ("total", "registered", "recognised")],
        ("adults", ()),
        ("unit_staff", ()),
    ],
    "fund": [("receipts", ("receipts_",)), ("payments", ("payments_",)), ("balance", ())],
    "awards": [("awards", ("programme_",)), ("amount", ()), ("certificates", ("certificates_",))],
    "clc": [("centres", ()), ("classes", ()), ("learners", ())],
}
OPTIONAL_MAIN = {"subchapters", "collective", "honorary", "adults", "unit_staff", "left"}


def _group_rows(stats: selectors.YearStats, group: str, *, year: int, node: Node) -> list[dict]:
    values = stats.total.get(group, {})
    reported = stats.reported.get(group, {})
    own = stats.own.get(group, {})
    order = list(FIGURE_LABELS.get(group, {}))
    base = reverse("reports:node_records", args=[node.pk])

    def row(key: str, sub: bool) -> dict:
        return {
            "key": key,
            "label": _label(group, key),
            "value": values.get(key, 0),
            "reported": reported.get(key, 0),
            "own": own.get(key, 0),
            "money": is_money(group, key),
            "sub": sub,
            "url": f"{base}?year={year}&group={group}&key={key}",
        }

    rows = []
    for key, prefixes in MAIN_KEYS.get(group, []):
        if key in OPTIONAL_MAIN and not values.get(key):
            continue
        rows.append(row(key, False))
        subs = [k for k in values if prefixes and k.startswith(prefixes)]
        subs.sort(key=lambda k: _sub_order(group, k, values, order))
        rows.extend(row(k, True) for k in subs)
    return rows


def _sub_order(group: str, key: str, values: dict[str, int], order: list[str]) -> tuple:
    if key.startswith("age_"):
        try:
            from khuyenhoc.members.selectors import AGE_BANDS

            codes = [f"age_{c}" for c, *_rest in AGE_BANDS]
            return (0, codes.index(key) if key in codes else len(codes), key)
        except ImportError:
            return (0, 0, key)
    if key.startswith(("ethnicity_", "programme_")):
        return (1, -values.get(key, 0), key)
    return (2, order.index(key) if key in order else len(order), key)


def _label(group: str, key: str) -> str:
    if group == "members" and key.startswith("ethnicity_"):
        code = key.removeprefix("ethnicity_")
        try:
            from khuyenhoc.members.ethnicities import CODE_TO_NAME

            return _("ethnicity %(name)s") % {"name": CODE_TO_NAME.get(code, _("not given"))}
        except ImportError:
            pass
    if group == "members" and key.startswith("age_"):
        try:
            from khuyenhoc.members.selectors import AGE_BANDS

            for code, _lo, _hi, label in AGE_BANDS:
                if key == f"age_{code}":
                    band = str(label)
                    return _("aged %(band)s") % {"band": band[:1].lower() + band[1:]}
        except ImportError:
            pass
    if group == "awards" and key.startswith("programme_"):
        return figure_label(group, key)
    return figure_label(group, key)


def _programme_names(stats) -> dict[str, str]:
    keys = [k for k in stats.total.get("awards", {}) if k.startswith("programme_")]
    ids = {k.removeprefix("programme_").rsplit("_", 1)[0] for k in keys}
    ids = [int(i) for i in ids if i.isdigit()]
    if not ids:
        return {}
    from django.apps import apps

    Programme = apps.get_model("awards", "Programme")
    return {str(p.pk): p.name for p in Programme.objects.filter(pk__in=ids)}


# --- statistics ----------------------------------------------------------------------------


@node_view(Cap.VIEW)
def node_stats(request, node):
    from .report import comparison, headline
    from .tables import build_tables

    year = year_from(request, node)
    stats = selectors.year_statistics(node, year)
    # Last year only feeds the comparison: the cached figures do (until the data changes).
    previous = selectors.cached_year_statistics(node, year - 1)
    names = _programme_names(stats)
    groups = []
    for g in GROUP_ORDER:
        rows = _group_rows(stats, g, year=year, node=node) if stats.available.get(g) else []
        for r in rows:
            if r["key"].startswith("programme_"):
                pid, _sep, what = r["key"].removeprefix("programme_").rpartition("_")
                r["label"] = f"{names.get(pid, pid)} ({_('amount') if what == 'amount' else _('awards')})"
                r["sub"] = True
        groups.append({"code": g, "label": GROUP_LABELS[g], "available": stats.available.get(g, False), "rows": rows})
    ctx = {
        "node": node,
        "year": year,
        "years": list(range(max(FIRST_YEAR, year - 8), min(timezone.localdate().year, year + 2) + 1)),
        "stats": stats,
        "previous": previous,
        "headline": headline(stats),
        "groups": groups,
        "tables": build_tables(stats, previous, own_label=_("%(name)s (its own records)") % {"name": node.name}),
        "comparison": comparison(stats, previous),
        "caps": user_caps(request.user, node),
        "can_close": (not stats.is_closed) and dt.date(year, 12, 31) < timezone.localdate(),
        "options": ReportOptionsForm(initial={"on": min(timezone.localdate(), dt.date(year, 12, 30))}),
        "awards_money": _award_money(stats),
    }
    return render(request, "reports/node_stats.html", ctx)


def _award_money(stats):
    from .narrative import award_money

    return {"total": award_money(stats), "own": award_money(stats, own=True)}


@node_view(Cap.VIEW)
def node_records(request, node):
    year = year_from(request, node)
    group = request.GET.get("group") or "org"
    key = request.GET.get("key") or "chapters_and_boards"
    if group not in providers.BY_GROUP or len(key) > 60:
        raise Http404
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    tree = selectors.tree_as_of(node, selectors.year_end(year))
    listing = drill.listing(tree, year, group, key, page=page) if tree else None
    reported = (
        selectors.ReportedFigures.objects.filter(year=year, node_id__in=tree.ids).select_related("node")
        if tree
        else []
    )
    reported_rows = [(rf.node.name, rf.figures.get(group, {}).get(key)) for rf in reported if rf.figures.get(group, {}).get(key)]
    ctx = {
        "node": node,
        "year": year,
        "group": group,
        "key": key,
        "label": _label(group, key),
        "group_label": GROUP_LABELS.get(group, group),
        "listing": listing,
        "rows": [list(zip(listing.columns, r, strict=False)) for r in listing.rows] if listing else [],
        "reported_rows": reported_rows,
        "money": is_money(group, key),
        "page": page,
        "has_next": bool(listing and listing.total > page * 100),
    }
    return render(request, "reports/records.html", ctx)


# --- documents ----------------------------------------------------------------------------


def _options(request, year: int) -> tuple[str, dt.date | None]:
    form = ReportOptionsForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["number"] or "", form.cleaned_data["on"]
    return "", None


@node_view(Cap.VIEW)
def node_report_docx(request, node):
    from .docx_report import render_report
    from .report import report_data

    year = year_from(request, node)
    number, on = _options(request, year)
    try:
        content = render_report(report_data(node, year, on=on, number=number))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('reports:node_template', args=[node.pk])}")
    resp = HttpResponse(content, content_type=DOCX_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{_file_name(node, year, "bao-cao-tong-ket", "docx")}"'
    return resp


@node_view(Cap.VIEW)
def node_tables_xlsx(request, node):
    from .report import report_data
    from .xlsx_tables import render_tables

    year = year_from(request, node)
    content = render_tables(report_data(node, year))
    resp = HttpResponse(content, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{_file_name(node, year, "bieu-thong-ke", "xlsx")}"'
    return resp


# --- year close -------------------------------------------------------------------------------


@node_view(Cap.REPORTS_CLOSE)
def node_close(request, node):
    year = year_from(request, node)
    form = CloseForm(request.POST or None)
    waiting = selectors.children_not_closed(node, year)
    closed = selectors.YearClose.objects.filter(node=node, year=year).first()
    if request.method == "POST" and form.is_valid():
        try:
            services.year_close(actor=request.user, node=node, year=year)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The year %(year)s is closed; its figures are frozen.") % {"year": year})
            return redirect(f"{reverse('reports:node_stats', args=[node.pk])}?year={year}")
    return render(request, "reports/close.html", {"node": node, "year": year, "form": form, "waiting": waiting, "closed": closed})


# --- statistics sheet ------------------------------------------------------------------------------


@node_view(Cap.REPORTS_CLOSE)
def node_import(request, node):
    from khuyenhoc.imports.reading import ImportFileError
    from khuyenhoc.imports.services import import_file

    from .statsheet import STATISTICS_SHEET

    year = year_from(request, node)
    form = UploadForm(request.POST or None, request.FILES or None)
    job = None
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            job = import_file(actor=request.user, node=node, kind=STATISTICS_SHEET, file_name=f.name, data=f.read())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if job.status == "done":
                messages.success(request, _("The statistics sheet was imported: %(n)s units.") % {"n": (job.result or {}).get("units", 0)})
                return redirect(f"{reverse('reports:node_stats', args=[node.pk])}?year={year}")
    reported = selectors.ReportedFigures.objects.filter(node__path__startswith=node.path).select_related("node").order_by("-year", "node__path")[:200]
    return render(
        request,
        "reports/import.html",
        {"node": node, "year": year, "form": form, "job": job, "reported": reported, "caps": user_caps(request.user, node)},
    )


@node_view(Cap.REPORTS_CLOSE)
def node_import_template(request, node):
    from .statsheet import template_for

    year = year_from(request, node)
    resp = HttpResponse(template_for(node, year), content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{_file_name(node, year, "mau-bieu-thong-ke", "xlsx")}"'
    return resp


# --- targets ------------------------------------------------------------------------------------


@node_view(Cap.VIEW)
def node_targets(request, node):
    year = year_from(request, node)
    stats = selectors.year_statistics(node, year, compare=False)
    child_ids = [c.node_id for c in stats.children]
    book = selectors.TargetBook(node, year, child_ids)
    checks = selectors.progress(node, stats, book)
    by_child = selectors.child_progress(node, stats, book)
    indicators = []
    for _row, row_checks in by_child:
        for c in row_checks:
            if c.target.indicator not in indicators and c.target.is_percent:
                indicators.append(c.target.indicator)
    child_table = []
    for row, row_checks in by_child:
        cells = []
        for ind in indicators:
            mine = [c for c in row_checks if c.target.indicator == ind]
            # The strictest target that applies (a plan's own figure usually).
            best = max(mine, key=lambda c: (c.target.node_id is not None, c.target.value), default=None)
            cells.append(best)
        child_table.append((row, cells))
    history_indicators = [
        Indicator.FAMILY_RATE, Indicator.CLAN_RATE, Indicator.COMMUNITY_RATE, Indicator.UNIT_RATE, Indicator.MEMBERS, Indicator.FUND_RECEIPTS
    ]
    history = [
        (s, [(selectors.indicator_value(s.total, s.available, ind), ind in PERCENT_INDICATORS) for ind in history_indicators])
        for s in selectors.history(node, year)
    ]
    plan_year = year + 1
    plan = services.plan_for(node, plan_year)
    caps = user_caps(request.user, node)
    form = None
    if Cap.REPORTS_CLOSE in caps:
        form = TargetForm(node_choices=[(c.node_id, c.name) for c in stats.children if c.kind in selectors.ASSOCIATION_KINDS])
    ctx = {
        "node": node,
        "year": year,
        "stats": stats,
        "checks": checks,
        "indicators": [(i, Indicator(i).label) for i in indicators],
        "child_table": child_table,
        "history": history,
        "history_indicators": [(i, Indicator(i).label) for i in history_indicators],
        "plan": plan,
        "plan_year": plan_year,
        "plan_targets": Target.objects.filter(programme=plan).select_related("node").order_by("node__path", "indicator") if plan else [],
        "form": form,
        "caps": caps,
    }
    return render(request, "reports/targets.html", ctx)


@node_view(Cap.REPORTS_CLOSE)
@require_POST
def node_target_set(request, node):
    year = year_from(request, node)
    plan_year = year + 1
    stats_children = selectors.tree_as_of(node, timezone.localdate()) or None
    choices = [(c.id, c.name) for c in (stats_children.children if stats_children else []) if c.kind in selectors.ASSOCIATION_KINDS]
    form = TargetForm(request.POST, node_choices=choices)
    back = f"{reverse('reports:node_targets', args=[node.pk])}?year={year}"
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e) for f, e in form.errors.items()))
        return redirect(back)
    target_node = None
    if form.cleaned_data["node"]:
        target_node = Node.objects.filter(pk=form.cleaned_data["node"], path__startswith=node.path).first()
        if target_node is None:
            raise Http404
    try:
        plan = services.plan_get_or_create(actor=request.user, node=node, year=plan_year)
        services.target_set(
            actor=request.user,
            programme=plan,
            year=plan_year,
            indicator=form.cleaned_data["indicator"],
            value=form.cleaned_data["value"],
            node=target_node,
            above=form.cleaned_data["above"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Target saved."))
    return redirect(back)


# --- dashboard ----------------------------------------------------------------------------------


@node_view(Cap.VIEW)
def node_dashboard(request, node):
    # The access check above runs for every request; only what it guards is shared.
    year = year_from(request, node)
    return render(
        request,
        "reports/dashboard.html",
        {"node": node, "year": year, "figures": dashboard_figures(node, year), "caps": user_caps(request.user, node)},
    )


def dashboard_figures(node: Node, year: int) -> str:
    """The dashboard's figures and charts as HTML, rendered once per node, year, language and
    state of the data and kept beside the figures they draw (`selectors.shared_get_current`:
    any change to the data writes an audit row, which makes every copy stale at once). A
    warm request reads it in one query instead of reading the figures and rendering them.

    Rendered without the request: nothing in it depends on who asks (the person's name,
    their tabs and the CSRF token are in the page around it, rendered every time)."""
    key = f"dashboard-html:{node.pk}:{node.path}:{year}:{translation.get_language()}"
    html = selectors.shared_get_current(key)
    if html is None:
        version = selectors.data_version()
        data = selectors.dashboard_data(node, year, version=version)
        html = render_to_string("reports/_dashboard_figures.html", {"year": year, "data": data})
        selectors.shared_set(key, version, html)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when it was rendered


# --- the report template -----------------------------------------------------------------------


@node_view(Cap.VIEW)
def node_template(request, node):
    from .docx_report import PLACEHOLDERS
    from .models import ReportTemplate

    caps = user_caps(request.user, node)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if Cap.REPORTS_CLOSE not in caps:
            raise Http404
        if request.POST.get("reset"):
            services.template_reset(actor=request.user, node=node)
            messages.success(request, _("The default template is used again."))
            return redirect("reports:node_template", node_id=node.pk)
        if form.is_valid():
            f = form.cleaned_data["file"]
            try:
                services.template_upload(actor=request.user, node=node, file_name=f.name, content=f.read())
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The template was saved; reports of this association use it from now on."))
                return redirect("reports:node_template", node_id=node.pk)
    current = ReportTemplate.objects.filter(node=node, active=True).first()
    return render(
        request,
        "reports/template.html",
        {"node": node, "form": form, "current": current, "placeholders": sorted(PLACEHOLDERS.items()), "caps": caps},
    )


@node_view(Cap.VIEW)
def node_template_default(request, node):
    from .docx_report import DEFAULT_TEMPLATE

    resp = HttpResponse(DEFAULT_TEMPLATE.read_bytes(), content_type=DOCX_TYPE)
    resp["Content-Disposition"] = 'attachment; filename="mau-bao-cao-tong-ket.docx"'
    return resp
