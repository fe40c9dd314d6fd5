"""Listings of pledged assets (Civil Code art. 444): a transfer or licence listing of an asset
under an active pledge goes to review with a word to the holder and a notice to the pledgee
bank, and is published only once that bank recorded its consent to it; a pledge listing of
an asset already pledged is refused. The holder's listing page and the moderator's review
page (Wagtail admin) show each asset's pledge."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from listings import services
from listings.models import Listing, ListingState
from marketplace.notifications.models import Notice
from marketplace.pledges.models import PledgeState
from marketplace.pledges.services import pledge_listing_consent_give
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
)
from tests.querycounts import SIGNED_IN_PAGE
from tests.wagtail_admin import messages_of, soup

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
def reviewer(bank):
    return MembershipFactory(organization=bank, role="reviewer", user__name="信贷员赵").user


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


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the rules (services) ----------------------------------------------------------------


@pytest.mark.parametrize("intent", ["transfer", "licence"])
def test_a_pledged_asset_is_published_only_with_the_pledgees_consent(
    member, holder, mark, pledge, reviewer, staff, intent
):
    # given a transfer (or licence) listing of the pledged trademark, sent for review
    extra = {"licence_type": "non_exclusive"} if intent == "licence" else {}
    listing = _draft(member, holder, [mark], intent=intent, **extra)
    listing = services.listing_submit(listing=listing, by=member)
    assert listing.state == ListingState.PENDING_REVIEW

    # then the pledgee bank was asked, with a link to its page of the pledge
    notice = Notice.objects.get(event="pledges.listing_consent_requested")
    assert list(notice.organizations.all()) == [pledge.bank]
    assert notice.url == reverse("bank:application", args=[pledge.pk]) + "#consent"
    assert notice.text["en"] == (
        f"郑州华锐科技有限公司 put an asset pledged to you in the listing “华锐商标转让” "
        f"({listing.get_intent_display()}): it is published only with your consent."
    )

    # when staff try to publish it without the consent: refused, naming the bank
    with pytest.raises(ValidationError) as refused:
        services.listing_publish(listing=listing, by=staff)
    assert refused.value.messages == [
        f"{mark} is pledged to 中国银行郑州分行: a listing for transfer or licence is "
        "published only with the consent of 中国银行郑州分行 (Civil Code art. 444), which "
        "the bank records on its page of the pledge."
    ]
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW
    assert not StateLog.objects.for_(listing).filter(transition="publish").exists()

    # when the bank records its consent: published
    pledge_listing_consent_give(application=pledge, listing=listing, by=reviewer, note="同意")
    assert services.listing_publish(listing=listing, by=staff).state == ListingState.PUBLISHED


def test_the_refusal_is_in_chinese_for_a_chinese_moderator(member, holder, mark, pledge, staff):
    listing = services.listing_submit(listing=_draft(member, holder, [mark]), by=member)

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.listing_publish(listing=listing, by=staff)

    (message,) = refused.value.messages
    assert "中国银行郑州分行" in message
    assert "同意" in message
    assert "第四百四十四条" in message


def test_an_asset_without_a_pledge_asks_no_bank(member, holder, mark, staff):
    listing = services.listing_submit(listing=_draft(member, holder, [mark]), by=member)

    assert not Notice.objects.filter(event="pledges.listing_consent_requested").exists()
    assert services.listing_publish(listing=listing, by=staff).state == ListingState.PUBLISHED


@pytest.mark.parametrize(
    "state", [PledgeState.REPAID, PledgeState.RELEASED, PledgeState.APPROVED, PledgeState.DRAFT]
)
def test_only_an_active_pledge_needs_consent(member, holder, bank, mark, staff, state):
    PledgeApplicationFactory(applicant=holder, bank=bank, assets=[mark], state=state)
    listing = services.listing_submit(listing=_draft(member, holder, [mark]), by=member)

    assert services.listing_publish(listing=listing, by=staff).state == ListingState.PUBLISHED


def test_a_consent_to_another_listing_does_not_count(member, holder, mark, pledge, reviewer, staff):
    # given a first listing the bank consented to, then rejected by staff (no longer open)
    first = services.listing_submit(listing=_draft(member, holder, [mark]), by=member)
    pledge_listing_consent_give(application=pledge, listing=first, by=reviewer)
    services.listing_reject(listing=first, by=staff, reason="价格需说明")

    # when a second listing of the trademark goes to review
    second = services.listing_submit(listing=_draft(member, holder, [mark]), by=member)

    # then it needs a consent of its own
    with pytest.raises(ValidationError) as refused:
        services.listing_publish(listing=second, by=staff)
    assert "consent of 中国银行郑州分行" in refused.value.messages[0]


def test_a_pledge_listing_of_a_pledged_asset_is_refused_when_drafted(member, holder, mark, pledge):
    with pytest.raises(ValidationError) as refused:
        _draft(member, holder, [mark], intent="pledge")

    assert refused.value.message_dict == {
        "assets": [
            f"{mark} is already pledged to 中国银行郑州分行; it cannot be listed for pledge "
            "financing again until that pledge is released."
        ]
    }
    assert not Listing.objects.exists()


def test_a_pledge_listing_drafted_before_the_pledge_is_refused_at_submit_and_publish(
    member, holder, bank, mark, staff
):
    draft = _draft(member, holder, [mark], intent="pledge")
    pending = services.listing_submit(
        listing=_draft(member, holder, [IPAssetFactory(holder=holder)], intent="pledge"),
        by=member,
    )
    # the trademark is pledged meanwhile; so is the asset of the listing under review
    PledgeApplicationFactory(applicant=holder, bank=bank, assets=[mark], state="registered")
    PledgeApplicationFactory(
        applicant=holder, bank=bank, assets=list(pending.assets.all()), state="disbursed"
    )

    with pytest.raises(ValidationError) as at_submit:
        services.listing_submit(listing=draft, by=member)
    assert any("already pledged to 中国银行郑州分行" in m for m in at_submit.value.messages)
    with pytest.raises(ValidationError) as at_publish:
        services.listing_publish(listing=pending, by=staff)
    assert any("already pledged to 中国银行郑州分行" in m for m in at_publish.value.messages)


def test_a_resubmitted_listing_asks_the_bank_again_until_it_consents(
    member, holder, mark, pledge, reviewer, staff
):
    listing = services.listing_submit(listing=_draft(member, holder, [mark]), by=member)
    services.listing_reject(listing=listing, by=staff, reason="请补充说明")
    services.listing_resubmit(listing=listing, by=member)
    assert Notice.objects.filter(event="pledges.listing_consent_requested").count() == 2

    pledge_listing_consent_give(application=pledge, listing=listing, by=reviewer)
    services.listing_reject(listing=listing, by=staff, reason="再补充")
    services.listing_resubmit(listing=listing, by=member)

    # consent given: the bank is not asked a third time, and staff may publish
    assert Notice.objects.filter(event="pledges.listing_consent_requested").count() == 2
    assert services.listing_publish(listing=listing, by=staff).state == ListingState.PUBLISHED


# --- the holder's pages ------------------------------------------------------------------


def test_submitting_says_whose_consent_the_listing_waits_for(
    member_client, member, holder, mark, pledge
):
    listing = _draft(member, holder, [mark])
    url = reverse("listings:workspace_listing_detail", args=[listing.pk])

    draft_page = member_client.get(url)
    callout = _soup(draft_page).select_one(".callout-warning").get_text(" ", strip=True)
    assert "pledged to 中国银行郑州分行" in callout
    assert "Civil Code art. 444" in callout

    response = member_client.post(
        reverse("listings:workspace_listing_submit", args=[listing.pk]), follow=True
    )

    assert _messages(response) == [
        "“华锐商标转让” is sent for review by platform staff. Its pledged assets are published "
        "only with the consent of 中国银行郑州分行; the bank has been asked for it."
    ]
    row = _soup(response).find("td", string="华锐").find_parent("tr").get_text(" ", strip=True)
    assert "Pledged to 中国银行郑州分行" in row
    assert "No consent yet" in row


def test_the_listing_page_shows_the_consent_once_given(
    member_client, member, holder, mark, pledge, reviewer
):
    listing = services.listing_submit(listing=_draft(member, holder, [mark]), by=member)
    pledge_listing_consent_give(application=pledge, listing=listing, by=reviewer)

    response = member_client.get(reverse("listings:workspace_listing_detail", args=[listing.pk]))

    row = _soup(response).find("td", string="华锐").find_parent("tr").get_text(" ", strip=True)
    assert f"Consent given on {timezone.localdate().isoformat()}" in row
    assert not _soup(response).select(".callout-warning")


def test_the_listing_page_runs_a_constant_number_of_queries(
    member_client, member, holder, bank, django_assert_max_num_queries
):
    def page_with(n: int) -> str:
        assets = [IPAssetFactory(holder=holder) for _ in range(n)]
        for asset in assets:
            PledgeApplicationFactory(
                applicant=holder, bank=bank, assets=[asset], state="registered"
            )
        listing = _draft(member, holder, assets)
        return reverse("listings:workspace_listing_detail", args=[listing.pk])

    few, many = page_with(1), page_with(8)
    member_client.get(few)  # warm the caches (content types, session)
    with django_assert_max_num_queries(SIGNED_IN_PAGE + 8) as captured:
        member_client.get(few)
    with django_assert_max_num_queries(len(captured)):
        member_client.get(many)


# --- the moderator's review page (Wagtail admin) -------------------------------------------


def _review_url(listing: Listing) -> str:
    return reverse("listing_moderation:inspect", args=(listing.pk,))


def test_the_review_page_shows_the_pledge_and_refuses_publication_without_consent(
    staff_client, member, holder, mark, pledge, reviewer
):
    listing = services.listing_submit(listing=_draft(member, holder, [mark]), by=member)

    page = soup(staff_client.get(_review_url(listing)))
    row = page.find("code", string="7346849").find_parent("tr").get_text(" ", strip=True)
    assert "Pledged to 中国银行郑州分行" in row
    assert pledge.registration_number in row
    assert "No pledgee consent" in row
    assert "Publishable only once 中国银行郑州分行 records its consent." in row

    response = staff_client.post(
        _review_url(listing), {"action": "publish", "publish-note": ""}, follow=True
    )
    assert any(
        "was not published" in m and "consent of 中国银行郑州分行" in m
        for m in messages_of(response)
    )
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW

    pledge_listing_consent_give(application=pledge, listing=listing, by=reviewer, note="同意转让")
    page = soup(staff_client.get(_review_url(listing)))
    row = page.find("code", string="7346849").find_parent("tr").get_text(" ", strip=True)
    assert "Pledgee consented" in row
    assert "同意转让" in row
    response = staff_client.post(_review_url(listing), {"action": "publish"}, follow=True)
    listing.refresh_from_db()
    assert listing.state == ListingState.PUBLISHED


def test_the_review_page_says_a_pledged_asset_cannot_be_pledged_again(
    staff_client, holder, mark, pledge
):
    listing = ListingFactory(holder=holder, assets=[mark], intent="pledge", state="pending_review")

    page = soup(staff_client.get(_review_url(listing)))

    row = page.find("code", string="7346849").find_parent("tr").get_text(" ", strip=True)
    assert "Cannot be pledged again" in row


def test_the_review_page_says_not_pledged(staff_client, holder):
    listing = ListingFactory(holder=holder, state="pending_review")

    page = soup(staff_client.get(_review_url(listing))).get_text(" ", strip=True)

    assert "Not pledged" in page


def test_the_review_page_runs_a_constant_number_of_queries(
    staff_client, holder, bank, django_assert_max_num_queries
):
    def review_of(n: int) -> str:
        assets = [IPAssetFactory(holder=holder) for _ in range(n)]
        for asset in assets:
            PledgeApplicationFactory(
                applicant=holder, bank=bank, assets=[asset], state="registered"
            )
        return _review_url(ListingFactory(holder=holder, assets=assets, state="pending_review"))

    few, many = review_of(1), review_of(8)
    staff_client.get(few)
    with django_assert_max_num_queries(60) as captured:
        staff_client.get(few)
    with django_assert_max_num_queries(len(captured)):
        staff_client.get(many)
