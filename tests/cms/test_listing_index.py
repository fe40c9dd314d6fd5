"""/listings/: Chinese search, filters, sort, facets, pagination and bad query strings."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


def get(client, query: str = "", **headers):
    response = client.get(f"/listings/{query}", **headers)
    assert response.status_code == 200
    return response, BeautifulSoup(response.content, "html.parser")


def card_titles(soup: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select(".listing-card-title a")]


def option_text(soup: BeautifulSoup, name: str, value: str) -> str:
    option = soup.select_one(f"select[name={name}] option[value={value}]")
    assert option is not None, (name, value)
    return option.get_text(strip=True)


@pytest.fixture
def batteries(market, listing_index):
    lithium = market.publish("一种锂电池隔膜的制备方法 发明专利转让")
    sodium = market.publish(
        "一种钠离子电池正极材料 发明专利许可",
        intent="licence",
        licence_type="non_exclusive",
        asking_price=Decimal("300000"),
    )
    return lithium, sodium


def test_the_index_renders_in_chinese_by_default(client, batteries):
    response, soup = get(client)
    assert soup.html["lang"] == "zh-hans"
    assert soup.h1.get_text(strip=True) == "知识产权市场"
    assert len(card_titles(soup)) == 2
    assert "120 万元" in response.content.decode()  # 1,200,000 yuan, as Chinese reads it


def test_the_index_renders_in_english(client, batteries):
    response, soup = get(client, HTTP_ACCEPT_LANGUAGE="en")
    assert soup.html["lang"] == "en"
    assert soup.h1.get_text(strip=True) == "IP market"
    assert "¥1,200,000" in response.content.decode()
    assert "Patents, trademarks, copyrights and GIs on offer." in response.content.decode()


def test_a_chinese_word_finds_its_listing_and_not_a_lookalike(client, batteries):
    # given listings of a 锂电池 and of a 钠离子电池
    # when a visitor searches for 锂电池
    _, soup = get(client, "?q=锂电池")
    # then only the lithium battery listing comes back
    assert card_titles(soup) == ["一种锂电池隔膜的制备方法 发明专利转让"]
    _, soup = get(client, "?q=钠离子电池")
    assert card_titles(soup) == ["一种钠离子电池正极材料 发明专利许可"]


def test_a_common_name_finds_the_listing_by_its_synonym_and_the_page_says_so(
    client, market, listing_index
):
    # the case: the search box's own example, and the title says 锂离子电池
    market.publish("一种锂离子电池硅碳负极材料及其制备方法 发明专利转让")

    for query in ("锂电池", "锂电"):
        _, soup = get(client, f"?q={query}")
        assert card_titles(soup) == ["一种锂离子电池硅碳负极材料及其制备方法 发明专利转让"]
        note = soup.select_one(".search-synonyms").get_text(strip=True)
        assert note.startswith("同时搜索了：锂离子电池、")
        assert note.endswith("等")  # the first six named, the rest searched too

    _, soup = get(client, "?q=软著", HTTP_ACCEPT_LANGUAGE="en")
    note = soup.select_one(".search-synonyms").get_text(strip=True)
    assert note == "Also searched for: 软件著作权, 计算机软件著作权, 软件版权, software copyright"
    _, soup = get(client, "?q=隔膜")
    assert soup.select_one(".search-synonyms") is None  # nothing widened, nothing said


def test_an_exact_asset_number_finds_its_listing(client, market, listing_index):
    asset = market.asset(title="一种盾构机刀盘磨损的在线监测方法")
    market.publish("盾构机刀盘监测专利转让", assets=[asset])
    market.publish("另一项专利")
    _, soup = get(client, f"?q=ZL{asset.number}")
    assert card_titles(soup) == ["盾构机刀盘监测专利转让"]
    assert asset.number in soup.select_one(".results").get_text()


def test_filters_narrow_the_results(client, market, listing_index):
    market.publish("转让甲", intent="transfer")
    market.publish("许可乙", intent="licence", licence_type="exclusive")
    market.publish(
        "质押丙", intent="pledge", asking_price=Decimal("5000000"), holder=market.other_holder
    )
    _, soup = get(client, "?intent=licence")
    assert card_titles(soup) == ["许可乙"]
    _, soup = get(client, "?district=zhongmu")
    assert card_titles(soup) == ["质押丙"]
    _, soup = get(client, "?l_belt=on")  # the airport zone is in the L-shaped belt, Zhongmu not
    assert set(card_titles(soup)) == {"转让甲", "许可乙"}
    _, soup = get(client, "?price_min=2000000&price_max=9000000")
    assert card_titles(soup) == ["质押丙"]
    _, soup = get(client, "?kind=trademark")
    assert card_titles(soup) == []
    assert soup.select_one(".empty") is not None


def test_verified_only_leaves_out_holders_no_longer_verified(client, market, listing_index):
    market.publish("已认证权利人的挂牌")
    market.publish("认证被撤销的权利人的挂牌", holder=market.other_holder)
    market.revoke_other_holder()
    _, soup = get(client, "?verified=on")
    assert card_titles(soup) == ["已认证权利人的挂牌"]
    _, soup = get(client)
    assert len(card_titles(soup)) == 2


def test_sort_by_price_puts_negotiable_last(client, market, listing_index):
    market.publish("面议", asking_price=None)
    market.publish("贵", asking_price=Decimal("900000"))
    market.publish("便宜", asking_price=Decimal("100000"))
    _, soup = get(client, "?sort=price_asc")
    assert card_titles(soup) == ["便宜", "贵", "面议"]
    _, soup = get(client, "?sort=price_desc")
    assert card_titles(soup) == ["贵", "便宜", "面议"]
    _, soup = get(client, "?sort=newest")
    assert card_titles(soup) == ["便宜", "贵", "面议"]
    _, soup = get(client, "?sort=price_asc", HTTP_ACCEPT_LANGUAGE="en")
    assert "Negotiable" in soup.select(".listing-card")[-1].get_text()


def test_facet_counts_sit_beside_the_filters(client, market, listing_index):
    market.publish("一种锂电池隔膜的制备方法", intent="transfer")
    market.publish("一种钠离子电池正极材料", intent="licence", licence_type="sole")
    trademark = market.asset(kind="trademark", number="12345678", title="航港", nice_classes=[9])
    market.publish("“航港”商标转让", assets=[trademark])
    _, soup = get(client)
    assert option_text(soup, "kind", "invention").endswith("（2）")
    assert option_text(soup, "kind", "trademark").endswith("（1）")
    assert option_text(soup, "intent", "transfer").endswith("（2）")
    # a facet ignores its own filter (the other kinds stay visible) but follows the others
    _, soup = get(client, "?kind=invention")
    assert option_text(soup, "kind", "trademark").endswith("（1）")
    assert option_text(soup, "intent", "transfer").endswith("（1）")
    assert option_text(soup, "intent", "licence").endswith("（1）")
    assert soup.select_one("select[name=kind] option[selected]")["value"] == "invention"
    # in English with ASCII brackets
    _, english = get(client, HTTP_ACCEPT_LANGUAGE="en")
    assert option_text(english, "kind", "invention") == "Invention patent (2)"
    # with words, the search backend counts
    _, soup = get(client, "?q=锂电池")
    assert option_text(soup, "kind", "invention").endswith("（1）")
    assert option_text(soup, "intent", "transfer").endswith("（1）")
    assert option_text(soup, "intent", "licence").endswith("（0）")


def test_pagination_keeps_the_other_parameters(client, market, listing_index):
    listing_index.per_page = 2
    listing_index.save()
    for n in range(5):
        market.publish(f"一种锂电池隔膜 第{n}号", intent="licence", licence_type="open")
    market.publish("一种锂电池隔膜 转让", intent="transfer")

    _, soup = get(client, "?q=锂电池&intent=licence&sort=newest&page=2")

    assert len(card_titles(soup)) == 2
    assert soup.select_one(".page-link.current").get_text(strip=True) == "2"
    links = [a["href"] for a in soup.select(".pager a")]
    assert links
    for href in links:
        params = parse_qs(urlsplit(href).query)
        assert params["q"] == ["锂电池"]
        assert params["intent"] == ["licence"]
        assert params["sort"] == ["newest"]
        assert params["page"][0] in {"1", "2", "3"}
    assert soup.select_one("a[rel=next]")["href"].endswith("page=3")


def test_invalid_filters_are_dropped_with_a_message(client, market, listing_index):
    market.publish("一种锂电池隔膜")
    _, soup = get(client, "?kind=spaceship&price_min=-5&intent=licence&page=1")
    notice = soup.select_one(".notice").get_text()
    assert "spaceship" in notice
    # the valid filter still applies; the dropped ones are not carried into links
    assert card_titles(soup) == []
    _, soup = get(client, "?kind=spaceship&price_max=abc")
    assert card_titles(soup) == ["一种锂电池隔膜"]


@pytest.mark.parametrize(
    "query",
    [
        "?kind=unknown",
        "?intent=gift&industry=mining&district=beijing",
        "?price_min=-100",
        "?price_min=abc&price_max=1e999",
        "?price_min=500&price_max=100",
        "?page=9999",
        "?page=abc",
        "?page=-1",
        "?page=0",
        "?sort=random",
        "?verified=maybe&l_belt=2",
        "?q=%00",
        "?q=%20%20%20",
        "?q=%E2%80%8B",
    ],
)
def test_bad_query_strings_give_a_normal_page(client, batteries, query):
    _, soup = get(client, query)
    assert soup.select_one(".results") is not None


def test_a_page_past_the_end_shows_the_last_page(client, market, listing_index):
    listing_index.per_page = 2
    listing_index.save()
    for n in range(3):
        market.publish(f"挂牌{n}")
    _, soup = get(client, "?page=9999")
    assert soup.select_one(".page-link.current").get_text(strip=True) == "2"
    assert len(card_titles(soup)) == 1
    _, soup = get(client, "?page=abc")
    assert soup.select_one(".page-link.current").get_text(strip=True) == "1"


def test_a_ten_thousand_character_query_gives_a_normal_page(client, batteries):
    response, soup = get(client, "?q=" + "锂" * 10_000)
    assert soup.select_one(".results") is not None
    assert len(response.content) < 200_000  # not echoed into every link


@pytest.mark.parametrize(
    ("query", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("' OR 1=1 --", "&#x27; OR 1=1 --"),
        ('"><img src=x onerror=alert(1)>', "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        ("锂电池'; DROP TABLE listings_listing; --", "DROP TABLE listings_listing"),
    ],
)
def test_html_and_sql_in_the_query_are_escaped_text(client, batteries, query, escaped):
    response = client.get("/listings/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert escaped in html
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    # the table is still there
    _, soup = get(client)
    assert len(card_titles(soup)) == 2


def test_only_published_listings_are_shown(client, market, listing_index):
    market.publish("已发布")
    market.draft("草稿")
    market.withdraw(market.publish("已撤回"))
    _, soup = get(client)
    assert card_titles(soup) == ["已发布"]
    _, soup = get(client, "?q=草稿")
    assert card_titles(soup) == []


def test_the_search_form_is_labelled_and_keeps_the_query(client, batteries):
    _, soup = get(client, "?q=锂电池&kind=invention")
    search = soup.select_one("form.search-bar input[name=q]")
    assert search["value"] == "锂电池"
    assert soup.select_one(f"label[for={search['id']}]") is not None
    for select in soup.select(".filters select"):
        assert soup.select_one(f"label[for={select['id']}]") is not None
    # searching again from the box keeps the sidebar's filters
    assert soup.select_one("form.search-bar input[type=hidden][name=kind]")["value"] == "invention"
