"""Writes to the portal's page tree (the demo seed and `manage.py setup_portal` use them)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from wagtail.models import Page

from marketplace.parties.models import User

from .models import (
    DashboardPage,
    HomePage,
    InstitutionIndexPage,
    ListingIndexPage,
    NewsIndexPage,
    NewsPage,
)

DASHBOARD_INTRO = (
    "<p>本页展示经本平台登记的知识产权质押融资进度：每笔质押登记后即时计入目标，"
    "并按月份、区县、银行、资产类型和产业分别统计。首期目标来自《郑州市知识产权服务业"
    "发展三年行动计划（2023-2025年）》。</p>"
)
DASHBOARD_INTRO_EN = (
    "<p>The pledges registered through the platform, counted toward the goal as each one "
    "is registered and broken down by month, district, bank, kind of asset and industry. "
    "The first goal comes from Zhengzhou's IP service industry action plan (2023–2025).</p>"
)


@dataclass(frozen=True)
class IndexPageSpec:
    model: type[Page]
    slug: str
    title: str
    title_en: str
    intro: str
    intro_en: str


PORTAL_INDEX_PAGES: tuple[IndexPageSpec, ...] = (
    IndexPageSpec(
        model=ListingIndexPage,
        slug="listings",
        title="知识产权市场",
        title_en="IP market",
        intro=(
            "<p>检索在郑州挂牌转让、许可和质押融资的专利、商标、版权与地理标志。"
            "可按标题、技术关键词、权利人、申请号或分类号搜索。</p>"
        ),
        intro_en=(
            "<p>Patents, trademarks, copyrights and geographical indications listed in "
            "Zhengzhou for transfer, licence or pledge financing. Search by title, technology, "
            "holder, application number or classification.</p>"
        ),
    ),
    IndexPageSpec(
        model=NewsIndexPage,
        slug="news",
        title="新闻动态",
        title_en="News",
        intro="<p>政策文件、平台动态与知识产权运营资讯。</p>",
        intro_en="<p>Policy documents, platform news and IP operation updates.</p>",
    ),
    IndexPageSpec(
        model=InstitutionIndexPage,
        slug="institutions",
        title="服务机构",
        title_en="Service institutions",
        intro=("<p>经平台核验的知识产权资产评估机构、专利代理机构、商标代理机构和律师事务所。</p>"),
        intro_en=(
            "<p>IP appraisal firms, patent agencies, trademark agencies and law firms verified "
            "by the platform.</p>"
        ),
    ),
    # Migration cms.0004 creates it too (cms.0005 moved it to these words). The page opens
    # with a sentence naming the goal shown (its name, amount and period, from the goal
    # itself), so this introduction cites no goal's figures: a later goal replaces them.
    IndexPageSpec(
        model=DashboardPage,
        slug="dashboard",
        title="知识产权质押融资进度",
        title_en="IP pledge financing progress",
        intro=DASHBOARD_INTRO,
        intro_en=DASHBOARD_INTRO_EN,
    ),
)


def _publish(page: Page, *, by: User | None) -> None:
    # A first revision, so editors see the page's history and the sitemap a lastmod.
    page.save_revision(user=by, log_action=True).publish(user=by)


@transaction.atomic
def portal_pages_ensure(*, by: User | None = None) -> dict[str, Page]:
    """The listing, news and institution index pages and the pledge-financing dashboard
    under the home page, created where missing (each type may exist once); pages that exist
    are left as editors made them."""
    home = HomePage.objects.first()
    if home is None:
        raise HomePage.DoesNotExist("The home page is missing; run the cms migrations first.")
    pages: dict[str, Page] = {}
    for spec in PORTAL_INDEX_PAGES:
        page = spec.model.objects.first()
        if page is None:
            page = spec.model(
                title=spec.title,
                slug=spec.slug,
                title_en=spec.title_en,
                intro=spec.intro,
                intro_en=spec.intro_en,
            )
            home.add_child(instance=page)
            _publish(page, by=by)
            home.refresh_from_db()  # treebeard counted the new child in the database
        pages[spec.slug] = page
    return pages


@transaction.atomic
def news_page_create(
    *,
    index: NewsIndexPage,
    by: User | None,
    slug: str,
    title: str,
    date: datetime.date,
    body: str,
    title_en: str = "",
    intro: str = "",
    intro_en: str = "",
    body_en: str = "",
    source: str = "",
    source_url: str = "",
) -> NewsPage:
    """Publish a news article under the news index."""
    page = NewsPage(
        title=title,
        slug=slug,
        title_en=title_en,
        date=date,
        intro=intro,
        intro_en=intro_en,
        body=body,
        body_en=body_en,
        source=source,
        source_url=source_url,
    )
    index.add_child(instance=page)
    _publish(page, by=by)
    return page
