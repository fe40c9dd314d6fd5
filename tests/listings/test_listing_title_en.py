"""A listing's optional English title (Listing.title_en): the holder writes it on the
workspace form, English readers see it wherever the listing is named, Chinese readers the
title, and the search finds the listing by the words of either."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from listings import services
from listings.models import Listing
from listings.selectors import listing_search
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLE = "锂电池隔膜专利转让"
TITLE_EN = "Invention patent: lithium battery separator — for transfer"


@pytest.fixture
def holder():
    return OrganizationFactory(verification_state="verified", name="郑州锂能科技有限公司")


@pytest.fixture
def member(holder):
    return MembershipFactory(organization=holder).user


@pytest.fixture
def asset(holder):
    return IPAssetFactory(holder=holder, title="一种锂电池隔膜的制备方法")


def draft(member, holder, asset, **fields):
    data = {
        "title": TITLE,
        "intent": "transfer",
        "asking_price": Decimal("1200000.00"),
        "valid_until": timezone.localdate() + datetime.timedelta(days=90),
    }
    data.update(fields)
    return services.listing_create(by=member, holder=holder, assets=[asset], **data)


def publish(listing, member):
    listing = services.listing_submit(listing=listing, by=member)
    return services.listing_publish(listing=listing, by=UserFactory(is_staff=True))


# --- the service -------------------------------------------------------------------------------


def test_the_english_title_is_optional_and_trimmed(member, holder, asset):
    assert draft(member, holder, asset).title_en == ""
    listing = draft(member, holder, IPAssetFactory(holder=holder), title_en=f"  {TITLE_EN}  ")
    assert listing.title_en == TITLE_EN


def test_an_english_title_too_long_is_refused_with_a_message(member, holder, asset):
    with pytest.raises(ValidationError) as raised:
        draft(member, holder, asset, title_en="x" * 201)
    assert set(raised.value.message_dict) == {"title_en"}
    assert not Listing.objects.exists()


def test_the_english_title_is_edited_like_the_title(member, holder, asset):
    listing = draft(member, holder, asset)
    listing = services.listing_update(listing=listing, by=member, title_en=TITLE_EN)
    assert listing.title_en == TITLE_EN


@pytest.mark.parametrize("query", ["separator", "Lithium", TITLE, "隔膜"])
def test_the_search_finds_the_listing_by_either_title(member, holder, asset, query):
    listing = publish(draft(member, holder, asset, title_en=TITLE_EN), member)
    results = list(listing_search(filters={"q": query}).results)
    assert [found.pk for found in results] == [listing.pk]


# --- the pages ---------------------------------------------------------------------------------


def test_english_readers_see_the_english_title_and_chinese_readers_the_title(
    client, member, holder, asset
):
    from cms.services import portal_pages_ensure

    portal_pages_ensure()
    listing = publish(draft(member, holder, asset, title_en=TITLE_EN), member)

    for language, expected in (("zh-hans", TITLE), ("en", TITLE_EN)):
        detail = BeautifulSoup(
            client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content,
            "html.parser",
        )
        assert detail.h1.get_text(strip=True) == expected
        assert detail.title.get_text().startswith(f"{expected} · ")
        portal = BeautifulSoup(
            client.get("/listings/", HTTP_ACCEPT_LANGUAGE=language).content, "html.parser"
        )
        assert portal.select_one(".listing-card-title").get_text(strip=True) == expected


def test_without_an_english_title_english_readers_see_the_title(client, member, holder, asset):
    from cms.services import portal_pages_ensure

    portal_pages_ensure()
    listing = publish(draft(member, holder, asset), member)
    detail = BeautifulSoup(
        client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content, "html.parser"
    )
    assert detail.h1.get_text(strip=True) == TITLE


def test_the_workspace_form_offers_the_optional_english_title(client, member, holder, asset):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    create = reverse("listings:workspace_listing_create")

    form = BeautifulSoup(client.get(create).content, "html.parser")
    field = form.find("input", attrs={"name": "title_en"})
    assert field is not None
    assert not field.has_attr("required")
    assert "optional" in form.find("label", attrs={"for": field["id"]}).get_text()

    response = client.post(
        create,
        {
            "holder": holder.pk,
            "assets": [asset.pk],
            "title": TITLE,
            "title_en": TITLE_EN,
            "intent": "transfer",
            "asking_price": "1200000.00",
            "valid_until": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        },
    )

    assert response.status_code == 302
    listing = Listing.objects.get()
    assert listing.title_en == TITLE_EN
    # the workspace names it in the reader's language
    page = BeautifulSoup(client.get(response.url).content, "html.parser")
    assert page.h1.get_text(strip=True) == TITLE_EN
    client.cookies["django_language"] = "zh-hans"
    page = BeautifulSoup(client.get(response.url).content, "html.parser")
    assert page.h1.get_text(strip=True) == TITLE
    edit = BeautifulSoup(
        client.get(reverse("listings:workspace_listing_edit", args=[listing.pk])).content,
        "html.parser",
    )
    assert edit.find("input", attrs={"name": "title_en"})["value"] == TITLE_EN
