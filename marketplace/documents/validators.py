"""What an upload must be: the accepted types, their signatures, the size limit."""

import posixpath
import unicodedata

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Ten megabytes: a scanned certificate or a contract fits; an archive does not.
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024

# The extensions a user may upload and the content type each must contain.
CONTENT_TYPE_FOR_EXTENSION = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# For the file input's `accept`: a hint to the browser's file picker, not a check.
ACCEPT_ATTRIBUTE = ",".join(
    [*CONTENT_TYPE_FOR_EXTENSION, *sorted(set(CONTENT_TYPE_FOR_EXTENSION.values()))]
)

# The first bytes of each accepted type. Anything else (HTML, SVG, an executable
# renamed .pdf) is refused whatever its name says.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
SIGNATURE_LENGTH = max(len(signature) for signature, _type in SIGNATURES)

TYPE_LABELS = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}

MAX_NAME_LENGTH = 200


def clean_original_name(name: str) -> str:
    """The uploader's file name without any directory, control or format characters,
    at most MAX_NAME_LENGTH characters (keeping the extension)."""
    name = unicodedata.normalize("NFC", name or "")
    name = posixpath.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem, extension = posixpath.splitext(name)
    if len(name) > MAX_NAME_LENGTH:
        name = stem[: MAX_NAME_LENGTH - len(extension)] + extension
    return name


def content_type_for_name(name: str) -> str:
    """The content type an accepted file name promises; ValidationError otherwise."""
    extension = posixpath.splitext(name)[1].lower()
    try:
        return CONTENT_TYPE_FOR_EXTENSION[extension]
    except KeyError:
        raise ValidationError(
            _("Only PDF, PNG and JPEG files can be uploaded."), code="extension"
        ) from None


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def validate_signature(*, head: bytes, expected: str) -> None:
    """The first bytes must be those of the type the extension names."""
    detected = sniff_content_type(head)
    if detected is None:
        raise ValidationError(
            _("The file's content is not a PDF, PNG or JPEG document."), code="content"
        )
    if detected != expected:
        raise ValidationError(
            _("The file's content (%(detected)s) does not match its extension (%(expected)s).")
            % {"detected": TYPE_LABELS[detected], "expected": TYPE_LABELS[expected]},
            code="mismatch",
        )


def validate_size(size: int) -> None:
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            _("The file is too large: at most %(limit)s.")
            % {"limit": filesizeformat(MAX_DOCUMENT_SIZE)},
            code="size",
        )
