"""The home page: search box, market figures, newest listings, news and entry points."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from .conftest import add_news

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def home_soup(client, **headers) -> BeautifulSoup:
    response = client.get("/", **headers)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_home_shows_counts_newest_listings_and_news(client, market, portal):
    market.publish("一种锂电池隔膜的制备方法 发明专利转让")
    market.publish("许可挂牌", intent="licence", licence_type="exclusive")
    market.publish("质押挂牌", intent="pledge", asking_price=Decimal("3000000"))
    market.draft("草稿不计入")
    add_news(portal["news"], title="行动计划", date=datetime.date(2023, 10, 16))
    add_news(portal["news"], title="平台上线", date=datetime.date(2025, 6, 18))

    soup = home_soup(client, HTTP_ACCEPT_LANGUAGE="en")

    intents = {
        stat.select_one(".stat-label").get_text(strip=True): stat.select_one(
            ".stat-value"
        ).get_text()
        for stat in soup.select(".stat-intent")
    }
    assert intents == {"Transfer": "1", "Licence": "1", "Pledge financing": "1"}
    kinds = {a["href"]: a.select_one(".count").get_text() for a in soup.select(".kind-counts a")}
    assert kinds["/listings/?kind=invention"] == "3"
    assert kinds["/listings/?kind=trademark"] == "0"
    cards = [a.get_text(strip=True) for a in soup.select(".listing-card-title a")]
    assert cards == ["质押挂牌", "许可挂牌", "一种锂电池隔膜的制备方法 发明专利转让"]
    news = [a.get_text(strip=True) for a in soup.select(".news-list a")]
    assert news == ["平台上线", "行动计划"]


def test_home_has_a_search_box_and_entry_points(client, portal):
    soup = home_soup(client)
    form = soup.select_one("form.hero-search")
    assert form["action"] == "/listings/"
    assert form["method"] == "get"
    field = form.select_one("input[name=q]")
    assert soup.select_one(f"label[for={field['id']}]") is not None
    links = {a["href"] for a in soup.select(".entry a")}
    assert {"/accounts/signup/", "/accounts/login/", "/institutions/"} <= links
    nav = {a["href"] for a in soup.select(".main-nav a")}
    assert {"/listings/", "/news/", "/institutions/"} <= nav


def test_home_renders_in_both_languages(client, home):
    assert home_soup(client).h1.get_text(strip=True) == "郑州知识产权交易运营平台"
    soup = home_soup(client, HTTP_ACCEPT_LANGUAGE="en")
    assert soup.h1.get_text(strip=True) == "Zhengzhou IP Exchange"
    assert soup.html["lang"] == "en"
    assert soup.select_one('meta[property="og:locale"]')["content"] == "en_US"


def test_home_query_count_does_not_grow(client, market, portal, django_assert_max_num_queries):
    market.publish("第一条")
    add_news(portal["news"])
    with django_assert_max_num_queries(HOME_QUERIES) as few:
        client.get("/")
    for n in range(8):
        market.publish(f"挂牌{n}", assets=[market.asset(title=f"资产{n}"), market.asset()])
        add_news(portal["news"], title=f"新闻{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").status_code == 200


HOME_QUERIES = 20  # + the goal-progress bar (goal, aggregates, banks, latest entry)
