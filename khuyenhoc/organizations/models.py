"""The association tree (materialised path), its history, officers and reorganisations."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PATH_STEP = 9  # "00000042." — eight digits and a dot per level


class NodeKind(models.TextChoices):
    NATIONAL = "national", _("National association")
    PROVINCE = "province", _("Province association")
    DISTRICT = "district", _("District association")
    COMMUNE = "commune", _("Commune/ward association")
    CHAPTER = "chapter", _("Chapter")
    BOARD = "board", _("Study-promotion board")
    SUBCHAPTER = "subchapter", _("Sub-chapter")


# Which kinds may sit under which; district is kept for history but still allowed.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    NodeKind.NATIONAL: {NodeKind.PROVINCE},
    NodeKind.PROVINCE: {NodeKind.DISTRICT, NodeKind.COMMUNE, NodeKind.BOARD},
    NodeKind.DISTRICT: {NodeKind.COMMUNE, NodeKind.BOARD, NodeKind.CHAPTER},
    NodeKind.COMMUNE: {NodeKind.CHAPTER, NodeKind.BOARD},
    NodeKind.CHAPTER: {NodeKind.SUBCHAPTER},
    NodeKind.BOARD: {NodeKind.SUBCHAPTER},
    NodeKind.SUBCHAPTER: set(),
}
GRASSROOTS_KINDS = {NodeKind.CHAPTER, NodeKind.BOARD}


class ChapterType(models.TextChoices):
    NONE = "", _("(not a chapter)")
    VILLAGE = "village", _("Village (thôn, bản)")
    RESIDENTIAL = "residential", _("Residential group (tổ dân phố)")
    AGENCY = "agency", _("Agency")
    SCHOOL = "school", _("School")
    FIRM = "firm", _("Firm")
    CLAN = "clan", _("Clan")


class NodeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Node(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    kind = models.CharField(_("level"), max_length=16, choices=NodeKind.choices)
    chapter_type = models.CharField(
        _("chapter type"), max_length=16, choices=ChapterType.choices, blank=True, default=""
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short code used in Excel sheets and on the command line, e.g. BK-DX-01."),
    )
    admin_unit_code = models.CharField(
        _("administrative unit code"), max_length=16, blank=True, default=""
    )
    admin_unit_name = models.CharField(
        _("administrative unit"), max_length=200, blank=True, default=""
    )
    place_name = models.CharField(
        _("place name on documents"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("Printed before the date on documents, e.g. 'Bắc Kạn'."),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=NodeStatus.choices, default=NodeStatus.ACTIVE
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("merged into"),
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("association unit")
        verbose_name_plural = _("association units")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == NodeStatus.ACTIVE

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * PATH_STEP] for i in range(1, self.depth + 1)]


class NodeVersion(models.Model):
    """Where a node stood in the tree, and under which name, during a period.

    Reports for a past year read the version valid at that year's end, so a
    reorganisation never rewrites history.
    """

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="versions")
    parent = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["node_id", "valid_from"]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from}–{self.valid_to or '…'})"


class OfficerTitle(models.TextChoices):
    CHAIR = "chair", _("Chair")
    STANDING_VICE_CHAIR = "standing_vice_chair", _("Standing vice-chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    CHAPTER_HEAD = "chapter_head", _("Chapter head")
    CHAPTER_DEPUTY = "chapter_deputy", _("Deputy chapter head")
    TREASURER = "treasurer", _("Treasurer")


class Body(models.TextChoices):
    EXECUTIVE = "executive", _("Executive committee")
    STANDING = "standing", _("Standing committee")
    INSPECTION = "inspection", _("Inspection board")
    CHAPTER = "chapter", _("Chapter committee")


class Officer(models.Model):
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="officers")
    full_name = models.CharField(_("full name"), max_length=120)
    title = models.CharField(_("title"), max_length=32, choices=OfficerTitle.choices)
    body = models.CharField(_("body"), max_length=16, choices=Body.choices, blank=True)
    term_label = models.CharField(
        _("term"), max_length=40, blank=True, help_text=_("e.g. 2021–2026")
    )
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["node_id", "title", "full_name"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.get_title_display()} {self.full_name}"

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.term_start <= on and (self.term_end is None or self.term_end >= on)


class ReorgKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
    MOVE = "move", _("Move")
    RENAME = "rename", _("Rename")


class Reorganisation(models.Model):
    kind = models.CharField(max_length=8, choices=ReorgKind.choices)
    effective_date = models.DateField(_("effective date"))
    decision = models.CharField(_("decision"), max_length=120, blank=True)
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(Node, related_name="reorganised_from")
    targets = models.ManyToManyField(Node, related_name="reorganised_into")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date}"
