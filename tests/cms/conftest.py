"""The portal's page tree and published listings, built the way real use builds them:
pages through Wagtail's tree API, listings through the listing services."""

import datetime
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cms.models import (
    HomePage,
    InstitutionIndexPage,
    ListingIndexPage,
    NewsIndexPage,
    NewsPage,
)
from listings import services
from listings.models import Listing
from marketplace.parties.services import organization_revoke
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.factories.listings import valid_patent_number

_serial = itertools.count(9_000)


@pytest.fixture
def home(db) -> HomePage:
    return HomePage.objects.get()


@pytest.fixture
def listing_index(home) -> ListingIndexPage:
    return home.add_child(
        instance=ListingIndexPage(
            title="知识产权市场",
            title_en="IP market",
            slug="listings",
            intro="<p>专利、商标、版权与地理标志挂牌。</p>",
            intro_en="<p>Patents, trademarks, copyrights and GIs on offer.</p>",
        )
    )


@pytest.fixture
def news_index(home) -> NewsIndexPage:
    return home.add_child(instance=NewsIndexPage(title="新闻动态", title_en="News", slug="news"))


@pytest.fixture
def institution_index(home) -> InstitutionIndexPage:
    return home.add_child(
        instance=InstitutionIndexPage(
            title="服务机构", title_en="Service institutions", slug="institutions"
        )
    )


@pytest.fixture
def portal(listing_index, news_index, institution_index) -> dict[str, Any]:
    return {"listings": listing_index, "news": news_index, "institutions": institution_index}


def add_news(index: NewsIndexPage, **fields: Any) -> NewsPage:
    data = {
        "title": "郑州市知识产权服务业发展三年行动计划（2023-2025年）",
        "slug": f"news-{next(_serial)}",
        "date": datetime.date(2023, 10, 16),
        "intro": "到2025年知识产权质押融资金额力争达到12亿元。",
        "body": "<p>推动知识产权质押融资金额力争达到12亿元。</p>",
    }
    data.update(fields)
    return index.add_child(instance=NewsPage(**data))


class Market:
    """Publishes listings through the services: a verified holder, its member, staff."""

    def __init__(self) -> None:
        self.holder = OrganizationFactory(
            verification_state="verified", name="郑州航港动力电池有限公司", district="airport"
        )
        self.member = MembershipFactory(organization=self.holder).user
        self.staff = UserFactory(is_staff=True)
        self.other_holder = OrganizationFactory(
            verification_state="verified", name="中牟绿源农业科技有限公司", district="zhongmu"
        )
        self.other_member = MembershipFactory(organization=self.other_holder).user

    def asset(self, *, holder: Any = None, **fields: Any) -> Any:
        data = {
            "holder": holder or self.holder,
            "number": valid_patent_number(next(_serial)),
            "title": "一种储能装置",
        }
        data.update(fields)
        return IPAssetFactory(**data)

    def draft(self, title: str, *, assets: Any = None, holder: Any = None, **fields: Any):
        holder = holder or self.holder
        member = self.member if holder == self.holder else self.other_member
        data = {
            "intent": "transfer",
            "asking_price": Decimal("1200000.00"),
            # read when the listing is made: this conftest is imported before the clock CI
            # moves (ZZIPX_CLOCK_SHIFT_DAYS) when a test under tests/cms/ is named directly
            "valid_until": timezone.localdate() + datetime.timedelta(days=180),
        }
        data.update(fields)
        return services.listing_create(
            by=member,
            holder=holder,
            assets=assets or [self.asset(holder=holder, title=title)],
            title=title,
            **data,
        )

    def publish(self, title: str, **fields: Any) -> Listing:
        listing = self.draft(title, **fields)
        member = self.member if listing.holder == self.holder else self.other_member
        listing = services.listing_submit(listing=listing, by=member)
        return services.listing_publish(listing=listing, by=self.staff)

    def withdraw(self, listing: Listing) -> Listing:
        return services.listing_withdraw(listing=listing, by=self.member)

    def revoke_other_holder(self) -> None:
        """Staff withdraw the second holder's verification (its listings stay published)."""
        organization_revoke(organization=self.other_holder, by=self.staff, reason="执照吊销")


@pytest.fixture
def market(db) -> Market:
    return Market()
