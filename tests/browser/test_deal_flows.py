"""Pledge financing and a transfer deal in Chromium, each from the first click to the end.

1. A holder applies to a bank for a loan secured on a granted invention patent; a reviewer
   of that bank claims the file from the queue, approves an offer, and records the loan
   contract, the pledge registration and the disbursement; after each step the holder's
   page shows the new state and its line in the history, and the holder's header counts
   the notices. A reviewer of another bank cannot open the file (404).
2. A buyer (browsing in English) makes an offer on a published transfer listing; the
   seller (on a 390 px phone) accepts; the buyer reads how to pay the deposit offline;
   staff confirm receipt in the Wagtail admin; both parties sign and the buyer reads how to
   pay the balance into escrow; staff confirm it; the seller records the recordal filing
   and uploads CNIPA's notification (手续合格通知书), which the page names; staff check it
   in the admin and accept it, which completes the deal; the patent now belongs to the
   buyer, the listing is closed, and staff pay the price out to the seller.

Every person has a browser context of their own. As in test_listing_story.py, UI texts are
computed from the translation catalogues the live server uses (`zh(...)`, `en(...)`, with
the msgid or the form's label), never hard-coded; database content (names, titles,
numbers, references) is asserted literally.
"""

import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext
from django_fsm_log.models import StateLog
from playwright.sync_api import Locator, Page, expect

from cms.services import portal_pages_ensure
from listings.models import IPAsset, Listing, ListingState
from marketplace.dates import add_months
from marketplace.deals.admin_views import EvidenceModerationView
from marketplace.deals.forms import DealOfferForm, DealRecordalForm, RecordalEvidenceForm
from marketplace.deals.models import Deal, DealState, EvidenceState, RecordalEvidence
from marketplace.deals.recordal import TERMS as RECORDAL_TERMS
from marketplace.deals.templatetags.deal_tags import (
    AWAIT_EVIDENCE_CHECK_STEP,
    UPLOAD_EVIDENCE_STEP,
)
from marketplace.deals.templatetags.deal_tags import NEXT_STEPS as DEAL_NEXT_STEPS
from marketplace.money import format_yuan_exact
from marketplace.parties.models import MembershipRole
from marketplace.payments.admin_views import PaymentModerationView
from marketplace.payments.models import Payment, PaymentPurpose, PaymentState
from marketplace.pledges.bank_forms import (
    ApproveForm,
    ClaimForm,
    DisburseForm,
    RegisterForm,
    SignContractForm,
)
from marketplace.pledges.bank_views import SUCCESS_MESSAGES
from marketplace.pledges.forms import PledgeApplicationForm
from marketplace.pledges.models import PledgeApplication, PledgedAsset, PledgeState
from marketplace.pledges.services import NOTICES as PLEDGE_NOTICES
from marketplace.pledges.templatetags.pledge_workspace import HOLDER_ACTIONS, holder_next_step
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.factories.listings import valid_patent_number, years_ago

# Live-server tests commit for real, so each test ends with a flush; serialized rollback
# puts back what migrations created (Wagtail's page tree, the home page, the site).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
TIMEOUT_MS = 10_000  # as the conftest's page timeout; expect() has its own (5 s) otherwise

# the pledge story
HOLDER_NAME = "郑州锂想新能源科技有限公司"
HOLDER_PERSON = "王晓燕"
PATENT_TITLE = "一种高安全锂电池隔膜的制备方法"
BANK_NAME = "中原银行郑州高新区支行"
REVIEWER_NAME = "李建国"
OTHER_BANK_NAME = "郑州银行金水路支行"
OTHER_REVIEWER_NAME = "赵敏"
REQUESTED = Decimal("3000000")
APPROVED = Decimal("2800000")
RATE = Decimal("3.65")
TERM_MONTHS = 12
PURPOSE = "隔膜二期产线建设与研发投入"
CONTRACT_NUMBER = "ZYYH-ZY-2025-0417"
REGISTRATION_NUMBER = "Y2025410000317"

# the deal story
SELLER_NAME = "郑州钠源储能科技有限公司"
SELLER_PERSON = "张伟"
BUYER_NAME = "河南中原动力电池有限公司"
BUYER_NAME_EN = "Henan Zhongyuan Power Battery Co., Ltd."
BUYER_PERSON = "陈静"
STAFF_PERSON = "刘运营"
LISTING_TITLE = "钠离子电池正极材料发明专利转让"
DEAL_PATENT_TITLE = "一种钠离子电池层状氧化物正极材料"
ASKING = Decimal("1200000")
OFFER = Decimal("1100000")
DEPOSIT = Decimal("110000")  # 10 % of the offer: the seller leaves the deposit empty
BALANCE = Decimal("990000")  # the rest of the price, paid into escrow after signing
OFFER_MESSAGE = "我方拟用于储能电池量产，款项可在登记后一次付清。"
RECORDAL_NUMBER = "ZL202541000123"
EVIDENCE_FILE = "手续合格通知书-ZL202541000123.pdf"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


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


def log_in(page: Page, email: str, lands_on: str = "/workspace/") -> None:
    """Sign in through the real form; a person lands on their workspace, a bank reviewer
    on the bank's review queue."""
    page.goto("/accounts/login/")
    sign_in(page, email)
    expect(page).to_have_url(re.compile(rf"{re.escape(lands_on)}$"))


def control(scope: Page | Locator, label: Any, lang: Callable[[Any], str] = zh) -> Locator:
    """The form control labelled `label`; a required field's label ends in an asterisk
    hidden from screen readers but part of the label's text."""
    return scope.get_by_label(re.compile(rf"^{re.escape(lang(label))}\s*\*?$"))


def press(page: Page, label: Any, lang: Callable[[Any], str] = zh) -> None:
    """Press a button of the page's main content (the header's language buttons are
    submit buttons too)."""
    page.locator("#main").get_by_role("button", name=lang(label), exact=True).click()


def fact(scope: Page | Locator, term: str) -> Locator:
    """The <dd> that follows the <dt> reading `term` in a facts list."""
    return (
        scope.locator("dl.facts dt")
        .filter(has_text=re.compile(f"^{re.escape(term)}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def state_badge(page: Page) -> Locator:
    return page.locator(".section-head .state-badge")


def status_message(page: Page) -> Locator:
    return page.locator("#main").get_by_role("status")


def expect_last_step(page: Page, source: Any, target: Any, by: str, lang: Callable = zh) -> None:
    """The newest entry of the page's history: `source` → `target`, by `by`."""
    entry = page.locator("ol.timeline > li.timeline-entry").last
    expect(entry.locator(".timeline-move .state-badge")).to_have_text(
        [lang(source.label), lang(target.label)]
    )
    with translation.override("zh-hans" if lang is zh else "en"):
        by_line = translation.gettext("by %(who)s") % {"who": by}
    expect(entry.locator(".timeline-by")).to_have_text(by_line)


def pk_in(url: str, pattern: str) -> int:
    match = re.search(pattern, url)
    assert match, f"{url} does not match {pattern}"
    return int(match.group(1))


def in_zh(render: Callable[[], str]) -> str:
    with translation.override("zh-hans"):
        return render()


# --- 1. pledge financing ------------------------------------------------------------------


def test_holder_applies_for_pledge_financing_and_the_bank_disburses(
    new_page: Callable[..., Page], settings: Any
) -> None:
    settings.MFA_REQUIRED = False  # TOTP enrolment for reviewers is a story of its own
    started = time.perf_counter()

    # given: a verified holder with one member and a granted, valid invention patent
    # (filed five years ago, so in force long after the loan matures); a verified bank with
    # a reviewer, and another verified bank with a reviewer of its own
    holder = MembershipFactory(
        user=UserFactory(email="wang@lixiang.example", name=HOLDER_PERSON),
        organization=OrganizationFactory(verification_state="verified", name=HOLDER_NAME),
    )
    filed = years_ago(5)
    patent = IPAssetFactory(
        holder=holder.organization,
        number=valid_patent_number(7311, year=filed.year),
        title=PATENT_TITLE,
        filing_date=filed,
        grant_date=years_ago(3),
    )
    assert patent.expiry_date is not None
    assert patent.expiry_date > add_months(timezone.localdate(), TERM_MONTHS)
    bank = BankFactory(name=BANK_NAME)
    reviewer = MembershipFactory(
        organization=bank,
        role=MembershipRole.REVIEWER,
        user=UserFactory(email="li@zybank.example", name=REVIEWER_NAME),
    )
    other_reviewer = MembershipFactory(
        organization=BankFactory(name=OTHER_BANK_NAME),
        role=MembershipRole.REVIEWER,
        user=UserFactory(email="zhao@zzbank.example", name=OTHER_REVIEWER_NAME),
    )
    today = timezone.localdate()
    application_fields = PledgeApplicationForm.base_fields
    story_started = time.perf_counter()

    # 1 -- the holder applies -------------------------------------------------------------
    # when: the holder signs in, opens the patent from the workspace and applies with it
    holder_page = new_page()
    log_in(holder_page, holder.user.email)
    holder_page.locator("#main").get_by_role("link", name=PATENT_TITLE, exact=True).click()
    expect(holder_page).to_have_url(re.compile(rf"/workspace/assets/{patent.pk}/$"))
    holder_page.locator("#main").get_by_role(
        "link", name=zh(gettext_lazy("Apply for pledge financing")), exact=True
    ).click()
    expect(holder_page).to_have_url(re.compile(rf"/workspace/pledges/new/\?asset={patent.pk}$"))
    expect(holder_page.get_by_role("heading", level=1)).to_have_text(
        zh(gettext_lazy("Apply for pledge financing"))
    )
    # the patent is preselected; both verified banks are offered
    expect(
        holder_page.get_by_role("checkbox", name=re.compile(re.escape(PATENT_TITLE)))
    ).to_be_checked()
    bank_select = control(holder_page, application_fields["bank"].label)
    expect(bank_select.locator("option", has_text=OTHER_BANK_NAME)).to_have_count(1)
    bank_select.select_option(label=BANK_NAME)
    control(holder_page, application_fields["requested_amount"].label).fill(str(REQUESTED))
    control(holder_page, application_fields["term_months"].label).fill(str(TERM_MONTHS))
    control(holder_page, application_fields["purpose"].label).fill(PURPOSE)
    press(holder_page, dict(HOLDER_ACTIONS)["submit"])

    # then: the application's page says it is with the bank
    expect(holder_page).to_have_url(re.compile(r"/workspace/pledges/\d+/$"))
    pk = pk_in(holder_page.url, r"/workspace/pledges/(\d+)/$")
    application = PledgeApplication.objects.select_related("bank").get(pk=pk)
    name_zh = zh(application)  # "Pledge application #<pk>" as the Chinese UI names it
    expect(holder_page.get_by_role("heading", level=1)).to_have_text(name_zh)
    expect(status_message(holder_page)).to_contain_text(
        in_zh(
            lambda: (
                translation.gettext("%(application)s is sent to %(bank)s for review.")
                % {"application": str(application), "bank": BANK_NAME}
            )
        )
    )
    expect(state_badge(holder_page)).to_have_text(zh(PledgeState.SUBMITTED.label))
    expect(fact(holder_page, zh(gettext_lazy("Bank")))).to_have_text(BANK_NAME)
    expect(fact(holder_page, zh(gettext_lazy("Requested amount")))).to_have_text(
        format_yuan_exact(REQUESTED, always_fen=True)
    )
    expect(holder_page.locator(".next-step")).to_contain_text(
        in_zh(lambda: holder_next_step(application))
    )
    expect_last_step(holder_page, PledgeState.DRAFT, PledgeState.SUBMITTED, HOLDER_PERSON)

    # 2 -- the bank's reviewer claims it from the queue ---------------------------------------
    bank_page = new_page()
    log_in(bank_page, reviewer.user.email, lands_on="/bank/")
    bank_page.get_by_role("banner").get_by_role(
        "link", name=zh(gettext_lazy("Bank review")), exact=True
    ).click()
    expect(bank_page).to_have_url(re.compile(r"/bank/$"))
    rows = bank_page.locator("table.bank-queue tbody tr")
    expect(rows).to_have_count(1)
    row = rows.filter(has=bank_page.get_by_role("link", name=f"#{pk}", exact=True))
    expect(row).to_contain_text(HOLDER_NAME)
    expect(row).to_contain_text(patent.number)
    expect(row).to_contain_text(format_yuan_exact(REQUESTED, always_fen=True))
    expect(row.locator(".state-badge")).to_have_text(zh(PledgeState.SUBMITTED.label))
    # its age: days in this state (the 6th column, "In this state")
    days = (today - timezone.localdate(application.state_changed_at)).days
    with translation.override("zh-hans"):
        age = ngettext("%(counter)s day", "%(counter)s days", days) % {"counter": days}
    expect(row.get_by_role("cell").nth(5)).to_contain_text(age)
    row.get_by_role("button", name=f"{zh(ClaimForm.submit_label)} #{pk}", exact=True).click()

    expect(bank_page).to_have_url(re.compile(rf"/bank/applications/{pk}/$"))
    expect(status_message(bank_page)).to_contain_text(
        zh(SUCCESS_MESSAGES["claim"]) % {"application": name_zh}
    )
    expect(state_badge(bank_page)).to_have_text(zh(PledgeState.UNDER_REVIEW.label))

    # then: the holder sees the review started
    holder_page.reload()
    expect(state_badge(holder_page)).to_have_text(zh(PledgeState.UNDER_REVIEW.label))
    expect_last_step(holder_page, PledgeState.SUBMITTED, PledgeState.UNDER_REVIEW, REVIEWER_NAME)

    # and: a reviewer of another bank learns nothing of the file: a 404, an empty queue
    other_page = new_page()
    log_in(other_page, other_reviewer.user.email, lands_on="/bank/")
    response = other_page.goto(f"/bank/applications/{pk}/")
    assert response is not None
    assert response.status == 404
    expect(other_page.get_by_role("heading", level=1)).to_have_text(
        zh(gettext_lazy("Page not found"))
    )
    expect(other_page.locator("#main")).not_to_contain_text(HOLDER_NAME)
    other_page.goto("/bank/")
    expect(other_page.locator("#main .empty")).to_have_text(
        zh(gettext_lazy("No applications have been addressed to your bank yet."))
    )

    # 3 -- approval: less than requested, at 3.65 % for 12 months ------------------------------
    approve = bank_page.get_by_role("form", name=zh(ApproveForm.title))
    expect(control(approve, ApproveForm.base_fields["amount"].label)).to_have_value("3000000.00")
    control(approve, ApproveForm.base_fields["amount"].label).fill(str(APPROVED))
    control(approve, ApproveForm.base_fields["annual_rate"].label).fill(str(RATE))
    control(approve, ApproveForm.base_fields["term_months"].label).fill(str(TERM_MONTHS))
    approve.get_by_role("button", name=zh(ApproveForm.submit_label), exact=True).click()
    expect(status_message(bank_page)).to_contain_text(
        zh(SUCCESS_MESSAGES["approve"]) % {"application": name_zh}
    )
    expect(state_badge(bank_page)).to_have_text(zh(PledgeState.APPROVED.label))

    holder_page.reload()
    expect(state_badge(holder_page)).to_have_text(zh(PledgeState.APPROVED.label))
    expect_last_step(holder_page, PledgeState.UNDER_REVIEW, PledgeState.APPROVED, REVIEWER_NAME)
    expect(fact(holder_page, zh(gettext_lazy("Approved amount")))).to_have_text(
        format_yuan_exact(APPROVED, always_fen=True)
    )
    expect(fact(holder_page, zh(gettext_lazy("Annual interest rate")))).to_have_text(f"{RATE}%")
    application.refresh_from_db()
    expect(holder_page.locator(".next-step")).to_have_text(
        in_zh(lambda: holder_next_step(application))
    )

    # 4 -- the signed contract ----------------------------------------------------------------
    contract = bank_page.get_by_role("form", name=zh(SignContractForm.title))
    control(contract, SignContractForm.base_fields["contract_number"].label).fill(CONTRACT_NUMBER)
    control(contract, SignContractForm.base_fields["contract_date"].label).fill(today.isoformat())
    contract.get_by_role("button", name=zh(SignContractForm.submit_label), exact=True).click()
    expect(status_message(bank_page)).to_contain_text(
        zh(SUCCESS_MESSAGES["sign_contract"]) % {"application": name_zh}
    )
    expect(state_badge(bank_page)).to_have_text(zh(PledgeState.CONTRACT_SIGNED.label))

    holder_page.reload()
    expect(state_badge(holder_page)).to_have_text(zh(PledgeState.CONTRACT_SIGNED.label))
    expect_last_step(holder_page, PledgeState.APPROVED, PledgeState.CONTRACT_SIGNED, REVIEWER_NAME)
    expect(fact(holder_page, zh(gettext_lazy("Loan contract")))).to_contain_text(CONTRACT_NUMBER)

    # 5 -- the pledge registration --------------------------------------------------------------
    register = bank_page.get_by_role("form", name=zh(RegisterForm.title))
    expect(control(register, RegisterForm.base_fields["secured_amount"].label)).to_have_value(
        "2800000.00"
    )
    control(register, RegisterForm.base_fields["registration_number"].label).fill(
        REGISTRATION_NUMBER
    )
    control(register, RegisterForm.base_fields["registration_date"].label).fill(today.isoformat())
    control(register, RegisterForm.base_fields["secured_amount"].label).fill(str(APPROVED))
    register.get_by_role("button", name=zh(RegisterForm.submit_label), exact=True).click()
    expect(status_message(bank_page)).to_contain_text(
        zh(SUCCESS_MESSAGES["register"]) % {"application": name_zh}
    )
    expect(state_badge(bank_page)).to_have_text(zh(PledgeState.REGISTERED.label))

    holder_page.reload()
    expect(state_badge(holder_page)).to_have_text(zh(PledgeState.REGISTERED.label))
    expect_last_step(
        holder_page, PledgeState.CONTRACT_SIGNED, PledgeState.REGISTERED, REVIEWER_NAME
    )
    expect(fact(holder_page, zh(gettext_lazy("Pledge registration")))).to_contain_text(
        REGISTRATION_NUMBER
    )
    expect(fact(holder_page, zh(gettext_lazy("Secured amount")))).to_have_text(
        format_yuan_exact(APPROVED, always_fen=True)
    )

    # 6 -- the disbursement ---------------------------------------------------------------------
    disburse = bank_page.get_by_role("form", name=zh(DisburseForm.title))
    control(disburse, DisburseForm.base_fields["disbursed_on"].label).fill(today.isoformat())
    control(disburse, DisburseForm.base_fields["amount"].label).fill(str(APPROVED))
    disburse.get_by_role("button", name=zh(DisburseForm.submit_label), exact=True).click()
    expect(status_message(bank_page)).to_contain_text(
        zh(SUCCESS_MESSAGES["disburse"]) % {"application": name_zh}
    )
    expect(state_badge(bank_page)).to_have_text(zh(PledgeState.DISBURSED.label))

    holder_page.reload()
    expect(state_badge(holder_page)).to_have_text(zh(PledgeState.DISBURSED.label))
    expect_last_step(holder_page, PledgeState.REGISTERED, PledgeState.DISBURSED, REVIEWER_NAME)
    maturity = add_months(today, TERM_MONTHS)
    expect(fact(holder_page, zh(gettext_lazy("Maturity date")))).to_have_text(maturity.isoformat())
    with translation.override("zh-hans"):
        repay_by = translation.gettext("Repay by %(date)s") % {"date": maturity.isoformat()}
    expect(holder_page.locator(".next-step")).to_have_text(repay_by)

    # 7 -- the holder's notifications: one for each of the bank's five steps ----------------
    with translation.override("zh-hans"):
        unread = translation.gettext("Notifications (%(counter)s unread)") % {"counter": 5}
        params = {"application": str(application), "applicant": HOLDER_NAME, "bank": BANK_NAME}
        notices = [
            str(PLEDGE_NOTICES[step][1]) % params
            for step in ("disburse", "register", "sign_contract", "approve", "claim")
        ]  # newest first
    header_link = holder_page.get_by_role("banner").get_by_role("link", name=unread, exact=True)
    expect(header_link).to_be_visible()
    header_link.click()
    expect(holder_page).to_have_url(re.compile(r"/notifications/$"))
    expect(holder_page.locator("table.notification-table tbody tr td:first-child")).to_have_text(
        notices
    )
    expect(
        holder_page.locator("table.notification-table tbody tr").filter(
            has_text=zh(gettext_lazy("Unread"))
        )
    ).to_have_count(5)

    story_seconds = time.perf_counter() - story_started
    total_seconds = time.perf_counter() - started

    # and: the database agrees — disbursed, registered, the patent under an active pledge,
    # every step audited with who took it
    application.refresh_from_db()
    assert application.state == PledgeState.DISBURSED
    assert application.bank == bank
    assert application.requested_amount == REQUESTED
    assert application.approved_amount == APPROVED
    assert application.annual_rate == RATE
    assert application.approved_term_months == TERM_MONTHS
    assert application.reviewer == reviewer.user
    assert (application.contract_number, application.contract_date) == (CONTRACT_NUMBER, today)
    assert (application.registration_number, application.registration_date) == (
        REGISTRATION_NUMBER,
        today,
    )
    assert application.secured_amount == APPROVED
    assert (application.disbursed_on, application.disbursed_amount) == (today, APPROVED)
    assert application.maturity_date == maturity
    pledged = PledgedAsset.objects.get(application=application)
    assert pledged.asset == patent
    assert pledged.active is True
    assert list(
        StateLog.objects.for_(application)
        .order_by("timestamp", "pk")
        .values_list("transition", "by")
    ) == [
        ("submit", holder.user.pk),
        ("claim", reviewer.user.pk),
        ("approve", reviewer.user.pk),
        ("sign_contract", reviewer.user.pk),
        ("register", reviewer.user.pk),
        ("disburse", reviewer.user.pk),
    ]
    print(
        f"\npledge story wall time: {story_seconds:.2f} s in the browser "
        f"({total_seconds:.2f} s with the setup)"
    )


# --- 2. a transfer deal with an offline deposit ------------------------------------------


def admin_action(admin: Page, action: Any) -> Locator:
    """The form of a staff action on an admin review page, found by its heading."""
    return admin.locator("form.moderation-action").filter(
        has=admin.get_by_role("heading", name=zh(action.label), exact=True)
    )


def test_buyer_offer_to_completed_transfer_with_offline_deposit(
    new_page: Callable[..., Page], settings: Any, tmp_path: Any
) -> None:
    settings.MFA_REQUIRED = False  # TOTP enrolment for staff is a story of its own
    settings.MEDIA_ROOT = tmp_path
    started = time.perf_counter()

    # given: the portal's pages; a verified seller with a published transfer listing of its
    # patent; a verified buyer with one member; platform staff
    portal_pages_ensure()
    seller = MembershipFactory(
        user=UserFactory(email="zhang@naiyuan.example", name=SELLER_PERSON),
        organization=OrganizationFactory(verification_state="verified", name=SELLER_NAME),
    )
    filed = years_ago(5)
    patent = IPAssetFactory(
        holder=seller.organization,
        number=valid_patent_number(5151, year=filed.year),
        title=DEAL_PATENT_TITLE,
        filing_date=filed,
        grant_date=years_ago(3),
    )
    listing = ListingFactory(
        holder=seller.organization,
        assets=[patent],
        state=ListingState.PUBLISHED,
        title=LISTING_TITLE,
        asking_price=ASKING,
    )
    buyer = MembershipFactory(
        user=UserFactory(email="chen@zydl.example", name=BUYER_PERSON),
        organization=OrganizationFactory(
            verification_state="verified", name=BUYER_NAME, name_en=BUYER_NAME_EN
        ),
    )
    staff = UserFactory(
        email="operator@example.com", name=STAFF_PERSON, is_staff=True, is_superuser=True
    )
    today = timezone.localdate()
    story_started = time.perf_counter()

    # 1 -- the buyer, whose browser is English, makes an offer ----------------------------
    buyer_page = new_page(locale="en-US")
    buyer_page.goto(f"/listings/{listing.pk}/")
    expect(buyer_page.locator("html")).to_have_attribute("lang", "en")
    expect(buyer_page.get_by_role("heading", level=1)).to_have_text(LISTING_TITLE)
    make_offer = en(gettext_lazy("Make an offer"))
    buyer_page.locator(".cta").get_by_role("link", name=make_offer, exact=True).click()
    # signing in brings them back to the listing, where they can now make an offer
    expect(buyer_page).to_have_url(re.compile(r"/accounts/login/\?next="))
    sign_in(buyer_page, buyer.user.email)
    expect(buyer_page).to_have_url(re.compile(rf"/listings/{listing.pk}/$"))
    buyer_page.locator(".cta").get_by_role("link", name=make_offer, exact=True).click()
    expect(buyer_page).to_have_url(re.compile(rf"/workspace/deals/new/\?listing={listing.pk}$"))
    expect(buyer_page.get_by_role("heading", level=1)).to_have_text(make_offer)
    offer_fields = DealOfferForm.base_fields
    price = control(buyer_page, offer_fields["price"].label, en)
    expect(price).to_have_value(f"{ASKING}.00")
    price.fill(str(OFFER))
    control(buyer_page, offer_fields["message"].label, en).fill(OFFER_MESSAGE)
    press(buyer_page, gettext_lazy("Send the offer"), en)

    # then: the deal's page, in English, waits for the seller
    expect(buyer_page).to_have_url(re.compile(r"/workspace/deals/\d+/$"))
    deal_pk = pk_in(buyer_page.url, r"/workspace/deals/(\d+)/$")
    with translation.override("en"):
        sent = translation.gettext("Your offer on “%(title)s” is sent to the seller.") % {
            "title": LISTING_TITLE
        }
    expect(status_message(buyer_page)).to_contain_text(sent)
    expect(state_badge(buyer_page)).to_have_text(en(DealState.PROPOSED.label))
    expect(buyer_page.locator(".next-step")).to_have_text(
        en(DEAL_NEXT_STEPS[(DealState.PROPOSED, "buyer")])
    )

    # 2 -- the seller, on a phone, accepts -------------------------------------------------
    seller_page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    log_in(seller_page, seller.user.email)
    seller_page.locator("#main").get_by_role(
        "link", name=zh(gettext_lazy("All my deals")), exact=True
    ).click()
    expect(seller_page).to_have_url(re.compile(r"/workspace/deals/$"))
    row = seller_page.locator("table.deal-table tbody tr").filter(has_text=LISTING_TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(BUYER_NAME)
    expect(row).to_contain_text(format_yuan_exact(OFFER, always_fen=True))
    expect(row.locator(".state-badge")).to_have_text(zh(DealState.PROPOSED.label))
    expect(row).to_contain_text(zh(DEAL_NEXT_STEPS[(DealState.PROPOSED, "seller")]))
    row.get_by_role("link", name=LISTING_TITLE, exact=True).click()
    expect(seller_page).to_have_url(re.compile(rf"/workspace/deals/{deal_pk}/$"))
    expect(fact(seller_page, zh(gettext_lazy("Message from the buyer")))).to_have_text(
        OFFER_MESSAGE
    )
    press(seller_page, gettext_lazy("Accept the offer"))

    with translation.override("zh-hans"):
        accepted = translation.gettext(
            "You accepted the offer. The buyer now pays the deposit of %(amount)s; "
            "platform staff confirm its receipt."
        ) % {"amount": format_yuan_exact(DEPOSIT, always_fen=True)}
    expect(status_message(seller_page)).to_contain_text(accepted)
    expect(state_badge(seller_page)).to_have_text(zh(DealState.ACCEPTED.label))

    # 3 -- the buyer reads how to pay the deposit --------------------------------------------
    buyer_page.reload()
    expect(state_badge(buyer_page)).to_have_text(en(DealState.ACCEPTED.label))
    deposit = Payment.objects.get(deal_id=deal_pk, purpose=PaymentPurpose.DEPOSIT)
    assert deposit.amount == DEPOSIT
    instructions = buyer_page.locator(".offline-payment")
    expect(instructions.get_by_role("heading")).to_have_text(
        en(gettext_lazy("Offline payment: bank transfer to the platform's escrow account"))
    )
    with translation.override("en"):
        transfer = translation.gettext(
            "Transfer %(amount)s to the account below and quote the reference, so that the "
            "transfer can be matched to this deal."
        ) % {"amount": format_yuan_exact(DEPOSIT, always_fen=True)}
    expect(instructions).to_contain_text(transfer)
    expect(fact(instructions, en(gettext_lazy("Reference")))).to_have_text(deposit.reference)
    expect(fact(instructions, en(gettext_lazy("Account number")))).to_have_text(
        django_settings.OFFLINE_PAYMENT_ACCOUNT["number"]
    )

    # 4 -- staff confirm the deposit as received in the Wagtail admin ------------------------
    admin = new_page()
    admin.goto("/admin/")
    sign_in(admin, staff.email)
    expect(admin).to_have_url(re.compile(r"/admin/$"))
    admin.get_by_role("link", name=zh(gettext_lazy("Offline payments")), exact=True).click()
    expect(admin).to_have_url(re.compile(r"/admin/offline-payments/$"))
    admin.get_by_role("link", name=deposit.reference, exact=True).click()
    expect(admin).to_have_url(re.compile(rf"/admin/offline-payments/{deposit.pk}/$"))
    confirm = next(a for a in PaymentModerationView.actions if a.name == "confirm_deposit")
    admin_action(admin, confirm).get_by_role("button", name=zh(confirm.label), exact=True).click()
    payment_name = f"{zh(PaymentPurpose.DEPOSIT.label)} {deposit.reference}"
    expect(admin.locator(".messages")).to_contain_text(
        zh(confirm.done) % {"object": payment_name}, timeout=TIMEOUT_MS
    )
    current_state = admin.locator("main p").filter(
        has_text=re.compile(rf"^\s*{re.escape(zh(gettext_lazy('Current state:')))}")
    )
    expect(current_state).to_contain_text(zh(PaymentState.SUCCEEDED.label))

    # 5 -- both parties sign, each in their own browser -------------------------------------
    buyer_page.reload()
    expect(state_badge(buyer_page)).to_have_text(en(DealState.DEPOSIT_PAID.label))
    press(buyer_page, gettext_lazy("Record our signature"), en)
    expect(status_message(buyer_page)).to_contain_text(
        en(gettext_lazy("Your signature is recorded; waiting for the other party to sign."))
    )
    expect(state_badge(buyer_page)).to_have_text(en(DealState.DEPOSIT_PAID.label))

    seller_page.reload()
    expect(seller_page.locator(".signature-status")).to_have_text(
        zh(gettext_lazy("The other party signed the contract; your signature is awaited."))
    )
    press(seller_page, gettext_lazy("Record our signature"))
    with translation.override("zh-hans"):
        signed = translation.gettext(
            "The contract is signed by both parties. The buyer now pays the balance of "
            "%(amount)s into the platform's escrow account."
        ) % {"amount": format_yuan_exact(BALANCE, always_fen=True)}
    expect(status_message(seller_page)).to_contain_text(signed)
    expect(state_badge(seller_page)).to_have_text(zh(DealState.CONTRACT_SIGNED.label))
    expect(seller_page.locator(".next-step")).to_have_text(
        zh(DEAL_NEXT_STEPS[(DealState.CONTRACT_SIGNED, "seller")])
    )

    # 6 -- the buyer reads how to pay the balance; staff confirm it in the admin ------------
    balance = Payment.objects.get(deal_id=deal_pk, purpose=PaymentPurpose.BALANCE)
    assert balance.amount == BALANCE
    buyer_page.reload()
    expect(buyer_page.locator(".next-step")).to_contain_text(
        en(DEAL_NEXT_STEPS[(DealState.CONTRACT_SIGNED, "buyer")])
    )
    instructions = buyer_page.locator(".offline-payment")
    with translation.override("en"):
        transfer_balance = translation.gettext(
            "Transfer the balance of %(amount)s to the account below and quote the "
            "reference, so that the transfer can be matched to this deal."
        ) % {"amount": format_yuan_exact(BALANCE, always_fen=True)}
    expect(instructions).to_contain_text(transfer_balance)
    expect(fact(instructions, en(gettext_lazy("Reference")))).to_have_text(balance.reference)
    expect(buyer_page.locator(".payment-balance .state-badge")).to_have_text(
        en(PaymentState.PENDING.label)
    )

    admin.goto("/admin/offline-payments/")
    admin.get_by_role("link", name=balance.reference, exact=True).click()
    expect(admin).to_have_url(re.compile(rf"/admin/offline-payments/{balance.pk}/$"))
    confirm = next(a for a in PaymentModerationView.actions if a.name == "confirm_balance")
    admin_action(admin, confirm).get_by_role("button", name=zh(confirm.label), exact=True).click()
    balance_name = f"{zh(PaymentPurpose.BALANCE.label)} {balance.reference}"
    expect(admin.locator(".messages")).to_contain_text(
        zh(confirm.done) % {"object": balance_name}, timeout=TIMEOUT_MS
    )

    # 7 -- the seller records the recordal filing -------------------------------------------
    seller_page.reload()
    expect(state_badge(seller_page)).to_have_text(zh(DealState.BALANCE_PAID.label))
    expect(seller_page.locator(".payment-balance .state-badge")).to_have_text(
        zh(PaymentState.SUCCEEDED.label)
    )
    patent_transfer = RECORDAL_TERMS[("transfer", "patent")]
    expect(seller_page.locator(".recordal-filing")).to_contain_text(zh(patent_transfer.procedure))
    recordal_fields = DealRecordalForm.base_fields
    control(seller_page, recordal_fields["recordal_number"].label).fill(RECORDAL_NUMBER)
    control(seller_page, recordal_fields["recordal_date"].label).fill(today.isoformat())
    press(seller_page, gettext_lazy("Record the filing"))
    expect(status_message(seller_page)).to_contain_text(
        zh(
            gettext_lazy(
                "The recordal filing is recorded. Upload the authority's document here once "
                "it is issued."
            )
        )
    )
    expect(state_badge(seller_page)).to_have_text(zh(DealState.RECORDAL_FILED.label))
    expect(fact(seller_page, zh(gettext_lazy("Recordal number")))).to_have_text(RECORDAL_NUMBER)
    # no party records completion on its own word
    expect(
        seller_page.locator("#main").get_by_role("button", name=re.compile("完成"))
    ).to_have_count(0)

    # 8 -- the seller uploads CNIPA's notification, which the page names -----------------------
    expect(seller_page.locator(".next-step")).to_contain_text(zh(UPLOAD_EVIDENCE_STEP))
    expect(seller_page.locator(".recordal-evidence-name")).to_have_text(
        zh(patent_transfer.evidence)
    )
    evidence_file = tmp_path / EVIDENCE_FILE
    evidence_file.write_bytes(PDF)
    upload = seller_page.locator("form.evidence-upload")
    upload.get_by_label(zh(RecordalEvidenceForm.base_fields["file"].label)).set_input_files(
        evidence_file
    )
    upload.get_by_role(
        "button", name=zh(gettext_lazy("Upload for the staff's check")), exact=True
    ).click()
    with translation.override("zh-hans"):
        uploaded = translation.gettext("Uploaded %(name)s; platform staff check it next.") % {
            "name": EVIDENCE_FILE
        }
    expect(status_message(seller_page)).to_contain_text(uploaded)
    expect(seller_page.locator("tr.evidence .state-badge")).to_have_text(
        zh(EvidenceState.SUBMITTED.label)
    )
    expect(seller_page.locator(".next-step")).to_contain_text(zh(AWAIT_EVIDENCE_CHECK_STEP))

    # 9 -- staff check the evidence in the admin and accept it: the deal completes ------------
    evidence = RecordalEvidence.objects.get(deal_id=deal_pk)
    admin.goto("/admin/")
    admin.get_by_role(
        "link", name=zh(gettext_lazy("Recordal evidence to check")), exact=True
    ).click()
    expect(admin).to_have_url(re.compile(r"/admin/recordal-evidence/\?state=submitted$"))
    admin.get_by_role("link", name=in_zh(lambda: str(evidence)), exact=True).click()
    expect(admin).to_have_url(re.compile(rf"/admin/recordal-evidence/{evidence.pk}/$"))
    expect(admin.locator("main")).to_contain_text(zh(patent_transfer.evidence))
    expect(admin.get_by_role("link", name=EVIDENCE_FILE, exact=True)).to_be_visible()
    accept = next(a for a in EvidenceModerationView.actions if a.name == "accept")
    admin_action(admin, accept).get_by_role("button", name=zh(accept.label), exact=True).click()
    expect(admin.locator(".messages")).to_contain_text(
        zh(accept.done) % {"object": in_zh(lambda: str(evidence))}, timeout=TIMEOUT_MS
    )

    # then both parties see the deal completed, the listing closed, the payout under way
    seller_page.reload()
    expect(state_badge(seller_page)).to_have_text(zh(DealState.COMPLETED.label))
    expect(seller_page.locator("tr.evidence .state-badge")).to_have_text(
        zh(EvidenceState.ACCEPTED.label)
    )
    expect(seller_page.locator(".payment-payout")).to_contain_text(
        format_yuan_exact(OFFER, always_fen=True)
    )
    expect(seller_page.locator(".payment-payout .state-badge")).to_have_text(
        zh(gettext_lazy("Being paid out"))
    )
    buyer_page.reload()
    expect(state_badge(buyer_page)).to_have_text(en(DealState.COMPLETED.label))
    expect(buyer_page.locator(".next-step")).to_have_text(
        en(gettext_lazy("Nothing more to do: this deal is finished."))
    )
    expect(fact(buyer_page, en(gettext_lazy("Listing")))).to_contain_text(
        en(ListingState.CLOSED.label)
    )
    expect(fact(buyer_page, en(gettext_lazy("Recordal number")))).to_have_text(RECORDAL_NUMBER)
    expect_last_step(
        buyer_page, DealState.RECORDAL_FILED, DealState.COMPLETED, STAFF_PERSON, lang=en
    )

    # 10 -- staff pay the price out of escrow to the seller -----------------------------------
    payout = Payment.objects.get(deal_id=deal_pk, purpose=PaymentPurpose.PAYOUT)
    admin.goto(f"/admin/offline-payments/{payout.pk}/")
    confirm = next(a for a in PaymentModerationView.actions if a.name == "confirm_payout")
    admin_action(admin, confirm).get_by_role("button", name=zh(confirm.label), exact=True).click()
    expect(admin.locator(".messages")).to_contain_text(
        zh(confirm.done) % {"object": f"{zh(PaymentPurpose.PAYOUT.label)} {payout.reference}"},
        timeout=TIMEOUT_MS,
    )
    seller_page.reload()
    expect(seller_page.locator(".payment-payout .state-badge")).to_have_text(
        zh(gettext_lazy("Paid out"))
    )

    story_seconds = time.perf_counter() - story_started
    total_seconds = time.perf_counter() - started

    # and: the database agrees — the patent is the buyer's, the listing closed, the money in
    # and out of escrow confirmed by staff, every step audited with who took it
    assert IPAsset.objects.get(pk=patent.pk).holder == buyer.organization
    assert Listing.objects.get(pk=listing.pk).state == ListingState.CLOSED
    deal = Deal.objects.get(pk=deal_pk)
    assert deal.state == DealState.COMPLETED
    assert (deal.seller, deal.buyer) == (seller.organization, buyer.organization)
    assert (deal.price, deal.deposit_amount) == (OFFER, DEPOSIT)
    assert deal.message == OFFER_MESSAGE
    assert deal.seller_signed_at is not None
    assert deal.buyer_signed_at is not None
    assert (deal.recordal_number, deal.recordal_date) == (RECORDAL_NUMBER, today)
    assert set(
        Payment.objects.filter(deal=deal).values_list("purpose", "amount", "state", "confirmed_by")
    ) == {
        ("deposit", DEPOSIT, "succeeded", staff.pk),
        ("balance", BALANCE, "succeeded", staff.pk),
        ("payout", OFFER, "succeeded", staff.pk),
    }
    evidence.refresh_from_db()
    assert (evidence.state, evidence.reviewed_by, evidence.submitted_by) == (
        EvidenceState.ACCEPTED,
        staff,
        seller.user,
    )
    assert evidence.document.original_name == EVIDENCE_FILE
    assert list(
        StateLog.objects.for_(deal).order_by("timestamp", "pk").values_list("transition", "by")
    ) == [
        ("propose", buyer.user.pk),
        ("accept", seller.user.pk),
        ("pay_deposit", staff.pk),
        ("sign_contract", seller.user.pk),
        ("pay_balance", staff.pk),
        ("file_recordal", seller.user.pk),
        ("complete", staff.pk),
    ]
    print(
        f"\ndeal story wall time: {story_seconds:.2f} s in the browser "
        f"({total_seconds:.2f} s with the setup)"
    )
