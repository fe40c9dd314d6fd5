"""Pledge applications under concurrent use (PostgreSQL: SQLite has no row locks, so this is
where `select_for_update` and the partial unique index are put to the test). Real threads,
each with its own database connection; no mocks.

The threads speak the default language (zh-hans), so errors are compared by code."""

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition
from django_fsm_log.models import StateLog

from listings.models import Listing, ListingState
from listings.services import listing_withdraw
from marketplace.pledges import services
from marketplace.pledges.models import PledgeApplication, PledgedAsset, PledgeState
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
)

# Committed rows, so the threads' own connections see them; serialized_rollback reloads the
# rows the migrations created (the home page, the Wagtail site) that a flush removes.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.date_sensitive,
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


def test_twenty_registrations_of_one_asset_at_once_make_one_pledge():
    # given one asset in two applications to two banks, both with signed contracts
    holder = OrganizationFactory(verification_state="verified")
    asset = IPAssetFactory(holder=holder)
    first, second = (
        PledgeApplicationFactory(state="contract_signed", applicant=holder, assets=[asset])
        for _ in range(2)
    )
    reviewers = {
        app.pk: MembershipFactory(organization=app.bank, role="reviewer").user
        for app in (first, second)
    }

    def register(app: PledgeApplication) -> Callable[[], Any]:
        # each thread works from its own copy, loaded before the race
        stale = PledgeApplication.objects.get(pk=app.pk)
        return lambda: services.pledge_register(
            application=stale,
            by=reviewers[app.pk],
            registration_number=f"Y2026-{app.pk}",
            registration_date=timezone.localdate(),
            secured_amount=Decimal("1000000.00"),
        )

    calls = [register(app) for app in (first, second) for _ in range(10)]

    # when the twenty registrations run at once
    outcomes = run_at_once(calls)

    # then exactly one went through
    assert sum(outcome == "ok" for outcome in outcomes) == 1, outcomes
    winner = first if outcomes.index("ok") < 10 else second
    loser = second if winner is first else first
    by_app = {first.pk: outcomes[:10], second.pk: outcomes[10:]}
    # the winner's nine others found it registered; the other application's ten found the
    # asset under an active pledge
    assert [codes(o) for o in by_app[winner.pk] if o != "ok"] == [{"invalid_transition"}] * 9
    assert [codes(o) for o in by_app[loser.pk]] == [{"double_pledge"}] * 10

    assert list(PledgedAsset.objects.filter(asset=asset, active=True).values_list(
        "application_id", flat=True
    )) == [winner.pk]  # fmt: skip
    states = dict(PledgeApplication.objects.values_list("pk", "state"))
    assert states == {winner.pk: PledgeState.REGISTERED, loser.pk: PledgeState.CONTRACT_SIGNED}
    assert StateLog.objects.filter(transition="register").count() == 1
    assert StateLog.objects.for_(loser).count() == 0


def test_two_reviewers_claim_at_once_and_one_wins():
    # given a submitted application and two reviewers of its bank
    bank = BankFactory()
    app = PledgeApplicationFactory(state="submitted", bank=bank)
    reviewers = [MembershipFactory(organization=bank, role="reviewer").user for _ in range(2)]

    # when both claim it at once
    outcomes = run_at_once(
        [lambda by=by: services.pledge_claim(application=app, by=by) for by in reviewers]
    )

    # then one has it and the other is told it is taken
    assert outcomes.count("ok") == 1, outcomes
    loser = next(outcome for outcome in outcomes if outcome != "ok")
    assert codes(loser) == {"already_claimed"}
    app.refresh_from_db()
    assert app.state == PledgeState.UNDER_REVIEW
    assert app.reviewer == reviewers[outcomes.index("ok")]
    assert StateLog.objects.for_(app).get().by == app.reviewer


def test_a_stale_copy_given_to_a_service_is_refused():
    # given a copy loaded before a colleague claimed the application
    bank = BankFactory()
    app = PledgeApplicationFactory(state="submitted", bank=bank)
    stale = PledgeApplication.objects.get(pk=app.pk)
    first, second = (MembershipFactory(organization=bank, role="reviewer").user for _ in "ab")
    services.pledge_claim(application=app, by=first)
    services.pledge_reject(application=app, by=first, reason="估值不足")

    # when the stale copy is used to claim
    with pytest.raises(ValidationError) as caught:
        services.pledge_claim(application=stale, by=second)

    # then the service read the current state, not the copy's
    assert caught.value.code == "invalid_transition"
    app.refresh_from_db()
    assert (app.state, app.reviewer) == (PledgeState.REJECTED, first)
    assert StateLog.objects.for_(app).count() == 2


def test_a_stale_copy_saved_directly_cannot_overwrite_the_newer_state():
    # given a copy loaded before the application was withdrawn
    holder = OrganizationFactory(verification_state="verified")
    owner = MembershipFactory(organization=holder).user
    bank = BankFactory()
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    app = PledgeApplicationFactory(state="submitted", applicant=holder, bank=bank)
    stale = PledgeApplication.objects.get(pk=app.pk)
    services.pledge_withdraw(application=app, by=owner, note="不再需要")

    # when someone runs the transition on the stale copy and saves it (as django-fsm's
    # admin would, bypassing the service), in a transaction as the mixin requires
    def claim_and_save_stale_copy() -> None:
        with transaction.atomic():
            stale.claim(by=reviewer, description="stale")
            stale.save()

    with pytest.raises(ConcurrentTransition):
        claim_and_save_stale_copy()

    # then nothing of it was written: not the state, not the reviewer, not the audit row
    app.refresh_from_db()
    assert (app.state, app.reviewer) == (PledgeState.WITHDRAWN, None)
    assert list(StateLog.objects.for_(app).values_list("transition", flat=True)) == ["withdraw"]


def test_the_same_stale_write_racing_a_service_in_threads():
    """The stale write and a service transition started together: whichever order the
    database lets them in, the application ends in exactly one of the two states with
    exactly one audit row, and the loser failed loudly."""
    bank = BankFactory()
    app = PledgeApplicationFactory(state="submitted", bank=bank)
    reviewers = [MembershipFactory(organization=bank, role="reviewer").user for _ in range(2)]
    stale = PledgeApplication.objects.get(pk=app.pk)

    def stale_write() -> None:
        with transaction.atomic():
            stale.claim(by=reviewers[0], description="stale")
            stale.save()

    outcomes = run_at_once(
        [stale_write, lambda: services.pledge_claim(application=app, by=reviewers[1])]
    )

    assert outcomes.count("ok") == 1, outcomes
    loser = next(outcome for outcome in outcomes if outcome != "ok")
    assert isinstance(loser, ConcurrentTransition | ValidationError), repr(loser)
    if isinstance(loser, ValidationError):
        assert codes(loser) == {"already_claimed"}
    app.refresh_from_db()
    assert app.state == PledgeState.UNDER_REVIEW
    assert StateLog.objects.for_(app).count() == 1


def _wait_for_a_lock_wait(timeout: float = 20) -> None:
    """Until another connection is blocked waiting for a row lock."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("nobody waited for the lock")


def test_registration_and_closing_the_pledge_listing_are_one_transaction():
    """The registration closes the pledge listing the holder applied from. While that
    listing is locked by the holder withdrawing it, nothing of the registration may be
    visible; and the registration must not fail because the listing came down meanwhile."""
    # given an application from a published pledge listing, its contract signed
    holder = OrganizationFactory(verification_state="verified")
    member = MembershipFactory(organization=holder).user
    asset = IPAssetFactory(holder=holder)
    listing = ListingFactory(holder=holder, intent="pledge", state="published", assets=[asset])
    app = PledgeApplicationFactory(
        state="contract_signed", applicant=holder, assets=[asset], listing=listing
    )
    reviewer = MembershipFactory(organization=app.bank, role="reviewer").user
    locked, go = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def withdraw_listing() -> None:
        try:
            with transaction.atomic():
                Listing.objects.select_for_update().get(pk=listing.pk)
                locked.set()
                assert go.wait(timeout=30)
                listing_withdraw(listing=listing, by=member)
            outcomes["withdraw"] = "ok"
        except Exception as error:  # asserted on below
            outcomes["withdraw"] = error
        finally:
            connection.close()

    def register() -> None:
        try:
            services.pledge_register(
                application=app,
                by=reviewer,
                registration_number="Y2026410000123",
                registration_date=timezone.localdate(),
                secured_amount=Decimal("1000000.00"),
            )
            outcomes["register"] = "ok"
        except Exception as error:  # asserted on below
            outcomes["register"] = error
        finally:
            connection.close()

    holder_thread = threading.Thread(target=withdraw_listing)
    holder_thread.start()
    assert locked.wait(timeout=30)
    bank_thread = threading.Thread(target=register)
    bank_thread.start()

    # when the registration waits for the listing's lock
    try:
        _wait_for_a_lock_wait()
        # then nothing of it is committed yet
        app.refresh_from_db()
        assert app.state == PledgeState.CONTRACT_SIGNED
        assert not PledgedAsset.objects.filter(active=True).exists()
    finally:
        go.set()
        holder_thread.join(timeout=60)
        bank_thread.join(timeout=60)

    # and once the holder's withdrawal commits, the registration goes through all the same
    assert outcomes == {"withdraw": "ok", "register": "ok"}, outcomes
    app.refresh_from_db()
    listing.refresh_from_db()
    assert (app.state, listing.state) == (PledgeState.REGISTERED, ListingState.WITHDRAWN)
    assert PledgedAsset.objects.get(active=True).application == app
