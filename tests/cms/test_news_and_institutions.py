"""/news/ and /institutions/."""

import datetime

import pytest
from bs4 import BeautifulSoup

from marketplace.parties.models import OrganizationKind
from tests.factories import OrganizationFactory

from .conftest import add_news

pytestmark = pytest.mark.django_db


def soup_of(client, url, **headers) -> BeautifulSoup:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


# --- news ---------------------------------------------------------------------------------


def test_news_index_lists_articles_newest_first(client, news_index):
    add_news(news_index, title="旧闻", slug="old", date=datetime.date(2023, 10, 16))
    add_news(news_index, title="新闻", slug="new", date=datetime.date(2025, 6, 18))
    soup = soup_of(client, "/news/")
    assert [h.get_text(strip=True) for h in soup.select(".news-item h2")] == ["新闻", "旧闻"]
    assert soup.h1.get_text(strip=True) == "新闻动态"
    assert soup_of(client, "/news/", HTTP_ACCEPT_LANGUAGE="en").h1.get_text(strip=True) == "News"


def test_news_index_paginates(client, news_index):
    news_index.per_page = 2
    news_index.save()
    for n in range(5):
        add_news(news_index, title=f"第{n}条", slug=f"n{n}", date=datetime.date(2025, 1, 1 + n))
    soup = soup_of(client, "/news/?page=3")
    assert [h.get_text(strip=True) for h in soup.select(".news-item h2")] == ["第0条"]
    assert len(soup_of(client, "/news/?page=zzz").select(".news-item")) == 2


def test_a_news_article_in_both_languages(client, news_index):
    add_news(
        news_index,
        slug="plan",
        title="郑州市知识产权服务业发展三年行动计划（2023-2025年）",
        title_en="Zhengzhou IP Service Industry Three-Year Action Plan (2023–2025)",
        intro_en="¥1.2 billion of IP pledge financing by 2025.",
        source="郑州市市场监督管理局（知识产权局）",
    )
    soup = soup_of(client, "/news/plan/")
    assert soup.h1.get_text(strip=True).startswith("郑州市知识产权服务业发展三年行动计划")
    assert "12亿元" in soup.select_one(".prose").get_text()
    assert "郑州市市场监督管理局（知识产权局）" in soup.get_text()
    assert soup.select_one('meta[property="og:type"]')["content"] == "article"
    soup = soup_of(client, "/news/plan/", HTTP_ACCEPT_LANGUAGE="en")
    assert soup.h1.get_text(strip=True).startswith("Zhengzhou IP Service Industry")
    assert "available in Chinese only" in soup.get_text()
    assert soup.select_one('meta[name="description"]')["content"].startswith("¥1.2 billion")


# --- the service-institution directory ---------------------------------------------------


@pytest.fixture
def institutions(db):
    return {
        "appraiser": OrganizationFactory(
            name="郑州华信知识产权资产评估有限公司",
            kind=OrganizationKind.APPRAISAL_FIRM,
            district="jinshui",
            verification_state="verified",
        ),
        "agency": OrganizationFactory(
            name="郑州知创专利代理事务所",
            kind=OrganizationKind.PATENT_AGENCY,
            district="high_tech",
            verification_state="verified",
        ),
        "law": OrganizationFactory(
            name="河南中原知行律师事务所",
            kind=OrganizationKind.LAW_FIRM,
            district="jinshui",
            verification_state="verified",
        ),
        "pending": OrganizationFactory(
            name="待审核代理机构", kind=OrganizationKind.TRADEMARK_AGENCY, district="jinshui"
        ),
        "enterprise": OrganizationFactory(name="某企业", verification_state="verified"),
        "bank": OrganizationFactory(
            name="某银行", kind=OrganizationKind.BANK, verification_state="verified"
        ),
    }


def names(soup: BeautifulSoup) -> set[str]:
    return {h.get_text(strip=True) for h in soup.select(".institution h3")}


def test_directory_lists_verified_service_institutions_only(
    client, institution_index, institutions
):
    soup = soup_of(client, "/institutions/")
    assert names(soup) == {
        "郑州华信知识产权资产评估有限公司",
        "郑州知创专利代理事务所",
        "河南中原知行律师事务所",
    }
    assert soup.h1.get_text(strip=True) == "服务机构"


def test_directory_filters_by_kind_and_district_with_counts(
    client, institution_index, institutions
):
    assert names(soup_of(client, "/institutions/?district=jinshui")) == {
        "郑州华信知识产权资产评估有限公司",
        "河南中原知行律师事务所",
    }
    soup = soup_of(client, "/institutions/?kind=law_firm&district=jinshui")
    assert names(soup) == {"河南中原知行律师事务所"}
    kind_counts = {
        o["value"]: o.get_text(strip=True) for o in soup.select("select[name=kind] option")
    }
    assert kind_counts["appraisal_firm"].endswith("（1）")  # Chinese brackets in Chinese
    assert kind_counts["patent_agency"].endswith("（0）")
    assert "bank" not in kind_counts  # only service kinds can be chosen


@pytest.mark.parametrize(
    "query", ["?kind=bank", "?kind=<script>", "?district=beijing", "?page=999", "?page=x"]
)
def test_directory_drops_bad_filters_with_a_message(client, institution_index, institutions, query):
    response = client.get(f"/institutions/{query}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert len(names(soup)) == 3
    if "page" not in query:
        assert soup.select_one(".notice") is not None
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_directory_paginates_and_keeps_the_filters(client, institution_index):
    institution_index.per_page = 2
    institution_index.save()
    for n in range(5):
        OrganizationFactory(
            name=f"评估机构{n}",
            kind=OrganizationKind.APPRAISAL_FIRM,
            district="jinshui",
            verification_state="verified",
        )
    soup = soup_of(client, "/institutions/?kind=appraisal_firm&page=2")
    assert len(names(soup)) == 2
    assert all("kind=appraisal_firm" in a["href"] for a in soup.select(".pager a"))


@pytest.mark.parametrize("per_page", [5, 50])
def test_directory_query_count_is_constant(
    client, institution_index, per_page, django_assert_max_num_queries
):
    institution_index.per_page = per_page
    institution_index.save()
    for n in range(per_page):
        OrganizationFactory(
            name=f"代理机构{n}",
            kind=OrganizationKind.PATENT_AGENCY,
            district="high_tech",
            verification_state="verified",
        )
    with django_assert_max_num_queries(DIRECTORY_QUERIES):
        assert client.get("/institutions/?district=high_tech").status_code == 200


DIRECTORY_QUERIES = 12
