"""Uploading and deleting documents: who may, what files are accepted, and that stored
files and rows never drift apart."""

import datetime
import hashlib
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils import timezone

from marketplace.documents import services
from marketplace.documents.models import Document, DocumentKind
from marketplace.documents.validators import MAX_DOCUMENT_SIZE, clean_original_name
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory

from .conftest import JPEG, PDF, PNG, stored_files, upload

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def _upload(member, asset, uploaded_file, kind=DocumentKind.CERTIFICATE):
    return services.document_upload(
        by=member, organization=asset.holder, asset=asset, kind=kind, uploaded_file=uploaded_file
    )


def _file_error_code(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return error.value.error_dict["file"][0].code


# --- accepted files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("专利证书.pdf", PDF, "application/pdf", ".pdf"),
        ("certificate.PNG", PNG, "image/png", ".png"),
        ("扫描件.jpeg", JPEG, "image/jpeg", ".jpg"),
        ("scan.jpg", JPEG, "image/jpeg", ".jpg"),
    ],
)
def test_a_member_uploads_an_accepted_file(
    member, asset, media_root, name, content, content_type, extension
):
    # when the browser claims a wrong type, it is ignored
    document = _upload(member, asset, upload(name, content, content_type="text/html"))

    # then the row records the facts and the file holds the exact bytes
    document.refresh_from_db()
    assert document.organization == asset.holder
    assert document.asset == asset
    assert document.kind == DocumentKind.CERTIFICATE
    assert document.original_name == name
    assert document.content_type == content_type
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == member
    assert (media_root / document.file.name).read_bytes() == content
    # and the stored path is random, never the user's name
    assert name.rsplit(".", 1)[0] not in document.file.name
    assert document.file.name.startswith("documents/")
    assert document.file.name.endswith(extension)


def test_a_file_of_exactly_the_limit_is_accepted(member, asset):
    content = PDF + b"0" * (MAX_DOCUMENT_SIZE - len(PDF))

    document = _upload(member, asset, upload("big.pdf", content))

    assert document.size == MAX_DOCUMENT_SIZE


def test_an_organisation_document_needs_no_asset(member, membership):
    document = services.document_upload(
        by=member,
        organization=membership.organization,
        kind=DocumentKind.OTHER,
        uploaded_file=upload("营业执照.pdf"),
    )

    assert document.asset is None


def test_the_uploaders_path_is_stripped_from_the_name(member, asset):
    document = _upload(member, asset, upload("..\\..\\windows\\证书.pdf"))

    assert document.original_name == "证书.pdf"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\证书.pdf", "证书.pdf"),
        ("evil\r\nSet-Cookie: x.pdf", "evilSet-Cookie: x.pdf"),
        ("name\u202eFDP.exe.pdf", "nameFDP.exe.pdf"),  # a right-to-left override
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_original_names_are_cleaned(raw, cleaned):
    assert clean_original_name(raw) == cleaned


# --- refused files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.pdf", b"", "empty"),
        ("big.pdf", PDF + b"0" * (MAX_DOCUMENT_SIZE + 1 - len(PDF)), "size"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "content"),  # an .exe renamed
        ("page.pdf", b"<!DOCTYPE html><script>alert(1)</script>", "content"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "content"),
        ("logo.pdf", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "content"),
        ("photo.pdf", PNG, "mismatch"),  # a real image under a PDF's name
        ("scan.png", JPEG, "mismatch"),
        ("page.html", b"<html></html>", "extension"),
        ("logo.svg", b"<svg/>", "extension"),
        ("setup.exe", b"MZ\x90\x00", "extension"),
        ("contract.docx", b"PK\x03\x04", "extension"),
        ("no-extension", PDF, "extension"),
        ("证书.pdf.exe", PDF, "extension"),
    ],
)
def test_a_refused_file_leaves_nothing_behind(member, asset, media_root, name, content, code):
    with pytest.raises(ValidationError) as error:
        _upload(member, asset, upload(name, content))

    assert _file_error_code(error) == code
    assert error.value.message_dict["file"][0]  # a message for the form, not just a code
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_messages_are_translated(member, asset):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as english:
        _upload(member, asset, upload("empty.pdf", b""))
    assert english.value.message_dict["file"] == ["The file is empty."]


def test_an_unknown_kind_is_refused(member, asset):
    with pytest.raises(ValidationError) as error:
        _upload(member, asset, upload(), kind="passport")

    assert "kind" in error.value.message_dict


# --- who may upload ---------------------------------------------------------------------


def test_a_non_member_cannot_upload(asset, media_root):
    outsider = MembershipFactory().user

    with pytest.raises(PermissionDenied):
        _upload(outsider, asset, upload())

    assert stored_files(media_root) == []


def test_staff_who_are_not_members_cannot_upload(asset, staff_user):
    with pytest.raises(PermissionDenied):
        _upload(staff_user, asset, upload())


def test_the_asset_must_be_held_by_the_organisation(member, membership, media_root):
    someone_elses = IPAssetFactory(holder=OrganizationFactory())

    with pytest.raises(PermissionDenied):
        services.document_upload(
            by=member,
            organization=membership.organization,
            asset=someone_elses,
            kind=DocumentKind.CERTIFICATE,
            uploaded_file=upload(),
        )

    assert stored_files(media_root) == []


# --- files and rows stay together -------------------------------------------------------


def test_a_database_failure_after_the_file_was_stored_leaves_no_orphan(
    member, asset, media_root, monkeypatch
):
    # given the row's insert fails once the file is in storage
    stored_at_failure: list[bool] = []

    def failing_save(self, *args, **kwargs):
        stored_at_failure.append(self.file.storage.exists(self.file.name))
        raise DatabaseError("disk full")

    monkeypatch.setattr(Document, "save", failing_save)

    # when
    with pytest.raises(DatabaseError):
        _upload(member, asset, upload())

    # then the file had been stored, and is gone again
    assert stored_at_failure == [True]
    assert stored_files(media_root) == []
    assert not Document.objects.exists()


def test_delete_removes_the_row_and_after_commit_the_file(
    member, asset, media_root, django_capture_on_commit_callbacks
):
    document = _upload(member, asset, upload())
    path = media_root / document.file.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.document_delete(by=member, document=document)

    assert len(callbacks) == 1
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not path.exists()


def test_delete_keeps_the_file_until_commit(
    member, asset, media_root, django_capture_on_commit_callbacks
):
    document = _upload(member, asset, upload())
    path = media_root / document.file.name

    # when the transaction has not committed (its callbacks have not run)
    with django_capture_on_commit_callbacks(execute=False):
        services.document_delete(by=member, document=document)

    # then the file is still there: a rollback would keep a row that can be downloaded
    assert path.exists()


def test_a_failed_file_deletion_after_commit_is_logged_not_raised(
    member, asset, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    document = _upload(member, asset, upload())

    def broken_delete(name):
        raise OSError("storage unavailable")

    monkeypatch.setattr(document.file.storage, "delete", broken_delete)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(by=member, document=document)

    assert not Document.objects.filter(pk=document.pk).exists()
    assert "Could not delete stored document file" in caplog.text


def test_a_non_member_cannot_delete(member, asset, media_root, staff_user):
    document = _upload(member, asset, upload())

    for outsider in (MembershipFactory().user, staff_user):
        with pytest.raises(PermissionDenied):
            services.document_delete(by=outsider, document=document)

    assert Document.objects.filter(pk=document.pk).exists()
    assert (media_root / document.file.name).exists()


def test_the_orphan_sweep_deletes_only_old_files_without_rows(member, asset, media_root):
    # given a document, an old orphan and a fresh orphan (an upload still in flight)
    kept = _upload(member, asset, upload())
    folder = media_root / "documents" / timezone.now().strftime("%Y/%m")
    old_orphan = folder / ("a" * 32 + ".pdf")
    fresh_orphan = folder / ("b" * 32 + ".pdf")
    old_orphan.write_bytes(PDF)
    fresh_orphan.write_bytes(PDF)
    # the files' times by the tests' clock, not the file system's (CI moves the clock ahead)
    just_now = timezone.now().timestamp()
    long_ago = (timezone.now() - services.ORPHAN_GRACE - datetime.timedelta(minutes=1)).timestamp()
    os.utime(fresh_orphan, (just_now, just_now))
    os.utime(old_orphan, (long_ago, long_ago))
    os.utime(media_root / kept.file.name, (long_ago, long_ago))

    # when
    deleted = services.document_orphans_delete()

    # then
    assert deleted == 1
    assert not old_orphan.exists()
    assert fresh_orphan.exists()
    assert (media_root / kept.file.name).exists()


def test_the_orphan_sweep_task_runs_the_service(media_root):
    from marketplace.documents.tasks import delete_orphans_task

    assert delete_orphans_task.apply().get() == 0  # in-process, whatever the broker
