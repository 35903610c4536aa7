"""Checking and storing uploaded files: evidence (photo or PDF), logos and seals (images).

A file is accepted only if its extension is allowed, its size is under the limit and its
first bytes are those of the format its extension claims, so a renamed executable or a
Word file called "so-ho-ngheo.pdf" is refused. Files are stored under MEDIA_ROOT with a
random name and are only ever served through scoped views.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_BYTES = 2 * 1024 * 1024

# extension -> (content type, magic prefix)
FORMATS: dict[str, tuple[str, bytes]] = {
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".pdf": ("application/pdf", b"%PDF-"),
}
EVIDENCE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".pdf")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    extension: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _read(upload, limit: int) -> bytes:
    """Read at most limit + 1 bytes: enough to know the file is too big, no more."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload[: limit + 1])
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(limit + 1)


def check_upload(upload, *, name: str | None = None, field: str = "file", allowed=EVIDENCE_EXTENSIONS, limit: int = MAX_EVIDENCE_BYTES) -> CheckedFile:
    """Return the checked file or raise ValidationError naming what is wrong with it."""
    original = PurePath(name or getattr(upload, "name", "") or "").name[:200]
    ext = PurePath(original.lower()).suffix
    kinds = ", ".join(e.lstrip(".").upper() for e in allowed if e != ".jpeg")
    if ext not in allowed:
        raise ValidationError({field: _("%(name)s is not accepted: only %(kinds)s files can be attached.") % {"name": original or "?", "kinds": kinds}})
    content = _read(upload, limit)
    if not content:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": original}})
    if len(content) > limit:
        raise ValidationError(
            {field: _("%(name)s is larger than the limit of %(limit)s MB.") % {"name": original, "limit": limit // (1024 * 1024)}}
        )
    content_type, magic = FORMATS[ext]
    if not content.startswith(magic):
        raise ValidationError(
            {field: _("The content of %(name)s is not a %(kind)s file, whatever its name says.") % {"name": original, "kind": ext.lstrip(".").upper()}}
        )
    return CheckedFile(
        original_name=original,
        extension=".jpg" if ext == ".jpeg" else ext,
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def store(checked: CheckedFile, folder: str) -> str:
    """Save under MEDIA_ROOT/private/awards/<folder>/ with a random name; return the storage name."""
    name = f"private/awards/{folder}/{secrets.token_urlsafe(18)}{checked.extension}"
    return default_storage.save(name, ContentFile(checked.content))
