"""Study-promotion funds: accounts, vouchers, the append-only hash-chained ledger, disclosures.

Money is an integer number of đồng. A voucher is drafted, then approved by another
person, which posts it: it gets the next gapless number of its fund, kind and year and
becomes one ledger entry. Posted vouchers, ledger entries and published disclosures are
never changed: the models refuse it here, and database triggers (migration 0002) refuse
it below the ORM as well.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from khuyenhoc.organizations.models import Node


class ImmutableRecordError(ValidationError):
    """Raised when code tries to change or delete a posted or published record."""


def _immutable(message) -> ImmutableRecordError:
    return ImmutableRecordError(str(message))


class FundKind(models.TextChoices):
    GENERAL = "general", _("Study-promotion fund")
    SCHOLARSHIP = "scholarship", _("Named scholarship fund")
    CAMPAIGN = "campaign", _("Fund-raising campaign")


class FundStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Fund(models.Model):
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="funds", verbose_name=_("association unit"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=FundKind.choices, default=FundKind.GENERAL)
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(_("status"), max_length=8, choices=FundStatus.choices, default=FundStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="fund_unique_name_per_node")]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == FundStatus.ACTIVE


class AccountKind(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK = "bank", _("Bank account")
    IN_KIND = "in_kind", _("Gifts in kind")


class FundAccount(models.Model):
    """Where a fund's money sits: the cash box, a bank account, or gifts in kind at stated value."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(_("kind"), max_length=8, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=120)
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    account_number = models.CharField(_("account number"), max_length=40, blank=True)

    class Meta:
        ordering = ["fund_id", "kind", "id"]
        verbose_name = _("fund account")
        verbose_name_plural = _("fund accounts")

    def __str__(self) -> str:
        if self.account_number:
            return f"{self.name} ({self.account_number})"
        return self.name


class VoucherKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt voucher")
    PAYMENT = "payment", _("Payment voucher")


VOUCHER_PREFIX = {VoucherKind.RECEIPT: "PT", VoucherKind.PAYMENT: "PC"}


class VoucherStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, awaiting approval")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")


class PartyKind(models.TextChoices):
    """Who paid in or was paid: the 'source' of a receipt, the payee of a payment."""

    PERSON = "person", _("Person")
    STUDENT = "student", _("Pupil or student")
    FAMILY = "family", _("Family")
    FIRM = "firm", _("Firm")
    ORGANISATION = "organisation", _("Organisation")
    ASSOCIATION = "association", _("Another association's fund")
    BANK = "bank", _("Bank (interest)")
    ANONYMOUS = "anonymous", _("Anonymous")


RECEIPT_PARTIES = [
    PartyKind.PERSON,
    PartyKind.FAMILY,
    PartyKind.FIRM,
    PartyKind.ORGANISATION,
    PartyKind.ASSOCIATION,
    PartyKind.BANK,
    PartyKind.ANONYMOUS,
]
PAYMENT_PARTIES = [
    PartyKind.STUDENT,
    PartyKind.PERSON,
    PartyKind.FAMILY,
    PartyKind.ORGANISATION,
    PartyKind.FIRM,
    PartyKind.ASSOCIATION,
]
# Names of these payees are shortened on public pages ("N. T. Mai").
PRIVATE_PARTIES = {PartyKind.PERSON, PartyKind.STUDENT, PartyKind.FAMILY}


class Purpose(models.TextChoices):
    """What a payment is for."""

    AWARD = "award", _("Awards and scholarships")
    SUPPORT = "support", _("Support to pupils and students")
    ACTIVITY = "activity", _("Activity costs")
    TRANSFER = "transfer", _("Transfer to another association's fund")
    OTHER = "other", _("Other payments")


BENEFICIARY_PURPOSES = {Purpose.AWARD, Purpose.SUPPORT}


class VoucherQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(status=VoucherStatus.POSTED).exists():
            raise _immutable(gettext("A posted voucher cannot be changed or deleted; reverse it instead."))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=VoucherStatus.POSTED).exists():
            raise _immutable(gettext("A posted voucher cannot be changed or deleted; reverse it instead."))
        return super().delete()


class Voucher(models.Model):
    """A receipt (phiếu thu) or payment (phiếu chi) voucher."""

    # No index of its own: (fund, status, date) and the number's unique index start with it.
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("fund"), db_index=False)
    # The unit on whose books the voucher stands; set again at posting, then frozen.
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=VoucherKind.choices)
    status = models.CharField(_("status"), max_length=8, choices=VoucherStatus.choices, default=VoucherStatus.DRAFT)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    date = models.DateField(_("date"))
    account = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("account"))
    amount = models.BigIntegerField(_("amount (đồng)"))
    party_kind = models.CharField(_("payer or payee type"), max_length=16, choices=PartyKind.choices)
    party_name = models.CharField(_("payer or payee"), max_length=200, blank=True)
    party_address = models.CharField(_("address"), max_length=255, blank=True)
    party_public = models.BooleanField(
        _("agrees to be named publicly"),
        default=False,
        help_text=_("Only donors who agreed are named on the public disclosure."),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    in_kind_description = models.CharField(_("gift in kind"), max_length=255, blank=True)
    attachments = models.PositiveSmallIntegerField(_("original documents attached"), default=0)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", verbose_name=_("reverses")
    )
    transfer_pair = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("other side of the transfer")
    )
    idempotency_key = models.CharField(max_length=120, blank=True, default="")
    external_ref = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=255, blank=True)

    objects = VoucherQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_voucher_amount_positive"),
            models.UniqueConstraint(
                fields=["fund", "kind", "year", "number"],
                condition=Q(number__isnull=False),
                name="fund_voucher_number_unique",
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False) & ~Q(status="rejected"),
                name="fund_voucher_reversed_once",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key="") & ~Q(status="rejected"),
                name="fund_voucher_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["fund", "status", "date"])]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        if getattr(self, "_loaded_status", None) == VoucherStatus.POSTED:
            raise _immutable(gettext("A posted voucher cannot be changed or deleted; reverse it instead."))
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        if self.status == VoucherStatus.POSTED or getattr(self, "_loaded_status", None) == VoucherStatus.POSTED:
            raise _immutable(gettext("A posted voucher cannot be changed or deleted; reverse it instead."))
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._loaded_status = obj.__dict__.get("status")
        return obj

    @property
    def prefix(self) -> str:
        return VOUCHER_PREFIX[self.kind]

    @property
    def code(self) -> str:
        if self.number is None:
            return gettext("Draft %(id)s") % {"id": self.pk or "—"}
        return voucher_code(self.kind, self.year, self.number)

    @property
    def is_posted(self) -> bool:
        return self.status == VoucherStatus.POSTED

    @property
    def is_draft(self) -> bool:
        return self.status == VoucherStatus.DRAFT

    @property
    def signed_amount(self) -> int:
        """The effect on the fund's balance: receipts add, payments subtract, reversals undo."""
        sign = 1 if self.kind == VoucherKind.RECEIPT else -1
        if self.reverses_id:
            sign = -sign
        return sign * self.amount


def voucher_code(kind: str, year: int, number: int) -> str:
    return f"{VOUCHER_PREFIX[kind]}-{year}-{number:04d}"


class VoucherSequence(models.Model):
    """The last number given per fund, voucher kind and year; locked while posting."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=VoucherKind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "kind", "year"], name="fund_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.kind} {self.year}: {self.last_number}"


class EntryKind(models.TextChoices):
    OPENING = "opening", _("Opening balance")
    RECEIPT = "receipt", _("Receipt")
    PAYMENT = "payment", _("Payment")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _immutable(gettext("Ledger entries and published statements are never changed."))

    def delete(self):
        raise _immutable(gettext("Ledger entries and published statements are never changed."))


class LedgerEntry(models.Model):
    """One row of a fund's append-only ledger, chained to the row before it by its hash.

    `amount` is signed: money in is positive, money out negative; a reversal carries the
    opposite sign of the entry it undoes and the same `kind`, so sums by kind are net.
    See khuyenhoc/fund/ledger.py for the canonical text each hash is computed over.
    """

    # fund, account and node have no index of their own: the indexes in Meta start with each
    # (every index is written by every posting, so none is kept twice).
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries", db_index=False)
    seq = models.PositiveIntegerField()
    account = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="entries", db_index=False)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", db_index=False)
    voucher = models.OneToOneField(Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="entry")
    voucher_code = models.CharField(max_length=20, blank=True)
    date = models.DateField()
    amount = models.BigIntegerField()
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    party_kind = models.CharField(max_length=16, blank=True)
    purpose = models.CharField(max_length=16, blank=True)
    # For transfers: the unit on the other side, so subtree totals can net them out.
    counter_node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["fund_id", "seq"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.UniqueConstraint(fields=["fund", "seq"], name="fund_ledger_seq_unique")]
        indexes = [
            models.Index(fields=["account", "date", "seq"], name="fund_ledger_account_date"),
            # Covering on PostgreSQL: a subtree's statement reads only this index (an index-only
            # scan of the subtree's units), never the wide ledger rows with their hashes.
            models.Index(
                fields=["node", "date"],
                include=["kind", "party_kind", "purpose", "counter_node", "amount"],
                name="fund_ledger_node_date_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id}#{self.seq} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise _immutable(gettext("Ledger entries and published statements are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _immutable(gettext("Ledger entries and published statements are never changed."))


class AccountBalanceQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _immutable(gettext("An account's balance is kept by its ledger alone."))


class AccountBalance(models.Model):
    """An account's current balance: the sum of its ledger rows, one row to read.

    Kept by a database trigger on every ledger insert (migration 0008), whatever path appends
    the row, so a payment's balance check reads one row instead of summing the account's whole
    history (which grows every year), and Python never writes it. `fund_verify_ledger`
    compares every stored balance with the sum of its account's rows.
    """

    account = models.OneToOneField(FundAccount, primary_key=True, on_delete=models.CASCADE, related_name="current")
    balance = models.BigIntegerField(default=0)

    objects = AccountBalanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("account balance")
        verbose_name_plural = _("account balances")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.balance}"

    def save(self, *args, **kwargs):
        raise _immutable(gettext("An account's balance is kept by its ledger alone."))


class FundYearLock(models.Model):
    """A year closed for posting at a unit (and every unit below it).

    The reports area owns the full year close; until then this small table backs
    `selectors.is_year_closed`, which every posting checks.
    """

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="fund_year_lock_unique")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.year}"


class Disclosure(models.Model):
    """A published receipts-and-payments statement of one fund for a period. Never changed.

    `figures` holds what was published; `closing_seq` and `closing_hash` name the last
    ledger row it was computed from, so anyone can recompute the chain up to that row and
    the figures from the rows, and see that neither was rewritten.
    """

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="disclosures")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    token = models.SlugField(max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=255)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("corrects")
    )
    correction_note = models.TextField(_("what this statement corrects"), blank=True)
    closing_seq = models.PositiveIntegerField()
    closing_hash = models.CharField(max_length=64)
    figures = models.JSONField()
    figures_hash = models.CharField(max_length=64)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("public disclosure")
        verbose_name_plural = _("public disclosures")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise _immutable(gettext("Ledger entries and published statements are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _immutable(gettext("Ledger entries and published statements are never changed."))


class BankImport(models.Model):
    """One bank statement read against a fund's bank account: which lines matched which voucher."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="bank_imports")
    account = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    lines = models.JSONField(default=list)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
