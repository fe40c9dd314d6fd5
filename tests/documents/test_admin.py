"""The Django admin lists documents read-only for staff."""

import pytest
from django.urls import reverse

from marketplace.documents import services
from marketplace.documents.models import Document, DocumentKind
from tests.factories import UserFactory

from .conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(member, asset):
    return services.document_upload(
        by=member,
        organization=asset.holder,
        asset=asset,
        kind=DocumentKind.CERTIFICATE,
        uploaded_file=upload("专利证书.pdf"),
    )


def test_staff_see_the_list_and_a_document_read_only(client, staff_user, document):
    client.force_login(staff_user)

    listing = client.get(reverse("admin:documents_document_changelist"))
    detail = client.get(reverse("admin:documents_document_change", args=[document.pk]))

    assert listing.status_code == 200
    assert "专利证书.pdf" in listing.content.decode()
    assert reverse("documents:download", args=[document.pk]) in listing.content.decode()
    assert detail.status_code == 200
    assert document.file.name not in detail.content.decode()  # the stored path stays hidden


def test_the_admin_cannot_add_change_or_delete(client, staff_user, document):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@example.com"))

    assert client.get(reverse("admin:documents_document_add")).status_code == 403
    change = reverse("admin:documents_document_change", args=[document.pk])
    assert client.post(change, {"kind": "other"}).status_code == 403
    delete = reverse("admin:documents_document_delete", args=[document.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Document.objects.get().kind == DocumentKind.CERTIFICATE


def test_non_staff_are_sent_away(client, member, document):
    client.force_login(member)

    response = client.get(reverse("admin:documents_document_changelist"))

    assert response.status_code == 302
