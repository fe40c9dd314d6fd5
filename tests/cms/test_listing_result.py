"""A closed listing stays public as the result of its deal (成交公告): /listings/<id>/ says
it closed, how (transfer, licence, registered pledge) and when, without the deal's price or
an offer button; the sitemap lists it; the portal's search shows it only when asked for
closed deals."""

import datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone

from listings import services
from listings.models import ListingState
from tests.factories import DealFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
DEAL_PRICE = Decimal("777777.00")  # never shown: the result names no price


def text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def page(client, listing, language: str = "zh-hans") -> BeautifulSoup:
    response = client.get(f"/listings/{listing.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def complete(listing, *, on: datetime.datetime, **deal_fields):
    """A deal on the listing completed on `on` and closed it, as deal_complete does (the
    deal's own path to completion is the deals app's to test)."""
    deal = DealFactory(
        listing=listing,
        state="completed",
        completed_at=on,
        price=DEAL_PRICE,
        buyer=OrganizationFactory(verification_state="verified", name="郑州买方科技有限公司"),
        **deal_fields,
    )
    with time_machine.travel(on, tick=False):
        services.listing_close(listing=listing, note=f"Deal #{deal.pk}")
    listing.refresh_from_db()
    return deal


@pytest.fixture
def transfer(market, listing_index):
    listing = market.publish("锂电池隔膜专利转让", asking_price=Decimal("1200000.00"))
    complete(listing, on=datetime.datetime(2026, 11, 20, 15, 30, tzinfo=SHANGHAI))
    return listing


def test_a_completed_transfer_stays_public_as_closed_with_its_date(client, transfer, market):
    assert transfer.state == ListingState.CLOSED

    soup = page(client, transfer)

    result = soup.select_one("#listing-result")
    assert result is not None
    assert text(result.h2) == "已成交"
    assert "该项目已于 2026-11-20 完成转让。" in text(result)
    assert "成交价格不予公开" in text(result)
    assert "已成交" in text(soup.select_one(".tags"))
    side = text(soup.select_one(".listing-side"))
    assert "成交日期 2026-11-20" in side
    assert "挂牌价格" in side  # the asking price it was listed at, labelled as such
    # no offer: neither the button nor the sign-in prompt
    assert soup.select_one(".cta") is None
    assert "/workspace/deals/new/" not in str(soup)
    assert "/accounts/login/" not in str(soup.select_one(".listing-side"))
    # the deal's price and buyer are not published
    html = str(soup)
    assert "777,777" not in html
    assert "77.78" not in html
    assert "郑州买方科技有限公司" not in html
    # the rest of the listing is still there
    assert soup.h1.get_text(strip=True) == "锂电池隔膜专利转让"
    assert soup.select(".asset")


def test_the_closed_listing_in_english(client, transfer):
    soup = page(client, transfer, "en")

    result = soup.select_one("#listing-result")
    assert text(result.h2) == "Closed: deal completed"
    assert "The transfer was completed on 2026-11-20." in text(result)
    assert "The deal price is not published." in text(result)
    assert "Closed on 2026-11-20" in text(soup.select_one(".listing-side"))
    assert "Listed by" in text(soup.select_one(".holder-card"))
    assert soup.select_one(".cta") is None


def test_a_signed_in_buyer_gets_no_offer_button_on_a_closed_listing(client, transfer):
    buyer = OrganizationFactory(verification_state="verified")
    client.force_login(MembershipFactory(organization=buyer).user)
    soup = page(client, transfer)
    assert soup.select_one(".cta") is None
    # and the offer form refuses the listing
    assert client.get("/workspace/deals/new/", {"listing": transfer.pk}).status_code == 404


def test_a_completed_licence_names_its_type(client, market, listing_index):
    listing = market.publish("盾构机专利独占许可", intent="licence", licence_type="exclusive")
    complete(
        listing,
        on=datetime.datetime(2026, 10, 8, 9, tzinfo=SHANGHAI),
        licence_type="exclusive",
    )

    zh = text(page(client, listing).select_one("#listing-result"))
    en = text(page(client, listing, "en").select_one("#listing-result"))

    assert "该项目已于 2026-10-08 完成许可交易（独占许可）。" in zh
    assert "A licence (Exclusive licence) was completed on 2026-10-08." in en


def test_a_pledge_listing_closed_by_its_registration_says_financed(client, market, listing_index):
    listing = market.publish("超硬材料专利组合质押融资", intent="pledge", asking_price=None)
    closed_at = datetime.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI)
    with time_machine.travel(closed_at, tick=False):
        services.listing_close(listing=listing, note="Pledge application #1")

    soup = page(client, listing)

    result = text(soup.select_one("#listing-result"))
    assert result.startswith("已获融资：质押已登记")
    assert "该项目所涉质押融资已于 2026-09-01 完成质押登记。" in result
    assert "质押登记日期 2026-09-01" in text(soup.select_one(".listing-side"))
    assert soup.select_one(".cta") is None
    assert "Financed" in text(page(client, listing, "en").select_one(".tags"))


def test_closing_records_when(market, listing_index):
    listing = market.publish("待成交")
    before = timezone.now()
    services.listing_close(listing=listing)
    listing.refresh_from_db()
    assert listing.closed_at is not None
    assert before <= listing.closed_at <= timezone.now()


# --- the sitemap and the search agree with the pages -----------------------------------------


def test_the_sitemap_lists_closed_listings_but_not_withdrawn_or_expired(
    client, market, transfer, listing_index
):
    on_offer = market.publish("在售")
    withdrawn = market.withdraw(market.publish("已撤回"))
    expired = services.listing_expire(listing=market.publish("已过期"))

    response = client.get("/sitemap.xml")

    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own sitemap)
    locations = {loc.text for loc in root.iter(f"{namespace}loc")}
    assert f"http://localhost/listings/{on_offer.pk}/" in locations
    assert f"http://localhost/listings/{transfer.pk}/" in locations
    assert f"http://localhost/listings/{withdrawn.pk}/" not in locations
    assert f"http://localhost/listings/{expired.pk}/" not in locations


def result_titles(client, **params) -> list[str]:
    response = client.get("/listings/", params)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in soup.select(".listing-card-title a")]


def test_the_search_leaves_closed_listings_out_unless_asked_for_results(
    client, market, transfer, listing_index
):
    market.publish("锂电池正极材料专利转让")

    assert result_titles(client) == ["锂电池正极材料专利转让"]
    assert result_titles(client, q="锂电池") == ["锂电池正极材料专利转让"]

    assert result_titles(client, closed="on") == ["锂电池隔膜专利转让"]
    assert result_titles(client, q="锂电池", closed="on") == ["锂电池隔膜专利转让"]
    cards = BeautifulSoup(client.get("/listings/", {"closed": "on"}).content, "html.parser")
    assert "已成交 · 2026-11-20" in text(cards.select_one(".listing-card .tags"))
