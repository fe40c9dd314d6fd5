"""Where a person lands after signing in through allauth (marketplace.parties.adapter): a
bank reviewer on the bank's review queue, everybody else on their workspace; a safe `next`
wins over both. The same rule holds after the password alone and after the second factor."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from marketplace.parties.models import MembershipRole, OrganizationKind
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
LOGIN_URL = reverse("account_login")
MFA_URL = reverse("mfa_authenticate")
BANK_QUEUE = reverse("bank:queue")
WORKSPACE = reverse("parties:workspace")


def _bank_reviewer():
    bank = OrganizationFactory(kind=OrganizationKind.BANK, name="中国银行郑州分行")
    return MembershipFactory(organization=bank, role=MembershipRole.REVIEWER).user


def _bank_member():
    bank = OrganizationFactory(kind=OrganizationKind.BANK)
    return MembershipFactory(organization=bank, role=MembershipRole.MEMBER).user


def _holder():
    return MembershipFactory(role=MembershipRole.OWNER).user


def _staff():
    return UserFactory(is_staff=True)


def _reviewer_role_outside_a_bank():
    return MembershipFactory(role=MembershipRole.REVIEWER).user


LANDINGS = [
    pytest.param(_bank_reviewer, BANK_QUEUE, id="bank-reviewer"),
    pytest.param(_holder, WORKSPACE, id="holder"),
    pytest.param(_bank_member, WORKSPACE, id="bank-member"),
    pytest.param(_staff, WORKSPACE, id="staff"),
    pytest.param(_reviewer_role_outside_a_bank, WORKSPACE, id="reviewer-role-outside-a-bank"),
]


def _sign_in(client, user, next_url: str = ""):
    url = f"{LOGIN_URL}?next={next_url}" if next_url else LOGIN_URL
    return client.post(url, {"login": user.email, "password": PASSWORD})


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.mark.parametrize(("make_user", "landing"), LANDINGS)
def test_after_the_password_each_role_lands_on_its_page(client, make_user, landing):
    response = _sign_in(client, make_user())

    assert response.status_code == 302
    assert response.url == landing
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(("make_user", "landing"), LANDINGS)
def test_after_the_second_factor_each_role_lands_on_its_page(client, make_user, landing):
    # given a user who set up an authenticator app
    user = make_user()
    secret = _with_totp(user)

    # when they give the password, then the app's code
    first = _sign_in(client, user)
    assert first.status_code == 302
    assert first.url == MFA_URL
    second = client.post(MFA_URL, {"code": _current_code(secret)})

    # then
    assert second.status_code == 302
    assert second.url == landing


@pytest.mark.parametrize("with_totp", [False, True], ids=["password", "password-and-totp"])
def test_a_safe_next_wins_over_the_reviewers_landing(client, with_totp):
    reviewer = _bank_reviewer()
    secret = _with_totp(reviewer) if with_totp else ""

    response = _sign_in(client, reviewer, next_url="/listings/")
    if with_totp:
        response = client.post(MFA_URL, {"code": _current_code(secret)})

    assert response.status_code == 302
    assert response.url == "/listings/"


def test_an_unsafe_next_is_ignored_and_the_reviewer_lands_on_the_queue(client):
    response = _sign_in(client, _bank_reviewer(), next_url="https://evil.example/")

    assert response.status_code == 302
    assert response.url == BANK_QUEUE


def test_a_reviewer_who_must_set_up_totp_is_sent_there_from_the_queue(client, settings):
    settings.MFA_REQUIRED = True

    response = _sign_in(client, _bank_reviewer())

    assert response.url == BANK_QUEUE
    assert client.get(BANK_QUEUE).url == reverse("mfa_activate_totp")
