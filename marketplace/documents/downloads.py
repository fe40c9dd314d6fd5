"""How a document reaches the browser, once the view has checked who may have it.

`document_response` is the one place that knows about storages: with the local file
system (the embedded default) Django streams the file; with a private S3 bucket
(django-storages, AWS_STORAGE_BUCKET_NAME set) it answers with a redirect to a presigned
URL that lives PRESIGNED_URL_LIFETIME seconds, so the bytes do not pass through a web
process. Either way the browser saves the file under its original name and never renders
it in the site's origin.
"""

import posixpath
from typing import Any, cast
from urllib.parse import quote

from django.core.files.storage import Storage
from django.http import FileResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

from .models import Document

PRESIGNED_URL_LIFETIME = 60  # seconds: long enough to follow the redirect, not to share it


class DocumentFileResponse(FileResponse):
    block_size = 64 * 1024


def attachment_disposition(name: str) -> str:
    """`attachment` with the name as RFC 6266 / RFC 5987 give it: a plain ASCII
    `filename` for old clients and `filename*=UTF-8''…` with the exact (e.g. Chinese) name."""
    if all(" " <= ch <= "~" and ch not in '"\\' for ch in name):
        fallback = name
    else:
        extension = posixpath.splitext(name)[1]
        if not extension.isascii() or not extension[1:].isalnum():
            extension = ""
        fallback = f"document{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def presigns_urls(storage: Storage) -> bool:
    """True for a private S3 bucket served by signed URLs (not a public custom domain)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return False
    return (
        isinstance(storage, S3Storage)
        and bool(storage.querystring_auth)
        and not storage.custom_domain
    )


def document_response(document: Document) -> HttpResponseBase:
    storage = document.file.storage
    disposition = attachment_disposition(document.original_name)
    response: HttpResponseBase
    if presigns_urls(storage):
        # S3Storage.url signs the response overrides into the URL (Storage.url cannot).
        url = cast(Any, storage).url(
            document.file.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": document.content_type,
            },
            expire=PRESIGNED_URL_LIFETIME,
        )
        response = HttpResponseRedirect(url)
        response["Referrer-Policy"] = "no-referrer"
    else:
        # FileNotFoundError if the file is gone: the view turns it into a 404.
        handle = storage.open(document.file.name or "", "rb")
        response = DocumentFileResponse(handle, content_type=document.content_type)
        response["Content-Disposition"] = disposition
        # Even if a browser ignored the attachment, the file runs nothing in our origin.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
