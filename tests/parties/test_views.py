"""Parties pages: sign-up, organisation registration, the workspace, language switching
and the Django admin's verification actions."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django_fsm_log.models import StateLog

from marketplace.parties.models import (
    Membership,
    MembershipRole,
    Organization,
    User,
    VerificationState,
)
from marketplace.parties.validators import credit_code_check_char
from tests.factories import (
    BankFactory,
    DealFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    valid_credit_code,
)

pytestmark = pytest.mark.django_db

REGISTER_URL = reverse("parties:organization_register")
WORKSPACE_URL = reverse("parties:workspace")
ADMIN_CHANGELIST = reverse("admin:parties_organization_changelist")


@pytest.fixture
def en_client(client):
    """Pages in English, so the error texts below are the msgids."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield client


def _field_block(html: str, name: str):
    """The form's `<div class="field">` that holds the input called `name`."""
    soup = BeautifulSoup(html, "html.parser")
    control = soup.find(attrs={"name": name})
    assert control is not None, f"no form control named {name}"
    return control.find_parent("div", class_="field")


def _registration(**overrides):
    data = {
        "name": "郑州中原知识产权运营有限公司",
        "kind": "enterprise",
        "credit_code": valid_credit_code(seed=2024),
        "district": "jinshui",
    }
    data.update(overrides)
    return data


# --- sign-up and registration ---------------------------------------------------------


def test_signup_then_lands_on_organisation_registration(client):
    # when someone signs up through allauth
    response = client.post(
        "/accounts/signup/",
        {
            "email": "Zhang.Wei@Example.com",
            "password1": "zzipx-安全-口令-2025",
            "password2": "zzipx-安全-口令-2025",
        },
    )

    # then they have an account, are signed in, and are sent to register their organisation
    assert response.status_code == 302
    assert response.url == REGISTER_URL
    user = User.objects.get()
    assert user.email == "zhang.wei@example.com"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(response.url).status_code == 200


def test_signup_with_mismatched_passwords_creates_nobody(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "li@example.com",
            "password1": "zzipx-口令-one-1",
            "password2": "zzipx-口令-two-2",
        },
    )

    assert response.status_code == 200
    assert not User.objects.exists()


def test_register_organisation_through_the_form(en_client, user):
    # given a signed-in user without an organisation
    en_client.force_login(user)
    code = valid_credit_code(seed=2024)

    # when they register, typing the code in lower case
    response = en_client.post(REGISTER_URL, _registration(credit_code=code.lower()), follow=True)

    # then the organisation waits for verification, they own it, and the workspace says so
    assert response.redirect_chain == [(WORKSPACE_URL, 302)]
    organization = Organization.objects.get()
    assert organization.credit_code == code
    assert organization.verification_state == VerificationState.PENDING
    assert Membership.objects.get(organization=organization).role == MembershipRole.OWNER
    html = response.content.decode()
    assert "郑州中原知识产权运营有限公司 is registered and awaiting verification" in html
    assert code in html


def test_an_invalid_credit_code_is_shown_next_to_the_field(en_client, user):
    en_client.force_login(user)
    code = valid_credit_code(seed=3)
    expected = credit_code_check_char(code[:17])
    wrong = code[:17] + ("0" if expected != "0" else "1")

    response = en_client.post(REGISTER_URL, _registration(credit_code=wrong))

    assert response.status_code == 200
    block = _field_block(response.content.decode(), "credit_code")
    assert "has-error" in block["class"]
    errors = [p.get_text() for p in block.find_all("p", class_="error")]
    assert errors == [f"Wrong check character: expected {expected}."]
    assert not Organization.objects.exists()


def test_a_duplicate_credit_code_is_shown_next_to_the_field(en_client, user):
    # given the code is taken
    taken = OrganizationFactory()
    en_client.force_login(user)

    # when
    response = en_client.post(REGISTER_URL, _registration(credit_code=taken.credit_code))

    # then the service's error lands on the field
    assert response.status_code == 200
    block = _field_block(response.content.decode(), "credit_code")
    errors = [p.get_text() for p in block.find_all("p", class_="error")]
    assert errors == ["An organisation with this credit code is already registered."]
    assert Organization.objects.count() == 1
    assert not Membership.objects.filter(user=user).exists()


def test_the_form_does_not_offer_regulator(client, user):
    client.force_login(user)

    response = client.post(REGISTER_URL, _registration(kind="regulator"))

    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not Organization.objects.exists()


# --- workspace ------------------------------------------------------------------------


def test_workspace_shows_only_my_organisations_and_their_assets(client):
    # given my organisation with an asset, and someone else's with theirs
    mine = MembershipFactory(organization__name="我的公司").user
    my_org = mine.organizations.get()
    my_asset = IPAssetFactory(holder=my_org, title="我的专利")
    others = OrganizationFactory(name="别人的公司")
    MembershipFactory(organization=others)
    IPAssetFactory(holder=others, title="别人的专利")
    client.force_login(mine)

    # when
    response = client.get(WORKSPACE_URL)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "我的公司" in html
    assert my_asset.number in html
    assert "别人的公司" not in html
    assert "别人的专利" not in html
    assert [m.organization for m in response.context["memberships"]] == [my_org]


def test_workspace_deals_show_the_side_i_act_for_not_the_bank_i_review_for(en_client):
    # given a member of a company who also reviews credit for a bank that sells it a patent
    user = UserFactory()
    company = MembershipFactory(user=user, role="owner").organization
    bank = BankFactory(name="中原银行郑州分行")
    MembershipFactory(user=user, organization=bank, role="reviewer")
    DealFactory(listing=ListingFactory(state="published", holder=bank), buyer=company)
    en_client.force_login(user)

    # when
    response = en_client.get(WORKSPACE_URL)

    # then the company is buying from the bank, as the deal's own page would say
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    row = soup.select_one("section[aria-labelledby=my-deals-title] tbody tr")
    cells = [" ".join(td.get_text(" ", strip=True).split()) for td in row.select("td")]
    assert "中原银行郑州分行" in cells[0]
    assert cells[1:] == ["Buying", "Offer made", "Waiting for the seller's answer"]


@pytest.mark.parametrize("url", [WORKSPACE_URL, REGISTER_URL])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


# --- language -------------------------------------------------------------------------


def _page_language(response) -> str:
    return BeautifulSoup(response.content.decode(), "html.parser").html["lang"]


def _heading(response) -> str:
    return BeautifulSoup(response.content.decode(), "html.parser").h1.get_text(strip=True)


def test_home_is_chinese_by_default(client):
    response = client.get("/")

    assert _page_language(response) == "zh-hans"
    assert _heading(response) == "郑州知识产权交易运营平台"


def test_accept_language_en_renders_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert _page_language(response) == "en"
    assert _heading(response) == "Zhengzhou IP Exchange"


def test_language_cookie_renders_english(client):
    client.cookies["django_language"] = "en"

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert _page_language(response) == "en"
    assert _heading(response) == "Zhengzhou IP Exchange"


def test_setlang_switches_language_and_back(client):
    # when the visitor picks English in the header's switcher
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    # then the choice is remembered and pages come in English
    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies["django_language"].value == "en"
    assert _page_language(client.get("/")) == "en"

    # and switching back to Chinese works too
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert _heading(client.get("/")) == "郑州知识产权交易运营平台"


# --- Django admin actions -------------------------------------------------------------


@pytest.fixture
def admin_client_en(client):
    superuser = UserFactory(is_staff=True, is_superuser=True, email="admin@example.com")
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    client.user = superuser
    with translation.override("en"):
        yield client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_verify_action_calls_the_service(admin_client_en):
    # given one pending and one already verified organisation
    pending = OrganizationFactory()
    verified = OrganizationFactory(verification_state=VerificationState.VERIFIED)

    # when staff verify both from the changelist
    response = admin_client_en.post(
        ADMIN_CHANGELIST,
        {"action": "verify_selected", "_selected_action": [pending.pk, verified.pk], "index": 0},
    )

    # then the pending one is verified with an audit row; the other is reported, untouched
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.verification_state == VerificationState.VERIFIED
    assert pending.verified_at is not None
    log = StateLog.objects.for_(pending).get()
    assert (log.by, log.transition) == (admin_client_en.user, "verify")
    assert not StateLog.objects.for_(verified).exists()
    assert _messages(response) == [
        f"{verified}: This organisation is “Verified”, so that step is not possible now.",
        "1 organisation verified.",
    ]


def test_admin_reject_action_asks_for_a_reason_first(admin_client_en):
    organization = OrganizationFactory()

    # when staff choose "reject" on the changelist
    response = admin_client_en.post(
        ADMIN_CHANGELIST,
        {"action": "reject_selected", "_selected_action": [organization.pk], "index": 0},
    )

    # then an intermediate page asks for the reason, and nothing changed yet
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.find("textarea", attrs={"name": "reason"}) is not None
    assert soup.find("input", attrs={"name": "action"})["value"] == "reject_selected"
    organization.refresh_from_db()
    assert organization.verification_state == VerificationState.PENDING


def test_admin_reject_action_with_a_reason_calls_the_service(admin_client_en):
    organization = OrganizationFactory()

    # when the intermediate form is confirmed with a reason
    response = admin_client_en.post(
        ADMIN_CHANGELIST,
        {
            "action": "reject_selected",
            "_selected_action": [organization.pk],
            "reason": "营业执照照片不清晰",
        },
    )

    # then the organisation is rejected with the reason, logged by the staff member
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.verification_state == VerificationState.REJECTED
    assert organization.verification_note == "营业执照照片不清晰"
    log = StateLog.objects.for_(organization).get()
    assert (log.by, log.transition, log.description) == (
        admin_client_en.user,
        "reject",
        "营业执照照片不清晰",
    )


def test_admin_reject_action_with_an_empty_reason_changes_nothing(admin_client_en):
    organization = OrganizationFactory()

    response = admin_client_en.post(
        ADMIN_CHANGELIST,
        {"action": "reject_selected", "_selected_action": [organization.pk], "reason": ""},
    )

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    organization.refresh_from_db()
    assert organization.verification_state == VerificationState.PENDING
    assert not StateLog.objects.exists()


def test_admin_cannot_edit_the_verification_state(admin_client_en):
    organization = OrganizationFactory()

    response = admin_client_en.get(
        reverse("admin:parties_organization_change", args=[organization.pk])
    )

    assert response.status_code == 200
    assert "verification_state" not in response.context["adminform"].form.fields


def test_admin_change_form_saves_other_fields(admin_client_en):
    # given an organisation the admin edits (no members, so the inline is empty)
    organization = OrganizationFactory(verification_state=VerificationState.VERIFIED)
    url = reverse("admin:parties_organization_change", args=[organization.pk])

    # when
    response = admin_client_en.post(
        url,
        {
            "name": organization.name,
            "name_en": "Zhongyuan IP Operations Co., Ltd.",
            "kind": organization.kind,
            "credit_code": organization.credit_code.lower(),
            "credit_code_override_reason": "",
            "district": "zhengdong",
            "address": "郑东新区商务内环路1号",
            "contact_phone": "",
            "website": "",
            "description": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )

    # then the edit is saved, the code normalised, and the verification kept
    assert response.status_code == 302, response.context["adminform"].form.errors
    organization.refresh_from_db()
    assert organization.district == "zhengdong"
    assert organization.name_en == "Zhongyuan IP Operations Co., Ltd."
    assert organization.credit_code == organization.credit_code.upper()
    assert organization.verification_state == VerificationState.VERIFIED
