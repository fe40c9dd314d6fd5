"""S3 in tests: moto's server stands in for S3 (the real protocol over HTTP, on 127.0.0.1),
and the default storage becomes django-storages' S3Storage with the options
settings/base.py uses when AWS_STORAGE_BUCKET_NAME is set.

A test module builds its `s3` fixture with `s3_storage(settings, moto_endpoint, bucket)`;
`moto_endpoint` (tests/conftest.py) runs one server per module."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


@contextmanager
def s3_storage(settings: Any, endpoint: str, bucket: str) -> Iterator[Any]:
    """A fresh bucket as the default storage; yields a boto3 client on it; empties and
    removes the bucket afterwards."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                **CREDENTIALS,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    try:
        yield client
    finally:
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)
