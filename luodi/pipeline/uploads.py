"""What agreement documents may be: a few office/PDF/image types, sniffed by their first
bytes as well as their name, under a size limit. Nothing is ever served inline."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# extension → (content type, accepted leading bytes)
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


def max_bytes() -> int:
    return int(getattr(settings, "LUODI_UPLOAD_MAX_MB", 10)) * 1024 * 1024


def allowed_label() -> str:
    return ", ".join(ext.lstrip(".").upper() for ext in ALLOWED if ext != ".jpeg")


def check_upload(upload: UploadedFile) -> str:
    """The content type to store for `upload`; ValidationError with a clear message if the
    file is too large or not an accepted type."""
    name = upload.name or ""
    size = upload.size or 0
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size).1f MB); the limit is %(limit)d MB.")
            % {"size": size / 1024 / 1024, "limit": limit // 1024 // 1024},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED:
        raise ValidationError(
            _('Files of type "%(ext)s" are not accepted. Accepted: %(allowed)s.')
            % {"ext": ext or _("no extension"), "allowed": allowed_label()},
            code="forbidden_type",
        )
    content_type, magics = ALLOWED[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(
            _('The content of "%(name)s" does not match its %(ext)s extension.')
            % {"name": PurePath(name).name, "ext": ext.lstrip(".").upper()},
            code="forbidden_type",
        )
    return content_type
