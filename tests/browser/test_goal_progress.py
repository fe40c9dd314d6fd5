"""The pledge-financing goal in Chromium (issue 5): the progress bar on the home page and on
/dashboard/, in Chinese and in English, and a pledge registered by the bank moves it at once
(through the service in the plan's period; through the bank's page, today, for a later goal).

UI texts come from the translation catalogues (zh()/en()); amounts from the same formatter
the pages use; the registration goes through the service the bank's page calls.
"""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import expect

from cms.services import portal_pages_ensure
from marketplace.pledges import services
from marketplace.pledges.bank_forms import RegisterForm
from marketplace.pledges.bank_views import SUCCESS_MESSAGES
from marketplace.pledges.models import Goal
from tests.browser.test_deal_flows import PASSWORD, control, sign_in, status_message
from tests.factories import BankFactory, MembershipFactory, PledgeApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REGISTERED_ON = datetime.date(2025, 6, 18)  # inside the action plan's 2023–2025 period


def zh(text: Any) -> str:
    with translation.override("zh-hans"):
        return str(text)


def en(text: Any) -> str:
    with translation.override("en"):
        return str(text)


def register(amount: str) -> None:
    """A bank reviewer registers a pledge of `amount` yuan (through the service)."""
    bank = BankFactory()
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    application = PledgeApplicationFactory(
        bank=bank,
        state="contract_signed",
        requested_amount=Decimal(amount),
        contract_date=REGISTERED_ON,
    )
    services.pledge_register(
        application=application,
        by=reviewer,
        registration_number=f"ZX2025{application.pk:08d}",
        registration_date=REGISTERED_ON,
        secured_amount=Decimal(amount),
    )


def test_the_bar_on_home_and_dashboard_moves_when_a_pledge_registers(new_page):
    # given the portal pages and one registered pledge of ¥300 million (25 % of ¥1.2bn)
    portal_pages_ensure()
    assert Goal.objects.get().target == Decimal("1200000000.00")
    register("300000000.00")
    visitor = new_page()
    english = new_page(locale="en-US")

    # then the home page shows the bar at 25 % in Chinese, and links to the dashboard
    visitor.goto("/")
    bar = visitor.get_by_role("progressbar").first
    expect(bar).to_have_attribute("aria-valuenow", "25.00")
    expect(visitor.locator(".goal-percent").first).to_have_text("25.00%")
    visitor.locator(".goal-more a").click()
    visitor.wait_for_url("**/dashboard/")
    expect(visitor.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "25.00")
    expect(
        visitor.get_by_role("heading", name=zh(gettext_lazy("Action plan indicators")))
    ).to_be_visible()

    # and the dashboard in English
    english.goto("/dashboard/")
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "25.00")
    expect(
        english.get_by_role("heading", name=en(gettext_lazy("Action plan indicators")))
    ).to_be_visible()

    # when the bank registers another ¥300 million, a reload shows 50 % at once
    register("300000000.00")
    visitor.reload()
    expect(visitor.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "50.00")
    english.goto("/")
    expect(english.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "50.00")
    expect(english.locator(".goal-percent").first).to_have_text("50.00%")


def test_a_pledge_the_bank_registers_today_in_the_browser_moves_the_current_goal(new_page):
    # given a goal staff set after the action plan, whose period contains today, and a
    # signed loan contract at a bank
    portal_pages_ensure()
    today = timezone.localdate()
    Goal.objects.create(
        name="下一阶段知识产权质押融资目标",
        name_en="Next IP pledge financing goal",
        target=Decimal("100000000.00"),
        start=today.replace(month=1, day=1),
        end=today.replace(year=today.year + 2, month=12, day=31),
    )
    bank = BankFactory()
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    application = PledgeApplicationFactory(
        bank=bank, state="contract_signed", requested_amount=Decimal("20000000.00")
    )
    visitor = new_page(locale="en-US")
    visitor.goto("/")
    expect(visitor.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "0.00")

    # when the bank's reviewer records the registration on the application's page, today
    bank_page = new_page()
    bank_page.goto(f"/accounts/login/?next=/bank/applications/{application.pk}/")
    sign_in(bank_page, reviewer.email, PASSWORD)
    bank_page.wait_for_url(f"**/bank/applications/{application.pk}/")
    form = bank_page.get_by_role("form", name=zh(RegisterForm.title))
    control(form, RegisterForm.base_fields["registration_number"].label).fill(
        f"ZX{today:%Y}41{application.pk:06d}"
    )
    control(form, RegisterForm.base_fields["registration_date"].label).fill(today.isoformat())
    control(form, RegisterForm.base_fields["secured_amount"].label).fill("20000000.00")
    form.get_by_role("button", name=zh(RegisterForm.submit_label), exact=True).click()
    expect(status_message(bank_page)).to_contain_text(
        zh(SUCCESS_MESSAGES["register"]) % {"application": zh(application)}
    )

    # then the bar of the current goal shows the ¥20 million at once: 20 % of ¥100 million
    visitor.reload()
    expect(visitor.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "20.00")
    expect(visitor.locator(".goal-percent").first).to_have_text("20.00%")
    expect(visitor.locator("#goal-heading")).to_have_text(
        "Goal: ¥100,000,000 of IP pledge financing"
    )
    bank_page.goto("/dashboard/")
    expect(bank_page.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "20.00")
    expect(bank_page.locator("#figure-count")).to_have_text("1")
