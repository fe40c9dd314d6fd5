"""/listings/<id>/: the call to action beside the price, per visitor — sign in, make an offer,
follow one's offer, see the offers on one's own listing, apply for pledge financing — in a
fixed number of queries."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from marketplace.deals import services as deal_services
from marketplace.deals.templatetags.deal_tags import listing_cta, pledge_create_url
from tests.factories import DealFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def cta(client, listing, user=None):
    """The CTA box of the listing page, read in English."""
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(f"/listings/{listing.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    box = BeautifulSoup(response.content, "html.parser").select_one(".cta")
    assert box is not None
    return box


def links(box) -> dict[str, str]:
    return {a.get_text(" ", strip=True): a["href"] for a in box.select("a")}


@pytest.fixture
def transfer(market, listing_index):
    return market.publish("锂电池隔膜专利转让")


@pytest.fixture
def buyer_org():
    return OrganizationFactory(verification_state="verified", name="郑州买方科技有限公司")


@pytest.fixture
def buyer(buyer_org):
    return MembershipFactory(organization=buyer_org).user


def test_an_anonymous_visitor_signs_in_to_make_an_offer_and_comes_back(client, transfer):
    box = cta(client, transfer)
    login = reverse("account_login")
    assert links(box) == {"Make an offer": f"{login}?next=%2Flistings%2F{transfer.pk}%2F"}
    assert "Sign in to make an offer" in box.get_text()


def test_the_holder_sees_its_own_listing_and_its_offers(client, market, transfer):
    # given two open offers and a withdrawn one on the listing
    DealFactory(listing=transfer, state="proposed")
    DealFactory(listing=transfer, state="accepted")
    DealFactory(listing=transfer, state="withdrawn")

    box = cta(client, transfer, market.member)

    assert "This is your listing" in box.get_text()
    assert links(box) == {
        "See its offers (2 open)": f"/workspace/deals/?role=selling&listing={transfer.pk}"
    }
    assert "Make an offer" not in box.get_text()


def test_a_verified_buyer_makes_an_offer(client, transfer, buyer):
    box = cta(client, transfer, buyer)
    assert links(box) == {"Make an offer": f"/workspace/deals/new/?listing={transfer.pk}"}
    assert links(box)["Make an offer"] == reverse("deals:propose") + f"?listing={transfer.pk}"


def test_a_buyer_with_an_open_offer_follows_it(client, transfer, buyer, buyer_org):
    deal = deal_services.deal_propose(
        by=buyer, buyer=buyer_org, listing=transfer, price=Decimal("1000000")
    )
    box = cta(client, transfer, buyer)
    assert "You made an offer" in box.get_text()
    assert links(box) == {"Follow your offer": f"/workspace/deals/{deal.pk}/"}


def test_a_buyer_whose_offer_was_withdrawn_may_offer_again(client, transfer, buyer, buyer_org):
    deal = deal_services.deal_propose(
        by=buyer, buyer=buyer_org, listing=transfer, price=Decimal("1000000")
    )
    deal_services.deal_withdraw(deal=deal, by=buyer)
    box = cta(client, transfer, buyer)
    assert list(links(box)) == ["Make an offer"]


def test_a_user_without_an_organisation_is_told_to_register_one(client, transfer):
    box = cta(client, transfer, UserFactory())
    assert "verified by platform staff" in box.get_text()
    assert links(box) == {"Register an organisation": reverse("parties:organization_register")}


def test_a_user_whose_organisation_awaits_verification_is_told_so(client, transfer):
    pending = MembershipFactory(organization__verification_state="pending").user
    box = cta(client, transfer, pending)
    assert "yours is not verified yet" in box.get_text()
    assert "Make an offer" not in box.get_text()
    assert list(links(box).values()) == [reverse("parties:workspace")]


def test_a_bank_reviewer_does_not_offer_for_the_bank(client, transfer):
    reviewer = MembershipFactory(
        organization__verification_state="verified", organization__kind="bank", role="reviewer"
    ).user
    box = cta(client, transfer, reviewer)
    assert "Make an offer" not in box.get_text()


def test_the_holder_of_a_pledge_listing_applies_for_financing(client, market, listing_index):
    listing = market.publish("质押融资", intent="pledge", asking_price=Decimal("3000000"))
    box = cta(client, listing, market.member)
    href = links(box)["Apply for pledge financing"]
    assert href == pledge_create_url(listing)
    assert href.endswith(f"/workspace/pledges/new/?listing={listing.pk}")


@pytest.mark.parametrize("who", ["anonymous", "other_member"])
def test_anybody_else_reads_that_the_holder_applies_to_banks(client, market, listing_index, who):
    listing = market.publish("质押融资", intent="pledge", asking_price=Decimal("3000000"))
    box = cta(client, listing, None if who == "anonymous" else market.other_member)
    assert links(box) == {}
    assert "applies to banks through the platform" in box.get_text()


def test_the_page_reads_in_chinese_by_default(client, transfer, buyer):
    client.force_login(buyer)
    response = client.get(f"/listings/{transfer.pk}/")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == "zh-hans"
    assert (
        soup.select_one(".cta a.button")["href"] == f"/workspace/deals/new/?listing={transfer.pk}"
    )


def test_the_tag_makes_no_query_for_a_visitor_and_two_at_most_otherwise(
    transfer, buyer, buyer_org, market, django_assert_num_queries, django_assert_max_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert listing_cta(transfer, AnonymousUser()).kind == "login"
    for user, kind in ((buyer, "offer"), (market.member, "own")):
        user = type(user).objects.get(pk=user.pk)
        with django_assert_max_num_queries(2):
            assert listing_cta(transfer, user).kind == kind


def test_a_signed_in_visitor_costs_the_same_queries_whatever_the_offers(client, market, transfer):
    """The tag itself is bounded above; here the whole page, at 1 and at 10 offers."""
    client.force_login(market.member)
    client.get(f"/listings/{transfer.pk}/")  # Wagtail caches the site's root paths
    counts = []
    for offers in (1, 10):
        while transfer.deals.count() < offers:
            DealFactory(listing=transfer, state="proposed")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/listings/{transfer.pk}/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
