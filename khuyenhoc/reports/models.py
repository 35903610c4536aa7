"""Year close (frozen figures), figures reported by units outside the system, targets, templates.

Figures are stored as JSON of the shape ``{group: {key: int}}`` — the same shape the
providers (providers.py) compute — so a frozen year and a live year compare key by key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khuyenhoc.organizations.models import Node


class CloseBasis(models.TextChoices):
    RECORDED = "recorded", _("Recorded in the system")
    REPORTED = "reported", _("Reported figures")


class YearClose(models.Model):
    """A year closed at a unit: its statistics frozen as they stood when it was closed.

    ``figures`` holds the whole roll-up: ``{"total": {...}, "reported": {...}, "own": {...},
    "children": [{"node_id", "name", "reported", "figures"}]}``. A close on the basis of
    reported figures (years before the unit used the system) keeps published figures for
    which no records exist, so no difference against the records is shown for it.
    """

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("association unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(_("basis"), max_length=8, choices=CloseBasis.choices, default=CloseBasis.RECORDED)
    source = models.CharField(_("source"), max_length=255, blank=True)
    figures = models.JSONField()

    class Meta:
        ordering = ["node_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="reports_yearclose_unique")]
        verbose_name = _("closed year")
        verbose_name_plural = _("closed years")

    def __str__(self) -> str:
        return f"{self.node_id} {self.year}"


class ReportedFigures(models.Model):
    """Figures a unit that does not use the system sent up in the statistics sheet.

    They are added to the roll-up of every unit above it and shown as reported, not
    recorded. One row per unit and year; a new import for the same unit and year replaces
    the figures (the audit trail keeps the old ones).
    """

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("association unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField()
    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        ordering = ["node_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="reports_reported_unique")]
        indexes = [models.Index(fields=["year", "node"], name="reports_reported_year_node")]
        verbose_name = _("reported figures")
        verbose_name_plural = _("reported figures")

    def __str__(self) -> str:
        return f"{self.node_id} {self.year}"


class ProgrammeKind(models.TextChoices):
    STATE = "state", _("State programme")
    CONGRESS = "congress", _("Association congress plan")
    PLAN = "plan", _("Association plan")


class Programme(models.Model):
    """A programme or plan that sets targets: QĐ 387, QĐ 677, a congress resolution,
    a province's plan, an association's yearly direction (phương hướng nhiệm vụ).

    ``node`` is the association that owns the plan (its targets apply to its subtree);
    empty for state programmes that apply everywhere.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=ProgrammeKind.choices)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("association")
    )
    year_from = models.PositiveSmallIntegerField(_("from year"))
    year_to = models.PositiveSmallIntegerField(_("to year"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["year_from", "code"]
        verbose_name = _("programme or plan")
        verbose_name_plural = _("programmes and plans")

    def __str__(self) -> str:
        return self.name


class Indicator(models.TextChoices):
    """What a target measures. Rates are recognised titles over the total (or over those
    registered where the indicator says so); counts and amounts are absolute."""

    FAMILY_RATE = "family_rate", _("Learning families, % of households")
    CLAN_RATE = "clan_rate", _("Learning clans, % of clans")
    CLAN_REGISTERED_RATE = "clan_registered_rate", _("Learning clans, % of registered clans")
    COMMUNITY_RATE = "community_rate", _("Learning communities, % of villages and residential groups")
    UNIT_RATE = "unit_rate", _("Learning units, % of agencies, schools and firms")
    CITIZEN_COMMUNITY_RATE = "citizen_community_rate", _(
        "Learning citizens, % of adults in families, clans and communities"
    )
    CITIZEN_UNIT_RATE = "citizen_unit_rate", _("Learning citizens, % of staff in units")
    CITIZEN_WORKING_AGE_RATE = "citizen_working_age_rate", _("Learning citizens, % of working-age people")
    CITIZEN_DIGITAL_RATE = "citizen_digital_rate", _("Learning citizens with the digital skills their work needs, %")
    MEMBERS = "members", _("Members (number)")
    FUND_RECEIPTS = "fund_receipts", _("Fund raised (đồng)")


PERCENT_INDICATORS = {
    Indicator.FAMILY_RATE,
    Indicator.CLAN_RATE,
    Indicator.CLAN_REGISTERED_RATE,
    Indicator.COMMUNITY_RATE,
    Indicator.UNIT_RATE,
    Indicator.CITIZEN_COMMUNITY_RATE,
    Indicator.CITIZEN_UNIT_RATE,
    Indicator.CITIZEN_WORKING_AGE_RATE,
    Indicator.CITIZEN_DIGITAL_RATE,
}


class Target(models.Model):
    """One target of a programme: by ``year``, ``indicator`` reaches ``value``.

    ``node`` empty: the target applies to every association under the programme; set:
    a plan's target for one child association. ``value`` is a per cent with one decimal
    for rates, a whole number of members or đồng for the absolute indicators.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("for association")
    )
    year = models.PositiveSmallIntegerField(_("by year"))
    indicator = models.CharField(_("indicator"), max_length=32, choices=Indicator.choices)
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=1)
    above = models.BooleanField(_("more than"), default=False, help_text=_("The target reads '> value' rather than 'value'."))
    unconfirmed = models.BooleanField(
        _("unconfirmed"), default=False, help_text=_("The figure could not be confirmed in the source text.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["programme_id", "year", "indicator", "node_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "indicator", "node"], name="reports_target_unique"
            ),
            models.UniqueConstraint(
                fields=["programme", "year", "indicator"],
                condition=Q(node__isnull=True),
                name="reports_target_unique_general",
            ),
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.programme_id} {self.year} {self.indicator} {self.value}"

    @property
    def is_percent(self) -> bool:
        return self.indicator in PERCENT_INDICATORS


class ReportTemplate(models.Model):
    """An association's own DOCX template for the annual review report (replaces the default)."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("association unit"))
    file = models.FileField(_("file"), upload_to="reports/templates/%Y/")
    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["node_id", "-uploaded_at", "-id"]
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")

    def __str__(self) -> str:
        return self.file_name


class FiguresCache(models.Model):
    """Computed figures shared by every app server until the data changes.

    ``version`` is the newest audit row when they were computed: every change to members,
    titles, funds, awards or reports writes one, so a row with an older version is stale.
    Rows are a cache only: deleting them all is always safe.
    """

    key = models.CharField(max_length=200, unique=True)
    version = models.BigIntegerField()
    data = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cached figures")
        verbose_name_plural = _("cached figures")

    def __str__(self) -> str:
        return self.key
