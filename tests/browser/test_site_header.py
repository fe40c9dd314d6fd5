"""The site header in Chromium (issue 10): at 1366 px it holds every link of the role with
the most of them, the bank reviewer (and one who is staff too), on one line in Chinese and
in English; on a 390 px phone nothing sticks out sideways and every link, the language
switch and the account menu are on screen and work.

A bank reviewer signs in through the real form and lands on the bank's queue. UI texts
come from the translation catalogues (zh()/en()), as the live server renders them.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import Page, expect

from tests.browser.test_deal_flows import PASSWORD, sign_in
from tests.factories import BankFactory, MembershipFactory, PledgeApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# What shares the header's line: the brand, each link, each language button, the
# notifications bell and the account menu's summary.
HEADER_ITEMS = (
    ".site-header .brand, .site-header .main-nav a, .site-header .lang-switch button,"
    " .site-header .notifications-link, .site-header .account-menu summary"
)


def in_language(code: str, text: Any) -> str:
    with translation.override(code):
        return str(text)


@pytest.fixture
def bank_reviewer() -> Callable[..., Any]:
    """A reviewer of a bank with a file waiting (optionally staff too: every link there is)."""

    def make(*, staff: bool = False) -> Any:
        bank = BankFactory(name="中国银行股份有限公司郑州分行")
        membership = MembershipFactory(
            organization=bank, role="reviewer", user__name="欧阳晓明", user__is_staff=staff
        )
        PledgeApplicationFactory(bank=bank, state="submitted")
        return membership.user

    return make


def sign_in_as_reviewer(page: Page, email: str, language: str) -> None:
    page.goto("/accounts/login/")
    sign_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/bank/$"))  # a reviewer lands on the queue
    if language == "en":
        page.get_by_role("banner").get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def header_boxes(page: Page) -> list[dict[str, Any]]:
    # The page's stylesheet must have arrived before anything is measured: on a busy
    # machine the new document (after signing in or switching language) can be laid out
    # unstyled for a moment, every item on a line of its own.
    page.wait_for_load_state("load")
    return page.locator(HEADER_ITEMS).evaluate_all(
        """items => items.map(item => {
            const box = item.getBoundingClientRect();
            return {text: item.textContent.trim(), top: box.top, bottom: box.bottom,
                    left: box.left, right: box.right};
        })"""
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("staff", [False, True], ids=["reviewer", "reviewer-and-staff"])
def test_the_header_holds_every_link_on_one_line_at_1366_px(
    new_page: Callable[..., Page], bank_reviewer: Callable[..., Any], language: str, staff: bool
) -> None:
    # given a bank reviewer, signed in, on a 1366 px wide screen
    user = bank_reviewer(staff=staff)
    page = new_page(viewport=DESKTOP)
    sign_in_as_reviewer(page, user.email, language)

    # when
    boxes = header_boxes(page)

    # then every item is there: 5 public links, workspace, bank review (and the admin)
    links = page.get_by_role("navigation", name=in_language(language, gettext_lazy("Main")))
    expect(links.get_by_role("link")).to_have_count(8 if staff else 7)
    expect(
        links.get_by_role("link", name=in_language(language, gettext_lazy("Bank review")))
    ).to_have_attribute("aria-current", "page")
    # … and all of them share one line: each starts above where every other one ends
    lowest_top = max(box["top"] for box in boxes)
    highest_bottom = min(box["bottom"] for box in boxes)
    assert lowest_top < highest_bottom, f"the header wraps: {boxes}"
    # … inside the page, each one left of the next
    assert max(box["right"] for box in boxes) <= DESKTOP["width"]
    lefts = [box["left"] for box in boxes]
    assert lefts == sorted(lefts), f"an item wrapped back to the left: {boxes}"
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_on_a_phone_the_header_fits_and_its_account_menu_works(
    new_page: Callable[..., Page],
    bank_reviewer: Callable[..., Any],
    language: str,
    screenshots: Any,
) -> None:
    # given a bank reviewer, signed in, on a 390 px phone
    user = bank_reviewer()
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in_as_reviewer(page, user.email, language)
    page.screenshot(path=screenshots / f"header-390px-{language}-reviewer.png")

    # then nothing sticks out sideways, and every item of the header is on screen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for box in header_boxes(page):
        assert box["left"] >= 0, box
        assert box["right"] <= PHONE["width"], box

    # when they open the account menu under their name
    header = page.get_by_role("banner")
    header.locator(".account-menu summary").tap()

    # then its links are on screen; Escape closes it again
    sign_out = header.get_by_role(
        "button", name=in_language(language, gettext_lazy("Sign out")), exact=True
    )
    expect(sign_out).to_be_in_viewport()
    security = header.get_by_role(
        "link",
        name=in_language(language, gettext_lazy("Account security and two-factor authentication")),
    )
    expect(security).to_be_in_viewport()
    page.keyboard.press("Escape")
    expect(sign_out).to_be_hidden()

    # and signing out through it works
    header.locator(".account-menu summary").tap()
    sign_out.tap()
    expect(
        header.get_by_role("link", name=in_language(language, gettext_lazy("Sign in")))
    ).to_be_visible()
