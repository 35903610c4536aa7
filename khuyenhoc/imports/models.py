"""An uploaded sheet and what became of it: preview counts, every error, the commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    ANALYSING = "analysing", _("Checking")
    READY = "ready", _("Checked, ready to import")
    INVALID = "invalid", _("Has errors, nothing imported")
    COMMITTING = "committing", _("Importing")
    DONE = "done", pgettext_lazy("import status", "Imported")
    FAILED = "failed", pgettext_lazy("import status", "Failed")


class ImportJob(models.Model):
    node = models.ForeignKey("organizations.Node", on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(pgettext_lazy("import", "kind"), max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    # The uploaded bytes, kept only until the import is committed (personal data:
    # CCCD and phones) so that the preview and the commit read the same file, on any
    # app server. Always `defer("data")` when listing.
    data = models.BinaryField(editable=False, default=b"")
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    counts = models.JSONField(default=dict, blank=True)
    # [[sheet, row, column, message], …] in file order, at most MAX_STORED_ERRORS.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    samples = models.JSONField(default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(default=dict, blank=True)
    # The background run (core.Job) showing progress, when the file is large.
    task = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def busy(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.ANALYSING, ImportStatus.COMMITTING)

    @property
    def can_commit(self) -> bool:
        return self.status == ImportStatus.READY and bool(self.counts.get("new") or self.counts.get("changed"))
