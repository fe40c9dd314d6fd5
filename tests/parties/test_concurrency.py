"""Two staff members act on the same pending organisation at the same moment (PostgreSQL:
SQLite has no row locks, so this is where `select_for_update` is put to the test)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_fsm_log.models import StateLog

from marketplace.parties import services
from marketplace.parties.models import Organization, VerificationState
from tests.factories import OrganizationFactory, UserFactory

# Committed rows, so the threads' own connections see them; serialized_rollback reloads the
# rows the migrations created (the home page, the Wagtail site) that a flush removes.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_verify_and_reject_at_once_one_wins():
    # given a pending organisation and two staff members
    organization = OrganizationFactory()
    verifier = UserFactory(is_staff=True)
    rejecter = UserFactory(is_staff=True)
    start = threading.Barrier(2, timeout=10)
    outcomes: dict[str, object] = {}

    def act(name: str, call) -> None:  # type: ignore[no-untyped-def]
        try:
            # each thread holds a stale copy loaded before the other acted
            stale = Organization.objects.get(pk=organization.pk)
            start.wait()
            call(stale)
            outcomes[name] = "ok"
        except Exception as error:  # recorded and asserted on below
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=(
                "verify",
                lambda org: services.organization_verify(organization=org, by=verifier),
            ),
        ),
        threading.Thread(
            target=act,
            args=(
                "reject",
                lambda org: services.organization_reject(
                    organization=org, by=rejecter, reason="材料不全"
                ),
            ),
        ),
    ]

    # when both act at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then exactly one succeeded; the other was told the state had moved on
    assert not any(thread.is_alive() for thread in threads)
    winners = [name for name, outcome in outcomes.items() if outcome == "ok"]
    losers = [outcome for outcome in outcomes.values() if outcome != "ok"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1
    assert isinstance(losers[0], ValidationError), repr(losers[0])
    assert losers[0].code == "invalid_transition"

    organization.refresh_from_db()
    expected = {"verify": VerificationState.VERIFIED, "reject": VerificationState.REJECTED}
    assert organization.verification_state == expected[winners[0]]
    log = StateLog.objects.for_(organization).get()
    assert log.transition == winners[0]
