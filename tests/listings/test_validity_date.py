"""A listing's validity date (有效期至): 90 days from today by default, explained in the help
text; an empty or past date gets a message that says what to enter."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone, translation

from listings.models import Listing
from tests.factories import (
    IPAssetFactory,
    MembershipFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("listings:workspace_listing_create")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def holder():
    return OrganizationFactory(verification_state="verified", name="郑州华锐科技有限公司")


@pytest.fixture
def member(holder):
    return MembershipFactory(organization=holder, user__name="王经理").user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.mark.date_sensitive
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_validity_date_defaults_to_90_days_and_says_so(member_client, language):
    """In ISO form in either language: the Chinese input format (2025/03/01) would leave
    the browser's date picker empty."""
    member_client.cookies["django_language"] = language
    response = member_client.get(CREATE_URL)

    field = _soup(response).find("input", attrs={"name": "valid_until"})
    expected = timezone.localdate() + datetime.timedelta(days=90)
    assert field["value"] == expected.isoformat()
    help_text = _soup(response).find(id=f"{field['id']}_helptext").get_text()
    assert ("90 days from today" if language == "en" else "今天起 90 天") in help_text


def _field_errors(response, name: str) -> list[str]:
    block = _soup(response).find(attrs={"name": name}).find_parent("div", class_="field")
    return [p.get_text() for p in block.find_all("p", class_="error")]


def _post(member_client, holder, asset, valid_until):
    return member_client.post(
        CREATE_URL,
        {
            "holder": holder.pk,
            "assets": [asset.pk],
            "title": "锂电池隔膜专利转让",
            "intent": "transfer",
            "valid_until": valid_until,
        },
    )


@pytest.mark.date_sensitive
def test_an_empty_validity_date_says_what_to_enter(member_client, holder):
    response = _post(member_client, holder, IPAssetFactory(holder=holder), "")

    expected = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    assert _field_errors(response, "valid_until") == [
        f"Enter the last day the listing stays on the portal, e.g. {expected} (90 days from today)."
    ]
    assert not Listing.objects.exists()


@pytest.mark.date_sensitive
@pytest.mark.parametrize("days", [0, -1, -400])
def test_a_validity_date_not_after_today_says_which_day_it_must_follow(member_client, holder, days):
    day = timezone.localdate() + datetime.timedelta(days=days)

    response = _post(member_client, holder, IPAssetFactory(holder=holder), day.isoformat())

    assert _field_errors(response, "valid_until") == [
        "The listing must stay valid until a future date: choose a day after today "
        f"({timezone.localdate().isoformat()})."
    ]
    assert not Listing.objects.exists()


def test_the_empty_date_message_is_in_chinese(client, member, holder):
    client.force_login(member)
    response = _post(client, holder, IPAssetFactory(holder=holder), "")

    (message,) = _field_errors(response, "valid_until")
    assert "必需" not in message
    assert "有效期" in message or "截止" in message or "挂牌" in message
