"""Deals under concurrent use (PostgreSQL row locks). Real threads, each with its own
database connection; no mocks. The threads speak the default language (zh-hans), so
errors are compared by code."""

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_fsm import ConcurrentTransition
from django_fsm_log.models import StateLog

from listings.models import Listing, ListingState
from marketplace.deals import services
from marketplace.deals.models import COMMITTED_DEAL_STATES, OPEN_DEAL_STATES, Deal, DealState
from marketplace.payments.models import Payment
from tests.factories import (
    DealFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    ready_to_complete,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_at_once(calls: list[Callable[[], Any]]) -> list[object]:
    """Run every call in its own thread, all released together; each outcome is "ok" or
    the exception raised."""
    start = threading.Barrier(len(calls), timeout=30)
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            call()
            outcomes[index] = "ok"
        except Exception as error:  # recorded and asserted on below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def codes(outcome: object) -> set[str | None]:
    assert isinstance(outcome, ValidationError), repr(outcome)
    return {error.code for error in outcome.error_list}


def test_two_sellers_accepting_two_transfer_offers_at_once():
    # given two offers on one transfer listing and two members of the seller
    listing = ListingFactory(state="published")
    offers = [DealFactory(listing=listing) for _ in range(2)]
    sellers = [MembershipFactory(organization=listing.holder).user for _ in range(2)]

    # when each seller accepts a different offer at the same moment
    outcomes = run_at_once(
        [
            lambda deal=deal, by=by: services.deal_accept(deal=deal, by=by)
            for deal, by in zip(offers, sellers, strict=True)
        ]
    )

    # then one is accepted and the other refused: the listing is committed
    assert outcomes.count("ok") == 1, outcomes
    loser = next(outcome for outcome in outcomes if outcome != "ok")
    assert codes(loser) == {"already_committed"}
    assert Deal.objects.filter(listing=listing, state__in=COMMITTED_DEAL_STATES).count() == 1
    assert Payment.objects.count() == 1
    assert StateLog.objects.filter(transition="accept").count() == 1


def test_one_buyer_offering_twice_at_once_makes_one_offer():
    listing = ListingFactory(state="published")
    buyer_org = OrganizationFactory(verification_state="verified")
    members = [MembershipFactory(organization=buyer_org).user for _ in range(2)]

    outcomes = run_at_once(
        [
            lambda by=by: services.deal_propose(
                by=by, buyer=buyer_org, listing=listing, price=Decimal("450000.00")
            )
            for by in members
        ]
    )

    assert outcomes.count("ok") == 1, outcomes
    loser = next(outcome for outcome in outcomes if outcome != "ok")
    assert codes(loser) == {"duplicate_offer"}
    assert Deal.objects.filter(state__in=OPEN_DEAL_STATES).count() == 1
    # and no half-made offer is left behind in the "new" state
    assert Deal.objects.count() == 1


def test_a_stale_deal_given_to_a_service_is_refused():
    deal = DealFactory()
    stale = Deal.objects.get(pk=deal.pk)
    seller = MembershipFactory(organization=deal.seller).user
    buyer = MembershipFactory(organization=deal.buyer).user
    services.deal_withdraw(deal=deal, by=buyer)

    with pytest.raises(ValidationError) as caught:
        services.deal_accept(deal=stale, by=seller)

    assert caught.value.code == "invalid_transition"
    deal.refresh_from_db()
    assert deal.state == DealState.WITHDRAWN
    assert not Payment.objects.exists()


def test_a_stale_deal_saved_directly_cannot_overwrite_the_newer_state():
    deal = DealFactory()
    stale = Deal.objects.get(pk=deal.pk)
    seller = MembershipFactory(organization=deal.seller).user
    buyer = MembershipFactory(organization=deal.buyer).user
    services.deal_withdraw(deal=deal, by=buyer)

    def accept_and_save_stale_copy() -> None:
        with transaction.atomic():
            stale.accept(by=seller, description="stale")
            stale.save()

    with pytest.raises(ConcurrentTransition):
        accept_and_save_stale_copy()

    deal.refresh_from_db()
    assert deal.state == DealState.WITHDRAWN
    assert list(StateLog.objects.for_(deal).values_list("transition", flat=True)) == ["withdraw"]


def _wait_for_lock_waits(count: int, timeout: float = 20) -> None:
    """Until `count` other connections are blocked waiting for row locks."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"fewer than {count} connections waited for a lock")


def test_completing_one_licence_while_accepting_another_offer_does_not_deadlock():
    """On a non-exclusive licence listing the seller accepts an offer while another deal
    completes — platform staff accept its recordal evidence — (which declines the offers
    still waiting). The completion holds the assets
    and waits for the listing; the acceptance holds its offer and waits for the assets;
    the completion then wants that offer: both must still end cleanly, one after the other.
    The listing is held by a third connection to make that interleaving certain."""
    listing = ListingFactory(state="published", intent="licence", licence_type="non_exclusive")
    seller = MembershipFactory(organization=listing.holder).user
    completing = DealFactory(listing=listing, state="recordal_filed", licence_type="non_exclusive")
    evidence = ready_to_complete(completing)
    staff = UserFactory(is_staff=True)
    offer = DealFactory(listing=listing, state="proposed", licence_type="non_exclusive")
    held, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def run(name: str, call: Callable[[], Any]) -> threading.Thread:
        def target() -> None:
            try:
                call()
                outcomes[name] = "ok"
            except Exception as error:  # asserted on below
                outcomes[name] = error
            finally:
                connection.close()

        thread = threading.Thread(target=target)
        thread.start()
        return thread

    def hold_the_listing() -> None:
        with transaction.atomic():
            Listing.objects.select_for_update().get(pk=listing.pk)
            held.set()
            assert release.wait(timeout=30)

    threads = [run("hold", hold_the_listing)]
    assert held.wait(timeout=30)
    try:
        threads.append(
            run(
                "complete",
                lambda: services.recordal_evidence_accept(evidence=evidence, by=staff),
            )
        )
        _wait_for_lock_waits(1)  # the completion waits for the listing
        threads.append(run("accept", lambda: services.deal_accept(deal=offer, by=seller)))
        _wait_for_lock_waits(2)  # the acceptance waits too
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)

    assert outcomes["complete"] == "ok", outcomes
    completing.refresh_from_db()
    offer.refresh_from_db()
    listing.refresh_from_db()
    assert completing.state == DealState.COMPLETED
    assert listing.state == ListingState.CLOSED
    # the offer was declined by the completion, so the acceptance found it no longer open
    assert offer.state == DealState.DECLINED
    assert codes(outcomes["accept"]) == {"invalid_transition"}


def test_two_staff_checking_the_same_evidence_at_once_complete_the_deal_once():
    # given a deal at its recordal, the balance in escrow, the evidence waiting
    deal = DealFactory(state="recordal_filed")
    evidence = ready_to_complete(deal)
    staff = [UserFactory(is_staff=True) for _ in range(2)]

    # when one accepts and the other rejects at the same moment
    outcomes = run_at_once(
        [
            lambda: services.recordal_evidence_accept(evidence=evidence, by=staff[0]),
            lambda: services.recordal_evidence_reject(
                evidence=evidence, by=staff[1], reason="号码不符"
            ),
        ]
    )

    # then exactly one check counts, and the deal completed at most once
    assert outcomes.count("ok") == 1, outcomes
    loser = next(outcome for outcome in outcomes if outcome != "ok")
    assert codes(loser) == {"invalid_transition"}
    deal.refresh_from_db()
    evidence.refresh_from_db()
    if outcomes[0] == "ok":
        assert (evidence.state, deal.state) == ("accepted", DealState.COMPLETED)
        assert Payment.objects.filter(deal=deal, purpose="payout").count() == 1
    else:
        assert (evidence.state, deal.state) == ("rejected", DealState.RECORDAL_FILED)
        assert not Payment.objects.filter(deal=deal, purpose="payout").exists()
    assert StateLog.objects.for_(evidence).count() == 1
