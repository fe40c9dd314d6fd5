"""Documents in an S3 bucket: moto's server stands in for S3 (the real protocol over HTTP,
on 127.0.0.1), django-storages' S3Storage talks to it as it would to AWS."""

import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError
from django.urls import reverse
from moto.server import ThreadedMotoServer

from marketplace.documents import services
from marketplace.documents.downloads import PRESIGNED_URL_LIFETIME, attachment_disposition
from marketplace.documents.models import Document, DocumentKind

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db

BUCKET = "zzipx-documents-test"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def _lifetime(url: str) -> float:
    """Seconds a presigned URL stays valid (SigV4's X-Amz-Expires or SigV2's Expires)."""
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:
        return int(query["X-Amz-Expires"][0])
    return int(query["Expires"][0]) - time.time()


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, moto_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )
    client.create_bucket(Bucket=BUCKET)
    # The same options as settings/base.py uses when AWS_STORAGE_BUCKET_NAME is set.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_endpoint,
                **CREDENTIALS,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


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
