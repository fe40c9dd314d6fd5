"""The whole life of a pledge loan through the services, as the bank and the holder live it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog

from marketplace.dates import add_months
from marketplace.pledges import services
from marketplace.pledges.models import PledgedAsset, PledgeState
from marketplace.pledges.selectors import assets_under_active_pledge
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    MembershipFactory,
    OrganizationFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_a_pledge_loan_from_draft_to_release(django_capture_on_commit_callbacks):
    # given a verified holder with a valid patent and a bank with a reviewer
    holder = OrganizationFactory(verification_state="verified")
    owner = MembershipFactory(organization=holder).user
    bank = BankFactory()
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    asset = IPAssetFactory(holder=holder)
    today = timezone.localdate()

    # when the holder applies and the bank works the file to the end
    app = services.pledge_application_create(
        by=owner,
        applicant=holder,
        bank=bank,
        assets=[asset],
        requested_amount=Decimal("5000000.00"),
        term_months=12,
        purpose="扩大生产",
    )
    with django_capture_on_commit_callbacks(execute=True):
        app = services.pledge_submit(application=app, by=owner)
    app = services.pledge_claim(application=app, by=reviewer)
    app = services.pledge_return_for_info(application=app, by=reviewer, note="请补充财务报表")
    app = services.pledge_resubmit(application=app, by=owner, note="已上传")
    app = services.pledge_claim(application=app, by=reviewer)
    app = services.pledge_approve(
        application=app,
        by=reviewer,
        amount=Decimal("4000000.00"),
        annual_rate=Decimal("3.65"),
        term_months=12,
    )
    app = services.pledge_sign_contract(
        application=app, by=reviewer, contract_number="HT-2026-001", contract_date=today
    )
    app = services.pledge_register(
        application=app,
        by=reviewer,
        registration_number="Y2026410000123",
        registration_date=today,
        secured_amount=Decimal("4000000.00"),
    )
    assert assets_under_active_pledge(assets=[asset]) == {asset.pk: True}
    app = services.pledge_disburse(
        application=app, by=reviewer, disbursed_on=today, amount=Decimal("4000000.00")
    )
    assert app.maturity_date == add_months(today, 12)
    app = services.pledge_repay(application=app, by=reviewer, repaid_on=today)
    app = services.pledge_release(application=app, by=reviewer, released_on=today)

    # then every step is in the audit trail and the asset is free again
    assert app.state == PledgeState.RELEASED
    transitions = list(
        StateLog.objects.for_(app).order_by("timestamp", "pk").values_list("transition", flat=True)
    )
    assert transitions == [
        "submit",
        "claim",
        "return_for_info",
        "resubmit",
        "claim",
        "approve",
        "sign_contract",
        "register",
        "disburse",
        "repay",
        "release",
    ]
    assert not PledgedAsset.objects.filter(active=True).exists()
    assert assets_under_active_pledge(assets=[asset]) == {asset.pk: False}


def test_overdue_job_marks_once(django_capture_on_commit_callbacks):
    from tests.factories import PledgeApplicationFactory

    app = PledgeApplicationFactory(
        state="disbursed", maturity_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert services.pledges_mark_overdue() == 1
    assert services.pledges_mark_overdue() == 0
    app.refresh_from_db()
    assert app.state == PledgeState.OVERDUE
