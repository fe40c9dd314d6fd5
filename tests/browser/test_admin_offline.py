"""The Wagtail admin in Chromium (issue 10): it stays on the site, and the operator's pledge
screens work in Chinese and English.

Every request the admin's pages make — documents, scripts, styles, images, fetches — is
recorded, and none may go to a host other than the test server's: no Gravatar avatars, no
releases.wagtail.org update check, nothing from a CDN. The pages also raise no script error,
and the pledge statistics export offers working date pickers and a labelled button.
"""

import datetime
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import Page, expect

from cms.models import HomePage
from cms.services import portal_pages_ensure
from marketplace.pledges import services
from tests.browser.test_deal_flows import sign_in
from tests.factories import (
    BankFactory,
    ListingFactory,
    MembershipFactory,
    PledgeApplicationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def zh(text: Any) -> str:
    with translation.override("zh-hans"):
        return str(text)


def en(text: Any) -> str:
    with translation.override("en"):
        return str(text)


@pytest.fixture
def operator() -> Any:
    return UserFactory(email="operator@example.com", name="周敏", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_content() -> dict[str, Any]:
    """What the operator's screens list: the portal pages, a pledge registered a week ago
    (in the ledger), and a listing waiting for review."""
    portal_pages_ensure()
    registered_on = timezone.localdate() - datetime.timedelta(days=7)
    bank = BankFactory()
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    application = PledgeApplicationFactory(
        bank=bank,
        state="contract_signed",
        requested_amount=Decimal("3000000.00"),
        contract_date=registered_on,
    )
    services.pledge_register(
        application=application,
        by=reviewer,
        registration_number=f"ZX{application.pk:010d}",
        registration_date=registered_on,
        secured_amount=Decimal("3000000.00"),
    )
    listing = ListingFactory(state="pending_review")
    return {"home": HomePage.objects.get(), "listing": listing, "registered_on": registered_on}


def signed_in(page: Page, operator: Any) -> Page:
    page.goto("/admin/")
    sign_in(page, operator.email)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return page


@pytest.mark.timeout(600)  # seven admin pages, on a machine shared with other test runs
def test_no_admin_page_sends_a_request_off_the_site(new_page, live_server, operator, admin_content):
    # given: the operator's browser, recording every request and every script error
    page = new_page()
    site = urlsplit(live_server.url).netloc
    off_site: list[str] = []
    errors: list[str] = []

    def record(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob") and parts.netloc != site:
            off_site.append(request.url)

    page.context.on("request", record)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    signed_in(page, operator)
    home_page = admin_content["home"]

    # when: they open the screens of their day
    screens = [
        "/admin/",
        f"/admin/pages/{home_page.pk}/",
        f"/admin/pages/{home_page.pk}/edit/",  # a form page, and the admin's biggest
        "/admin/pledge-ledger/",
        "/admin/pledge-goals/",
        "/admin/pledge-export/",
        f"/admin/listings/{admin_content['listing'].pk}/",  # a listing's review page
    ]
    for path in screens:
        response = page.goto(path)
        assert response is not None, path
        assert response.ok, path
        page.wait_for_load_state("networkidle")

    # then: every request went to the site itself, and no script failed
    assert off_site == []
    assert errors == []


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", zh), ("en-US", en)])
def test_the_export_has_date_pickers_and_a_labelled_button(
    new_page, operator, admin_content, locale, lang
):
    page = new_page(locale=locale)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    signed_in(page, operator)

    page.goto("/admin/pledge-export/")

    # the dates are Wagtail's date widgets: a calendar opens on the field
    start = page.get_by_label(re.compile(re.escape(lang(gettext_lazy("From (registration date)")))))
    start.click()
    calendar = page.locator(".xdsoft_datetimepicker:visible")
    expect(calendar).to_have_count(1)
    expect(calendar.locator(".xdsoft_calendar td.xdsoft_date").first).to_be_visible()
    page.keyboard.press("Escape")
    # the button says what it does
    button = page.locator("main form").get_by_role("button", name=lang(gettext_lazy("Export")))
    expect(button).to_be_visible()
    expect(button).to_have_text(lang(gettext_lazy("Export")))
    assert errors == []


def test_the_dashboard_and_ledger_read_in_chinese(new_page, operator, admin_content):
    page = signed_in(new_page(), operator)

    # the dashboard's counts and search box are in Chinese; Pages is 页面, not 分页
    summary = page.locator("main")
    expect(summary).not_to_contain_text(re.compile(r"\b(Pages?|Images?|Documents?)\b"))
    expect(page.get_by_placeholder("搜索全部页面…")).to_be_visible()
    expect(page.locator("#wagtail-sidebar")).to_contain_text("页面")
    expect(page.locator("#wagtail-sidebar")).not_to_contain_text("分页")

    # the ledger shows the registration's date, not "7 天之前"
    page.goto("/admin/pledge-ledger/")
    with translation.override("zh-hans"):
        shown = formats.date_format(admin_content["registered_on"])
    row = page.locator("table.listing tbody tr").first
    expect(row).to_contain_text(shown)
    expect(row).not_to_contain_text("之前")
