"""The pledgee's consent to a listing of a pledged asset (Civil Code art. 444): recorded
through the same PledgeConsent as a consent to a deal, by reviewers of the pledgee bank only,
from the bank's page of the pledge, while the pledge is active and the listing (a transfer or
a licence) waits for review; the holder hears of it."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from marketplace.notifications.models import Notice
from marketplace.pledges import services
from marketplace.pledges.models import PledgeConsent, PledgeState
from tests.factories import (
    BankFactory,
    DealFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def holder():
    return OrganizationFactory(verification_state="verified", name="郑州华锐科技有限公司")


@pytest.fixture
def bank():
    return BankFactory(name="中国银行郑州分行")


@pytest.fixture
def reviewer(bank):
    return MembershipFactory(organization=bank, role="reviewer", user__name="信贷员赵").user


@pytest.fixture
def asset(holder):
    return IPAssetFactory(holder=holder, title="华锐")


@pytest.fixture
def pledge(holder, bank, asset):
    return PledgeApplicationFactory(
        applicant=holder, bank=bank, assets=[asset], state=PledgeState.REGISTERED
    )


@pytest.fixture
def listing(holder, asset):
    return ListingFactory(
        holder=holder, assets=[asset], state="pending_review", title="华锐商标转让"
    )


def give(application, listing, by, note=""):
    return services.pledge_listing_consent_give(
        application=application, listing=listing, by=by, note=note
    )


# --- the service ---------------------------------------------------------------------------


def test_the_pledgee_consents_to_a_listing_and_the_holder_hears_of_it(
    pledge, listing, reviewer, holder
):
    consent = give(pledge, listing, reviewer, note="  同意转让  ")

    assert (consent.application, consent.listing, consent.deal) == (pledge, listing, None)
    assert (consent.given_by, consent.note) == (reviewer, "同意转让")
    notice = Notice.objects.get(event="pledges.listing_consent")
    assert list(notice.organizations.all()) == [holder]
    assert notice.url == reverse("listings:workspace_listing_detail", args=[listing.pk])
    assert notice.text["en"] == (
        "中国银行郑州分行 consented to the listing “华锐商标转让” of its pledged asset; "
        "platform staff can now publish it."
    )
    # giving it again changes nothing and tells nobody twice
    assert give(pledge, listing, reviewer) == consent
    assert PledgeConsent.objects.count() == 1
    assert Notice.objects.filter(event="pledges.listing_consent").count() == 1


@pytest.mark.parametrize("who", ["other_bank", "holder", "staff"])
def test_only_reviewers_of_the_pledgee_bank_consent(pledge, listing, holder, who, staff):
    user = {
        "other_bank": lambda: MembershipFactory(organization=BankFactory(), role="reviewer").user,
        "holder": lambda: MembershipFactory(organization=holder, role="owner").user,
        "staff": lambda: staff,
    }[who]()

    with pytest.raises(PermissionDenied):
        give(pledge, listing, user)

    assert not PledgeConsent.objects.exists()


@pytest.mark.parametrize("state", ["contract_signed", "repaid", "released", "approved"])
def test_consent_is_given_only_while_the_pledge_is_active(holder, bank, reviewer, asset, state):
    application = PledgeApplicationFactory(applicant=holder, bank=bank, assets=[asset], state=state)
    listing = ListingFactory(holder=holder, assets=[asset], state="pending_review")

    with pytest.raises(ValidationError) as caught:
        give(application, listing, reviewer)

    assert caught.value.code == "not_active"
    assert not PledgeConsent.objects.exists()


def test_consent_is_given_to_a_listing_of_the_pledged_asset_only(pledge, reviewer, holder):
    unrelated = ListingFactory(holder=holder, state="pending_review")

    with pytest.raises(ValidationError) as caught:
        give(pledge, unrelated, reviewer)

    assert caught.value.code == "unrelated_listing"


def test_consent_is_given_to_a_transfer_or_licence_only(pledge, reviewer, holder, asset):
    pledge_listing = ListingFactory(
        holder=holder, assets=[asset], intent="pledge", state="pending_review"
    )

    with pytest.raises(ValidationError) as caught:
        give(pledge, pledge_listing, reviewer)

    assert caught.value.code == "not_consentable"


@pytest.mark.parametrize("state", ["draft", "rejected", "published", "withdrawn", "closed"])
def test_consent_is_given_to_a_listing_waiting_for_review_only(
    pledge, reviewer, holder, asset, state
):
    listing = ListingFactory(holder=holder, assets=[asset], state=state)

    with pytest.raises(ValidationError) as caught:
        give(pledge, listing, reviewer)

    assert caught.value.code == "listing_not_pending"
    assert not PledgeConsent.objects.exists()


def test_a_consent_names_a_deal_or_a_listing_never_both_nor_neither(pledge, listing, reviewer):
    deal = DealFactory(listing=ListingFactory(holder=listing.holder, state="published"))
    for targets in ({"deal": deal, "listing": listing}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PledgeConsent.objects.create(application=pledge, given_by=reviewer, **targets)


def test_the_consent_to_a_listing_is_not_a_consent_to_its_deals(pledge, listing, reviewer, asset):
    """A deal on the listing needs the bank's consent of its own (the deals' guard)."""
    give(pledge, listing, reviewer)
    deal = DealFactory(listing=listing)

    assert not PledgeConsent.objects.filter(deal=deal).exists()
    consent = services.pledge_consent_give(application=pledge, deal=deal, by=reviewer)
    assert consent.deal == deal
    assert PledgeConsent.objects.count() == 2


# --- the bank's page -----------------------------------------------------------------------


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    client.cookies["django_language"] = "en"
    return client


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _consent_url(pledge, listing) -> str:
    return reverse("bank:listing_consent", args=[pledge.pk, listing.pk])


def test_the_bank_page_lists_the_listings_waiting_for_its_consent(
    reviewer_client, pledge, listing, holder, asset
):
    ListingFactory(holder=holder, assets=[asset], state="draft", title="草稿")  # the holder's
    ListingFactory(holder=holder, state="pending_review", title="无关的挂牌")  # another asset

    response = reviewer_client.get(reverse("bank:application", args=[pledge.pk]))

    assert [item.pk for item in response.context["consent_listings"]] == [listing.pk]
    section = _soup(response).find(id="consent")
    assert section.find("form", action=_consent_url(pledge, listing))
    text = section.get_text(" ", strip=True)
    assert "华锐商标转让" in text
    assert "草稿" not in text
    assert "无关的挂牌" not in text


def test_a_reviewer_records_consent_to_a_listing(reviewer_client, reviewer, pledge, listing):
    response = reviewer_client.post(
        _consent_url(pledge, listing), {"note": "同意挂牌转让"}, follow=True
    )

    consent = PledgeConsent.objects.get()
    assert (consent.listing, consent.given_by, consent.note) == (listing, reviewer, "同意挂牌转让")
    assert (
        "Consent to the listing “华锐商标转让” is recorded; platform staff may publish it."
        in _messages(response)
    )
    section = _soup(response).find(id="consent")
    assert "Listing “华锐商标转让”: given by" in section.get_text(" ", strip=True)
    assert not section.find("form", action=_consent_url(pledge, listing))


def test_another_banks_reviewer_gets_a_404(client, pledge, listing):
    other = MembershipFactory(organization=BankFactory(name="郑州银行"), role="reviewer").user
    client.force_login(other)

    response = client.post(_consent_url(pledge, listing))

    assert response.status_code == 404
    assert not PledgeConsent.objects.exists()


def test_a_draft_or_an_unrelated_listing_is_a_404(reviewer_client, pledge, holder, asset):
    draft = ListingFactory(holder=holder, assets=[asset], state="draft")
    unrelated = ListingFactory(holder=holder, state="pending_review")

    for listing in (draft, unrelated):
        assert reviewer_client.post(_consent_url(pledge, listing)).status_code == 404
    assert not PledgeConsent.objects.exists()


def test_a_refused_consent_is_a_message(reviewer_client, pledge, holder, asset):
    published = ListingFactory(holder=holder, assets=[asset], state="published")

    response = reviewer_client.post(_consent_url(pledge, published), follow=True)

    assert (
        "Consent is given to a listing waiting for review only; this one is “Published”."
        in _messages(response)
    )
    assert not PledgeConsent.objects.exists()


def test_the_wagtail_review_of_the_pledge_shows_the_consent_to_a_listing(
    staff_client, pledge, listing, reviewer
):
    give(pledge, listing, reviewer, note="同意")

    response = staff_client.get(reverse("pledge_review:inspect", args=(pledge.pk,)))

    page = _soup(response)
    link = page.find("a", href=reverse("listing_moderation:inspect", args=(listing.pk,)))
    assert link.get_text(strip=True) == "华锐商标转让"
    assert "Deal or listing" in page.get_text(" ", strip=True)
