"""The pledge application's state machine, table-driven: every (state, transition, role)
is either allowed (the target state and one audit row) or refused with the exact error.

The table is built from the model's own transitions (django-fsm), so a transition added
to the model without a row here fails `test_the_table_covers_every_transition`.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from marketplace.notifications.models import Notice
from marketplace.pledges import services
from marketplace.pledges.models import PledgeApplication, PledgeState
from tests.factories import (
    BankFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# transition → (source states, target state), straight from the model
MODEL: dict[str, tuple[frozenset[str], str]] = {}
for _t in PledgeApplication().get_all_state_transitions():
    _sources, _target = MODEL.get(_t.name, (frozenset(), _t.target))
    assert _target == _t.target, f"{_t.name} has more than one target"
    MODEL[_t.name] = (_sources | {_t.source}, _t.target)

# Who may run each transition (services._authorise): the holder's members, the reviewers
# of the addressed bank, either of them, or the daily job.
SIDES = {
    "submit": "holder",
    "resubmit": "holder",
    "withdraw": "holder",
    "claim": "bank",
    "return_for_info": "bank",
    "approve": "bank",
    "reject": "bank",
    "sign_contract": "bank",
    "register": "bank",
    "disburse": "bank",
    "repay": "bank",
    "release": "bank",
    "declare_default": "bank",
    "dispose": "bank",
    "cancel": "either",
    "mark_overdue": "system",
}
DENIED = {
    "holder": "Only members of the applicant can do this.",
    "bank": "Only reviewers of the bank the application is addressed to can do this.",
    "either": "Only the applicant or the bank's reviewers can do this.",
}
ROLES = ["holder", "reviewer", "other_reviewer", "bank_member", "staff", "outsider"]
ALLOWED_ROLES = {
    "holder": {"holder"},
    "bank": {"reviewer"},
    "either": {"holder", "reviewer"},
}
STATES = [state.value for state in PledgeState]


def today() -> datetime.date:
    """Read at each use, not once at import: a run that goes on past midnight in
    Zhengzhou is on the next day."""
    return timezone.localdate()


class World:
    """An application in some state, and the user for a role (made only when asked)."""

    def __init__(self, state: str) -> None:
        self.holder = OrganizationFactory(verification_state="verified")
        self.bank = BankFactory()
        self.application = PledgeApplicationFactory(
            state=state,
            applicant=self.holder,
            bank=self.bank,
            # a disbursed loan past its maturity is what the daily job marks overdue
            maturity_date=today() - datetime.timedelta(days=1),
        )

    def user(self, role: str) -> Any:
        if role == "holder":
            return MembershipFactory(organization=self.holder, role="member").user
        if role == "reviewer":
            return MembershipFactory(organization=self.bank, role="reviewer").user
        if role == "other_reviewer":
            return MembershipFactory(organization=BankFactory(), role="reviewer").user
        if role == "bank_member":
            return MembershipFactory(organization=self.bank, role="member").user
        if role == "staff":
            return UserFactory(is_staff=True, is_superuser=True)
        if role == "outsider":
            return MembershipFactory(
                organization=OrganizationFactory(verification_state="verified")
            ).user
        raise AssertionError(role)


def _mark_overdue(app: PledgeApplication, by: Any) -> PledgeApplication:
    """The daily job, and (for a state it does not select) its runner directly."""
    if app.state == PledgeState.DISBURSED:
        assert services.pledges_mark_overdue() == 1
    else:
        assert services.pledges_mark_overdue() == 0
        services._run(application=app, by=None, name="mark_overdue", side="system")
    return PledgeApplication.objects.get(pk=app.pk)


# transition → the service call with valid data for its source state
CALLS: dict[str, Callable[[PledgeApplication, Any], PledgeApplication]] = {
    "submit": lambda app, by: services.pledge_submit(application=app, by=by),
    "resubmit": lambda app, by: services.pledge_resubmit(application=app, by=by, note="已补充"),
    "withdraw": lambda app, by: services.pledge_withdraw(application=app, by=by, note="不再需要"),
    "claim": lambda app, by: services.pledge_claim(application=app, by=by),
    "return_for_info": lambda app, by: services.pledge_return_for_info(
        application=app, by=by, note="请补充财务报表"
    ),
    "approve": lambda app, by: services.pledge_approve(
        application=app,
        by=by,
        amount=Decimal("2500000.00"),
        annual_rate=Decimal("3.65"),
        term_months=12,
    ),
    "reject": lambda app, by: services.pledge_reject(application=app, by=by, reason="估值不足"),
    "sign_contract": lambda app, by: services.pledge_sign_contract(
        application=app, by=by, contract_number="HT-2026-001", contract_date=today()
    ),
    "register": lambda app, by: services.pledge_register(
        application=app,
        by=by,
        registration_number="Y2026410000123",
        registration_date=today(),
        secured_amount=Decimal("3000000.00"),
    ),
    "disburse": lambda app, by: services.pledge_disburse(
        application=app, by=by, disbursed_on=today(), amount=Decimal("3000000.00")
    ),
    "repay": lambda app, by: services.pledge_repay(application=app, by=by, repaid_on=today()),
    "release": lambda app, by: services.pledge_release(application=app, by=by, released_on=today()),
    "declare_default": lambda app, by: services.pledge_declare_default(
        application=app, by=by, note="逾期九十日未还"
    ),
    "dispose": lambda app, by: services.pledge_dispose(
        application=app, by=by, disposed_on=today(), note="拍卖处置"
    ),
    "cancel": lambda app, by: services.pledge_cancel(application=app, by=by, reason="企业放弃贷款"),
    "mark_overdue": _mark_overdue,
}


def expected(state: str, transition: str, role: str) -> str:
    side = SIDES[transition]
    sources, _target = MODEL[transition]
    if side != "system" and role not in ALLOWED_ROLES[side]:
        return "PermissionDenied"
    if state in sources:
        return "ok"
    if transition == "claim" and state == PledgeState.UNDER_REVIEW:
        return "already_claimed"
    return "invalid_transition"


TABLE = [
    (state, transition, role)
    for state in STATES
    for transition in MODEL
    for role in (ROLES if SIDES[transition] != "system" else ["system"])
]


def test_the_table_covers_every_transition():
    assert set(SIDES) == set(MODEL) == set(CALLS)
    assert {transition for _state, transition, _role in TABLE} == set(MODEL)
    # every state and every role appears, and each transition is allowed somewhere
    assert {state for state, _t, _r in TABLE} == set(PledgeState.values)
    for transition in MODEL:
        assert any(expected(s, t, r) == "ok" for s, t, r in TABLE if t == transition)


@pytest.mark.parametrize(("state", "transition", "role"), TABLE)
def test_state_machine(state, transition, role):
    world = World(state)
    app = world.application
    by = None if role == "system" else world.user(role)
    logs_before = StateLog.objects.for_(app).count()
    notices_before = Notice.objects.count()
    outcome = expected(state, transition, role)

    if outcome == "ok":
        result = CALLS[transition](app, by)
        target = MODEL[transition][1]
        assert result.state == target
        app.refresh_from_db()
        assert app.state == target
        logs = StateLog.objects.for_(app)
        assert logs.count() == logs_before + 1
        log = logs.latest("pk")
        assert (log.source_state, log.state, log.transition, log.by) == (
            state,
            target,
            transition,
            by,
        )
        return

    if outcome == "PermissionDenied":
        with pytest.raises(PermissionDenied) as denied:
            CALLS[transition](app, by)
        assert str(denied.value) == DENIED[SIDES[transition]]
    else:
        with pytest.raises(ValidationError) as caught:
            CALLS[transition](app, by)
        assert caught.value.code == outcome
        if outcome == "already_claimed":
            message = "This application was already claimed by another reviewer."
        else:
            message = (
                f"This application is “{PledgeState(state).label}”, so that step is not "
                "possible now."
            )
        assert caught.value.messages == [message]
    # nothing changed: no state, no audit row, no notice
    app.refresh_from_db()
    assert app.state == state
    assert StateLog.objects.for_(app).count() == logs_before
    assert Notice.objects.count() == notices_before
