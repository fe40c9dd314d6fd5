"""The Django admin records assets through the services and shows their errors by field."""

import pytest

from listings.models import IPAsset
from tests.factories import IPAssetFactory, OrganizationFactory, UserFactory
from tests.factories.listings import valid_patent_number

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form_data(holder, **overrides):
    data = {
        "kind": "invention",
        "number": "CN " + valid_patent_number(4242).replace(".", " . "),
        "title": "一种锂电池隔膜的制备方法",
        "holder": holder.pk,
        "filing_date": "2020-03-01",
        "grant_date": "2022-05-10",
        "renewals": "0",
        "status": "valid",
        "ipc_codes": '["H01M 10/052"]',
        "nice_classes": "[]",
        "industry": "nev",
        "district": "high_tech",
        "abstract": "",
    }
    data.update(overrides)
    return data


def test_admin_add_normalises_the_number_and_derives_expiry(admin_client):
    holder = OrganizationFactory()

    response = admin_client.post("/django-admin/listings/ipasset/add/", form_data(holder))

    assert response.status_code == 302
    asset = IPAsset.objects.get()
    assert asset.number == valid_patent_number(4242)
    assert str(asset.expiry_date) == "2040-02-29"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "geographical_indication", "number": "12345678", "ipc_codes": "[]"}, "holder"),
        ({"number": "202010004242.1"}, "number"),
        ({"grant_date": "2019-01-01"}, "grant_date"),
    ],
)
def test_admin_shows_service_rule_errors_next_to_the_field(admin_client, overrides, field):
    holder = OrganizationFactory(kind="enterprise")

    response = admin_client.post(
        "/django-admin/listings/ipasset/add/", form_data(holder, **overrides)
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not IPAsset.objects.exists()


def test_admin_cannot_move_an_asset_to_another_holder(admin_client):
    asset = IPAssetFactory()
    other = OrganizationFactory()
    data = form_data(other, number=asset.number)  # a holder field sneaked into the POST

    response = admin_client.post(f"/django-admin/listings/ipasset/{asset.pk}/change/", data)

    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.holder_id != other.pk
