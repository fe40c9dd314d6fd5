"""The document pages: upload from the asset page, access-checked download, delete; and the
asset page's documents section."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from marketplace.documents import services
from marketplace.documents.models import Document, DocumentKind
from marketplace.documents.validators import MAX_DOCUMENT_SIZE
from tests.factories import IPAssetFactory, MembershipFactory, UserFactory
from tests.querycounts import SIGNED_IN_PAGE

from .conftest import JPEG, PDF, PNG, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield client


def _upload_url(asset):
    return reverse("documents:asset_upload", args=[asset.pk])


def _document(member, asset, name="专利证书 2024.pdf", content=PDF):
    return services.document_upload(
        by=member,
        organization=asset.holder,
        asset=asset,
        kind=DocumentKind.CERTIFICATE,
        uploaded_file=upload(name, content),
    )


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- upload -----------------------------------------------------------------------------


def test_a_member_uploads_from_the_asset_page(member_client, asset, media_root):
    response = member_client.post(
        _upload_url(asset), {"kind": "certificate", "file": upload("证书.png", PNG, "image/png")}
    )

    document = Document.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("listings:asset_detail", args=[asset.pk]) + "#documents"
    assert document.asset == asset
    assert document.content_type == "image/png"
    assert (media_root / document.file.name).read_bytes() == PNG
    assert _messages(response) == ["Uploaded 证书.png."]


def test_a_refused_file_is_reported_on_the_asset_page(member_client, asset, media_root):
    response = member_client.post(
        _upload_url(asset),
        {"kind": "certificate", "file": upload("setup.pdf", b"MZ\x90\x00" + b"\x00" * 32)},
        follow=True,
    )

    assert not Document.objects.exists()
    assert stored_files(media_root) == []
    assert "The file&#x27;s content is not a PDF, PNG or JPEG document." in (
        response.content.decode()
    )


def test_an_oversized_upload_is_dropped_while_it_arrives(
    member_client, asset, media_root, monkeypatch
):
    # given: the upload handler, not the service, must catch it (the file never arrives)
    def not_reached(**kwargs):
        raise AssertionError("the oversized file reached the service")

    monkeypatch.setattr(services, "document_upload", not_reached)
    content = PDF + b"0" * (MAX_DOCUMENT_SIZE + 1 - len(PDF))

    response = member_client.post(
        _upload_url(asset), {"kind": "certificate", "file": upload("big.pdf", content)}
    )

    assert response.status_code == 302
    assert not Document.objects.exists()
    assert _messages(response) == ["The file is too large: at most 10.0\xa0MB."]


def test_a_missing_file_is_reported(member_client, asset):
    response = member_client.post(_upload_url(asset), {"kind": "certificate"})

    assert not Document.objects.exists()
    assert _messages(response) == ["File: This field is required."]


def test_upload_is_404_for_an_asset_of_another_organisation(member_client, media_root):
    someone_elses = IPAssetFactory()

    response = member_client.post(
        _upload_url(someone_elses), {"kind": "certificate", "file": upload()}
    )

    assert response.status_code == 404
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_upload_sends_anonymous_visitors_to_sign_in(client, asset):
    response = client.post(_upload_url(asset), {"kind": "certificate", "file": upload()})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Document.objects.exists()


def test_upload_checks_the_csrf_token(member, asset):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member)

    response = csrf_client.post(_upload_url(asset), {"kind": "certificate", "file": upload()})

    assert response.status_code == 403
    assert not Document.objects.exists()


def test_upload_is_post_only(member_client, asset):
    assert member_client.get(_upload_url(asset)).status_code == 405


# --- download ---------------------------------------------------------------------------


def test_a_member_downloads_the_exact_bytes_under_the_original_name(member_client, member, asset):
    document = _document(member, asset)

    response = member_client.get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 200
    assert _body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"document.pdf\"; filename*=UTF-8''"
        "%E4%B8%93%E5%88%A9%E8%AF%81%E4%B9%A6%202024.pdf"
    )
    assert quote("专利证书 2024.pdf", safe="") in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_an_ascii_name_is_also_given_plainly(member_client, member, asset):
    document = _document(member, asset, name="certificate.jpg", content=JPEG)

    response = member_client.get(reverse("documents:download", args=[document.pk]))

    assert _body(response) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"certificate.jpg\"; filename*=UTF-8''certificate.jpg"
    )


def test_every_member_of_the_organisation_may_download(client, member, asset, membership):
    document = _document(member, asset)
    colleague = MembershipFactory(organization=membership.organization, role="member").user
    client.force_login(colleague)

    response = client.get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 200
    assert _body(response) == PDF


def test_download_is_404_for_a_non_member(client, member, asset):
    document = _document(member, asset)
    for outsider in (MembershipFactory().user, UserFactory()):
        client.force_login(outsider)
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404


def test_download_is_404_for_an_unknown_id(member_client):
    assert member_client.get(reverse("documents:download", args=[999999])).status_code == 404


def test_download_sends_anonymous_visitors_to_sign_in(client, member, asset):
    document = _document(member, asset)
    url = reverse("documents:download", args=[document.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_staff_may_download_any_document(client, member, asset, staff_user):
    document = _document(member, asset)
    client.force_login(staff_user)

    response = client.get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 200
    assert _body(response) == PDF


def test_a_document_whose_file_is_missing_is_404(member_client, member, asset, media_root):
    document = _document(member, asset)
    (media_root / document.file.name).unlink()

    response = member_client.get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 404


# --- delete -----------------------------------------------------------------------------


def test_a_member_deletes_a_document(
    member_client, member, asset, media_root, django_capture_on_commit_callbacks
):
    document = _document(member, asset)

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("documents:delete", args=[document.pk]))

    assert response.status_code == 302
    assert response.url == reverse("listings:asset_detail", args=[asset.pk]) + "#documents"
    assert not Document.objects.exists()
    assert stored_files(media_root) == []
    assert _messages(response) == ["Deleted 专利证书 2024.pdf."]


def test_delete_is_404_for_a_non_member(client, member, asset, media_root):
    document = _document(member, asset)
    client.force_login(MembershipFactory().user)

    response = client.post(reverse("documents:delete", args=[document.pk]))

    assert response.status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


def test_staff_who_are_not_members_may_not_delete(client, member, asset, staff_user):
    document = _document(member, asset)
    client.force_login(staff_user)

    response = client.post(reverse("documents:delete", args=[document.pk]))

    assert response.status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()


def test_delete_is_post_only(member_client, member, asset):
    document = _document(member, asset)

    assert member_client.get(reverse("documents:delete", args=[document.pk])).status_code == 405
    assert Document.objects.filter(pk=document.pk).exists()


# --- the asset page ---------------------------------------------------------------------


def test_the_asset_page_lists_documents_and_offers_an_upload_form(member_client, member, asset):
    document = _document(member, asset)
    other_asset = IPAssetFactory(holder=asset.holder)
    _document(member, other_asset, name="other-asset.pdf")

    response = member_client.get(reverse("listings:asset_detail", args=[asset.pk]))

    soup = BeautifulSoup(response.content.decode(), "html.parser")
    section = soup.find("section", id="documents")
    assert section.find("h2").get_text() == "Certificates and documents"
    rows = section.find("tbody").find_all("tr")
    assert len(rows) == 1
    text = rows[0].get_text(" ", strip=True)
    assert "专利证书 2024.pdf" in text
    assert "Certificate" in text
    assert str(member) in text
    download = reverse("documents:download", args=[document.pk])
    assert section.find("a", href=download)
    assert section.find("form", action=reverse("documents:delete", args=[document.pk]))
    # the upload form: multipart, labelled file input with `accept`, a kind select
    form = section.find("form", action=_upload_url(asset))
    assert form["enctype"] == "multipart/form-data"
    assert form["method"] == "post"
    file_input = form.find("input", attrs={"type": "file"})
    assert file_input["name"] == "file"
    assert ".pdf" in file_input["accept"]
    assert "image/jpeg" in file_input["accept"]
    assert form.find("label", attrs={"for": file_input["id"]})
    assert form.find(id=file_input["aria-describedby"]).get_text() == (
        "PDF, PNG or JPEG, at most 10 MB."
    )
    kind = form.find("select", attrs={"name": "kind"})
    assert form.find("label", attrs={"for": kind["id"]})
    # every kind but the recordal evidence, which the deal page uploads for the staff's check
    assert {o["value"] for o in kind.find_all("option")} == set(DocumentKind.values) - {
        DocumentKind.RECORDAL_EVIDENCE
    }
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})


def test_the_asset_page_without_documents_says_so(member_client, asset):
    response = member_client.get(reverse("listings:asset_detail", args=[asset.pk]))

    assert "No documents yet." in response.content.decode()


# Session, user, header (SIGNED_IN_PAGE) + the asset with its holder, the user's
# memberships, the documents with their uploaders: a fixed number whatever the number of
# documents.
ASSET_PAGE_MAX_QUERIES = SIGNED_IN_PAGE + 3


def _queries_for_asset_page(client, asset) -> int:
    url = reverse("listings:asset_detail", args=[asset.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_asset_page_queries_do_not_grow_with_documents(member_client, member, asset):
    # given an asset with one document, and another with ten (by several uploaders)
    _document(member, asset)
    crowded = IPAssetFactory(holder=asset.holder)
    colleagues = [
        MembershipFactory(organization=asset.holder, role="member").user for _ in range(3)
    ]
    for i in range(10):
        _document(colleagues[i % 3], crowded, name=f"证书{i}.pdf")

    # when / then the page costs the same number of queries
    one = _queries_for_asset_page(member_client, asset)
    ten = _queries_for_asset_page(member_client, crowded)
    assert one == ten <= ASSET_PAGE_MAX_QUERIES
    response = member_client.get(reverse("listings:asset_detail", args=[crowded.pk]))
    assert response.content.decode().count('action="/files/') == 11  # 10 deletes + upload
