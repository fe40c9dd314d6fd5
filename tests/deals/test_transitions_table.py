"""The deal's state machine, table-driven: every (state, transition, role) is either
allowed (the target state and one audit row) or refused with the exact error.

The table is built from the model's own transitions (django-fsm), so a transition added
to the model without a row here fails `test_the_table_covers_every_transition`.
`pay_deposit` and `pay_balance` are run the two ways they happen: platform staff confirming
an offline payment (payments) and the system (a webhook's call of the deal service).
`sign_contract` is run by deal_sign, with the other party's signature already in.
`complete` is run the way it happens: platform staff accepting the recordal evidence, with
the balance in escrow; the parties cannot complete a deal. `cancel` is the parties' and
the staff's until the recordal is filed, the staff's alone after.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from marketplace.deals import services
from marketplace.deals.models import Deal, DealState, RecordalEvidence
from marketplace.notifications.models import Notice
from marketplace.payments.models import Payment, PaymentProvider, PaymentPurpose, PaymentState
from marketplace.payments.services import payment_confirm_offline
from tests.factories import (
    DealFactory,
    MembershipFactory,
    OrganizationFactory,
    PaymentFactory,
    RecordalEvidenceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# transition → (source states, target state), straight from the model
MODEL: dict[str, tuple[frozenset[str], str]] = {}
for _t in Deal().get_all_state_transitions():
    _sources, _target = MODEL.get(_t.name, (frozenset(), _t.target))
    assert _target == _t.target, f"{_t.name} has more than one target"
    MODEL[_t.name] = (_sources | {_t.source}, _t.target)

# transition → the roles allowed, and the refusal the others get
RULES: dict[str, tuple[set[str], str]] = {
    "propose": ({"buyer"}, "Only members of the buying organisation can make an offer."),
    "accept": ({"seller"}, "Only the seller can do this."),
    "decline": ({"seller"}, "Only the seller can do this."),
    "withdraw": ({"buyer"}, "Only the buyer can do this."),
    "pay_deposit": ({"staff", "system"}, "Only platform staff confirm offline payments."),
    "sign_contract": ({"seller", "buyer"}, "Only the parties to the deal can do this."),
    "pay_balance": ({"staff", "system"}, "Only platform staff confirm offline payments."),
    "file_recordal": ({"seller", "buyer"}, "Only the parties to the deal can do this."),
    "complete": ({"staff"}, "Only platform staff check recordal evidence."),
    "cancel": (
        {"seller", "buyer", "staff"},
        "Only the parties to the deal or platform staff can do this.",
    ),
}
ROLES = ["seller", "buyer", "staff", "outsider"]
# A deal is "new" only inside deal_propose: that state is the row of `propose` alone.
STATES = [state.value for state in DealState if state != DealState.NEW]


def today() -> datetime.date:
    """Read at each use, not once at import: a run that goes on past midnight in
    Zhengzhou is on the next day."""
    return timezone.localdate()


class World:
    def __init__(self, state: str, transition: str, role: str) -> None:
        self.deal = DealFactory(state=DealState.PROPOSED if state == DealState.NEW else state)
        if state == DealState.NEW:
            # the offer is made by deal_propose; the factory's deal is another buyer's
            self.buyer = OrganizationFactory(verification_state="verified")
        else:
            self.buyer = self.deal.buyer
        if transition == "sign_contract":
            # the other party signed already: this signature completes the contract
            other = "buyer_signed_at" if role == "seller" else "seller_signed_at"
            Deal.objects.filter(pk=self.deal.pk).update(**{other: timezone.now()})
        if transition == "pay_deposit":
            self.payment = Payment.objects.create(
                deal=self.deal,
                purpose=PaymentPurpose.DEPOSIT,
                provider=PaymentProvider.OFFLINE,
                amount=Decimal("45000.00"),
            )
        if transition == "pay_balance":
            self.payment = PaymentFactory(deal=self.deal, purpose=PaymentPurpose.BALANCE)
        if transition == "complete":
            # what completion needs: the balance in escrow, evidence waiting for the check
            PaymentFactory(
                deal=self.deal, purpose=PaymentPurpose.BALANCE, state=PaymentState.SUCCEEDED
            )
            self.evidence = RecordalEvidenceFactory(deal=self.deal)

    def user(self, role: str) -> Any:
        if role == "seller":
            return MembershipFactory(organization=self.deal.seller, role="member").user
        if role == "buyer":
            return MembershipFactory(organization=self.buyer, role="member").user
        if role == "staff":
            return UserFactory(is_staff=True)
        if role == "outsider":
            return MembershipFactory(
                organization=OrganizationFactory(verification_state="verified")
            ).user
        if role == "system":
            return None
        raise AssertionError(role)


def _propose(world: World, by: Any) -> Deal:
    return services.deal_propose(
        by=by, buyer=world.buyer, listing=world.deal.listing, price=Decimal("460000.00")
    )


def _pay_deposit(world: World, by: Any) -> Deal:
    if by is None:  # the system: Stripe's webhook calls the deal service itself
        return services.deal_pay_deposit(deal=world.deal)
    payment_confirm_offline(payment=world.payment, by=by)
    return Deal.objects.get(pk=world.deal.pk)


def _pay_balance(world: World, by: Any) -> Deal:
    if by is None:
        return services.deal_pay_balance(deal=world.deal)
    payment_confirm_offline(payment=world.payment, by=by)
    return Deal.objects.get(pk=world.deal.pk)


def _complete(world: World, by: Any) -> Deal:
    services.recordal_evidence_accept(evidence=world.evidence, by=by)
    return Deal.objects.get(pk=world.deal.pk)


# transition → the service call with valid data for its source state
CALLS: dict[str, Callable[[World, Any], Deal]] = {
    "propose": _propose,
    "accept": lambda w, by: services.deal_accept(deal=w.deal, by=by),
    "decline": lambda w, by: services.deal_decline(deal=w.deal, by=by, reason="价格过低"),
    "withdraw": lambda w, by: services.deal_withdraw(deal=w.deal, by=by, note="另有安排"),
    "pay_deposit": _pay_deposit,
    "sign_contract": lambda w, by: services.deal_sign(deal=w.deal, by=by),
    "pay_balance": _pay_balance,
    "file_recordal": lambda w, by: services.deal_file_recordal(
        deal=w.deal, by=by, recordal_number="ZR2026-0001", recordal_date=today()
    ),
    "complete": _complete,
    "cancel": lambda w, by: services.deal_cancel(deal=w.deal, by=by, reason="买方资金未到位"),
}


def roles_for(transition: str) -> list[str]:
    return [*ROLES, "system"] if "system" in RULES[transition][0] else ROLES


def states_for(transition: str) -> list[str]:
    return [DealState.NEW.value] if transition == "propose" else STATES


# Once the recordal is filed the parties can no longer cancel (staff still can).
PARTIES_CANNOT_CANCEL = (
    "Once the recordal is filed, only platform staff can cancel the deal (if the authority "
    "refuses the recordal, say). Contact them."
)


def expected(state: str, transition: str, role: str) -> str:
    allowed, _denied = RULES[transition]
    if role not in allowed:
        return "PermissionDenied"
    if state not in MODEL[transition][0]:
        return "invalid_transition"
    if (transition, state) == ("cancel", DealState.RECORDAL_FILED) and role != "staff":
        return "staff_only"
    return "ok"


def denial(state: str, transition: str, role: str) -> str:
    if expected(state, transition, role) == "staff_only":
        return PARTIES_CANNOT_CANCEL
    return RULES[transition][1]


TABLE = [
    (state, transition, role)
    for transition in MODEL
    for state in states_for(transition)
    for role in roles_for(transition)
]


def test_the_table_covers_every_transition():
    assert set(RULES) == set(MODEL) == set(CALLS)
    assert {transition for _state, transition, _role in TABLE} == set(MODEL)
    assert {state for state, _t, _r in TABLE} == set(DealState.values)
    for transition in MODEL:
        assert any(expected(s, t, r) == "ok" for s, t, r in TABLE if t == transition)


@pytest.mark.parametrize(("state", "transition", "role"), TABLE)
def test_state_machine(state, transition, role):
    world = World(state, transition, role)
    by = world.user(role)
    deal = world.deal
    logs_before = StateLog.objects.for_(deal).count()
    notices_before = Notice.objects.count()
    payments_before = sorted(Payment.objects.values_list("pk", "state"))
    evidence_before = sorted(RecordalEvidence.objects.values_list("pk", "state"))
    outcome = expected(state, transition, role)

    if outcome == "ok":
        result = CALLS[transition](world, by)
        target = MODEL[transition][1]
        assert result.state == target
        result.refresh_from_db()
        assert result.state == target
        logs = StateLog.objects.for_(result)
        assert logs.count() == (0 if transition == "propose" else logs_before) + 1
        log = logs.latest("pk")
        source = DealState.NEW if transition == "propose" else state
        assert (log.source_state, log.state, log.transition, log.by) == (
            source,
            target,
            transition,
            by,
        )
        return

    if outcome in ("PermissionDenied", "staff_only"):
        with pytest.raises(PermissionDenied) as denied:
            CALLS[transition](world, by)
        assert str(denied.value) == denial(state, transition, role)
    else:
        with pytest.raises(ValidationError) as caught:
            CALLS[transition](world, by)
        assert caught.value.code == "invalid_transition"
        assert caught.value.messages == [
            f"This deal is “{DealState(state).label}”, so that step is not possible now."
        ]
    # nothing changed: no state, no audit row, no notice, no payment, no evidence checked
    deal.refresh_from_db()
    assert deal.state == (DealState.PROPOSED if state == DealState.NEW else state)
    assert StateLog.objects.for_(deal).count() == logs_before
    assert Notice.objects.count() == notices_before
    assert sorted(Payment.objects.values_list("pk", "state")) == payments_before
    assert sorted(RecordalEvidence.objects.values_list("pk", "state")) == evidence_before
    assert Deal.objects.count() == 1
