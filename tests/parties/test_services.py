"""Parties services: registration, the verification state machine and its audit trail,
credit-code overrides and memberships."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from django_fsm import ConcurrentTransition
from django_fsm_log.models import StateLog

from marketplace.parties import services
from marketplace.parties.models import (
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
    VerificationState,
)
from marketplace.parties.validators import credit_code_check_char
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are compared word for word; pin the language so a zh-hans catalogue
    # added later does not change what these tests read.
    with translation.override("en"):
        yield


def _register(by, **overrides):
    data = {
        "name": " 郑州宇通测试有限公司 ",
        "kind": OrganizationKind.ENTERPRISE,
        "credit_code": valid_credit_code(seed=4242),
        "district": "zhengdong",
    }
    data.update(overrides)
    return services.organization_register(by=by, **data)


def _wrong_check_char(code: str) -> str:
    expected = credit_code_check_char(code[:17])
    return code[:17] + ("0" if expected != "0" else "1")


def _logs_for(organization: Organization):
    return StateLog.objects.for_(organization)


# --- organization_register ------------------------------------------------------------


def test_register_normalises_the_credit_code_and_makes_the_user_owner(user):
    # given a code typed in lower case with spaces and hyphens
    code = valid_credit_code(seed=7)
    typed = f" {code[:6].lower()} {code[6:12]}-{code[12:].lower()} "

    # when
    organization = _register(user, credit_code=typed)

    # then
    organization.refresh_from_db()
    assert organization.credit_code == code
    assert organization.name == "郑州宇通测试有限公司"
    assert organization.verification_state == VerificationState.PENDING
    assert organization.verified_at is None
    membership = Membership.objects.get(organization=organization)
    assert (membership.user, membership.role) == (user, MembershipRole.OWNER)
    assert not _logs_for(organization).exists()


def test_register_rejects_a_duplicate_credit_code_on_the_field(user):
    # given an organisation already registered with a code
    code = valid_credit_code(seed=11)
    OrganizationFactory(credit_code=code)

    # when the same code is registered again, typed differently
    with pytest.raises(ValidationError) as caught:
        _register(UserFactory(), credit_code=code.lower())

    # then the error names the field, and nothing was written
    assert caught.value.message_dict == {
        "credit_code": ["An organisation with this credit code is already registered."]
    }
    assert Organization.objects.filter(credit_code=code).count() == 1
    assert not Membership.objects.exists()


def test_register_rejects_a_code_with_a_wrong_check_character(user):
    bad = _wrong_check_char(valid_credit_code(seed=12))

    with pytest.raises(ValidationError) as caught:
        _register(user, credit_code=bad)

    expected = credit_code_check_char(bad[:17])
    assert caught.value.messages == [f"Wrong check character: expected {expected}."]
    assert not Organization.objects.exists()


def test_register_refuses_a_regulator_for_a_non_staff_user(user):
    with pytest.raises(PermissionDenied, match="Only platform staff can register a regulator"):
        _register(user, kind=OrganizationKind.REGULATOR)

    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


def test_staff_may_register_a_regulator(staff_user):
    organization = _register(staff_user, kind=OrganizationKind.REGULATOR, name="郑州市市场监管局")

    assert organization.kind == OrganizationKind.REGULATOR
    assert organization.memberships.get().user == staff_user


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "spaceship"), ("district", "beijing"), ("name", "  ")],
)
def test_register_validates_the_other_fields_and_writes_nothing(user, field, value):
    with pytest.raises(ValidationError) as caught:
        _register(user, **{field: value})

    assert field in caught.value.message_dict
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


# --- the verification state machine ---------------------------------------------------

P, V, R = VerificationState.PENDING, VerificationState.VERIFIED, VerificationState.REJECTED
DENIED, INVALID = PermissionDenied, ValidationError
ROLES = ("staff", "owner", "member", "outsider")

# (transition, state it starts in) → outcome for staff, owner, member, outsider:
# the target state, or the exact error.
FSM_TABLE = {
    ("verify", P): (V, DENIED, DENIED, DENIED),
    ("verify", V): (INVALID, DENIED, DENIED, DENIED),
    ("verify", R): (INVALID, DENIED, DENIED, DENIED),
    ("reject", P): (R, DENIED, DENIED, DENIED),
    ("reject", V): (INVALID, DENIED, DENIED, DENIED),
    ("reject", R): (INVALID, DENIED, DENIED, DENIED),
    ("revoke", P): (INVALID, DENIED, DENIED, DENIED),
    ("revoke", V): (P, DENIED, DENIED, DENIED),
    ("revoke", R): (INVALID, DENIED, DENIED, DENIED),
    ("resubmit", P): (DENIED, INVALID, DENIED, DENIED),
    ("resubmit", V): (DENIED, INVALID, DENIED, DENIED),
    ("resubmit", R): (DENIED, P, DENIED, DENIED),
}

PERMISSION_MESSAGES = {
    "verify": "Only platform staff can verify organisations.",
    "reject": "Only platform staff can verify organisations.",
    "revoke": "Only platform staff can verify organisations.",
    "resubmit": "Only an owner of the organisation can resubmit it.",
}
NOTES = {"verify": "营业执照已核对", "reject": "信用代码与执照不符", "revoke": "执照已吊销"}

FSM_CASES = [
    pytest.param(transition, state, role, outcome, id=f"{transition}-{state}-{role}")
    for (transition, state), outcomes in FSM_TABLE.items()
    for role, outcome in zip(ROLES, outcomes, strict=True)
]


def _actor(role: str, organization: Organization):
    if role == "staff":
        return UserFactory(is_staff=True)
    if role == "outsider":
        return UserFactory()
    return MembershipFactory(organization=organization, role=role).user


def _run(transition: str, organization: Organization, by):
    if transition == "verify":
        return services.organization_verify(organization=organization, by=by, note=NOTES["verify"])
    if transition == "reject":
        return services.organization_reject(
            organization=organization, by=by, reason=NOTES["reject"]
        )
    if transition == "revoke":
        return services.organization_revoke(
            organization=organization, by=by, reason=NOTES["revoke"]
        )
    return services.organization_resubmit(organization=organization, by=by)


@pytest.mark.parametrize(("transition", "state", "role", "outcome"), FSM_CASES)
def test_verification_fsm(transition, state, role, outcome):
    # given an organisation in `state` and someone acting in `role`
    organization = OrganizationFactory(verification_state=state)
    by = _actor(role, organization)

    if isinstance(outcome, type):
        # when the transition is not allowed
        with pytest.raises(outcome) as caught:
            _run(transition, organization, by)

        # then the exact error, and nothing changed or logged
        if outcome is PermissionDenied:
            assert str(caught.value) == PERMISSION_MESSAGES[transition]
        else:
            label = VerificationState(state).label
            assert caught.value.messages == [
                f"This organisation is “{label}”, so that step is not possible now."
            ]
            assert caught.value.code == "invalid_transition"
        organization.refresh_from_db()
        assert organization.verification_state == state
        assert not _logs_for(organization).exists()
        return

    # when the transition is allowed
    result = _run(transition, organization, by)

    # then the state moved, and exactly one audit row says who, why, from and to
    organization.refresh_from_db()
    assert result.verification_state == organization.verification_state == outcome
    log = _logs_for(organization).get()
    assert log.by == by
    assert log.transition == transition
    assert (log.source_state, log.state) == (state, outcome)
    assert log.description == NOTES.get(transition)
    assert organization.verification_note == NOTES.get(transition, "")
    if outcome == V:
        assert organization.verified_at is not None
    else:
        assert organization.verified_at is None


def test_a_full_round_writes_one_log_row_per_transition(staff_user, organization, owner):
    services.organization_reject(organization=organization, by=staff_user, reason="材料不全")
    services.organization_resubmit(organization=organization, by=owner)
    services.organization_verify(organization=organization, by=staff_user)
    services.organization_revoke(organization=organization, by=staff_user, reason="执照吊销")

    rows = list(_logs_for(organization).order_by("pk").values_list("transition", "by_id"))
    assert rows == [
        ("reject", staff_user.pk),
        ("resubmit", owner.pk),
        ("verify", staff_user.pk),
        ("revoke", staff_user.pk),
    ]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (services.organization_reject, "reason"),
        (services.organization_revoke, "reason"),
    ],
)
def test_reject_and_revoke_need_a_reason(staff_user, call, field):
    organization = OrganizationFactory(
        verification_state=P if call is services.organization_reject else V
    )

    with pytest.raises(ValidationError) as caught:
        call(organization=organization, by=staff_user, reason="   ")

    assert list(caught.value.message_dict) == [field]
    assert not _logs_for(organization).exists()


def test_a_transition_rolled_back_with_its_transaction_leaves_no_log_row(staff_user, organization):
    # given a verification inside a transaction that then fails
    def verify_then_fail() -> None:
        with transaction.atomic():
            services.organization_verify(organization=organization, by=staff_user, note="ok")
            assert _logs_for(organization).count() == 1
            raise RuntimeError("a later step failed")

    with pytest.raises(RuntimeError, match="a later step failed"):
        verify_then_fail()

    # then neither the state change nor its log row survived
    organization.refresh_from_db()
    assert organization.verification_state == P
    assert not _logs_for(organization).exists()


def _refuse_verified_updates() -> None:
    """A database trigger makes the UPDATE of the state fail, after the log row is written."""
    table = Organization._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER refuse_verified BEFORE UPDATE ON {table} "
                "WHEN NEW.verification_state = 'verified' "
                "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_verified() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by test trigger'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_verified BEFORE UPDATE ON {table} FOR EACH ROW "
                "WHEN (NEW.verification_state = 'verified') EXECUTE FUNCTION refuse_verified()"
            )


def test_a_save_that_fails_inside_the_service_leaves_no_log_row(staff_user, organization):
    """The log row is written when the transition runs, before `save()`; when the save fails
    the service's own atomic block must take the row away with it."""
    # given the database will refuse to store the new state
    _refuse_verified_updates()

    # when
    with pytest.raises(DatabaseError, match="refused by test trigger"):
        services.organization_verify(organization=organization, by=staff_user)

    # then
    organization.refresh_from_db()
    assert organization.verification_state == P
    assert not _logs_for(organization).exists()


def test_the_state_field_cannot_be_assigned_directly(organization):
    with pytest.raises(AttributeError, match="Direct verification_state modification"):
        organization.verification_state = V

    organization.refresh_from_db()
    assert organization.verification_state == P


def test_a_stale_copy_cannot_overwrite_a_transition(staff_user, organization):
    # given two copies of a pending organisation
    stale = Organization.objects.get(pk=organization.pk)

    # when one is verified through the service, then the stale copy is rejected and saved
    services.organization_verify(organization=organization, by=staff_user)

    def reject_stale_copy() -> None:
        # atomic, as in the services: the log row written by the transition goes with it
        with transaction.atomic():
            stale.reject(by=staff_user, description="stale")
            stale.save()

    with pytest.raises(ConcurrentTransition):
        reject_stale_copy()

    # then the stale write failed loudly instead of silently undoing the verification
    organization.refresh_from_db()
    assert organization.verification_state == V
    assert list(_logs_for(organization).values_list("transition", flat=True)) == ["verify"]


# --- credit code override -------------------------------------------------------------


def test_staff_override_a_credit_code_recording_the_reason(staff_user, organization):
    # given a code that fails the check character (e.g. a registry typo on an old licence)
    bad = _wrong_check_char(valid_credit_code(seed=99))

    # when staff accept it with a reason, typed in lower case with spaces
    services.organization_override_credit_code(
        organization=organization,
        by=staff_user,
        credit_code=f"{bad[:9].lower()} {bad[9:]}",
        reason="  旧版营业执照,已电话核实  ",
    )

    # then it is stored normalised, with the reason
    organization.refresh_from_db()
    assert organization.credit_code == bad
    assert organization.credit_code_override_reason == "旧版营业执照,已电话核实"


def test_an_override_needs_a_reason(staff_user, organization):
    original = organization.credit_code

    with pytest.raises(ValidationError) as caught:
        services.organization_override_credit_code(
            organization=organization,
            by=staff_user,
            credit_code=_wrong_check_char(original),
            reason=" ",
        )

    assert list(caught.value.message_dict) == ["reason"]
    organization.refresh_from_db()
    assert organization.credit_code == original


@pytest.mark.parametrize("role", ["owner", "member", "outsider"])
def test_only_staff_may_override_a_credit_code(organization, role):
    by = _actor(role, organization)
    original = organization.credit_code

    with pytest.raises(PermissionDenied):
        services.organization_override_credit_code(
            organization=organization,
            by=by,
            credit_code=_wrong_check_char(original),
            reason="想换一个",
        )

    organization.refresh_from_db()
    assert organization.credit_code == original
    assert organization.credit_code_override_reason == ""


def test_an_override_cannot_take_another_organisations_code(staff_user, organization):
    other = OrganizationFactory()

    with pytest.raises(ValidationError) as caught:
        services.organization_override_credit_code(
            organization=organization, by=staff_user, credit_code=other.credit_code, reason="x"
        )

    assert "credit_code" in caught.value.message_dict


# --- memberships ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_kind", "role", "allowed"),
    [
        (OrganizationKind.ENTERPRISE, MembershipRole.MEMBER, True),
        (OrganizationKind.ENTERPRISE, MembershipRole.OWNER, True),
        (OrganizationKind.ENTERPRISE, MembershipRole.REVIEWER, False),
        (OrganizationKind.UNIVERSITY, MembershipRole.REVIEWER, False),
        (OrganizationKind.APPRAISAL_FIRM, MembershipRole.REVIEWER, False),
        (OrganizationKind.BANK, MembershipRole.REVIEWER, True),
        (OrganizationKind.BANK, MembershipRole.MEMBER, True),
    ],
)
def test_membership_add_reviewers_only_at_banks(org_kind, role, allowed):
    organization = OrganizationFactory(kind=org_kind)
    owner = MembershipFactory(organization=organization).user
    newcomer = UserFactory()

    if allowed:
        membership = services.membership_add(
            organization=organization, by=owner, user=newcomer, role=role
        )
        assert (membership.user, membership.organization, membership.role) == (
            newcomer,
            organization,
            role,
        )
    else:
        with pytest.raises(ValidationError) as caught:
            services.membership_add(organization=organization, by=owner, user=newcomer, role=role)
        assert caught.value.message_dict == {"role": ["Only a bank can have reviewers."]}
        assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("staff", True), ("owner", True), ("member", False), ("outsider", False)],
)
def test_membership_add_by_owner_or_staff_only(organization, role, allowed):
    by = _actor(role, organization)
    newcomer = UserFactory()

    if allowed:
        services.membership_add(
            organization=organization, by=by, user=newcomer, role=MembershipRole.MEMBER
        )
        assert Membership.objects.filter(user=newcomer, organization=organization).exists()
    else:
        with pytest.raises(PermissionDenied):
            services.membership_add(
                organization=organization, by=by, user=newcomer, role=MembershipRole.MEMBER
            )
        assert not Membership.objects.filter(user=newcomer).exists()


def test_membership_add_refuses_an_existing_member(organization, owner):
    with pytest.raises(ValidationError) as caught:
        services.membership_add(
            organization=organization, by=owner, user=owner, role=MembershipRole.MEMBER
        )

    assert list(caught.value.message_dict) == ["user"]
    assert Membership.objects.get(user=owner).role == MembershipRole.OWNER


def test_membership_add_refuses_an_unknown_role(organization, owner):
    newcomer = UserFactory()

    with pytest.raises(ValidationError) as caught:
        services.membership_add(organization=organization, by=owner, user=newcomer, role="admin")

    assert list(caught.value.message_dict) == ["role"]
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("code", ["X", "91410100MA12345", "91410100MA45ZZZZ9O"])
def test_an_override_still_needs_the_standards_shape(staff_user, organization, code):
    """Only the check character may disagree; length and alphabet still hold."""
    original = organization.credit_code

    with pytest.raises(ValidationError) as caught:
        services.organization_override_credit_code(
            organization=organization, by=staff_user, credit_code=code, reason="旧执照"
        )

    assert "credit_code" in caught.value.message_dict
    organization.refresh_from_db()
    assert organization.credit_code == original
