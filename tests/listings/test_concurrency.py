"""Two drafts of the same asset submitted at the same moment (PostgreSQL row locks on
the assets): only one may go to review."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from listings import services
from listings.models import Listing
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_listings_of_one_asset_cannot_both_be_published():
    # given one asset in two draft listings, each submitted by a different member
    holder = OrganizationFactory(verification_state="verified")
    member = MembershipFactory(organization=holder).user
    asset = IPAssetFactory(holder=holder)
    until = timezone.localdate() + datetime.timedelta(days=90)
    first, second = (
        services.listing_create(by=member, holder=holder, assets=[asset], title=title,
                                intent="transfer", valid_until=until)
        for title in ("转让", "许可")
    )  # fmt: skip
    members = [member, MembershipFactory(organization=holder).user]
    start = threading.Barrier(2, timeout=10)
    outcomes: dict[int, object] = {}

    def submit(listing: Listing, by) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            services.listing_submit(listing=listing, by=by)
            outcomes[listing.pk] = "ok"
        except Exception as error:  # asserted on below
            outcomes[listing.pk] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=(listing, by))
        for listing, by in zip((first, second), members, strict=True)
    ]
    # when both are submitted at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then one goes to review and the other is refused because the asset is taken
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(map(str, outcomes.values())).count("ok") == 1, outcomes
    loser = next(outcome for outcome in outcomes.values() if outcome != "ok")
    assert isinstance(loser, ValidationError), repr(loser)
    # (the thread speaks the default language, so compare the code, not the words)
    assert {error.code for error in loser.error_list} == {"not_ready"}
    assert Listing.objects.filter(state="pending_review").count() == 1
