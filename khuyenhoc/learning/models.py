"""The five learning titles: subjects, criteria sets, yearly evaluations and decisions.

Subjects persist across years (a household, a clan, a village community, a unit, a
citizen); a title is yearly, one ``Evaluation`` per (title, subject, year). The score
columns (total, passed, grade) are stored on the evaluation so that counting and the
review table never re-run the engine. Every subject and every evaluation carries its
tree ``node`` for scoping.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyenhoc.organizations.models import Node

from .criteria import CriteriaSet as EngineSet
from .criteria import Scorer, load_set


class Title(models.TextChoices):
    FAMILY = "family", _("Learning family")
    CLAN = "clan", _("Learning clan")
    COMMUNITY = "community", _("Learning community")
    UNIT = "unit", _("Learning unit")
    CITIZEN = "citizen", _("Learning citizen")


# Which foreign key of Evaluation holds the subject of each title.
SUBJECT_FIELD: dict[str, str] = {
    Title.FAMILY: "household",
    Title.CLAN: "clan",
    Title.COMMUNITY: "community",
    Title.UNIT: "unit",
    Title.CITIZEN: "citizen",
}


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SELF_ASSESSED = "self_assessed", _("Self-assessed")
    REVIEWED = "reviewed", _("Reviewed")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    RECOGNISED = "recognised", _("Recognised")
    NOT_MET = "not_met", _("Not met")


class Audience(models.TextChoices):
    FARMERS = "farmers", _("Farmers and rural workers")
    WORKERS = "workers", _("Industrial and handicraft workers")
    OFFICIALS = "officials", _("Officials and staff from commune level up")
    PUPILS = "pupils", _("Pupils and students")


class Gender(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


# --------------------------------------------------------------------------- criteria


_SCORERS: dict[str, Scorer] = {}


class CriteriaSetVersion(models.Model):
    """One version of a criteria set, kept as the TOML text the engine reads.

    The header fields are copies of what the text says, for listing and choosing
    without parsing. A version used by a closed year is frozen: it can only be
    superseded by a new version.
    """

    code = models.CharField(_("code"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(pgettext_lazy("learning title", "title"), max_length=20)
    audience = models.CharField(_("group of people"), max_length=16, blank=True, default="")
    name = models.CharField(_("name"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=200)
    scope = models.CharField(_("scope"), max_length=16)
    official = models.BooleanField(_("official"), default=False)
    is_sample = models.BooleanField(_("sample"), default=False)
    max_total = models.PositiveSmallIntegerField(_("maximum points"))
    pass_min_total = models.PositiveSmallIntegerField(_("pass mark"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    toml = models.TextField(_("criteria file"))
    builtin = models.BooleanField(_("shipped with the software"), default=False)
    # The association that owns the set; None for the national sets shipped as files.
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owner"),
    )
    active = models.BooleanField(_("offered for new registrations"), default=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="learning_set_code_version")
        ]
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.toml.encode()).hexdigest()

    def parsed(self) -> EngineSet:
        """The engine's set, parsed once per process and text."""
        return _parsed(self.toml, self.code)

    def scorer(self) -> Scorer:
        key = self.digest
        scorer = _SCORERS.get(key)
        if scorer is None:
            scorer = _SCORERS[key] = Scorer(self.parsed())
        return scorer

    @property
    def title_label(self) -> str:
        return Title(self.title).label if self.title in Title.values else self.title


@functools.lru_cache(maxsize=256)
def _parsed(text: str, code: str) -> EngineSet:
    return load_set(text, filename=f"{code}.toml")


# --------------------------------------------------------------------------- subjects


class SubjectQuerySet(models.QuerySet):
    def existing_in(self, year: int):
        """Subjects that existed during ``year``."""
        return self.filter(since_year__lte=year).filter(
            Q(until_year__isnull=True) | Q(until_year__gte=year)
        )


class Subject(models.Model):
    """What every subject shares: its node and the years it existed."""

    # Indexed with the years below: counting a subtree is an index-only scan.
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", db_index=False)
    since_year = models.PositiveSmallIntegerField(_("recorded since (year)"))
    until_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["node", "since_year", "until_year"], name="%(app_label)s_%(class)s_node_years"),
        ]


class Household(Subject):
    code = models.CharField(
        _("household code"), max_length=40,
        help_text=_("Unique in the chapter; used to match rows when a sheet is imported again."),
    )
    head_name = models.CharField(_("head of household"), max_length=120)
    head_sort = models.CharField(max_length=255, db_index=True, editable=False)
    search = models.CharField(max_length=255, editable=False, default="")
    address = models.CharField(_("address"), max_length=200, blank=True, default="")

    class Meta(Subject.Meta):
        ordering = ["node_id", "head_sort"]
        constraints = [
            models.UniqueConstraint(fields=["node", "code"], name="learning_household_code")
        ]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.head_name


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other")


class Schooling(models.TextChoices):
    NONE = "", _("(not applicable)")
    NOT_YET = "not_yet", _("Not yet of school age")
    IN_SCHOOL = "in_school", _("At school")
    COMPLETED = "completed", _("Completed schooling")
    DROPPED_OUT = "dropped_out", _("Dropped out")


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=120)
    name_sort = models.CharField(max_length=255, editable=False, default="")
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    relation = models.CharField(_("relation to the head"), max_length=12, choices=Relation.choices)
    schooling = models.CharField(
        _("schooling"), max_length=12, choices=Schooling.choices, blank=True, default=""
    )
    literate = models.BooleanField(_("can read and write"), default=True)
    studies_topic = models.BooleanField(
        _("studied at least one topic this year"), default=False
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["household_id", "position", "id"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return self.full_name

    def age_in(self, year: int) -> int:
        return year - self.birth_year


class Clan(Subject):
    """A clan or a branch of it (families of one surname in a commune may register together)."""

    name = models.CharField(_("name"), max_length=200)
    surname = models.CharField(_("surname"), max_length=40)
    representative = models.CharField(_("representative"), max_length=120, blank=True, default="")
    households = models.ManyToManyField(Household, related_name="clans", blank=True)

    class Meta(Subject.Meta):
        ordering = ["node_id", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="learning_clan_name")]
        verbose_name = _("clan")
        verbose_name_plural = _("clans")

    def __str__(self) -> str:
        return self.name


class Community(Subject):
    """A village or residential group, usually the chapter node itself."""

    name = models.CharField(_("name"), max_length=200)

    class Meta(Subject.Meta):
        ordering = ["node_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="learning_community_name")
        ]
        verbose_name = _("village community")
        verbose_name_plural = _("village communities")

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    SCHOOL = "school", _("School")
    FIRM = "firm", _("Firm")


class Unit(Subject):
    """An agency, school or firm, usually a study-promotion board node."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=UnitKind.choices)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)

    class Meta(Subject.Meta):
        ordering = ["node_id", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="learning_unit_name")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Citizen(Subject):
    full_name = models.CharField(_("full name"), max_length=120)
    name_sort = models.CharField(max_length=255, editable=False, default="", db_index=True)
    search = models.CharField(max_length=255, editable=False, default="")
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    audience = models.CharField(_("group of people"), max_length=16, choices=Audience.choices)
    member = models.OneToOneField(
        HouseholdMember, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="citizen", verbose_name=_("household member"),
    )

    class Meta(Subject.Meta):
        ordering = ["node_id", "name_sort"]
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return self.full_name


# ------------------------------------------------------------------------ the workflow


class DecidingBody(models.TextChoices):
    COMMUNE_COMMITTEE = "commune_committee", _("Commune People's Committee")
    ASSOCIATION = "association", _("Study-promotion association")
    OTHER = "other", _("Other body")


class Recognition(models.Model):
    """A decision recognising many evaluations at once (the list attached to it)."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(pgettext_lazy("learning title", "title"), max_length=12, choices=Title.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    body = models.CharField(_("deciding body"), max_length=20, choices=DecidingBody.choices)
    body_name = models.CharField(_("name of the deciding body"), max_length=200)
    number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decision date"))
    note = models.TextField(_("note"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(number=""), name="learning_recognition_has_number")
        ]
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")

    def __str__(self) -> str:
        return self.number


def _one_subject(title: str, field: str) -> Q:
    q = Q(title=title, **{f"{field}__isnull": False})
    for other in SUBJECT_FIELD.values():
        if other != field:
            q &= Q(**{f"{other}__isnull": True})
    return q


class Evaluation(models.Model):
    """One title for one subject in one year, from registration to recognition."""

    title = models.CharField(pgettext_lazy("learning title", "title"), max_length=12, choices=Title.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    # Indexed by the partial unique constraints below, not by separate FK indexes.
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations",
        db_index=False,
    )
    clan = models.ForeignKey(
        Clan, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations",
        db_index=False,
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations",
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations",
        db_index=False,
    )
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations",
        db_index=False,
    )
    criteria_set = models.ForeignKey(
        CriteriaSetVersion, on_delete=models.PROTECT, related_name="evaluations",
        verbose_name=_("criteria set"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # Points per item code as they stand now (after review), and — only once a review
    # changed them — as the subject assessed itself (empty means "the same": rows stay
    # narrow, which matters when a million are scored). Inputs are figures the subject
    # declared (e.g. a share of staff holding the citizen title); computed figures are
    # added when scoring.
    self_answers = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    used_inputs = models.JSONField(null=True, blank=True)
    self_total = models.PositiveSmallIntegerField(_("self-assessed points"), null=True, blank=True)
    total = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    max_total = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(_("meets the criteria"), null=True, blank=True)
    grade = models.CharField(max_length=40, blank=True, default="")
    grade_label = models.CharField(_("grade"), max_length=80, blank=True, default="")
    level = models.CharField(max_length=40, blank=True, default="")
    reasons = models.TextField(blank=True, default="")
    scored_at = models.DateTimeField(null=True, blank=True)
    last_comment = models.TextField(_("latest comment"), blank=True, default="")
    recognition = models.ForeignKey(
        Recognition, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "title", "id"]
        indexes = [
            # Counts over a subtree and the review table's filters (year, title, status)
            # in one index: counting is an index-only scan on PostgreSQL.
            models.Index(fields=["year", "title", "node", "status"], name="learning_eval_node_counts"),
        ]
        constraints = [
            *[
                models.UniqueConstraint(
                    fields=[field, "year"],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"learning_eval_one_{field}_year",
                )
                for field in SUBJECT_FIELD.values()
            ],
            models.CheckConstraint(
                condition=(
                    _one_subject(Title.FAMILY, "household")
                    | _one_subject(Title.CLAN, "clan")
                    | _one_subject(Title.COMMUNITY, "community")
                    | _one_subject(Title.UNIT, "unit")
                    | _one_subject(Title.CITIZEN, "citizen")
                ),
                name="learning_eval_subject_matches_title",
            ),
        ]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.get_title_display()} {self.year} — {self.subject}"

    @property
    def subject(self):
        return getattr(self, SUBJECT_FIELD[self.title])

    @property
    def self_points(self) -> dict:
        """The points as self-assessed (``self_answers`` is only kept when they differ)."""
        return self.self_answers or self.answers

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split("\n") if r]


class EvaluationStep(models.Model):
    """Who moved an evaluation from which status to which, when and why."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    from_status = models.CharField(max_length=16, blank=True, default="", choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    comment = models.TextField(blank=True, default="")
    changes = models.JSONField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["evaluation_id", "at", "id"]
        verbose_name = _("evaluation step")
        verbose_name_plural = _("evaluation steps")

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


# ------------------------------------------------------------- the public citizen form


class PublicLink(models.Model):
    """The unguessable address of a chapter's public learning-citizen form."""

    node = models.OneToOneField(Node, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=48, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public form link")
        verbose_name_plural = _("public form links")

    def __str__(self) -> str:
        return f"{self.node_id}"


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the chapter head")
    ACCEPTED = "accepted", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class CitizenSubmission(models.Model):
    """A self-assessment sent through the public form, waiting for the chapter head.

    Kept apart from citizens and evaluations so that nothing a stranger types can
    change or reveal an existing record; the chapter head confirms it into one.
    """

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    full_name = models.CharField(_("full name"), max_length=120)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    audience = models.CharField(_("group of people"), max_length=16, choices=Audience.choices)
    criteria_set = models.ForeignKey(CriteriaSetVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["node", "status"], name="learning_submission_pending")]
        verbose_name = _("citizen self-assessment")
        verbose_name_plural = _("citizen self-assessments")

    def __str__(self) -> str:
        return self.full_name
