"""Pledge services: every guard with a failing and a passing case, the audit trail (no row
survives a rollback) and the notices (written with the change, delivered after commit)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from listings.models import ListingState
from listings.services import assets_change_holder
from marketplace.dates import add_months
from marketplace.notifications.models import Notice, Notification
from marketplace.parties.models import Organization
from marketplace.pledges import services
from marketplace.pledges.models import (
    ACTIVE_PLEDGE_STATES,
    PledgeApplication,
    PledgeConsent,
    PledgedAsset,
    PledgeState,
)
from tests.factories import (
    BankFactory,
    DealFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def today() -> datetime.date:
    """Read at each use, not once at import: a run that goes on past midnight in
    Zhengzhou is on the next day."""
    return timezone.localdate()


def yesterday() -> datetime.date:
    return today() - datetime.timedelta(days=1)


def tomorrow() -> datetime.date:
    return today() + datetime.timedelta(days=1)


FUTURE_DATE = "This date cannot be in the future."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def holder():
    return OrganizationFactory(verification_state="verified", name="郑州锂电科技有限公司")


@pytest.fixture
def owner(holder):
    return MembershipFactory(organization=holder, role="member").user


@pytest.fixture
def bank():
    return BankFactory(name="中原银行郑州分行")


@pytest.fixture
def reviewer(bank):
    return MembershipFactory(organization=bank, role="reviewer").user


@pytest.fixture
def asset(holder):
    return IPAssetFactory(holder=holder)


def application(holder, bank, state="draft", **kwargs):
    return PledgeApplicationFactory(state=state, applicant=holder, bank=bank, **kwargs)


def codes(error: ValidationError) -> set[str | None]:
    return {e.code for e in error.error_list}


def create(owner, holder, bank, assets, **overrides):
    data = {
        "by": owner,
        "applicant": holder,
        "bank": bank,
        "assets": assets,
        "requested_amount": Decimal("5000000.00"),
        "term_months": 12,
        "purpose": "扩大生产",
    }
    data.update(overrides)
    return services.pledge_application_create(**data)


def approve(app, by, **overrides):
    data = {
        "application": app,
        "by": by,
        "amount": Decimal("3000000.00"),
        "annual_rate": Decimal("3.65"),
        "term_months": 12,
    }
    data.update(overrides)
    return services.pledge_approve(**data)


def register(app, by, **overrides):
    data = {
        "application": app,
        "by": by,
        "registration_number": "Y2026410000123",
        "registration_date": today(),
        "secured_amount": Decimal("3000000.00"),
    }
    data.update(overrides)
    return services.pledge_register(**data)


def disburse(app, by, **overrides):
    data = {"application": app, "by": by, "disbursed_on": today(), "amount": Decimal("3000000.00")}
    data.update(overrides)
    return services.pledge_disburse(**data)


def assert_unchanged(app: PledgeApplication, state: str) -> None:
    """A refused step leaves the state, the audit trail and the notices as they were."""
    app.refresh_from_db()
    assert app.state == state
    assert not StateLog.objects.for_(app).exists()
    assert not Notice.objects.exists()


# --- drafting ------------------------------------------------------------------------------


def test_a_member_drafts_an_application(owner, holder, bank, asset):
    app = create(owner, holder, bank, [asset], purpose="  扩大生产  ")

    assert app.state == PledgeState.DRAFT
    assert app.purpose == "扩大生产"
    assert list(app.assets.all()) == [asset]
    assert app.created_by == owner
    assert not Notice.objects.exists()  # the bank does not see drafts


@pytest.mark.parametrize("role", ["reviewer", None])
def test_only_members_of_the_applicant_draft(holder, bank, asset, role):
    user = (
        MembershipFactory(organization=holder, role=role).user
        if role
        else MembershipFactory(organization=bank, role="reviewer").user
    )
    with pytest.raises(PermissionDenied) as denied:
        create(user, holder, bank, [asset])
    assert str(denied.value) == "Only members of the applicant can do this."
    assert not PledgeApplication.objects.exists()


def test_every_asset_must_be_held_by_the_applicant_when_drafting(owner, holder, bank, asset):
    foreign = IPAssetFactory()
    with pytest.raises(ValidationError) as caught:
        create(owner, holder, bank, [asset, foreign])
    assert caught.value.message_dict == {
        "assets": ["Every pledged asset must be held by the applicant."]
    }
    assert create(owner, holder, bank, [asset]).state == PledgeState.DRAFT


def test_the_bank_must_be_a_verified_bank(owner, holder, asset):
    not_a_bank = OrganizationFactory(verification_state="verified")
    with pytest.raises(ValidationError) as caught:
        create(owner, holder, not_a_bank, [asset])
    assert caught.value.message_dict == {"bank": ["Choose a bank."]}

    unverified = BankFactory(verification_state="pending")
    with pytest.raises(ValidationError) as caught:
        create(owner, holder, unverified, [asset])
    assert caught.value.message_dict == {"bank": ["This bank is not verified on the platform yet."]}

    assert create(owner, holder, BankFactory(), [asset]).state == PledgeState.DRAFT


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requested_amount": Decimal("0")}, "requested_amount"),
        ({"requested_amount": None}, "requested_amount"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": 121}, "term_months"),
        ({"purpose": "   "}, "purpose"),
        ({"assets": []}, "assets"),
    ],
)
def test_drafts_need_their_fields(owner, holder, bank, asset, overrides, field):
    data = {"assets": [asset], **overrides}
    with pytest.raises(ValidationError) as caught:
        create(owner, holder, bank, **data)
    assert list(caught.value.message_dict) == [field]


@pytest.mark.parametrize(
    ("fields", "code_message"),
    [
        ({"status": "expired"}, "is “Expired”; only valid assets can be pledged."),
        ({"grant_date": None}, "is not granted or registered yet"),
        ({"expiry_date": "tomorrow"}, "expires on"),
    ],
)
@pytest.mark.parametrize("submit", [False, True])
def test_a_refused_create_writes_nothing(
    owner, holder, bank, asset, fields, code_message, submit, django_capture_on_commit_callbacks
):
    fields = {k: tomorrow() if v == "tomorrow" else v for k, v in fields.items()}
    unusable = IPAssetFactory(holder=holder, **fields)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError) as caught,
    ):
        create(owner, holder, bank, [asset, unusable], submit=submit)

    (message,) = caught.value.message_dict["assets"]
    assert str(unusable) in message
    assert code_message in message
    assert not PledgeApplication.objects.exists()
    assert not PledgedAsset.objects.exists()
    assert not StateLog.objects.exists()
    assert not Notice.objects.exists()
    assert not callbacks


def test_a_draft_of_an_asset_pledged_elsewhere_is_refused(owner, holder, bank, asset):
    application(holder, BankFactory(name="中国银行郑州分行"), "registered", assets=[asset])

    with pytest.raises(ValidationError) as caught:
        create(owner, holder, bank, [asset])

    assert caught.value.message_dict == {
        "assets": [f"{asset} is already under an active pledge; it cannot be pledged twice."]
    }
    assert PledgeApplication.objects.count() == 1


def test_create_and_submit_at_once(owner, holder, bank, asset, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = create(owner, holder, bank, [asset], submit=True)

    assert app.state == PledgeState.SUBMITTED
    (log,) = StateLog.objects.for_(app)
    assert (log.source_state, log.state, log.by) == ("draft", "submitted", owner)
    assert Notice.objects.get().event == "pledges.submit"


def test_submitting_at_once_for_an_unverified_applicant_writes_nothing(bank):
    holder = OrganizationFactory(verification_state="pending")
    owner = MembershipFactory(organization=holder).user

    with pytest.raises(ValidationError) as caught:
        create(owner, holder, bank, [IPAssetFactory(holder=holder)], submit=True)

    assert caught.value.messages == ["The applicant must be verified by platform staff first."]
    assert not PledgeApplication.objects.exists()


def test_a_submission_refused_after_writing_rolls_the_draft_back(
    owner, holder, bank, asset, monkeypatch
):
    """`pledge_submit` runs its rules again on the written rows; its refusal takes the
    draft with it. The refusal needs the bank's verification revoked between the create's
    checks and the submission — a race no single-threaded test can stage, so a wrapper of
    `pledge_submit` revokes it just before the real service runs."""
    real_submit = services.pledge_submit

    def revoke_then_submit(**kwargs):
        Organization.objects.filter(pk=bank.pk).update(verification_state="rejected")
        return real_submit(**kwargs)

    monkeypatch.setattr(services, "pledge_submit", revoke_then_submit)

    with pytest.raises(ValidationError) as caught:
        create(owner, holder, bank, [asset], submit=True)

    assert caught.value.code == "bank_not_verified"
    assert not PledgeApplication.objects.exists()
    assert not PledgedAsset.objects.exists()
    assert not StateLog.objects.exists()


def test_an_asset_given_twice_is_pledged_once(owner, holder, bank, asset):
    app = create(owner, holder, bank, [asset, asset])
    assert list(app.assets.all()) == [asset]

    other = IPAssetFactory(holder=holder)
    app = services.pledge_application_update(
        application=app, by=owner, assets=[other, asset, other]
    )
    assert sorted(app.assets.values_list("pk", flat=True)) == sorted([asset.pk, other.pk])


def test_an_edit_that_removes_every_asset_is_refused(owner, holder, bank, asset):
    app = create(owner, holder, bank, [asset])

    with pytest.raises(ValidationError) as caught:
        services.pledge_application_update(application=app, by=owner, assets=[])

    assert caught.value.message_dict == {"assets": ["Choose at least one IP asset to pledge."]}
    assert list(app.assets.all()) == [asset]


def test_a_note_longer_than_the_record_keeps_is_refused(holder, bank, reviewer):
    app = application(holder, bank, "under_review", reviewer=reviewer)

    with pytest.raises(ValidationError) as caught:
        services.pledge_return_for_info(application=app, by=reviewer, note="长" * 1001)

    assert codes(caught.value) == {"note_too_long"}
    assert_unchanged(app, "under_review")
    services.pledge_return_for_info(application=app, by=reviewer, note="长" * 1000)


def test_a_submitted_application_cannot_be_edited(owner, holder, bank):
    app = application(holder, bank, "submitted")
    with pytest.raises(ValidationError) as caught:
        services.pledge_application_update(application=app, by=owner, purpose="新用途")
    assert caught.value.code == "not_editable"


def test_a_returned_application_is_edited_but_stays_with_its_bank(owner, holder, bank):
    app = application(holder, bank, "returned")

    app = services.pledge_application_update(
        application=app, by=owner, requested_amount=Decimal("2000000.00")
    )
    assert app.requested_amount == Decimal("2000000.00")

    with pytest.raises(ValidationError) as caught:
        services.pledge_application_update(application=app, by=owner, bank=BankFactory())
    assert caught.value.message_dict == {"bank": ["A returned application stays with its bank."]}


# --- the asset rules on submit -------------------------------------------------------------


def test_the_holder_submits_a_draft(owner, holder, bank):
    app = application(holder, bank)

    app = services.pledge_submit(application=app, by=owner)

    assert app.state == PledgeState.SUBMITTED
    assert app.submitted_at is not None


def test_an_asset_that_changed_hands_after_drafting_is_refused(owner, holder, bank, asset):
    app = application(holder, bank, assets=[asset])
    assets_change_holder(assets=[asset], new_holder=OrganizationFactory())

    with pytest.raises(ValidationError) as caught:
        services.pledge_submit(application=app, by=owner)

    assert codes(caught.value) == {"not_holder"}
    assert caught.value.messages == [f"{asset} is not held by the applicant."]
    assert_unchanged(app, PledgeState.DRAFT)


@pytest.mark.parametrize("status", ["lapsed", "expired", "invalidated", "pending"])
def test_only_valid_assets_are_pledged(owner, holder, bank, status):
    asset = IPAssetFactory(holder=holder, status=status)
    app = application(holder, bank, assets=[asset])

    with pytest.raises(ValidationError) as caught:
        services.pledge_submit(application=app, by=owner)

    assert codes(caught.value) == {"asset_not_valid"}
    label = asset.get_status_display()
    assert caught.value.messages == [f"{asset} is “{label}”; only valid assets can be pledged."]
    assert_unchanged(app, PledgeState.DRAFT)


@pytest.mark.parametrize("grant_date", [None, "tomorrow"])
def test_only_granted_assets_are_pledged(owner, holder, bank, grant_date):
    grant_date = tomorrow() if grant_date == "tomorrow" else grant_date
    asset = IPAssetFactory(holder=holder, grant_date=grant_date, status="valid")
    app = application(holder, bank, assets=[asset])

    with pytest.raises(ValidationError) as caught:
        services.pledge_submit(application=app, by=owner)

    assert codes(caught.value) == {"asset_not_granted"}
    assert_unchanged(app, PledgeState.DRAFT)


def test_an_asset_granted_today_is_pledged(owner, holder, bank):
    asset = IPAssetFactory(holder=holder, grant_date=today())
    app = application(holder, bank, assets=[asset])
    assert services.pledge_submit(application=app, by=owner).state == PledgeState.SUBMITTED


@pytest.mark.parametrize("other_state", [state.value for state in PledgeState])
def test_no_asset_under_another_active_pledge(owner, holder, bank, asset, other_state):
    # given the asset pledged under another application in `other_state`
    application(holder, BankFactory(), other_state, assets=[asset])
    app = application(holder, bank, assets=[asset])

    if other_state in ACTIVE_PLEDGE_STATES:
        # registered, disbursed, overdue or defaulted: a second pledge is refused
        with pytest.raises(ValidationError) as caught:
            services.pledge_submit(application=app, by=owner)
        assert codes(caught.value) == {"double_pledge"}
        assert caught.value.messages == [
            f"{asset} is already under an active pledge; it cannot be pledged twice."
        ]
        assert_unchanged(app, PledgeState.DRAFT)
    else:
        # drafts, reviews, repaid, released, cancelled, disposed… do not hold the asset
        assert services.pledge_submit(application=app, by=owner).state == PledgeState.SUBMITTED


def test_registration_checks_for_a_double_pledge_once_more(holder, bank, reviewer, asset):
    # given two applications for one asset, both with signed contracts
    first = application(holder, bank, "contract_signed", assets=[asset])
    second = application(holder, BankFactory(), "contract_signed", assets=[asset])
    other_reviewer = MembershipFactory(organization=second.bank, role="reviewer").user
    register(first, reviewer)

    with pytest.raises(ValidationError) as caught:
        register(second, other_reviewer)

    assert codes(caught.value) == {"double_pledge"}
    assert PledgedAsset.objects.get(asset=asset, active=True).application == first
    second.refresh_from_db()
    assert second.state == PledgeState.CONTRACT_SIGNED


def test_the_database_refuses_a_second_active_pledge_of_an_asset(holder, bank, asset):
    application(holder, bank, "registered", assets=[asset])
    other = application(holder, bank, "contract_signed", assets=[IPAssetFactory(holder=holder)])
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgedAsset.objects.create(application=other, asset=asset, active=True)


def test_the_active_flags_follow_the_state(holder, bank, reviewer, asset):
    app = application(holder, bank, "contract_signed", assets=[asset])
    app = register(app, reviewer)
    assert PledgedAsset.objects.get(application=app).active
    app = disburse(app, reviewer)
    app = services.pledge_repay(application=app, by=reviewer, repaid_on=today())
    assert not PledgedAsset.objects.get(application=app).active


def test_the_loan_must_mature_before_each_asset_expires_on_submit(owner, holder, bank):
    # the requested term (12 months) from today
    ends_at_maturity = IPAssetFactory(holder=holder, expiry_date=add_months(today(), 12))
    app = application(holder, bank, assets=[ends_at_maturity])

    with pytest.raises(ValidationError) as caught:
        services.pledge_submit(application=app, by=owner)

    assert codes(caught.value) == {"matures_after_expiry"}
    maturity = add_months(today(), 12).isoformat()
    assert caught.value.messages == [
        f"The loan would mature on {maturity}, but {ends_at_maturity} expires on {maturity}."
    ]
    assert_unchanged(app, PledgeState.DRAFT)

    outlives = IPAssetFactory(
        holder=holder, expiry_date=add_months(today(), 12) + datetime.timedelta(days=1)
    )
    later = application(holder, bank, assets=[outlives])
    assert services.pledge_submit(application=later, by=owner).state == PledgeState.SUBMITTED


def test_the_approved_term_must_end_before_the_assets_expire(holder, bank, reviewer):
    asset = IPAssetFactory(
        holder=holder, expiry_date=add_months(today(), 12) + datetime.timedelta(days=1)
    )
    app = application(holder, bank, "under_review", assets=[asset])

    with pytest.raises(ValidationError) as caught:
        approve(app, reviewer, term_months=13)
    assert codes(caught.value) == {"matures_after_expiry"}
    assert_unchanged(app, PledgeState.UNDER_REVIEW)

    assert approve(app, reviewer, term_months=12).approved_term_months == 12


def test_registration_counts_the_term_from_the_registration_date(holder, bank, reviewer):
    asset = IPAssetFactory(holder=holder, expiry_date=add_months(today(), 12))
    app = application(holder, bank, "contract_signed", assets=[asset])

    with pytest.raises(ValidationError) as caught:
        register(app, reviewer, registration_date=today())
    assert codes(caught.value) == {"matures_after_expiry"}

    # (five days back: a month's clamping to its last day cannot make up for them)
    earlier = today() - datetime.timedelta(days=5)
    assert register(app, reviewer, registration_date=earlier).state == PledgeState.REGISTERED


def test_disbursement_counts_the_approved_term_from_the_disbursement_date(holder, bank, reviewer):
    # given a loan approved for 12 months (6 were asked for) on an asset expiring in 12
    asset = IPAssetFactory(holder=holder, expiry_date=add_months(today(), 12))
    app = application(
        holder,
        bank,
        "registered",
        assets=[asset],
        term_months=6,
        approved_amount=Decimal("3000000.00"),
        annual_rate=Decimal("3.85"),
        approved_term_months=12,
    )

    # then paying it out today would let it mature on the expiry day
    with pytest.raises(ValidationError) as caught:
        disburse(app, reviewer, disbursed_on=today())
    assert codes(caught.value) == {"matures_after_expiry"}
    assert_unchanged(app, PledgeState.REGISTERED)

    # and paid out five days ago it matures before
    earlier = today() - datetime.timedelta(days=5)
    app = disburse(app, reviewer, disbursed_on=earlier)
    assert app.state == PledgeState.DISBURSED
    assert app.maturity_date == add_months(earlier, 12)
    assert app.disbursed_amount == Decimal("3000000.00")


def test_an_unverified_applicant_cannot_submit(bank):
    holder = OrganizationFactory()  # pending verification
    owner = MembershipFactory(organization=holder).user
    app = application(holder, bank)

    with pytest.raises(ValidationError) as caught:
        services.pledge_submit(application=app, by=owner)

    assert codes(caught.value) == {"applicant_not_verified"}
    assert caught.value.messages == ["The applicant must be verified by platform staff first."]
    assert_unchanged(app, PledgeState.DRAFT)


def test_an_applicant_whose_verification_was_revoked_is_not_approved(holder, bank, reviewer):
    app = application(holder, bank, "under_review")
    type(holder).objects.filter(pk=holder.pk).update(verification_state="pending")

    with pytest.raises(ValidationError) as caught:
        approve(app, reviewer)

    assert codes(caught.value) == {"applicant_not_verified"}
    assert_unchanged(app, PledgeState.UNDER_REVIEW)


def test_a_draft_is_not_sent_to_a_bank_that_lost_its_verification(owner, holder, bank):
    app = application(holder, bank)
    type(bank).objects.filter(pk=bank.pk).update(verification_state="pending")

    with pytest.raises(ValidationError) as caught:
        services.pledge_submit(application=app, by=owner)

    assert caught.value.code == "bank_not_verified"
    assert caught.value.messages == ["This bank is not verified on the platform yet."]
    assert_unchanged(app, PledgeState.DRAFT)


def test_all_the_asset_problems_are_reported_at_once(bank):
    holder = OrganizationFactory()
    owner = MembershipFactory(organization=holder).user
    lapsed = IPAssetFactory(holder=holder, status="lapsed")
    ungranted = IPAssetFactory(holder=holder, grant_date=None)
    app = application(holder, bank, assets=[lapsed, ungranted])

    with pytest.raises(ValidationError) as caught:
        services.pledge_submit(application=app, by=owner)

    assert [e.code for e in caught.value.error_list] == [
        "applicant_not_verified",
        "asset_not_valid",
        "asset_not_granted",
    ]


# --- the bank's amounts and dates ----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": Decimal("0")}, "amount", "Enter the approved amount, above zero."),
        (
            {"annual_rate": Decimal("0")},
            "annual_rate",
            "The annual rate is above 0% and at most 24.00%.",
        ),
        (
            {"annual_rate": Decimal("24.01")},
            "annual_rate",
            "The annual rate is above 0% and at most 24.00%.",
        ),
        ({"term_months": 0}, "term_months", "The term is between 1 and 120 months."),
        (
            {"amount": Decimal("3000000.01")},
            "amount",
            "The approved amount cannot exceed the ¥3,000,000.00 requested.",
        ),
    ],
)
def test_approval_terms(holder, bank, reviewer, overrides, field, message):
    app = application(holder, bank, "under_review")  # ¥3,000,000.00 requested

    with pytest.raises(ValidationError) as caught:
        approve(app, reviewer, **overrides)

    assert caught.value.message_dict == {field: [message]}
    assert_unchanged(app, PledgeState.UNDER_REVIEW)


def test_the_bank_approves_up_to_the_requested_amount(holder, bank, reviewer):
    app = application(holder, bank, "under_review")

    app = approve(
        app, reviewer, amount=Decimal("3000000.00"), annual_rate=Decimal("24.00"), note="  ok "
    )

    assert app.state == PledgeState.APPROVED
    assert (app.approved_amount, app.annual_rate, app.approved_term_months) == (
        Decimal("3000000.00"),
        Decimal("24.00"),
        12,
    )
    log = StateLog.objects.for_(app).get()
    assert (log.by, log.description) == (reviewer, "ok")


def test_the_secured_amount_is_at_most_the_approved_amount(holder, bank, reviewer):
    app = application(holder, bank, "contract_signed")  # ¥3,000,000.00 approved

    with pytest.raises(ValidationError) as caught:
        register(app, reviewer, secured_amount=Decimal("3000000.01"))
    assert caught.value.message_dict == {
        "secured_amount": ["The secured amount cannot exceed the approved ¥3,000,000.00."]
    }
    with pytest.raises(ValidationError) as caught:
        register(app, reviewer, secured_amount=Decimal("0"))
    assert caught.value.message_dict == {
        "secured_amount": ["Enter the secured amount, above zero."]
    }
    assert_unchanged(app, PledgeState.CONTRACT_SIGNED)

    app = register(app, reviewer, secured_amount=Decimal("3000000.00"))
    assert (app.state, app.secured_amount) == (PledgeState.REGISTERED, Decimal("3000000.00"))


def test_the_disbursed_amount_is_at_most_the_approved_amount(holder, bank, reviewer):
    app = application(holder, bank, "registered")

    with pytest.raises(ValidationError) as caught:
        disburse(app, reviewer, amount=Decimal("3000000.01"))
    assert caught.value.message_dict == {
        "amount": ["The disbursed amount cannot exceed the approved ¥3,000,000.00."]
    }
    assert_unchanged(app, PledgeState.REGISTERED)

    assert disburse(app, reviewer, amount=Decimal("2000000.00")).state == PledgeState.DISBURSED


def _step(name, app, by, day):
    calls = {
        "contract_date": lambda: services.pledge_sign_contract(
            application=app, by=by, contract_number="HT-1", contract_date=day
        ),
        "registration_date": lambda: register(app, by, registration_date=day),
        "disbursed_on": lambda: disburse(app, by, disbursed_on=day),
        "repaid_on": lambda: services.pledge_repay(application=app, by=by, repaid_on=day),
        "released_on": lambda: services.pledge_release(application=app, by=by, released_on=day),
        "disposed_on": lambda: services.pledge_dispose(
            application=app, by=by, disposed_on=day, note="拍卖"
        ),
    }
    return calls[name]()


DATED_STEPS = [
    ("contract_date", "approved"),
    ("registration_date", "contract_signed"),
    ("disbursed_on", "registered"),
    ("repaid_on", "disbursed"),
    ("released_on", "repaid"),
    ("disposed_on", "defaulted"),
]


@pytest.mark.parametrize(("field", "state"), DATED_STEPS)
def test_dates_are_not_in_the_future(holder, bank, reviewer, field, state):
    app = application(holder, bank, state)

    with pytest.raises(ValidationError) as caught:
        _step(field, app, reviewer, tomorrow())
    assert caught.value.message_dict == {field: [FUTURE_DATE]}
    assert_unchanged(app, state)

    assert _step(field, app, reviewer, today()).state != state


# (the factory fills in a registration unless the secured amount is given)
REGISTERED = {"secured_amount": Decimal("3000000.00")}


@pytest.mark.parametrize(
    ("field", "state", "earlier_field", "message"),
    [
        (
            "registration_date",
            "contract_signed",
            "contract_date",
            "A pledge is registered after its contract is signed.",
        ),
        (
            "disbursed_on",
            "registered",
            "registration_date",
            "The loan is disbursed after the pledge is registered.",
        ),
        ("repaid_on", "disbursed", "disbursed_on", None),
        ("released_on", "repaid", "repaid_on", None),
        ("disposed_on", "defaulted", "defaulted_on", None),
    ],
)
def test_dates_follow_each_other(holder, bank, reviewer, field, state, earlier_field, message):
    earlier = today() - datetime.timedelta(days=5)
    extra = REGISTERED if earlier_field == "registration_date" else {}
    app = application(holder, bank, state, **{earlier_field: earlier}, **extra)
    message = message or f"This date cannot be before {earlier.isoformat()}."

    with pytest.raises(ValidationError) as caught:
        _step(field, app, reviewer, earlier - datetime.timedelta(days=1))
    assert caught.value.message_dict == {field: [message]}
    assert_unchanged(app, state)

    assert _step(field, app, reviewer, earlier).state != state


@pytest.mark.parametrize(
    ("name", "state", "field", "message"),
    [
        ("return_for_info", "under_review", "note", "Say what information the holder should add."),
        ("reject", "under_review", "reason", "Give a reason for the rejection."),
        ("declare_default", "overdue", "note", "Say why the borrower is in default."),
        ("dispose", "defaulted", "note", "Say how the assets were disposed of."),
        ("cancel", "approved", "reason", "Give a reason for the cancellation."),
    ],
)
def test_notes_and_reasons_are_required(holder, bank, reviewer, name, state, field, message):
    app = application(holder, bank, state)
    call = {
        "return_for_info": lambda text: services.pledge_return_for_info(
            application=app, by=reviewer, note=text
        ),
        "reject": lambda text: services.pledge_reject(application=app, by=reviewer, reason=text),
        "declare_default": lambda text: services.pledge_declare_default(
            application=app, by=reviewer, note=text
        ),
        "dispose": lambda text: services.pledge_dispose(
            application=app, by=reviewer, disposed_on=today(), note=text
        ),
        "cancel": lambda text: services.pledge_cancel(application=app, by=reviewer, reason=text),
    }[name]

    with pytest.raises(ValidationError) as caught:
        call("  ")
    assert caught.value.message_dict == {field: [message]}
    assert_unchanged(app, state)

    app = call("  说明  ")
    assert app.last_note == "说明"
    assert StateLog.objects.for_(app).get().description == "说明"


@pytest.mark.parametrize(
    ("field", "state", "call"),
    [
        (
            "contract_number",
            "approved",
            lambda app, by: services.pledge_sign_contract(
                application=app, by=by, contract_number=" ", contract_date=today()
            ),
        ),
        (
            "registration_number",
            "contract_signed",
            lambda app, by: register(app, by, registration_number=" "),
        ),
        (
            "registration_date",
            "contract_signed",
            lambda app, by: register(app, by, registration_date=None),
        ),
    ],
)
def test_contract_and_registration_numbers_are_required(holder, bank, reviewer, field, state, call):
    app = application(holder, bank, state)
    with pytest.raises(ValidationError) as caught:
        call(app, reviewer)
    assert list(caught.value.message_dict) == [field]
    assert_unchanged(app, state)


# --- who acts ------------------------------------------------------------------------------


def test_only_reviewers_of_the_addressed_bank_claim(holder, bank, reviewer):
    app = application(holder, bank, "submitted")
    someone_elses = MembershipFactory(organization=BankFactory(), role="reviewer").user
    bank_clerk = MembershipFactory(organization=bank, role="owner").user

    for user in (someone_elses, bank_clerk):
        with pytest.raises(PermissionDenied):
            services.pledge_claim(application=app, by=user)
    assert_unchanged(app, PledgeState.SUBMITTED)

    app = services.pledge_claim(application=app, by=reviewer)
    assert (app.state, app.reviewer) == (PledgeState.UNDER_REVIEW, reviewer)


def test_the_holder_cannot_act_for_the_bank_and_the_bank_not_for_the_holder(
    owner, holder, bank, reviewer
):
    draft = application(holder, bank)
    under_review = application(holder, bank, "under_review")

    with pytest.raises(PermissionDenied):
        services.pledge_submit(application=draft, by=reviewer)
    with pytest.raises(PermissionDenied):
        approve(under_review, owner)
    with pytest.raises(PermissionDenied):
        services.pledge_withdraw(application=under_review, by=reviewer)
    # a "reviewer" membership of the applicant does not make a holder member either
    holders_reviewer = MembershipFactory(organization=holder, role="reviewer").user
    with pytest.raises(PermissionDenied):
        services.pledge_submit(application=draft, by=holders_reviewer)

    draft.refresh_from_db()
    under_review.refresh_from_db()
    assert (draft.state, under_review.state) == (PledgeState.DRAFT, PledgeState.UNDER_REVIEW)


def test_a_claim_records_when_the_reviewer_took_the_file(holder, bank, reviewer):
    # given
    app = application(holder, bank, "submitted")
    assert app.claimed_at is None
    before = timezone.now()

    # when
    app = services.pledge_claim(application=app, by=reviewer)

    # then
    app.refresh_from_db()
    assert app.reviewer == reviewer
    assert app.claimed_at is not None
    assert before <= app.claimed_at <= timezone.now()

    # a colleague's refused claim leaves who and when as they were
    claimed_at = app.claimed_at
    colleague = MembershipFactory(organization=bank, role="reviewer").user
    with pytest.raises(ValidationError):
        services.pledge_claim(application=app, by=colleague)
    app.refresh_from_db()
    assert (app.reviewer, app.claimed_at) == (reviewer, claimed_at)


def test_a_second_claim_names_the_reviewer_who_has_it(holder, bank, reviewer):
    reviewer.name = "李审"
    reviewer.save()
    app = services.pledge_claim(application=application(holder, bank, "submitted"), by=reviewer)
    colleague = MembershipFactory(organization=bank, role="reviewer").user

    with pytest.raises(ValidationError) as caught:
        services.pledge_claim(application=app, by=colleague)

    assert caught.value.code == "already_claimed"
    assert caught.value.messages == ["This application was already claimed by 李审."]


# --- the pledge listing and the consent ----------------------------------------------------


def test_registration_closes_the_pledge_listing_applied_from(holder, bank, reviewer, asset):
    listing = ListingFactory(holder=holder, intent="pledge", state="published", assets=[asset])
    app = application(holder, bank, "contract_signed", assets=[asset], listing=listing)

    register(app, reviewer)

    listing.refresh_from_db()
    assert listing.state == ListingState.CLOSED


def test_the_pledgee_consents_to_a_deal_on_a_pledged_asset(holder, bank, reviewer, asset):
    app = application(holder, bank, "registered", assets=[asset])
    deal = DealFactory(listing=ListingFactory(holder=holder, state="published", assets=[asset]))
    someone_elses = MembershipFactory(organization=BankFactory(), role="reviewer").user

    with pytest.raises(PermissionDenied):
        services.pledge_consent_give(application=app, deal=deal, by=someone_elses)
    unrelated = DealFactory()
    with pytest.raises(ValidationError) as caught:
        services.pledge_consent_give(application=app, deal=unrelated, by=reviewer)
    assert caught.value.code == "unrelated_deal"

    consent = services.pledge_consent_give(application=app, deal=deal, by=reviewer, note="同意")

    assert (consent.given_by, consent.note) == (reviewer, "同意")
    notice = Notice.objects.get(event="pledges.consent")
    assert set(notice.organizations.all()) == {deal.seller, deal.buyer}
    # giving it again changes nothing and tells nobody twice
    assert services.pledge_consent_give(application=app, deal=deal, by=reviewer) == consent
    assert PledgeConsent.objects.count() == 1
    assert Notice.objects.filter(event="pledges.consent").count() == 1


@pytest.mark.parametrize("state", ["declined", "withdrawn", "completed", "cancelled"])
def test_consent_is_given_to_open_deals_only(holder, bank, reviewer, asset, state):
    app = application(holder, bank, "registered", assets=[asset])
    deal = DealFactory(
        listing=ListingFactory(holder=holder, state="published", assets=[asset]), state=state
    )

    with pytest.raises(ValidationError) as caught:
        services.pledge_consent_give(application=app, deal=deal, by=reviewer)

    assert caught.value.code == "deal_not_open"
    assert not PledgeConsent.objects.exists()


@pytest.mark.parametrize("state", ["contract_signed", "repaid", "released"])
def test_consent_is_given_only_while_the_pledge_is_active(holder, bank, reviewer, asset, state):
    app = application(holder, bank, state, assets=[asset])
    deal = DealFactory(listing=ListingFactory(holder=holder, state="published", assets=[asset]))

    with pytest.raises(ValidationError) as caught:
        services.pledge_consent_give(application=app, deal=deal, by=reviewer)

    assert caught.value.code == "not_active"
    assert not PledgeConsent.objects.exists()


# --- the daily job -------------------------------------------------------------------------


def test_the_job_marks_loans_past_maturity_only(holder, bank):
    past = application(holder, bank, "disbursed", maturity_date=yesterday())
    due_today = application(holder, bank, "disbursed", maturity_date=today())
    repaid = application(holder, bank, "repaid", maturity_date=yesterday())

    assert services.pledges_mark_overdue() == 1
    assert services.pledges_mark_overdue() == 0  # safe to run twice

    states = dict(PledgeApplication.objects.values_list("pk", "state"))
    assert states == {
        past.pk: PledgeState.OVERDUE,
        due_today.pk: PledgeState.DISBURSED,
        repaid.pk: PledgeState.REPAID,
    }
    log = StateLog.objects.for_(past).get()
    assert (log.transition, log.by) == ("mark_overdue", None)
    # both the bank and the holder hear of it
    assert {
        org
        for notice in Notice.objects.filter(event="pledges.mark_overdue")
        for org in notice.organizations.all()
    } == {holder, bank}


def test_the_job_runs_for_a_given_day(holder, bank):
    app = application(holder, bank, "disbursed", maturity_date=today())
    assert services.pledges_mark_overdue(today=tomorrow()) == 1
    app.refresh_from_db()
    assert app.state == PledgeState.OVERDUE


def test_the_job_as_a_celery_task(holder, bank):
    from marketplace.pledges.tasks import mark_overdue_task

    application(holder, bank, "disbursed", maturity_date=yesterday())
    assert mark_overdue_task.delay().get() == 1


# --- audit ---------------------------------------------------------------------------------


def test_a_transition_rolled_back_leaves_no_audit_row_and_no_notice(
    owner, holder, bank, django_capture_on_commit_callbacks
):
    app = application(holder, bank)

    def submit_then_fail() -> None:
        with transaction.atomic():
            services.pledge_submit(application=app, by=owner)
            assert StateLog.objects.for_(app).exists()  # written in the transaction ...
            raise RuntimeError("the surrounding work failed")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        submit_then_fail()

    # ... and gone with it
    assert_unchanged(app, PledgeState.DRAFT)
    app.refresh_from_db()
    assert app.submitted_at is None
    assert callbacks == []  # nothing queued for after a commit that never came
    assert mail.outbox == []


def test_registration_rolled_back_leaves_the_asset_free(holder, bank, reviewer, asset):
    app = application(holder, bank, "contract_signed", assets=[asset])

    def register_then_fail() -> None:
        with transaction.atomic():
            register(app, reviewer)
            assert PledgedAsset.objects.get(application=app).active
            raise RuntimeError("the registry call failed")

    with pytest.raises(RuntimeError):
        register_then_fail()

    assert_unchanged(app, PledgeState.CONTRACT_SIGNED)
    assert not PledgedAsset.objects.get(application=app).active
    assert app.registration_number == ""


def test_a_failing_guard_leaves_nothing(owner, holder, bank, django_capture_on_commit_callbacks):
    app = application(holder, bank, assets=[IPAssetFactory(holder=holder, status="lapsed")])

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        services.pledge_submit(application=app, by=owner)

    assert_unchanged(app, PledgeState.DRAFT)
    assert app.submitted_at is None
    assert callbacks == []


def test_the_audit_trail_of_a_file_returned_and_resubmitted(owner, holder, bank, reviewer):
    app = application(holder, bank, "under_review", reviewer=reviewer)

    app = services.pledge_return_for_info(application=app, by=reviewer, note="请补充财务报表")
    app = services.pledge_resubmit(application=app, by=owner, note="已补充")

    assert app.state == PledgeState.SUBMITTED
    assert app.reviewer == reviewer  # the reviewer who asked keeps the file
    assert list(
        StateLog.objects.for_(app).order_by("pk").values_list("transition", "by", "description")
    ) == [
        ("return_for_info", reviewer.pk, "请补充财务报表"),
        ("resubmit", owner.pk, "已补充"),
    ]


# --- notices -------------------------------------------------------------------------------


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """`with delivered():` delivers the block's notices as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_submitting_tells_the_bank(owner, holder, bank, reviewer, delivered):
    bank_owner = MembershipFactory(organization=bank, role="owner").user
    app = application(holder, bank)

    with delivered():
        services.pledge_submit(application=app, by=owner)

    notice = Notice.objects.get()
    assert notice.event == "pledges.submit"
    assert list(notice.organizations.all()) == [bank]
    assert notice.url == f"/bank/applications/{app.pk}/"
    assert notice.target == app
    assert notice.text["en"] == f"郑州锂电科技有限公司 applied for pledge financing ({app})."
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        reviewer.pk,
        bank_owner.pk,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reviewer.email, bank_owner.email])
    assert f"/bank/applications/{app.pk}/" in mail.outbox[0].body


def test_the_banks_steps_tell_the_holder(owner, holder, bank, reviewer, delivered):
    app = application(holder, bank, "submitted")

    with delivered():
        services.pledge_claim(application=app, by=reviewer)

    notice = Notice.objects.get()
    assert (notice.event, list(notice.organizations.all())) == ("pledges.claim", [holder])
    assert notice.url == f"/workspace/pledges/{app.pk}/"
    assert list(Notification.objects.values_list("recipient", flat=True)) == [owner.pk]
    assert [m.to for m in mail.outbox] == [[owner.email]]


@pytest.mark.parametrize("who", ["holder", "bank"])
def test_a_cancellation_tells_the_other_side(owner, holder, bank, reviewer, who):
    app = application(holder, bank, "approved")
    by = owner if who == "holder" else reviewer

    services.pledge_cancel(application=app, by=by, reason="放弃")

    notice = Notice.objects.get()
    assert list(notice.organizations.all()) == [bank if who == "holder" else holder]


def test_withdrawing_a_draft_tells_nobody(owner, holder, bank):
    app = application(holder, bank)
    assert services.pledge_withdraw(application=app, by=owner).state == PledgeState.WITHDRAWN
    assert not Notice.objects.exists()


def test_withdrawing_tells_the_bank_even_when_given_a_stale_draft(owner, holder, bank):
    # given a copy loaded while the application was a draft, and the draft submitted since
    app = application(holder, bank)
    stale = PledgeApplication.objects.get(pk=app.pk)
    services.pledge_submit(application=app, by=owner)

    # when the holder withdraws it through the stale copy
    services.pledge_withdraw(application=stale, by=owner)

    # then the bank, which had the file, is told (what counts is the state withdrawn from)
    notice = Notice.objects.get(event="pledges.withdraw")
    assert list(notice.organizations.all()) == [bank]


def test_a_rolled_back_transition_sends_nothing(owner, holder, bank, reviewer, delivered):
    app = application(holder, bank)

    def submit_then_fail() -> None:
        with transaction.atomic():
            services.pledge_submit(application=app, by=owner)
            raise RuntimeError("failed after the transition")

    with delivered(), pytest.raises(RuntimeError):
        submit_then_fail()

    assert not Notice.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []
