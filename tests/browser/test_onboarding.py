"""What a person can do on the platform today, end to end in Chromium.

The live server shares this process, so expected texts are computed with the same
translation catalogues the server uses (`zh(...)`), never hard-coded Chinese: the Chinese UI
strings arrive with the zh_Hans catalogue, and these tests hold before and after it lands.
Database content (the home page's title) is asserted literally.
"""

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django_fsm_log.models import StateLog
from playwright.sync_api import Page, expect

from listings.models import AssetKind, IPAsset
from marketplace.parties.forms import OrganizationRegistrationForm
from marketplace.parties.models import Organization, VerificationState
from marketplace.parties.validators import CREDIT_CODE_ALPHABET, validate_credit_code
from tests.factories import (
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    UserFactory,
    valid_credit_code,
)
from tests.factories.listings import valid_patent_number, years_ago

# Live-server tests commit for real, so each test ends with a flush; serialized rollback
# puts back what migrations created (Wagtail's page tree, the home page, the site).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
HOME_TITLE = "郑州知识产权交易运营平台"  # the home page's title, created by cms/migrations/0002
HOME_TITLE_EN = "Zhengzhou IP Exchange"


def zh(text: Any) -> str:
    """`text` (a lazy translation or a model label) as the Chinese UI shows it."""
    with translation.override("zh-hans"):
        return str(text)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill in and send allauth's sign-in form, which the current page shows."""
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("#main form").get_by_role("button").click()


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a person would; they land on their workspace."""
    page.goto("/accounts/login/")
    sign_in(page, email, password)
    expect(page).to_have_url(re.compile(r"/workspace/$"))


def submit(page: Page, label: Any) -> None:
    """Press the main form's button (the header's language buttons are submit buttons too)."""
    page.locator("#main").get_by_role("button", name=zh(label), exact=True).click()


def control(page: Page, label: Any) -> Any:
    """The form control labelled `label` (in Chinese); the label may end in the required
    field's asterisk, which is hidden from screen readers but part of the label's text."""
    return page.get_by_label(re.compile(rf"^{re.escape(zh(label))}\s*\*?$"))


def fact(page: Page, term: Any) -> Any:
    """The <dd> that follows the <dt> named `term` in the page's facts list."""
    label = zh(term)
    return (
        page.locator("dl.facts dt")
        .filter(has_text=re.compile(f"^{re.escape(label)}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def workspace_state_cell(page: Page, organization_name: str) -> Any:
    row = page.get_by_role("row").filter(has_text=organization_name)
    return row.locator(".state")


# 1 --------------------------------------------------------------------------------------
def test_visitor_reads_home_page_in_chinese_then_english(page: Page, screenshots: Any) -> None:
    # given: three published listings, two of invention patents and one of a design
    ListingFactory.create_batch(2, state="published")
    design = IPAssetFactory(
        kind="design", number=valid_patent_number(77, year=2022, type_digit="3")
    )
    ListingFactory(state="published", holder=design.holder, assets=[design])

    # when: a visitor with a Chinese browser opens the home page
    page.goto("/")

    # then: the Chinese page, with the counts of published listings by kind of right
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_title(HOME_TITLE)
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_TITLE)
    market = page.get_by_role("region", name=zh(gettext_lazy("On the market")))
    kinds = market.locator(".kind-counts li")
    expect(kinds).to_have_count(len(AssetKind.choices))
    for kind, expected in [(AssetKind.INVENTION, "2"), (AssetKind.DESIGN, "1")]:
        expect(kinds.filter(has_text=zh(kind.label)).locator(".count")).to_have_text(expected)
    page.screenshot(path=screenshots / "home-zh.png", full_page=True)

    # when: they press “English” in the header
    page.get_by_role("banner").get_by_role("button", name="English").click()

    # then: the same page in English, and the choice sticks
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page).to_have_title(HOME_TITLE_EN)
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_TITLE_EN)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(page.get_by_role("heading", name="On the market")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Goal: ¥1,200,000,000 of IP pledge financing")
    ).to_be_visible()
    market = page.get_by_role("region", name="On the market")
    invention = market.locator(".kind-counts li").filter(has_text="Invention patent")
    expect(invention.locator(".count")).to_have_text("2")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    page.screenshot(path=screenshots / "home-en.png", full_page=True)
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")


# 2 --------------------------------------------------------------------------------------
def test_newcomer_signs_up_and_registers_organisation(page: Page) -> None:
    fields = OrganizationRegistrationForm.base_fields
    code = valid_credit_code(2025)
    wrong_check = next(c for c in CREDIT_CODE_ALPHABET if c != code[-1])
    wrong_code = code[:-1] + wrong_check
    with translation.override("zh-hans"), pytest.raises(ValidationError) as problem:
        validate_credit_code(wrong_code)
    expected_error = problem.value.messages[0]

    # given: a new person signs up with an e-mail address and a password typed twice
    page.goto("/accounts/signup/")
    page.locator("input[name=email]").fill("newcomer@example.com")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("#main form").get_by_role("button").click()

    # then: they land on the organisation registration form
    expect(page).to_have_url(re.compile(r"/workspace/organizations/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        zh(gettext_lazy("Register an organisation"))
    )

    # when: they fill it in with a mistyped credit code
    control(page, fields["name"].label).fill("郑州新芯半导体科技有限公司")
    control(page, fields["kind"].label).select_option("enterprise")
    control(page, fields["credit_code"].label).fill(wrong_code)
    control(page, fields["district"].label).select_option("high_tech")
    submit(page, gettext_lazy("Register"))

    # then: the error stands next to the credit code, and what they typed is kept
    credit_code = control(page, fields["credit_code"].label)
    field = page.locator(".field").filter(has=credit_code)
    expect(field.get_by_role("alert")).to_have_text(expected_error)
    expect(credit_code).to_have_value(wrong_code)
    expect(control(page, fields["name"].label)).to_have_value("郑州新芯半导体科技有限公司")
    expect(page.get_by_role("alert")).to_have_count(1)
    assert not Organization.objects.exists()

    # when: they correct it (typed in lower case with a space, as people do) and submit
    credit_code.fill(f"{code[:8]} {code[8:]}".lower())
    submit(page, gettext_lazy("Register"))

    # then: the workspace lists the organisation, normalised and pending verification
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    organization = Organization.objects.get()
    assert organization.credit_code == code
    assert organization.members.get().email == "newcomer@example.com"
    with translation.override("zh-hans"):
        pending = organization.get_verification_state_display()
    expect(workspace_state_cell(page, organization.name)).to_have_text(pending)
    expect(page.get_by_role("row").filter(has_text=organization.name)).to_contain_text(code)
    expect(page.get_by_role("status")).to_contain_text(organization.name)


# 3 --------------------------------------------------------------------------------------
def test_holder_records_invention_patent_only_their_organisation_sees_it(
    new_page: Callable[..., Page],
) -> None:
    holder = MembershipFactory()
    outsider = MembershipFactory()
    # filed six years ago, granted two years later: dates relative to today, so the patent
    # is in force whichever day this runs; the number carries the filing year
    filed, granted = years_ago(6), years_ago(4)
    number = valid_patent_number(4242, year=filed.year)  # 12 digits, a dot and the check digit
    typed = f"CN {number[:4]} {number[4]} {number[5:]}"

    # given: the holder signs in and opens “Record an IP asset” from the workspace
    page = new_page()
    log_in(page, holder.user.email)
    page.get_by_role("link", name=zh(gettext_lazy("Record an IP asset"))).click()
    expect(page).to_have_url(re.compile(r"/workspace/assets/new/$"))

    # when: they record an invention patent, number typed with a CN prefix and spaces
    control(page, gettext_lazy("Holder")).select_option(label=holder.organization.name)
    control(page, gettext_lazy("Kind")).select_option("invention")
    control(page, pgettext_lazy("IP asset", "Number")).fill(typed)
    control(page, gettext_lazy("Title")).fill("一种高镍三元正极材料的制备方法")
    control(page, gettext_lazy("Filing date")).fill(filed.isoformat())
    control(page, gettext_lazy("Grant / registration date")).fill(granted.isoformat())
    control(page, pgettext_lazy("IP asset", "Status")).select_option("valid")
    control(page, gettext_lazy("IPC codes")).fill("h01m 4/525")
    control(page, gettext_lazy("Industry")).select_option("nev")
    submit(page, gettext_lazy("Save"))

    # then: the detail page shows the normalised number and the expiry the law gives it
    expect(page).to_have_url(re.compile(r"/workspace/assets/\d+/$"))
    detail_url = page.url
    asset = IPAsset.objects.get()
    assert asset.number == number
    # 20 years from filing: the day before the 20th anniversary (Patent Law art. 42)
    expiry = filed.replace(year=filed.year + 20) - datetime.timedelta(days=1)
    assert asset.expiry_date == expiry
    with translation.override("zh-hans"):
        expiry_text = formats.date_format(expiry)
    expect(page.get_by_role("heading", level=1)).to_have_text("一种高镍三元正极材料的制备方法")
    expect(fact(page, pgettext_lazy("IP asset", "Number"))).to_have_text(number)
    expect(fact(page, gettext_lazy("Kind"))).to_have_text(zh(AssetKind.INVENTION.label))
    expect(fact(page, gettext_lazy("Expiry date"))).to_contain_text(expiry_text)
    expect(fact(page, gettext_lazy("IPC codes"))).to_have_text("H01M 4/525")

    # when: a member of another organisation opens the same address
    other = new_page()
    log_in(other, outsider.user.email)
    response = other.goto(detail_url)

    # then: the 404 page, and nothing of the asset
    assert response is not None
    assert response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text(zh(gettext_lazy("Page not found")))
    expect(other.locator("body")).not_to_contain_text(number)
    expect(other.locator("body")).not_to_contain_text("高镍三元")


# 4 --------------------------------------------------------------------------------------
def test_staff_verifies_pending_organisation_in_django_admin(
    new_page: Callable[..., Page], settings: Any
) -> None:
    settings.MFA_REQUIRED = False  # TOTP enrolment for staff is a story of its own
    holder = MembershipFactory()
    organization = holder.organization
    assert organization.verification_state == VerificationState.PENDING
    staff = UserFactory(is_staff=True, email="operator@example.com")
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="parties",
            codename__in=["view_organization", "change_organization"],
        )
    )

    # given: a staff member signs in to the Django admin
    admin = new_page()
    # (the admin sends them through the site's sign-in, so its TOTP step applies)
    admin.goto("/django-admin/")
    expect(admin).to_have_url(re.compile(r"/accounts/login/\?next=%2Fdjango-admin%2F$"))
    sign_in(admin, staff.email)
    expect(admin).to_have_url(re.compile(r"/django-admin/$"))

    # when: they open the organisations, tick the pending one and run the verify action
    plural = zh(Organization._meta.verbose_name_plural)
    admin.locator("#content-main").get_by_role(
        "link", name=re.compile(f"^{re.escape(plural)}$", re.I)
    ).click()
    expect(admin).to_have_url(re.compile(r"/django-admin/parties/organization/$"))
    row = admin.locator("#result_list tbody tr").filter(has_text=organization.name)
    state = row.locator("td.field-verification_state")
    expect(state).to_have_text(zh(VerificationState.PENDING.label))
    row.get_by_role("checkbox").check()
    admin.locator("select[name=action]").select_option(
        label=zh(gettext_lazy("Verify selected organisations"))
    )
    admin.locator("button[name=index]").click()

    # then: the admin confirms, and the list shows the organisation verified
    with translation.override("zh-hans"):
        done = ngettext("%(n)d organisation verified.", "%(n)d organisations verified.", 1) % {
            "n": 1
        }
    expect(admin.locator(".messagelist")).to_contain_text(done)
    expect(state).to_have_text(zh(VerificationState.VERIFIED.label))
    organization.refresh_from_db()
    assert organization.verification_state == VerificationState.VERIFIED
    assert StateLog.objects.filter(
        object_id=organization.pk, transition="verify", by=staff
    ).exists()

    # when: the holder looks at their workspace
    page = new_page()
    log_in(page, holder.user.email)

    # then: their organisation is verified
    with translation.override("zh-hans"):
        verified = organization.get_verification_state_display()
    expect(workspace_state_cell(page, organization.name)).to_have_text(verified)


# 5 --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "signed_in"),
    [("zh-hans", False), ("en", False), ("zh-hans", True)],
    ids=["zh", "en", "zh-signed-in"],
)
def test_home_page_fits_a_phone(
    new_page: Callable[..., Page], screenshots: Any, language: str, signed_in: bool
) -> None:
    # given: a 375 px wide phone
    page = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    if signed_in:
        log_in(page, MembershipFactory().user.email)

    # when: they open the home page (in English if they choose it)
    page.goto("/")
    if language == "en":
        page.get_by_role("button", name="English").tap()
    expect(page.locator("html")).to_have_attribute("lang", language)

    # then: nothing sticks out sideways, and the language switch is on screen
    who = "member" if signed_in else "visitor"
    page.screenshot(path=screenshots / f"home-375px-{language}-{who}.png", full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the page is {scroll_width}px wide on a 375px screen"
    header = page.get_by_role("banner")
    for code in ("zh-hans", "en"):
        name = translation.get_language_info(code)["name_local"]  # 简体中文, English
        button = header.get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        expect(button).to_be_in_viewport()
