"""Search quality: jieba on both sides, every query word required, through Wagtail's
search backend (SQLite FTS5 here, PostgreSQL in CI's second run)."""

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from listings import selectors, services
from listings.forms import ListingSearchForm
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLES = [
    ("一种锂电池隔膜的制备方法", "invention", "nev"),
    ("钠离子电池正极材料及其制备方法", "invention", "nev"),
    ("动力电池热管理系统", "utility_model", "nev"),
    ("新能源汽车电机控制器", "invention", "nev"),
    ("盾构机远程监控系统", "software_copyright", "equipment"),
    ("盾构机刀盘耐磨结构", "utility_model", "equipment"),
    ("矿用液压支架电液控制系统", "invention", "equipment"),
    ("一种基于深度学习的图像识别方法", "invention", "electronics"),
    ("智能安防视频分析平台", "software_copyright", "electronics"),
    ("5G通信基站散热装置", "utility_model", "electronics"),
    ("超硬材料金刚石复合片", "invention", "materials"),
    ("耐高温陶瓷纤维及其制备方法", "invention", "materials"),
    ("石墨烯导热膜", "invention", "materials"),
    ("新郑大枣", "geographical_indication", "agriculture"),
    ("中牟大蒜", "geographical_indication", "agriculture"),
    ("小麦抗倒伏新品种选育方法", "invention", "agriculture"),
    ("一种速冻汤圆的生产工艺", "invention", "agriculture"),
    ("速冻水饺成型机", "utility_model", "equipment"),
    ("抗肿瘤药物组合物", "invention", "biomedicine"),
    ("一种中药提取物及其在降血糖中的应用", "invention", "biomedicine"),
    ("医用导管", "design", "biomedicine"),
    ("疫苗冷链运输箱", "utility_model", "biomedicine"),
    ("少林功夫动漫形象", "copyright_work", "culture"),
    ("黄河文化数字展厅设计", "copyright_work", "culture"),
    ("二七纪念塔文创笔记本", "design", "culture"),
    ("客车车身轻量化骨架", "invention", "nev"),
    ("氢燃料电池客车", "invention", "nev"),
    ("电池管理系统软件", "software_copyright", "nev"),
    ("智能仓储物流机器人", "invention", "equipment"),
    ("起重机防摇摆控制方法", "invention", "equipment"),
    ("郑州国际陆港物流信息平台", "software_copyright", "electronics"),
    ("超声波探伤仪", "utility_model", "equipment"),
]

# query → titles it must find (exactly)
EXPECTED = {
    "锂电池": {"一种锂电池隔膜的制备方法"},
    "钠离子电池": {"钠离子电池正极材料及其制备方法"},
    "电池": {
        "一种锂电池隔膜的制备方法", "钠离子电池正极材料及其制备方法", "动力电池热管理系统",
        "氢燃料电池客车", "电池管理系统软件",
    },
    "盾构机": {"盾构机远程监控系统", "盾构机刀盘耐磨结构"},
    "盾构机 监控": {"盾构机远程监控系统"},
    "图像识别": {"一种基于深度学习的图像识别方法"},
    "大枣": {"新郑大枣"},
    "速冻": {"一种速冻汤圆的生产工艺", "速冻水饺成型机"},
    # the listing's industry is indexed by name: 耐高温陶瓷纤维 is in 新材料
    "制备方法 材料": {"钠离子电池正极材料及其制备方法", "耐高温陶瓷纤维及其制备方法"},
    "客车": {"客车车身轻量化骨架", "氢燃料电池客车"},
    "物流": {"智能仓储物流机器人", "郑州国际陆港物流信息平台"},
    "石墨烯": {"石墨烯导热膜"},
    "管理系统": {"动力电池热管理系统", "电池管理系统软件"},
    "区块链": set(),
}  # fmt: skip


@pytest.fixture
def portal():
    holder = OrganizationFactory(verification_state="verified", name="郑州示范科技股份有限公司")
    association = OrganizationFactory(verification_state="verified", kind="association")
    staff = UserFactory(is_staff=True)
    members = {
        holder.pk: MembershipFactory(organization=holder).user,
        association.pk: MembershipFactory(organization=association).user,
    }
    listings = {}
    for n, (title, kind, industry) in enumerate(TITLES):
        owner = association if kind == "geographical_indication" else holder
        asset = IPAssetFactory(holder=owner, kind=kind, industry=industry, title=title,
                               number=_number(kind, n))  # fmt: skip
        listing = services.listing_create(
            by=members[owner.pk], holder=owner, assets=[asset], title=title,
            intent="transfer", valid_until=timezone.localdate() + datetime.timedelta(days=90),
        )  # fmt: skip
        services.listing_submit(listing=listing, by=members[owner.pk])
        listings[title] = services.listing_publish(listing=listing, by=staff)
    return listings


def _number(kind: str, n: int) -> str:
    from tests.factories.listings import valid_patent_number

    digit = {"invention": "1", "utility_model": "2", "design": "3"}.get(kind)
    if digit:
        return valid_patent_number(5000 + n, type_digit=digit)
    if kind == "software_copyright":
        return f"2022SR{1000000 + n:07d}"
    if kind == "copyright_work":
        return f"国作登字-2021-F-{10000000 + n:08d}"
    return f"{60000000 + n}"


def titles_for(query: str, **params: str) -> set[str]:
    form = ListingSearchForm(QueryDict(mutable=True) | {"q": query, **params})
    found = selectors.listing_search(filters=form.valid_filters())
    return {listing.title for listing in found.results}


@pytest.mark.parametrize(("query", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_search_finds_exactly_the_expected_listings(portal, query, expected):
    assert titles_for(query) == expected


def test_an_exact_asset_number_finds_its_listing_in_any_spelling(portal):
    listing = portal["石墨烯导热膜"]
    number = listing.assets.get().number  # e.g. 202010005012.3
    spelled = "ZL " + number.replace(".", " . ")

    found = selectors.listing_search(filters={"q": spelled})

    assert found.exact_asset is not None
    assert [x.title for x in found.results] == ["石墨烯导热膜"]


def test_holder_name_is_searchable(portal):
    assert len(titles_for("示范科技")) == sum(k != "geographical_indication" for _, k, _ in TITLES)


def test_filters_combine_with_words(portal):
    assert titles_for("电池", kind="software_copyright") == {"电池管理系统软件"}
    assert titles_for("", industry="agriculture", kind="geographical_indication") == {
        "新郑大枣", "中牟大蒜",
    }  # fmt: skip


def test_facets_count_the_matches_leaving_out_their_own_filter(portal):
    found = selectors.listing_search(filters={"q": "电池", "kind": "invention"})
    assert found.facets["kind"] == {"invention": 3, "utility_model": 1, "software_copyright": 1}
    assert found.facets["industry"] == {"nev": 3}


def test_unpublished_listings_are_never_found(portal):
    services.listing_withdraw(
        listing=portal["石墨烯导热膜"],
        by=portal["石墨烯导热膜"].holder.memberships.get().user,
    )
    assert titles_for("石墨烯") == set()


@pytest.mark.parametrize(
    "query",
    ["' OR 1=1 --", '"; DROP TABLE listings_listing; --', "<script>alert(1)</script>",
     "AND OR NOT ( ) * ^ \" NEAR", "x" * 10_000, "%_\\"],
)  # fmt: skip
def test_hostile_queries_return_normally(portal, query):
    assert titles_for(query) == set()


def test_a_blank_query_browses_everything(portal):
    assert len(titles_for("\u3000 ")) == len(TITLES)
