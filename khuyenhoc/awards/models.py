"""Award programmes, nominations up the tree, decisions, awards and their certificates.

A programme belongs to the association that runs it (its node). A nomination belongs to
the unit that proposed it (its `node`, e.g. a chapter) and sits at one level at a time
(`at_node`): each review moves it one level up until it reaches the programme's node,
where the council scores, ranks and approves it. An issued decision turns approved
nominations into awards; each award is one certificate with an unguessable public code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyenhoc.organizations.models import Node


class NomineeKind(models.TextChoices):
    STUDENT = "student", _("Pupil or student")
    TEACHER = "teacher", _("Teacher")
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Collective")
    FAMILY = "family", _("Learning family")
    CLAN = "clan", _("Learning clan")
    COMMUNITY = "community", _("Learning community")
    UNIT = "unit", _("Learning unit")


PERSON_KINDS = frozenset({NomineeKind.STUDENT, NomineeKind.TEACHER, NomineeKind.INDIVIDUAL})
# Kinds that a learning-title recognition record can be nominated as.
LEARNING_KINDS = frozenset({NomineeKind.FAMILY, NomineeKind.CLAN, NomineeKind.COMMUNITY, NomineeKind.UNIT})


class ProgrammeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("award programme", "Open for nominations")
    CLOSED = "closed", pgettext_lazy("award programme", "Closed")


class Programme(models.Model):
    """An award programme of one association for one year."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="award_programmes", verbose_name=_("association"))
    year = models.PositiveSmallIntegerField(_("year"))
    preset = models.CharField(_("example it was made from"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("criteria"), blank=True, help_text=_("Who qualifies and for what, as printed in the call for nominations."))
    nominee_kinds = models.JSONField(_("who may be nominated"), default=list)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True, help_text=_("Age reached in the programme's year."))
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True, help_text=_("Age reached in the programme's year."))
    requires_poor_household = models.BooleanField(_("only pupils of poor or near-poor households"), default=False)
    requires_evidence = models.BooleanField(
        _("evidence required"), default=False, help_text=_("A nomination cannot leave its unit without at least one evidence file.")
    )
    requires_recognition = models.BooleanField(
        _("only from a recognition record"), default=False, help_text=_("Learning families, clans and communities recognised this year.")
    )
    rubric = models.JSONField(_("scoring rubric"), default=list, blank=True)
    pass_score = models.PositiveSmallIntegerField(_("pass mark"), null=True, blank=True)
    amount = models.BigIntegerField(_("amount per award (đồng)"), default=0)
    gift = models.CharField(_("gift"), max_length=200, blank=True, help_text=_("e.g. a backpack and 10 notebooks"))
    budget = models.BigIntegerField(_("budget (đồng)"), default=0)
    deadline = models.DateField(_("nomination deadline"))
    certificate_text = models.CharField(
        _("text on the certificate"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 'Đã có thành tích xuất sắc trong công tác khuyến học, khuyến tài năm 2022'"),
    )
    status = models.CharField(_("status"), max_length=8, choices=ProgrammeStatus.choices, default=ProgrammeStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "node__path", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "year", "name"], name="awards_programme_unique_name")]
        verbose_name = _("award programme")
        verbose_name_plural = _("award programmes")

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def is_open(self) -> bool:
        return self.status == ProgrammeStatus.OPEN

    @property
    def rubric_max(self) -> int:
        return sum(int(item.get("max", 0)) for item in self.rubric or [])

    def kinds_display(self) -> list[str]:
        labels = dict(NomineeKind.choices)
        return [str(labels.get(k, k)) for k in self.nominee_kinds or []]


class Quota(models.Model):
    """At most `max_nominations` nominations from the subtree of `node` in a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="quotas")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    max_nominations = models.PositiveIntegerField(_("quota"))

    class Meta:
        ordering = ["node__path"]
        constraints = [models.UniqueConstraint(fields=["programme", "node"], name="awards_quota_unique")]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")

    def __str__(self) -> str:
        return f"{self.node} ≤ {self.max_nominations}"


class NominationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("nomination", "Awaiting review")
    RETURNED = "returned", pgettext_lazy("nomination", "Returned")
    APPROVED = "approved", pgettext_lazy("nomination", "Approved")
    REJECTED = "rejected", pgettext_lazy("nomination", "Not approved")
    AWARDED = "awarded", pgettext_lazy("nomination", "Awarded")
    WITHDRAWN = "withdrawn", pgettext_lazy("nomination", "Withdrawn")


# Nominations that take a place in a quota or may still be awarded.
LIVE_STATUSES = (NominationStatus.PENDING, NominationStatus.RETURNED, NominationStatus.APPROVED, NominationStatus.AWARDED)


class Nomination(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("programme"))
    # The unit that proposed the nominee: scoping follows it.
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    # The level where the nomination waits now.
    at_node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("now at"))
    nominee_kind = models.CharField(_("nominee type"), max_length=16, choices=NomineeKind.choices)
    nominee_name = models.CharField(_("name of the nominee"), max_length=200)
    name_sort = models.CharField(max_length=600, db_index=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    school = models.CharField(_("school, workplace or organisation"), max_length=200, blank=True)
    class_name = models.CharField(_("class"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    poor_household = models.BooleanField(_("poor or near-poor household"), default=False)
    achievement = models.TextField(_("achievements"))
    amount = models.BigIntegerField(_("amount (đồng)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PENDING)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)
    note = models.CharField(_("last note"), max_length=500, blank=True)
    # A learning-title recognition this nomination was made from (see learning_link.py).
    source_kind = models.CharField(max_length=40, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme_id", "name_sort", "id"]
        indexes = [
            models.Index(fields=["programme", "at_node", "status", "score"], name="awards_nom_rank"),
            models.Index(fields=["programme", "status"], name="awards_nom_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="awards_nomination_amount_not_negative"),
            models.UniqueConstraint(
                fields=["programme", "source_kind", "source_id"],
                condition=Q(source_id__isnull=False) & Q(status__in=["pending", "returned", "approved", "awarded"]),
                name="awards_nomination_source_once",
            ),
        ]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")

    def __str__(self) -> str:
        return f"{self.nominee_name} — {self.programme.name}"

    @property
    def is_person(self) -> bool:
        return self.nominee_kind in PERSON_KINDS

    @property
    def is_at_top(self) -> bool:
        return self.at_node_id == self.programme.node_id


class StepAction(models.TextChoices):
    SUBMITTED = "submitted", _("Nominated")
    EDITED = "edited", _("Corrected")
    RESUBMITTED = "resubmitted", _("Sent again")
    FORWARDED = "forwarded", _("Forwarded")
    RETURNED = "returned", pgettext_lazy("nomination step", "Returned")
    WITHDRAWN = "withdrawn", pgettext_lazy("nomination step", "Withdrawn")
    EVIDENCE = "evidence", _("Evidence attached")
    SCORED = "scored", _("Scored")
    APPROVED = "approved", pgettext_lazy("nomination step", "Approved")
    REJECTED = "rejected", pgettext_lazy("nomination step", "Not approved")
    AWARDED = "awarded", _("Awarded by decision")


class NominationStep(models.Model):
    """One step of a nomination's way up the tree: who did what, when, from where to where."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=12, choices=StepAction.choices)
    from_node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["nomination_id", "at", "id"]
        verbose_name = _("nomination step")
        verbose_name_plural = _("nomination steps")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class Evidence(models.Model):
    """A photo or PDF supporting a nomination; served only through a scoped view."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nomination_id", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Decision(models.Model):
    """A decision on awards (quyết định khen thưởng), issued once under one number."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="award_decisions", verbose_name=_("issued by"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    symbol = models.CharField(_("symbol"), max_length=30, default="QĐ-HKH")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    title = models.CharField(_("subject"), max_length=300)
    issuer_parent = models.CharField(_("supervising body"), max_length=200, blank=True)
    issuer_name = models.CharField(_("issuing association"), max_length=200)
    issuing_body = models.CharField(_("deciding body"), max_length=200, help_text=_("e.g. BAN THƯỜNG VỤ HỘI KHUYẾN HỌC THÀNH PHỐ BẮC KẠN"))
    legal_bases = models.TextField(_("legal bases"), blank=True, help_text=_("One per line."))
    recipients = models.TextField(_("recipients"), blank=True, help_text=_("One per line."))
    signer_title = models.CharField(_("signer's title"), max_length=200, help_text=_("Two lines allowed, e.g. 'TM. BAN THƯỜNG VỤ' and 'CHỦ TỊCH'."))
    signer_name = models.CharField(_("signer"), max_length=120)
    total = models.BigIntegerField(_("total (đồng)"), default=0)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-number"]
        constraints = [models.UniqueConstraint(fields=["node", "year", "number"], name="awards_decision_number_once")]
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        # Decree 30/2020: numbers below 10 take a leading zero ("05/QĐ-HKH").
        return f"{self.number:02d}/{self.symbol}"

    @property
    def certificate_symbol(self) -> str:
        """The certificate register's symbol: "QĐ-HKH" gives "GK-HKH"."""
        head, _sep, tail = self.symbol.partition("-")
        return f"GK-{tail}" if head.upper() in ("QĐ", "QD") and tail else "GK"


class Award(models.Model):
    """One awardee of an issued decision, and its certificate (giấy khen)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="awards")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="award")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="awards")
    line = models.PositiveIntegerField(_("no."))
    nominee_kind = models.CharField(_("nominee type"), max_length=16, choices=NomineeKind.choices)
    nominee_name = models.CharField(_("name"), max_length=200)
    public_name = models.CharField(_("name shown publicly"), max_length=200)
    details = models.CharField(_("class, school or unit"), max_length=300, blank=True)
    reason = models.CharField(_("for"), max_length=500)
    amount = models.BigIntegerField(_("amount (đồng)"), default=0)
    gift = models.CharField(_("gift"), max_length=200, blank=True)
    register_number = models.PositiveIntegerField(_("register number"))
    code = models.CharField(max_length=40, unique=True)
    # The fund's payment voucher (fund.Voucher id): the fund's ledger is the record of money.
    payment_voucher_id = models.BigIntegerField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["decision_id", "line"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "line"], name="awards_award_line_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="awards_award_amount_not_negative"),
        ]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.nominee_name} ({self.decision.code})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def payment_key(self) -> str:
        return f"awards.award:{self.pk}"

    @property
    def register_code(self) -> str:
        return f"{self.register_number:02d}/{self.decision.certificate_symbol}"


class CertificateTemplate(models.Model):
    """How an association's certificates look: names, signer, logo and seal."""

    node = models.OneToOneField(Node, on_delete=models.CASCADE, related_name="certificate_template")
    issuer_parent = models.CharField(_("supervising body"), max_length=200, blank=True)
    issuer_name = models.CharField(_("association name"), max_length=200)
    title = models.CharField(_("title"), max_length=60, default="GIẤY KHEN")
    conferring_body = models.CharField(
        _("conferring body"), max_length=200, help_text=_("Printed above 'TẶNG', e.g. BAN THƯỜNG VỤ HỘI KHUYẾN HỌC THÀNH PHỐ BẮC KẠN")
    )
    signer_title = models.CharField(_("signer's title"), max_length=200)
    signer_name = models.CharField(_("signer"), max_length=120)
    place = models.CharField(_("place"), max_length=100, blank=True)
    logo = models.FileField(_("logo"), max_length=255, blank=True)
    seal = models.FileField(_("seal or signature image"), max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")

    def __str__(self) -> str:
        return self.issuer_name


class DecisionTemplate(models.Model):
    """An association's own Word template for award decisions (docxtpl placeholders)."""

    node = models.OneToOneField(Node, on_delete=models.CASCADE, related_name="decision_template")
    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("decision template")
        verbose_name_plural = _("decision templates")

    def __str__(self) -> str:
        return self.original_name
