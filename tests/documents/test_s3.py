"""Documents in an S3 bucket: moto's server stands in for S3 (the real protocol over HTTP,
on 127.0.0.1), django-storages' S3Storage talks to it as it would to AWS."""

import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError
from django.urls import reverse

from marketplace.documents import services
from marketplace.documents.downloads import PRESIGNED_URL_LIFETIME, attachment_disposition
from marketplace.documents.models import Document, DocumentKind
from tests.s3 import s3_storage

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db

BUCKET = "zzipx-documents-test"


def _lifetime(url: str) -> float:
    """Seconds a presigned URL stays valid (SigV4's X-Amz-Expires or SigV2's Expires)."""
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:
        return int(query["X-Amz-Expires"][0])
    return int(query["Expires"][0]) - time.time()


@pytest.fixture
def s3(settings, moto_endpoint):  # type: ignore[no-untyped-def]
    with s3_storage(settings, moto_endpoint, BUCKET) as client:
        yield client


def test_upload_download_and_delete_through_s3(
    s3, client, member, asset, django_capture_on_commit_callbacks
):
    # given a certificate uploaded into the bucket
    document = services.document_upload(
        by=member,
        organization=asset.holder,
        asset=asset,
        kind=DocumentKind.CERTIFICATE,
        uploaded_file=upload("专利证书.pdf"),
    )
    stored = s3.get_object(Bucket=BUCKET, Key=document.file.name)
    assert stored["Body"].read() == PDF

    # when a member downloads it, they are sent to a short-lived presigned URL
    client.force_login(member)
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 302
    location = response["Location"]
    assert _lifetime(location) <= PRESIGNED_URL_LIFETIME
    assert response["Cache-Control"] == "private, no-store"

    # then the bucket serves the exact bytes under the original name
    with urllib.request.urlopen(location) as answer:  # noqa: S310 - moto on 127.0.0.1
        assert answer.read() == PDF
        assert answer.headers["Content-Disposition"] == attachment_disposition("专利证书.pdf")
        assert answer.headers["Content-Type"] == "application/pdf"

    # and deleting removes the object after commit
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(by=member, document=document)
    assert not Document.objects.exists()
    with pytest.raises(ClientError):
        s3.head_object(Bucket=BUCKET, Key=document.file.name)


def test_a_failed_row_write_deletes_the_object_from_the_bucket(s3, member, asset, monkeypatch):
    from django.db import DatabaseError

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(Document, "save", failing_save)

    with pytest.raises(DatabaseError):
        services.document_upload(
            by=member,
            organization=asset.holder,
            asset=asset,
            kind=DocumentKind.CERTIFICATE,
            uploaded_file=upload(),
        )

    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
