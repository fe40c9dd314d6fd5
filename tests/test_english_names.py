"""Organisations read in the reader's language everywhere (Organization.name_en through
marketplace.i18n.local_name): the portal, the workspace, the deal and pledge pages, the
bank's queue, the dashboard's breakdown by bank and the notices; the demo gives every
organisation a proper English name."""

import datetime
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from marketplace.deals import services as deals
from marketplace.demo import data
from marketplace.notifications.models import Notice
from marketplace.parties.models import OrganizationKind
from marketplace.pledges.models import Goal
from marketplace.pledges.progress import pledge_progress
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
)
from tests.pledges.test_progress import Registrar

pytestmark = pytest.mark.django_db

HOLDER = ("郑州华锐智能装备股份有限公司", "Zhengzhou Huarui Intelligent Equipment Co., Ltd.")
BUYER = ("郑州云帆信息技术有限公司", "Zhengzhou Yunfan Information Technology Co., Ltd.")
BANK = ("中国银行股份有限公司郑州分行", "Bank of China Limited, Zhengzhou Branch")
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def holder():
    return OrganizationFactory(name=HOLDER[0], name_en=HOLDER[1], verification_state="verified")


@pytest.fixture
def buyer_org():
    return OrganizationFactory(name=BUYER[0], name_en=BUYER[1], verification_state="verified")


@pytest.fixture
def bank():
    return BankFactory(name=BANK[0], name_en=BANK[1])


def page_text(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def test_an_organisation_reads_in_the_active_language():
    with_english = OrganizationFactory(name=HOLDER[0], name_en=HOLDER[1])
    chinese_only = OrganizationFactory(name="郑州某某有限公司")
    with translation.override("en"):
        assert (str(with_english), with_english.local_name) == (HOLDER[1], HOLDER[1])
        assert str(chinese_only) == "郑州某某有限公司"
    with translation.override("zh-hans"):
        assert (str(with_english), with_english.local_name) == (HOLDER[0], HOLDER[0])


def test_the_workspace_names_the_holder_and_the_bank_in_english(client, holder, bank):
    member = MembershipFactory(organization=holder, role="owner").user
    asset = IPAssetFactory(holder=holder, title="一种盾构机刀盘磨损的在线监测方法")
    ListingFactory(holder=holder, assets=[asset], title="盾构机专利转让")
    application = PledgeApplicationFactory(applicant=holder, bank=bank, state="submitted")
    client.force_login(member)

    for url in (
        reverse("parties:workspace"),
        reverse("listings:workspace_listings"),
        reverse("listings:asset_detail", args=[asset.pk]),
        reverse("pledges:workspace_list"),
        reverse("pledges:workspace_detail", args=[application.pk]),
    ):
        english = page_text(client, url, "en")
        assert HOLDER[1] in english, url
        assert HOLDER[0] not in english, url
        chinese = page_text(client, url, "zh-hans")
        assert HOLDER[0] in chinese, url
    assert BANK[1] in page_text(client, reverse("pledges:workspace_list"), "en")
    assert BANK[0] not in page_text(client, reverse("pledges:workspace_list"), "en")


def test_the_banks_queue_names_the_applicant_in_english(client, holder, bank):
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    application = PledgeApplicationFactory(applicant=holder, bank=bank, state="submitted")
    client.force_login(reviewer)

    english = page_text(client, "/bank/", "en")
    assert HOLDER[1] in english
    assert HOLDER[0] not in english
    client.cookies["django_language"] = "en"
    detail = BeautifulSoup(
        client.get(reverse("bank:application", args=[application.pk])).content, "html.parser"
    )
    names = [
        dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in detail.select("dt")
        if dt.get_text(strip=True) in ("Applicant", "Bank", "Name")
    ]
    # the applicant's profile keeps the registered Chinese name beside the English one
    assert names == [HOLDER[1], BANK[1], f"{HOLDER[1]} {HOLDER[0]}"]


def test_the_deal_page_and_its_notice_name_the_parties_in_each_language(
    client, holder, buyer_org, django_capture_on_commit_callbacks
):
    listing = ListingFactory(
        holder=holder,
        state="published",
        title="盾构机专利转让",
        title_en="Invention patent: 盾构机 — for transfer",
    )
    buyer = MembershipFactory(organization=buyer_org).user

    with django_capture_on_commit_callbacks(execute=True):
        deal = deals.deal_propose(
            by=buyer, buyer=buyer_org, listing=listing, price=Decimal("480000.00")
        )

    notice = Notice.objects.get(event="deals.propose")
    assert notice.text["en"] == (
        f"{BUYER[1]} made an offer of ¥480,000.00 on “Invention patent: 盾构机 — for transfer”."
    )
    assert BUYER[0] in notice.text["zh-hans"]
    assert "盾构机专利转让" in notice.text["zh-hans"]
    client.force_login(buyer)
    english = page_text(client, reverse("deals:detail", args=[deal.pk]), "en")
    assert HOLDER[1] in english
    assert BUYER[1] in english
    assert HOLDER[0] not in english
    assert BUYER[0] not in english
    english = page_text(client, reverse("deals:list"), "en")
    assert HOLDER[1] in english
    english = page_text(client, f"{reverse('deals:propose')}?listing={listing.pk}", "en")
    assert HOLDER[0] not in english


def test_the_dashboard_breakdown_names_banks_in_each_language(
    bank, django_capture_on_commit_callbacks
):
    registrar = Registrar(django_capture_on_commit_callbacks)
    registrar.banks[BANK[0]] = (bank, MembershipFactory(organization=bank, role="reviewer").user)
    registrar.register(amount=Decimal("2000000.00"), on=datetime.date(2024, 3, 5), bank=BANK[0])
    goal = Goal.objects.get()

    for language, name in (("en", BANK[1]), ("zh-hans", BANK[0])):
        with translation.override(language):
            labels = [row["label"] for row in pledge_progress(goal=goal)["by_bank"]]
        assert labels == [name]


# --- the demo's organisations -----------------------------------------------------------------


def test_every_demo_organisation_has_an_english_name_in_english():
    for spec in data.ORGANIZATIONS:
        assert spec.name_en, spec.key
        assert not CJK.search(spec.name_en), spec.name_en
        assert spec.name_en.strip() == spec.name_en


def test_the_demo_banks_carry_their_registered_english_names():
    banks = {
        spec.key: spec.name_en for spec in data.ORGANIZATIONS if spec.kind == OrganizationKind.BANK
    }
    assert banks == {
        "boc": "Bank of China Limited, Zhengzhou Branch",
        "zyb": "Zhongyuan Bank Co., Ltd.",
        "zzb": "Bank of Zhengzhou Co., Ltd.",
        "bocom": "Bank of Communications Co., Ltd., Henan Provincial Branch",
    }
