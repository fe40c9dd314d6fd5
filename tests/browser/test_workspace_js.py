"""The workspace's small scripts in Chromium, on a 375 px phone: the live check of an asset
number (static/js/asset-number.js) and the licence type that shows only for licence listings
(static/js/listing-form.js). Without the scripts the forms work the same (tests/listings/).

Expected texts come from the same catalogues the server uses, never hard-coded Chinese.
"""

import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from playwright.sync_api import expect

from listings.validators import validate_ip_number
from tests.factories import (
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    PledgeApplicationFactory,
)
from tests.factories.listings import valid_patent_number

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def _number_error(kind: str, number: str, language: str) -> str:
    with translation.override(language):
        try:
            validate_ip_number(kind, number)
        except ValidationError as error:
            return " ".join(error.messages)
    raise AssertionError(f"{number} is valid")


def _signed_in_page(new_page: Callable, email: str, **options):  # type: ignore[no-untyped-def]
    page = new_page(**PHONE, **options)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("#main form").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    return page


def _no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"


def test_the_asset_number_is_checked_while_typing(new_page):
    membership = MembershipFactory()
    page = _signed_in_page(new_page, membership.user.email)
    page.goto("/workspace/assets/new/")
    _no_horizontal_scroll(page)
    number = page.locator("input[name=number]")
    live = page.locator("#id_number_check")

    # a wrong check digit: the message appears in the polite live region, in Chinese
    page.locator("select[name=kind]").select_option("invention")
    number.press_sequentially("202310123456.5", delay=10)
    expect(live).to_have_text(_number_error("invention", "202310123456.5", "zh-hans"))
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_have_class(re.compile(r"is-invalid"))
    assert "id_number_check" in (number.get_attribute("aria-describedby") or "")

    # corrected, with a prefix: the normalised number is announced
    number.fill("ZL 2023101234566")
    expect(live).to_contain_text("202310123456.6")
    expect(live).to_have_class(re.compile(r"is-valid"))

    # changing the kind checks again: an invention number is not a utility model's
    page.locator("select[name=kind]").select_option("utility_model")
    expect(live).to_have_class(re.compile(r"is-invalid"))


def test_the_asset_edit_page_checks_the_number_in_english(new_page):
    membership = MembershipFactory()
    asset = IPAssetFactory(holder=membership.organization)
    page = _signed_in_page(new_page, membership.user.email, locale="en-GB")
    page.goto(f"/workspace/assets/{asset.pk}/edit/")

    page.locator("input[name=number]").fill("202310123456.5")

    expect(page.locator("#id_number_check")).to_have_text(
        _number_error("invention", "202310123456.5", "en")
    )


def test_the_licence_type_shows_for_licence_listings_only(new_page):
    membership = MembershipFactory(organization__verification_state="verified")
    IPAssetFactory(holder=membership.organization, number=valid_patent_number(9, year=2021))
    page = _signed_in_page(new_page, membership.user.email)
    page.goto("/workspace/listings/new/")
    _no_horizontal_scroll(page)
    licence = page.locator("select[name=licence_type]")

    expect(licence).to_be_hidden()
    page.locator("select[name=intent]").select_option("licence")
    expect(licence).to_be_visible()
    expect(licence).to_be_enabled()
    page.locator("select[name=intent]").select_option("transfer")
    expect(licence).to_be_hidden()
    expect(licence).to_be_disabled()


def test_the_listing_detail_fits_a_phone(new_page):
    membership = MembershipFactory(organization__verification_state="verified")
    listing = ListingFactory(holder=membership.organization, state="published")
    page = _signed_in_page(new_page, membership.user.email)

    page.goto(f"/workspace/listings/{listing.pk}/")

    expect(page.locator("h1")).to_have_text(listing.title)
    _no_horizontal_scroll(page)
    page.goto("/workspace/listings/")
    _no_horizontal_scroll(page)


def test_a_pledge_listing_cannot_take_a_pledged_or_pending_asset(new_page):
    """listing-form.js: for a pledge listing, the assets marked data-not-for-pledge (pledged
    already, or not granted) cannot be ticked; for a transfer they can again. An asset the
    server disabled (lapsed) stays disabled whatever the intent."""
    membership = MembershipFactory(organization__verification_state="verified")
    holder = membership.organization
    pledged = IPAssetFactory(holder=holder, number=valid_patent_number(11, year=2021))
    PledgeApplicationFactory(applicant=holder, assets=[pledged], state="registered")
    pending = IPAssetFactory(
        holder=holder, number=valid_patent_number(12, year=2021), status="pending"
    )
    lapsed = IPAssetFactory(
        holder=holder, number=valid_patent_number(13, year=2021), status="lapsed"
    )
    free = IPAssetFactory(holder=holder, number=valid_patent_number(14, year=2021))
    page = _signed_in_page(new_page, membership.user.email)
    page.goto("/workspace/listings/new/")
    _no_horizontal_scroll(page)

    def box(asset):  # type: ignore[no-untyped-def]
        return page.locator(f"input[name=assets][value='{asset.pk}']")

    for asset in (pledged, pending, free):
        expect(box(asset)).to_be_enabled()
    expect(box(lapsed)).to_be_disabled()

    page.locator("select[name=intent]").select_option("pledge")
    expect(box(pledged)).to_be_disabled()
    expect(box(pending)).to_be_disabled()
    expect(box(free)).to_be_enabled()
    expect(box(lapsed)).to_be_disabled()

    page.locator("select[name=intent]").select_option("transfer")
    expect(box(pledged)).to_be_enabled()
    expect(box(pending)).to_be_enabled()
    expect(box(lapsed)).to_be_disabled()
