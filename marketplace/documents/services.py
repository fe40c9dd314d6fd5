"""Every write to documents goes through here.

Files and rows must not drift apart: a stored file without a row is an orphan nobody can
reach or delete, a row without a file is a broken download. The rules:

- upload: validate everything before the storage sees a byte; store the file, then write
  the row in an atomic block; if anything fails from the store to the commit, delete the
  stored file before re-raising. (A caller's *outer* transaction that rolls back after
  this returns cannot be seen from here — Django has no on-rollback hook — so callers run
  it as their last write, and `document_orphans_delete` is the backstop.)
- delete: delete the row in a transaction and the file only after commit, so a rollback
  keeps both.
"""

import datetime
import hashlib
import logging
import posixpath
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.models import IPAsset
from marketplace.parties.models import Membership, Organization, User

from .models import Document, DocumentKind
from .validators import (
    MAX_DOCUMENT_SIZE,
    SIGNATURE_LENGTH,
    clean_original_name,
    content_type_for_name,
    validate_signature,
    validate_size,
)

if TYPE_CHECKING:
    from marketplace.deals.models import Deal
    from marketplace.pledges.models import PledgeApplication

logger = logging.getLogger(__name__)

# A file younger than this may belong to an upload whose row is not committed yet.
ORPHAN_GRACE = datetime.timedelta(hours=6)


def _is_member(*, user: User, organization_id: int) -> bool:
    return Membership.objects.filter(user=user, organization_id=organization_id).exists()


def _file_error(error: ValidationError) -> ValidationError:
    return ValidationError({"file": error})


def _inspect(uploaded_file: File) -> tuple[str, str, int, str]:
    """Check the upload and read it once in chunks: (original name, content type, size,
    sha256). Raises ValidationError({"file": …}) for the first rule it breaks."""
    original_name = clean_original_name(uploaded_file.name or "")
    try:
        if not original_name:
            raise ValidationError(_("The file has no name."), code="name")
        # The reported size first, so an oversized upload is refused without reading it.
        validate_size(uploaded_file.size or 0)
        content_type = content_type_for_name(original_name)
        uploaded_file.seek(0)
        validate_signature(head=uploaded_file.read(SIGNATURE_LENGTH), expected=content_type)
        uploaded_file.seek(0)
        digest = hashlib.sha256()
        size = 0
        for chunk in uploaded_file.chunks():
            size += len(chunk)
            if size > MAX_DOCUMENT_SIZE:
                break  # validate_size below reports it; no need to read the rest
            digest.update(chunk)
        validate_size(size)
    except ValidationError as error:
        raise _file_error(error) from None
    return original_name, content_type, size, digest.hexdigest()


def document_upload(
    *,
    by: User,
    organization: Organization,
    kind: str,
    uploaded_file: File,
    asset: IPAsset | None = None,
    pledge_application: "PledgeApplication | None" = None,
    deal: "Deal | None" = None,
) -> Document:
    """Store a file for `organization`, optionally attached to one of its assets, to a
    pledge application it made or received, or to a deal it is a party of.

    The uploader is a member of the organisation; the asset is held by it. The file is a
    non-empty PDF, PNG or JPEG of at most MAX_DOCUMENT_SIZE, its extension and its first
    bytes agreeing. The browser's name is kept for display only and its content type is
    ignored. If the row cannot be written, the stored file is deleted again.
    """
    if not _is_member(user=by, organization_id=organization.pk):
        raise PermissionDenied(_("You can only upload documents for your own organisation."))
    if asset is not None and asset.holder_id != organization.pk:
        raise PermissionDenied(_("This asset is not held by your organisation."))
    if pledge_application is not None and organization.pk not in (
        pledge_application.applicant_id,
        pledge_application.bank_id,
    ):
        raise PermissionDenied(_("This application is not your organisation's."))
    if deal is not None and organization.pk not in (deal.buyer_id, deal.seller_id):
        raise PermissionDenied(_("Your organisation is not a party to this deal."))
    if sum(target is not None for target in (asset, pledge_application, deal)) > 1:
        raise ValidationError(_("A document is attached to one thing at most."))
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose what kind of document this is.")})
    original_name, content_type, size, sha256 = _inspect(uploaded_file)

    document = Document(
        organization=organization,
        asset=asset,
        pledge_application=pledge_application,
        deal=deal,
        kind=kind,
        original_name=original_name,
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=by,
    )
    stored_name = ""
    storage = document.file.storage
    try:
        # The file first, outside the transaction: a slow upload to S3 holds no
        # database transaction open. upload_to ignores the name given here.
        uploaded_file.seek(0)
        document.file.save("upload", uploaded_file, save=False)
        stored_name = document.file.name or ""
        with transaction.atomic():
            document.save()
    except BaseException:
        if stored_name:
            _delete_stored_file(storage=storage, name=stored_name)
        raise
    return document


def document_delete(*, by: User, document: Document) -> None:
    """A member of the owning organisation deletes a document; the stored file goes once
    the row's deletion is committed (a rollback keeps both). A document another record
    keeps as its proof (a deal's recordal evidence) is not deleted."""
    if not _is_member(user=by, organization_id=document.organization_id):
        raise PermissionDenied(_("You can only delete documents of your own organisation."))
    storage = document.file.storage
    name = document.file.name or ""
    try:
        with transaction.atomic():
            Document.objects.filter(pk=document.pk).delete()
            if name:
                transaction.on_commit(
                    lambda: _delete_stored_file(storage=storage, name=name), robust=True
                )
    except ProtectedError:
        raise ValidationError(
            _("This document is kept as the record of a check and cannot be deleted."),
            code="protected",
        ) from None


def document_orphans_delete(*, now: datetime.datetime | None = None) -> int:
    """Delete stored files no row points to, older than ORPHAN_GRACE, in the storage
    folders of this month and the previous one (the backstop for an upload whose
    caller's outer transaction rolled back). Returns how many files were deleted."""
    now = now or timezone.now()
    last_month = now.replace(day=1) - datetime.timedelta(days=1)
    months = {now.strftime("%Y/%m"), last_month.strftime("%Y/%m")}
    deleted = 0
    for month in sorted(months):
        folder = f"documents/{month}"
        try:
            _dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        names = [posixpath.join(folder, file) for file in files]
        known = set(Document.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name in known:
                continue
            if default_storage.get_modified_time(name) > now - ORPHAN_GRACE:
                continue
            _delete_stored_file(storage=default_storage, name=name)
            deleted += 1
    return deleted


def _delete_stored_file(*, storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        # The caller's own error matters more; the orphan sweep will retry.
        logger.exception("Could not delete stored document file %s", name)
