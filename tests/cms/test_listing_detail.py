"""/listings/<id>/: what a visitor learns about one published listing."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from listings import services
from marketplace.pledges.selectors import assets_under_active_pledge
from tests.factories import PledgeApplicationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def detail(client, listing, **headers):
    response = client.get(f"/listings/{listing.pk}/", **headers)
    assert response.status_code == 200
    return response.content.decode(), BeautifulSoup(response.content, "html.parser")


def facts(soup: BeautifulSoup, scope: str = ".asset") -> dict[str, str]:
    box = soup.select_one(scope)
    return {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in box.select("dt")
    }


# on 2 December 2026 (the clock pinned): the invention below has 13 of its 20 years left
@pytest.mark.time_machine(datetime.datetime(2026, 12, 2, 10, tzinfo=SHANGHAI))
def test_detail_shows_the_assets_holder_and_price(client, market, listing_index):
    # given a published listing of a granted invention
    asset = market.asset(
        title="一种锂电池隔膜的制备方法",
        filing_date=datetime.date(2020, 3, 1),
        grant_date=datetime.date(2022, 5, 10),
        ipc_codes=["H01M 50/403"],
    )
    listing = market.publish("锂电池隔膜专利转让", assets=[asset])

    # when an English reader opens it
    _, soup = detail(client, listing, HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert soup.h1.get_text(strip=True) == "锂电池隔膜专利转让"
    row = facts(soup)
    assert row["Number"] == asset.number
    assert row["Filing date"] == "2020-03-01"
    assert row["Grant / registration date"] == "2022-05-10"
    assert row["Expiry date"] == "2040-02-29"
    assert row["Remaining legal term"].replace("\xa0", " ") == "13 years, 2 months"
    assert row["Status"] == "Valid"
    assert row["Under an active pledge"] == "No"
    assert row["IPC codes"] == "H01M 50/403"
    assert "郑州航港动力电池有限公司" in soup.select_one(".holder-card").get_text()
    assert soup.select_one(".holder-card .verified") is not None
    assert soup.select_one(".price-big").get_text(strip=True) == "¥1,200,000"


def test_detail_in_chinese_uses_wan_yuan(client, market, listing_index):
    listing = market.publish("商标转让", asking_price=Decimal("85000"))
    html, soup = detail(client, listing)
    assert soup.html["lang"] == "zh-hans"
    assert soup.select_one(".price-big").get_text(strip=True) == "8.5 万元"
    assert "¥85,000" in html  # the exact sum beside it


def test_a_pledge_listing_shows_the_financing_sought(client, market, listing_index):
    listing = market.publish("质押融资", intent="pledge", asking_price=None)
    _, soup = detail(client, listing, HTTP_ACCEPT_LANGUAGE="en")
    assert soup.select_one(".price-big").get_text(strip=True) == "Negotiable"
    assert "Financing sought" in soup.select_one(".price-card").get_text()


def test_a_package_lists_every_asset(client, market, listing_index):
    assets = [market.asset(title=f"一种动力电池模组{n}") for n in range(3)]
    listing = market.publish("动力电池专利组合", assets=assets)
    _, soup = detail(client, listing)
    shown = [box.h3.get_text(strip=True) for box in soup.select(".asset")]
    assert shown == [asset.title for asset in sorted(assets, key=lambda a: a.pk)]


def test_the_description_is_shown_sanitised(client, market, listing_index):
    listing = market.publish(
        "含脚本的描述",
        description=(
            '<p>正文<strong>加粗</strong></p><script>alert("x")</script>'
            '<img src=x onerror="alert(1)"><a href="javascript:alert(1)">链接</a>'
        ),
    )
    html, soup = detail(client, listing)
    prose = soup.select_one(".prose")
    assert prose.strong.get_text() == "加粗"
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_title_meta_description_and_opengraph_per_listing(client, market, listing_index):
    listing = market.publish(
        "锂电池隔膜专利转让", description="<p>隔膜孔隙率高，适合动力电池。</p>"
    )
    _, soup = detail(client, listing)
    assert soup.title.get_text().startswith("锂电池隔膜专利转让 · ")
    assert soup.select_one('meta[name="description"]')["content"] == "隔膜孔隙率高，适合动力电池。"
    assert soup.select_one('meta[property="og:title"]')["content"] == "锂电池隔膜专利转让"
    assert soup.select_one('meta[property="og:type"]')["content"] == "article"
    assert soup.select_one('meta[property="og:url"]')["content"].endswith(
        f"/listings/{listing.pk}/"
    )
    assert soup.select_one('meta[property="og:description"]')["content"].startswith("隔膜")


def test_a_listing_without_description_still_has_a_meta_description(client, market, listing_index):
    listing = market.publish("无描述的挂牌")
    _, soup = detail(client, listing, HTTP_ACCEPT_LANGUAGE="en")
    description = soup.select_one('meta[name="description"]')["content"]
    assert "Invention patent" in description
    assert "郑州航港动力电池有限公司" in description


def not_public(market, state: str):
    """A listing left in `state` by the services."""
    if state == "withdrawn":
        return market.withdraw(market.publish("已撤回"))
    if state == "expired":
        return services.listing_expire(listing=market.publish("已过期"))
    listing = market.draft("未发布")
    if state in ("pending_review", "rejected"):
        listing = services.listing_submit(listing=listing, by=market.member)
    if state == "rejected":
        listing = services.listing_reject(listing=listing, by=market.staff, reason="材料不全")
    return listing


@pytest.mark.parametrize("state", ["draft", "pending_review", "rejected", "withdrawn", "expired"])
def test_withdrawn_expired_and_unpublished_listings_have_no_public_page(
    client, market, listing_index, state
):
    # They carry no result to publish: the holder took the listing down, let it lapse,
    # or never had it published.
    listing = not_public(market, state)
    assert listing.state == state
    assert client.get(f"/listings/{listing.pk}/").status_code == 404
    assert client.get(f"/listings/{listing.pk}/", HTTP_ACCEPT_LANGUAGE="en").status_code == 404


@pytest.mark.parametrize("pk", ["999999", "0", "99999999999999999999999"])
def test_unknown_listing_ids_are_404(client, listing_index, pk):
    assert client.get(f"/listings/{pk}/").status_code == 404


@pytest.mark.parametrize(
    ("state", "pledged"),
    [
        ("contract_signed", False),
        ("registered", True),
        ("disbursed", True),
        ("overdue", True),
        ("defaulted", True),
        ("repaid", False),
        ("released", False),
    ],
)
def test_an_asset_is_under_an_active_pledge_from_registration_to_repayment(
    client, market, listing_index, state, pledged
):
    # given a published listing of two assets, the first pledged in `state`
    assets = [market.asset(), market.asset()]
    listing = market.publish("质押中的专利", assets=assets)
    PledgeApplicationFactory(applicant=listing.holder, state=state, assets=[assets[0]])

    # then the selector and the page say so for that asset only
    assert assets_under_active_pledge(assets=assets) == {assets[0].pk: pledged, assets[1].pk: False}
    _, soup = detail(client, listing, HTTP_ACCEPT_LANGUAGE="en")
    rows = [facts(box, "dl") for box in soup.select(".asset")]
    shown = {row["Number"]: row["Under an active pledge"] for row in rows}
    assert shown == {assets[0].number: "Yes" if pledged else "No", assets[1].number: "No"}
