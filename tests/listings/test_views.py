"""IP asset pages: recording an asset through the form, the detail page's access rule and
the workspace's query count."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from listings.models import IPAsset
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.factories.listings import valid_patent_number
from tests.querycounts import SIGNED_IN_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

CREATE_URL = reverse("listings:asset_create")
WORKSPACE_URL = reverse("parties:workspace")


@pytest.fixture
def member_client(client, owner):
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield client


def _form_data(holder, **overrides):
    data = {
        "holder": holder.pk,
        "kind": "invention",
        "number": "ZL " + valid_patent_number(88, year=2021).replace(".", ""),
        "title": "一种氢燃料电池双极板",
        "filing_date": "2021-08-02",
        "grant_date": "2023-01-17",
        "status": "valid",
        "ipc_codes": "h01m 8/0206",
        "nice_classes": "",
        "industry": "nev",
        "district": "",
        "abstract": "",
    }
    data.update(overrides)
    return data


def _field_errors(response, name: str) -> list[str]:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    block = soup.find(attrs={"name": name}).find_parent("div", class_="field")
    return [p.get_text() for p in block.find_all("p", class_="error")]


def test_recording_an_asset_through_the_form(member_client, organization):
    # when a member fills in the form
    response = member_client.post(CREATE_URL, _form_data(organization))

    # then the asset is recorded, normalised, and the detail page shows it
    asset = IPAsset.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("listings:asset_detail", args=[asset.pk])
    assert asset.holder == organization
    assert asset.number == valid_patent_number(88, year=2021)
    assert asset.ipc_codes == ["H01M 8/0206"]
    assert asset.district == organization.district
    assert asset.expiry_date == datetime.date(2041, 8, 1)  # 20 years from filing, derived
    detail = member_client.get(response.url)
    assert asset.number in detail.content.decode()


def test_holder_choices_are_my_organisations_only(member_client, organization, owner):
    # given a second organisation of mine, and someone else's
    second = MembershipFactory(user=owner, role="member").organization
    stranger = OrganizationFactory()

    # when
    response = member_client.get(CREATE_URL)

    # then only mine are offered
    holder_field = response.context["form"].fields["holder"]
    assert set(holder_field.queryset) == {organization, second}
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    offered = {o["value"] for o in soup.find("select", attrs={"name": "holder"}).find_all("option")}
    assert offered == {"", str(organization.pk), str(second.pk)}
    assert str(stranger.pk) not in offered


def test_posting_another_organisations_pk_is_refused(member_client):
    stranger = OrganizationFactory()

    response = member_client.post(CREATE_URL, _form_data(stranger))

    assert response.status_code == 200
    assert "holder" in response.context["form"].errors
    assert not IPAsset.objects.exists()


def test_an_invalid_number_is_shown_next_to_the_field(member_client, organization):
    response = member_client.post(CREATE_URL, _form_data(organization, number="2021100000881"))

    assert response.status_code == 200
    errors = _field_errors(response, "number")
    assert len(errors) == 1
    assert "check digit" in errors[0]
    assert not IPAsset.objects.exists()


def test_a_duplicate_number_is_shown_next_to_the_field(member_client, organization):
    existing = IPAssetFactory()

    response = member_client.post(CREATE_URL, _form_data(organization, number=existing.number))

    assert _field_errors(response, "number") == ["This number is already recorded on the platform."]
    assert IPAsset.objects.count() == 1


def test_ipc_codes_on_a_trademark_are_shown_next_to_the_field(member_client, organization):
    response = member_client.post(
        CREATE_URL,
        _form_data(organization, kind="trademark", number="30123456", ipc_codes="H01M 8/0206"),
    )

    assert _field_errors(response, "ipc_codes") == ["IPC codes apply to patents only."]
    assert not IPAsset.objects.exists()


def test_a_user_without_an_organisation_is_sent_to_register_one(client, user):
    client.force_login(user)

    response = client.get(CREATE_URL)

    assert response.status_code == 302
    assert response.url == reverse("parties:organization_register")


# --- detail ---------------------------------------------------------------------------


def test_detail_is_404_for_a_user_of_another_organisation(client):
    asset = IPAssetFactory()
    client.force_login(MembershipFactory().user)

    response = client.get(reverse("listings:asset_detail", args=[asset.pk]))

    assert response.status_code == 404


def test_detail_is_404_for_a_signed_in_user_without_organisation(client, user):
    asset = IPAssetFactory()
    client.force_login(user)

    assert client.get(reverse("listings:asset_detail", args=[asset.pk])).status_code == 404


def test_detail_sends_anonymous_visitors_to_sign_in(client):
    asset = IPAssetFactory()
    url = reverse("listings:asset_detail", args=[asset.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_detail_is_shown_to_every_member_of_the_holder(client, organization):
    asset = IPAssetFactory(holder=organization)
    MembershipFactory(organization=organization, role="owner")
    member = MembershipFactory(organization=organization, role="member").user
    client.force_login(member)

    response = client.get(reverse("listings:asset_detail", args=[asset.pk]))

    assert response.status_code == 200
    assert asset.title in response.content.decode()


# --- workspace query count ------------------------------------------------------------

# Session, user, header (SIGNED_IN_PAGE) + memberships with their organisations, assets
# with their holders, the newest listings, pledge applications and deals: a fixed number
# whatever the number of rows shown.
WORKSPACE_MAX_QUERIES = SIGNED_IN_PAGE + 5


@pytest.mark.parametrize("n_assets", [5, 40])
def test_workspace_query_count_does_not_grow_with_assets(
    client, django_assert_max_num_queries, n_assets
):
    # given a user in two organisations holding n assets between them
    user = UserFactory()
    first = MembershipFactory(user=user).organization
    second = MembershipFactory(user=user, role="member").organization
    for i in range(n_assets):
        IPAssetFactory(holder=first if i % 2 else second)
    client.force_login(user)

    # when / then
    with django_assert_max_num_queries(WORKSPACE_MAX_QUERIES):
        response = client.get(WORKSPACE_URL)
    assert response.status_code == 200
    assert len(response.context["assets"]) == n_assets


def test_the_form_shows_a_number_error_together_with_other_errors(client):
    # given a member of one organisation
    membership = MembershipFactory()
    client.force_login(membership.user)

    # when the form is sent without a title and with a wrong check digit
    response = client.post(
        "/workspace/assets/new/",
        {
            "kind": "invention",
            "number": "202310123456.5",
            "status": "pending",
            "industry": "other",
            "holder": membership.organization.pk,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then both errors show at once, each next to its field
    errors = response.context["form"].errors
    assert "title" in errors
    assert errors["number"] == ["Wrong check digit: expected 6."]


def test_a_single_organisation_is_preselected_as_holder(client):
    membership = MembershipFactory()
    client.force_login(membership.user)

    response = client.get("/workspace/assets/new/")

    assert response.context["form"]["holder"].value() == membership.organization.pk
