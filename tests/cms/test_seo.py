"""sitemap.xml, robots.txt, titles, meta descriptions and OpenGraph tags."""

from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from .conftest import add_news

pytestmark = pytest.mark.django_db


def test_sitemap_lists_the_pages_and_the_published_listings(client, market, portal):
    published = market.publish("已发布的挂牌")
    draft = market.draft("草稿")
    withdrawn = market.withdraw(market.publish("已撤回"))
    add_news(portal["news"], slug="action-plan")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own sitemap)
    locations = {loc.text for loc in root.iter(f"{namespace}loc")}
    assert {
        "http://localhost/",
        "http://localhost/listings/",
        "http://localhost/news/",
        "http://localhost/news/action-plan/",
        "http://localhost/institutions/",
        f"http://localhost/listings/{published.pk}/",
    } <= locations
    assert f"http://localhost/listings/{draft.pk}/" not in locations
    assert f"http://localhost/listings/{withdrawn.pk}/" not in locations


def test_robots_txt_keeps_crawlers_out_of_private_areas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    for prefix in ("/admin/", "/django-admin/", "/workspace/", "/accounts/"):
        assert f"Disallow: {prefix}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


@pytest.mark.parametrize(
    ("url", "title", "title_en"),
    [
        ("/listings/", "知识产权市场", "IP market"),
        ("/news/", "新闻动态", "News"),
        ("/institutions/", "服务机构", "Service institutions"),
    ],
)
def test_index_pages_have_titles_descriptions_and_opengraph(client, portal, url, title, title_en):
    for language, expected in (("zh-hans", title), ("en", title_en)):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        soup = BeautifulSoup(response.content, "html.parser")
        assert soup.title.get_text().startswith(f"{expected} · ")
        assert soup.select_one('meta[property="og:title"]')["content"] == expected
        assert soup.select_one('meta[property="og:url"]')["content"] == f"http://testserver{url}"
        assert soup.select_one('link[rel="canonical"]')["href"] == f"http://testserver{url}"
        assert soup.select_one('meta[name="description"]')["content"]


def test_a_search_shares_its_valid_filters_only(client, portal):
    response = client.get("/listings/?q=锂电池&kind=invention&price_min=abc&page=2")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one('meta[property="og:url"]')["content"] == (
        "http://testserver/listings/?q=%E9%94%82%E7%94%B5%E6%B1%A0&kind=invention"
    )


def test_sitemap_query_count_does_not_grow_with_listings(
    client, market, portal, django_assert_max_num_queries
):
    for n in range(30):
        market.publish(f"挂牌{n}")
    with django_assert_max_num_queries(SITEMAP_QUERIES):
        assert client.get("/sitemap.xml").status_code == 200


SITEMAP_QUERIES = 20
