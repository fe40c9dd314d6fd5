"""A listing's life in Chromium, from the holder's workspace to the public portal (issue 3).

A holder signs in, records a patent, drafts a listing of it and submits it; staff publish it
from the Wagtail admin's review page; an anonymous visitor finds it by a Chinese search and
opens it, then reads the same page in English. One continuous story, three people, each in
a browser context of their own.

As in test_onboarding.py, UI texts are computed from the same translation catalogues the
live server uses (`zh(...)`, `en(...)`), never hard-coded; database content (titles, names,
numbers) is asserted literally. The portal's index pages are created the way
`manage.py setup_portal` creates them (cms.services.portal_pages_ensure), and the competing
listing is published through the listing services.
"""

import datetime
import re
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django_fsm_log.models import StateLog
from playwright.sync_api import Locator, Page, expect

from cms.services import portal_pages_ensure
from listings import services
from listings.admin_views import ListingModerationView
from listings.forms import IPAssetForm, ListingForm, ListingSearchForm
from listings.models import AssetKind, IPAsset, Listing, ListingIntent, ListingState
from listings.templatetags.listing_workspace import HOLDER_ACTIONS, NEXT_STEPS
from marketplace.money import format_yuan
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.factories.listings import valid_patent_number, years_ago

# Live-server tests commit for real, so the test ends with a flush; serialized rollback
# puts back what migrations created (Wagtail's page tree, the home page, the site).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
TIMEOUT_MS = 10_000  # as the conftest's page timeout; expect() has its own (5 s) otherwise

HOLDER_NAME = "郑州锂想新能源科技有限公司"
HOLDER_NAME_EN = "Zhengzhou Lixiang New Energy Technology Co., Ltd."
ASSET_TITLE = "一种高安全锂电池隔膜的制备方法"
LISTING_TITLE = "高安全锂电池隔膜发明专利转让"
OTHER_TITLE = "钠离子电池正极材料专利转让"
PRICE = Decimal("1200000")


def zh(text: Any) -> str:
    """`text` (a lazy translation or a model label) as the Chinese UI shows it."""
    with translation.override("zh-hans"):
        return str(text)


def en(text: Any) -> str:
    with translation.override("en"):
        return str(text)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill in and send allauth's sign-in form, which the current page shows."""
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("#main form").get_by_role("button").click()


def control(page: Page, label: Any) -> Locator:
    """The workspace form control labelled `label` (in Chinese); a required field's label
    ends in an asterisk hidden from screen readers but part of the label's text."""
    return page.get_by_label(re.compile(rf"^{re.escape(zh(label))}\s*\*?$"))


def press(page: Page, label: Any) -> None:
    """Press a button of the page's main content (the header's language buttons are
    submit buttons too)."""
    page.locator("#main").get_by_role("button", name=zh(label), exact=True).click()


def fact(scope: Page | Locator, term: str) -> Locator:
    """The <dd> that follows the <dt> reading `term` in a facts list."""
    return (
        scope.locator("dl.facts dt")
        .filter(has_text=re.compile(f"^{re.escape(term)}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def pk_in(url: str, pattern: str) -> int:
    match = re.search(pattern, url)
    assert match, f"{url} does not match {pattern}"
    return int(match.group(1))


def publish_competitor(staff: Any) -> Listing:
    """A second published listing, about sodium-ion batteries, written through the services."""
    membership = MembershipFactory(
        organization=OrganizationFactory(
            verification_state="verified", name="郑州钠源储能科技有限公司", district="airport"
        )
    )
    asset = IPAssetFactory(
        holder=membership.organization,
        number=valid_patent_number(5151, year=2021),
        title="一种钠离子电池层状氧化物正极材料",
    )
    listing = services.listing_create(
        by=membership.user,
        holder=membership.organization,
        assets=[asset],
        title=OTHER_TITLE,
        intent=ListingIntent.TRANSFER,
        asking_price=Decimal("800000"),
        valid_until=timezone.localdate() + datetime.timedelta(days=180),
    )
    listing = services.listing_submit(listing=listing, by=membership.user)
    return services.listing_publish(listing=listing, by=staff)


def test_holder_lists_a_patent_staff_publish_it_a_visitor_finds_it(
    new_page: Callable[..., Page], settings: Any, screenshots: Path
) -> None:
    settings.MFA_REQUIRED = False  # TOTP enrolment for staff is a story of its own
    started = time.perf_counter()

    # given: the portal's pages, a verified holder with one member, platform staff, and
    # another holder's published listing about sodium-ion batteries
    portal_pages_ensure()
    holder = MembershipFactory(
        organization=OrganizationFactory(
            verification_state="verified", name=HOLDER_NAME, name_en=HOLDER_NAME_EN
        )
    )
    staff = UserFactory(email="operator@example.com", is_staff=True, is_superuser=True)
    competitor = publish_competitor(staff)
    # filed five years ago and granted three years ago: in force whichever day this runs
    filed, granted = years_ago(5), years_ago(3)
    number = valid_patent_number(7311, year=filed.year)  # 12 digits, a dot and the check digit
    typed_number = f"CN {number[:4]} {number[4:8]} {number[8:]}"
    valid_until = timezone.localdate() + datetime.timedelta(days=365)
    asset_fields = IPAssetForm.base_fields
    listing_fields = ListingForm.base_fields
    story_started = time.perf_counter()

    # 1 -- the holder ---------------------------------------------------------------------
    # when: the holder signs in and records an invention patent, the number typed with a
    # CN prefix and spaces
    holder_page = new_page()
    holder_page.goto("/accounts/login/")
    sign_in(holder_page, holder.user.email)
    expect(holder_page).to_have_url(re.compile(r"/workspace/$"))
    holder_page.get_by_role("link", name=zh(gettext_lazy("Record an IP asset"))).click()
    expect(holder_page).to_have_url(re.compile(r"/workspace/assets/new/$"))
    control(holder_page, asset_fields["holder"].label).select_option(label=HOLDER_NAME)
    control(holder_page, asset_fields["kind"].label).select_option(AssetKind.INVENTION)
    control(holder_page, asset_fields["number"].label).fill(typed_number)
    control(holder_page, asset_fields["title"].label).fill(ASSET_TITLE)
    control(holder_page, asset_fields["filing_date"].label).fill(filed.isoformat())
    control(holder_page, asset_fields["grant_date"].label).fill(granted.isoformat())
    control(holder_page, asset_fields["status"].label).select_option("valid")
    control(holder_page, asset_fields["industry"].label).select_option("nev")
    press(holder_page, gettext_lazy("Save"))

    # then: the asset's page shows the number normalised
    expect(holder_page).to_have_url(re.compile(r"/workspace/assets/\d+/$"))
    expect(holder_page.get_by_role("heading", level=1)).to_have_text(ASSET_TITLE)
    expect(fact(holder_page, zh(pgettext_lazy("IP asset", "Number")))).to_have_text(number)

    # when: they draft a listing of it, for transfer at a price, valid for a year
    holder_page.goto("/workspace/listings/new/")
    expect(holder_page.get_by_role("heading", level=1)).to_have_text(
        zh(gettext_lazy("New listing"))
    )
    control(holder_page, listing_fields["holder"].label).select_option(label=HOLDER_NAME)
    holder_page.get_by_role("checkbox", name=re.compile(re.escape(ASSET_TITLE))).check()
    control(holder_page, listing_fields["title"].label).fill(LISTING_TITLE)
    control(holder_page, listing_fields["intent"].label).select_option(ListingIntent.TRANSFER)
    control(holder_page, listing_fields["asking_price"].label).fill(str(PRICE))
    control(holder_page, listing_fields["description"].label).fill(
        "<p>隔膜热收缩率低，适用于动力锂电池。</p>"
    )
    control(holder_page, listing_fields["valid_until"].label).fill(valid_until.isoformat())
    press(holder_page, gettext_lazy("Save as draft"))

    # then: the draft's workspace page offers to submit it
    expect(holder_page).to_have_url(re.compile(r"/workspace/listings/\d+/$"))
    listing_pk = pk_in(holder_page.url, r"/workspace/listings/(\d+)/$")
    expect(holder_page.get_by_role("heading", level=1)).to_have_text(LISTING_TITLE)
    state_badge = holder_page.locator(".section-head .state-badge")
    expect(state_badge).to_have_text(zh(ListingState.DRAFT.label))

    # when: they submit it for review
    submit_label = dict(HOLDER_ACTIONS)["submit"]
    press(holder_page, submit_label)

    # then: the page shows it pending review, and that staff act next
    expect(state_badge).to_have_text(zh(ListingState.PENDING_REVIEW.label))
    with translation.override("zh-hans"):
        sent = translation.gettext("“%(title)s” is sent for review by platform staff.") % {
            "title": LISTING_TITLE
        }
    expect(holder_page.get_by_role("status")).to_contain_text(sent)
    expect(holder_page.locator(".next-actions")).to_contain_text(
        zh(NEXT_STEPS[ListingState.PENDING_REVIEW])
    )
    expect(holder_page.locator("#main").get_by_role("button", name=zh(submit_label))).to_have_count(
        0
    )

    # 2 -- staff ----------------------------------------------------------------------------
    # when: a staff member opens the Wagtail admin and signs in on the site's form
    admin = new_page()
    admin.goto("/admin/")
    expect(admin).to_have_url(re.compile(r"/accounts/login/\?next=(/|%2F)admin(/|%2F)$"))
    sign_in(admin, staff.email)
    expect(admin).to_have_url(re.compile(r"/admin/$"))

    # then: the dashboard says one listing waits for review; they follow it to the listing
    queue = admin.get_by_role("row").filter(
        has=admin.get_by_role("link", name=zh(gettext_lazy("Listings pending review")))
    )
    expect(queue.locator("[data-pending-count]")).to_have_text("1")
    queue.get_by_role("link", name=zh(gettext_lazy("Listings pending review"))).click()
    expect(admin).to_have_url(re.compile(r"/admin/listings/\?state=pending_review$"))
    rows = admin.locator("table.listing tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=LISTING_TITLE, exact=True).click()
    expect(admin).to_have_url(re.compile(rf"/admin/listings/{listing_pk}/$"))
    current_state = admin.locator("main p").filter(
        has_text=re.compile(rf"^\s*{re.escape(zh(gettext_lazy('Current state:')))}")
    )
    expect(current_state).to_contain_text(zh(ListingState.PENDING_REVIEW.label))
    assets_panel = admin.get_by_role("region", name=zh(gettext_lazy("IP assets")), exact=True)
    expect(assets_panel.get_by_role("row").filter(has_text=ASSET_TITLE)).to_contain_text(number)

    # when: they publish it
    publish = next(a for a in ListingModerationView.actions if a.name == "publish")
    admin.locator("form.moderation-action").filter(
        has=admin.get_by_role("heading", name=zh(publish.label), exact=True)
    ).get_by_role("button", name=zh(publish.label), exact=True).click()

    # then: the admin confirms, and the listing is published
    expect(admin.locator(".messages")).to_contain_text(
        zh(publish.done) % {"object": LISTING_TITLE}, timeout=TIMEOUT_MS
    )
    expect(current_state).to_contain_text(zh(ListingState.PUBLISHED.label))

    # 3 -- an anonymous visitor -------------------------------------------------------------
    # given: both listings are on the market
    visitor = new_page()
    visitor.goto("/listings/")
    results = visitor.locator(".results")
    expect(results.get_by_role("link", name=LISTING_TITLE, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name=OTHER_TITLE, exact=True)).to_be_visible()

    # when: they search for 锂电池 (lithium battery)
    search = visitor.get_by_role("search")
    search.get_by_role("searchbox", name=zh(ListingSearchForm.base_fields["q"].label)).fill(
        "锂电池"
    )
    search.get_by_role("button", name=zh(gettext_lazy("Search")), exact=True).click()

    # then: only the lithium-battery listing is found
    expect(visitor).to_have_url(re.compile(r"/listings/\?q=%E9%94%82%E7%94%B5%E6%B1%A0$"))
    with translation.override("zh-hans"):
        found = ngettext(
            "%(counter)s listing found for “%(query)s”",
            "%(counter)s listings found for “%(query)s”",
            1,
        ) % {"counter": 1, "query": "锂电池"}
    expect(results.get_by_role("heading", level=2)).to_have_text(found)
    expect(results.locator(".listing-card")).to_have_count(1)
    expect(results.get_by_role("link", name=LISTING_TITLE, exact=True)).to_be_visible()
    expect(results).not_to_contain_text(OTHER_TITLE)
    expect(results).not_to_contain_text("钠离子")

    # when: they open it
    results.get_by_role("link", name=LISTING_TITLE, exact=True).click()

    # then: the detail shows the normalised number, the holder, and the price in 万元
    expect(visitor).to_have_url(re.compile(rf"/listings/{listing_pk}/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(LISTING_TITLE)
    asset = visitor.locator(".asset").filter(
        has=visitor.get_by_role("heading", name=ASSET_TITLE, exact=True)
    )
    expect(fact(asset, zh(pgettext_lazy("IP asset", "Number")))).to_have_text(number)
    expect(fact(asset, zh(gettext_lazy("Kind")))).to_have_text(zh(AssetKind.INVENTION.label))
    expect(visitor.locator(".holder-name")).to_have_text(HOLDER_NAME)
    expect(visitor.locator(".holder-card")).to_contain_text(zh(gettext_lazy("Verified")))
    expect(visitor.locator(".price-big")).to_have_text(format_yuan(PRICE, chinese=True))
    expect(visitor.locator("html")).to_have_attribute("lang", "zh-hans")
    paused = time.perf_counter()  # the review screenshot is not part of the story
    visitor.screenshot(path=screenshots / "listing-detail-zh.png", full_page=True)
    paused = time.perf_counter() - paused

    # 4 -- the same page in English ---------------------------------------------------------
    # when: they press “English” in the header
    visitor.get_by_role("banner").get_by_role("button", name="English", exact=True).click()

    # then: the same listing, in English
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    expect(visitor).to_have_url(re.compile(rf"/listings/{listing_pk}/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(LISTING_TITLE)
    with translation.override("en"):
        assets_heading = ngettext(
            "The IP asset", "The %(counter)s IP assets of this package", 1
        ) % {"counter": 1}
    expect(visitor.get_by_role("heading", level=2, name=assets_heading)).to_be_visible()
    expect(
        visitor.get_by_role("heading", level=2, name=en(gettext_lazy("Description")))
    ).to_be_visible()
    expect(fact(asset, en(pgettext_lazy("IP asset", "Number")))).to_have_text(number)
    expect(fact(asset, en(gettext_lazy("Kind")))).to_have_text(en(AssetKind.INVENTION.label))
    # an anonymous visitor is asked to sign in first, and comes back to the listing
    offer = visitor.locator(".cta").get_by_role(
        "link", name=en(gettext_lazy("Make an offer")), exact=True
    )
    expect(offer).to_have_attribute("href", re.compile(r"^/accounts/login/\?next=%2Flistings%2F"))
    expect(visitor.locator(".holder-name")).to_have_text(HOLDER_NAME_EN)
    expect(visitor.locator(".price-big")).to_have_text(format_yuan(PRICE, chinese=False))
    expect(visitor.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")

    finished = time.perf_counter() - paused
    story_seconds, total_seconds = finished - story_started, finished - started
    visitor.screenshot(path=screenshots / "listing-detail-en.png", full_page=True)

    # and: the database agrees — one asset, its listing published by staff, audited
    recorded = IPAsset.objects.get(number=number)
    assert recorded.holder == holder.organization
    listing = Listing.objects.get(pk=listing_pk)
    assert listing.state == ListingState.PUBLISHED
    assert list(listing.assets.all()) == [recorded]
    assert listing.asking_price == PRICE
    assert listing.valid_until == valid_until
    assert list(
        StateLog.objects.for_(listing).order_by("timestamp", "pk").values_list("transition", "by")
    ) == [("submit", holder.user.pk), ("publish", staff.pk)]
    competitor.refresh_from_db()
    assert competitor.state == ListingState.PUBLISHED

    print(
        f"\nlisting story wall time: {story_seconds:.2f} s in the browser "
        f"({total_seconds:.2f} s with the setup)"
    )
