"""The market's pages run the same number of queries at 5 and at 50 listings per page."""

import pytest

pytestmark = pytest.mark.django_db

# Wagtail's routing (site, pages) plus the search: four facets, the count, the page and its
# cards; "verified holders only" adds a look-up of the verified holders per facet; the
# synonym map, once a cache expiry.
INDEX_QUERIES = 20
DETAIL_QUERIES = 10


@pytest.fixture
def fifty(market, listing_index):
    listings = []
    for n in range(50):
        assets = [market.asset(title=f"一种锂电池隔膜{n}"), market.asset(title=f"电池壳体{n}")]
        listings.append(market.publish(f"一种锂电池隔膜的制备方法 第{n}号", assets=assets))
    return listings


@pytest.mark.parametrize("per_page", [5, 50])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=锂电池",
        "?q=锂电池&sort=price_asc&verified=on",
        "?kind=invention&l_belt=on",
        "?q=锂离子电池 隔膜",  # found through the synonym 锂电池: still one search query
    ],
)
def test_listing_index_query_count_is_constant(
    client, listing_index, fifty, per_page, query, django_assert_max_num_queries
):
    listing_index.per_page = per_page
    listing_index.save()
    with django_assert_max_num_queries(INDEX_QUERIES):
        response = client.get(f"/listings/{query}")
    assert response.status_code == 200
    assert response.content.decode().count('class="listing-card"') == per_page


@pytest.mark.parametrize("assets", [1, 5, 50])
def test_listing_detail_query_count_is_constant(
    client, market, listing_index, assets, django_assert_max_num_queries
):
    listing = market.publish(
        "专利组合", assets=[market.asset(title=f"资产{n}") for n in range(assets)]
    )
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(f"/listings/{listing.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('class="asset"') == assets
