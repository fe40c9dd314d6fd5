"""The listing form's asset picker: an asset that cannot be listed (expired, lapsed,
invalidated, already in another open listing) is greyed out with the reason; a pledged or
not yet granted asset carries a note and is marked not for a pledge listing."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone, translation

from listings import services
from marketplace.pledges.models import PledgeState
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
)
from tests.querycounts import SIGNED_IN_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

CREATE_URL = reverse("listings:workspace_listing_create")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def holder():
    return OrganizationFactory(verification_state="verified", name="郑州华锐科技有限公司")


@pytest.fixture
def member(holder):
    return MembershipFactory(organization=holder, user__name="王经理").user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def bank():
    return BankFactory(name="中国银行郑州分行")


@pytest.fixture
def mark(holder):
    return IPAssetFactory(
        holder=holder,
        kind="trademark",
        number="7346849",
        title="华锐",
        filing_date=timezone.localdate() - datetime.timedelta(days=900),
        grant_date=timezone.localdate() - datetime.timedelta(days=600),
        nice_classes=[9],
    )


@pytest.fixture
def pledge(holder, bank, mark):
    """The trademark under a registered pledge to 中国银行郑州分行."""
    return PledgeApplicationFactory(
        applicant=holder, bank=bank, assets=[mark], state=PledgeState.REGISTERED
    )


def _draft(member, holder, assets, intent="transfer", **extra):
    return services.listing_create(
        by=member,
        holder=holder,
        assets=assets,
        title="华锐商标转让",
        intent=intent,
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
        **extra,
    )


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def _option(response, asset):
    box = _soup(response).find("input", attrs={"name": "assets", "value": str(asset.pk)})
    return box, box.find_parent("label").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("status", "label"),
    [("expired", "Expired"), ("lapsed", "Lapsed"), ("invalidated", "Invalidated")],
)
def test_the_picker_greys_out_an_asset_that_cannot_be_listed_and_says_why(
    member_client, holder, status, label
):
    dead = IPAssetFactory(holder=holder, status=status)
    usable = IPAssetFactory(holder=holder)

    response = member_client.get(CREATE_URL)

    box, text = _option(response, dead)
    assert box.has_attr("disabled")
    assert f"Cannot be listed: it is “{label}”." in text
    box, text = _option(response, usable)
    assert not box.has_attr("disabled")
    assert "Cannot" not in text


def test_the_picker_greys_out_an_asset_already_in_an_open_listing(member_client, holder):
    listed = ListingFactory(holder=holder, state="published", title="已发布的专利包")
    asset = listed.assets.get()
    ListingFactory(holder=holder, state="withdrawn", assets=[IPAssetFactory(holder=holder)])

    box, text = _option(member_client.get(CREATE_URL), asset)

    assert box.has_attr("disabled")
    assert "Cannot be listed: it is already in “已发布的专利包” (Published)." in text


def test_the_picker_marks_a_pledged_asset_and_a_pending_one_not_for_pledge(
    member_client, holder, mark, pledge
):
    pending = IPAssetFactory(holder=holder, status="pending", grant_date=None)

    response = member_client.get(CREATE_URL)

    box, text = _option(response, mark)
    assert not box.has_attr("disabled")  # a transfer with the bank's consent is possible
    assert box["data-not-for-pledge"] == "1"
    assert (
        "Pledged to 中国银行郑州分行: a transfer or licence listing is published only with the "
        "bank's consent; it cannot be pledged again." in text
    )
    box, text = _option(response, pending)
    assert box["data-not-for-pledge"] == "1"
    assert "Not granted yet" in text


def test_editing_keeps_an_asset_that_lapsed_since_ticked_and_the_service_says_why(
    member_client, member, holder
):
    asset = IPAssetFactory(holder=holder)
    listing = _draft(member, holder, [asset])
    type(asset).objects.filter(pk=asset.pk).update(status="lapsed")
    url = reverse("listings:workspace_listing_edit", args=[listing.pk])

    box, text = _option(member_client.get(url), asset)
    assert box.has_attr("checked")
    assert not box.has_attr("disabled")
    assert "Cannot be listed: it is “Lapsed”." in text

    # its own listing is not “another open listing”
    assert "already in" not in text


def test_the_listing_form_runs_a_constant_number_of_queries(
    member_client, holder, bank, django_assert_max_num_queries
):
    def add_assets(n: int) -> None:
        for _ in range(n):
            pledged = IPAssetFactory(holder=holder)
            PledgeApplicationFactory(
                applicant=holder, bank=bank, assets=[pledged], state="registered"
            )
            ListingFactory(holder=holder, state="published")
            IPAssetFactory(holder=holder, status="expired")

    add_assets(1)
    member_client.get(CREATE_URL)
    with django_assert_max_num_queries(SIGNED_IN_PAGE + 10) as captured:
        member_client.get(CREATE_URL)
    add_assets(6)
    with django_assert_max_num_queries(len(captured)):
        member_client.get(CREATE_URL)
