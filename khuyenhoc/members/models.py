"""The member register: members, where they belonged when, transfers and yearly dues.

History is kept, never overwritten: every stay of a member in a chapter is a
`MembershipPeriod`, so "members of this subtree at the end of 2022" is answered from
periods even after transfers, leaves and re-organisations of the tree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .ethnicities import CHOICES as ETHNICITY_CHOICES


class MemberKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Collective")
    HONORARY = "honorary", _("Honorary")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("member status", "Active")
    LEFT = "left", pgettext_lazy("member status", "Left")
    # Kept for history after a duplicate was merged into another record.
    MERGED = "merged", _("Merged into another record")


class PeriodStart(models.TextChoices):
    JOINED = "joined", _("Joined the association")
    REJOINED = "rejoined", _("Rejoined")
    TRANSFER = "transfer", _("Transferred in")
    REORGANISED = "reorganised", _("Unit reorganised")


class PeriodEnd(models.TextChoices):
    LEFT = "left", _("Left the association")
    TRANSFER = "transfer", _("Transferred")
    REORGANISED = "reorganised", _("Unit reorganised")
    MERGED = "merged", _("Duplicate record merged")


class Member(models.Model):
    node = models.ForeignKey(
        "organizations.Node", on_delete=models.PROTECT, related_name="members", verbose_name=_("chapter")
    )
    kind = models.CharField(pgettext_lazy("member", "kind"), max_length=12, choices=MemberKind.choices, default=MemberKind.INDIVIDUAL)
    full_name = models.CharField(_("full name"), max_length=150)
    # Derived from full_name by the services (core.text): accent-free search and
    # Vietnamese name order, stored so the database can index them.
    search_key = models.CharField(max_length=150, editable=False)
    # The search key's words in reverse order ("an van nguyen"): a search by given name,
    # or by middle and given name ("van an"), becomes an index range too.
    reverse_key = models.CharField(max_length=150, editable=False, default="")
    sort_key = models.CharField(max_length=700, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITY_CHOICES, blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    # Indexed on its own as well: the unique constraint below is partial, and a lookup by
    # number alone (duplicate checks, other tools) cannot use a partial index.
    citizen_id = models.CharField(_("citizen ID (CCCD)"), max_length=12, blank=True, db_index=True)
    address = models.CharField(_("address (village, residential group)"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        # A name search reads one range of each of the two first indexes; they also
        # hold status, unit, name order and id, so finding, counting and sorting what
        # was found never reads a table row (selectors.MemberResults). The pattern
        # operator classes let PostgreSQL use them for LIKE 'x%' under any collation;
        # SQLite ignores them. The third orders the list when nothing is searched.
        indexes = [
            models.Index(
                fields=["search_key", "status", "node", "sort_key", "id"],
                name="members_search_key",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops", "varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(
                fields=["reverse_key", "status", "node", "sort_key", "id"],
                name="members_reverse_key",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops", "varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(fields=["sort_key", "id"], name="members_sort_key"),
        ]
        constraints = [
            # A CCCD belongs to one citizen: two live records with the same number are the
            # same person (or a typo). Entry and import flag it with the existing record;
            # this constraint is the last guard. Merged records keep their number.
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=~Q(citizen_id="") & ~Q(status="merged"),
                name="member_citizen_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE


class MembershipPeriod(models.Model):
    """A stay of a member in one chapter, half-open: a member on day D when start <= D < end.

    Leaving or transferring on day D ends the stay with end = D (and a transfer starts
    the next stay on D), so "members at a date" never counts a person twice.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="periods")
    node = models.ForeignKey("organizations.Node", on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    start_reason = models.CharField(max_length=12, choices=PeriodStart.choices, default=PeriodStart.JOINED)
    end = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=PeriodEnd.choices, blank=True)
    # Copies of the member's fields that the year's figures break down by, and whether
    # the record was merged into another one (then it never counts). The member services
    # write them with every change to the member (services.sync_periods), so the figures
    # of a province count a million stays from this table alone, without joining the
    # member of each one.
    kind = models.CharField(max_length=12, choices=MemberKind.choices, default=MemberKind.INDIVIDUAL, editable=False)
    gender = models.CharField(max_length=8, choices=Gender.choices, blank=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    ethnicity = models.CharField(max_length=2, choices=ETHNICITY_CHOICES, blank=True, editable=False)
    merged = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["member_id", "start", "id"]
        indexes = [
            models.Index(fields=["node", "start"], name="members_period_node_start"),
            # Stays that ended, by unit and end date: who left in a year, read without
            # scanning the open stays (most of them).
            models.Index(fields=["node", "end"], condition=Q(end__isnull=False), name="members_period_node_end"),
            # Everything the year's roll-up reads, in the order it groups (unit, ethnicity):
            # SQLite counts a province from this index alone, without sorting a million rows.
            models.Index(
                fields=["node", "ethnicity", "start", "end", "merged", "kind", "gender", "birth_year"],
                name="members_period_roll_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.node_id} {self.start}–{self.end or '…'}"


class MemberTransfer(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_node = models.ForeignKey("organizations.Node", on_delete=models.PROTECT, related_name="+")
    to_node = models.ForeignKey("organizations.Node", on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_node_id} → {self.to_node_id} ({self.on})"


class Dues(models.Model):
    """Yearly dues (hội phí) paid by one member; amount in whole đồng."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="dues")
    # The chapter that collected it (the member's chapter at the time).
    node = models.ForeignKey("organizations.Node", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.BigIntegerField(_("amount (đồng)"))
    paid_on = models.DateField(_("paid on"))
    receipt_ref = models.CharField(_("receipt number"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="dues_one_per_member_year")]
        indexes = [models.Index(fields=["year", "node"], name="members_dues_year_node")]
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}: {self.amount}"
