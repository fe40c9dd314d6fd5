"""Pledge applications and deals in any state, for tests and benchmarks.

States are protected: like ListingFactory, pass `state="registered"` and it is set on the
instance before the first save. The fields a state implies (approved amount, registration)
are filled in to match unless given. `assets=[...]` replaces the default asset.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from marketplace.deals.models import Deal, DealState
from marketplace.pledges.models import (
    ACTIVE_PLEDGE_STATES,
    PledgeApplication,
    PledgedAsset,
    PledgeState,
)

from .listings import IPAssetFactory, ListingFactory
from .parties import OrganizationFactory

_AFTER_APPROVAL = {
    PledgeState.APPROVED,
    PledgeState.CONTRACT_SIGNED,
    PledgeState.CANCELLED,
    *ACTIVE_PLEDGE_STATES,
    PledgeState.REPAID,
    PledgeState.RELEASED,
    PledgeState.DISPOSED,
}
_AFTER_REGISTRATION = {
    *ACTIVE_PLEDGE_STATES,
    PledgeState.REPAID,
    PledgeState.RELEASED,
    PledgeState.DISPOSED,
}


class BankFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试银行郑州分行{n}")
    kind = "bank"
    verification_state = "verified"


class PledgeApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PledgeApplication
        skip_postgeneration_save = True

    applicant = factory.SubFactory(OrganizationFactory, verification_state="verified")
    bank = factory.SubFactory(BankFactory)
    requested_amount = Decimal("3000000.00")
    term_months = 12
    purpose = "研发投入与产能扩建"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        state = kwargs.pop("state", PledgeState.DRAFT)
        obj = model_class(*args, **kwargs)
        obj.__dict__["state"] = state
        obj.state_changed_at = kwargs.get("state_changed_at") or timezone.now()
        if state != PledgeState.DRAFT and obj.submitted_at is None:
            obj.submitted_at = timezone.now()
        if state in _AFTER_APPROVAL and obj.approved_amount is None:
            obj.approved_amount = obj.requested_amount
            obj.annual_rate = Decimal("3.85")
            obj.approved_term_months = obj.term_months
        if state in _AFTER_REGISTRATION and obj.secured_amount is None:
            obj.registration_number = f"ZL-{timezone.now():%Y}-{obj.applicant_id}"
            obj.registration_date = timezone.localdate() - datetime.timedelta(days=10)
            obj.secured_amount = obj.approved_amount
        obj.save()
        return obj

    @factory.post_generation
    def assets(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create:
            return
        assets = list(extracted) if extracted else [IPAssetFactory(holder=obj.applicant)]
        active = obj.state in ACTIVE_PLEDGE_STATES
        PledgedAsset.objects.bulk_create(
            [PledgedAsset(application=obj, asset=a, active=active) for a in assets]
        )


class DealFactory(factory.django.DjangoModelFactory):
    """A deal on a published listing (transfer by default) in `state`."""

    class Meta:
        model = Deal

    listing = factory.SubFactory(ListingFactory, state="published")
    kind = factory.SelfAttribute("listing.intent")
    seller = factory.SelfAttribute("listing.holder")
    buyer = factory.SubFactory(OrganizationFactory, verification_state="verified")
    price = Decimal("450000.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        state = kwargs.pop("state", DealState.PROPOSED)
        obj = model_class(*args, **kwargs)
        obj.__dict__["state"] = state
        obj.state_changed_at = timezone.now()
        if state not in (DealState.NEW, DealState.PROPOSED) and obj.deposit_amount is None:
            obj.deposit_amount = (obj.price / 10).quantize(Decimal("0.01"))
        obj.save()
        return obj
