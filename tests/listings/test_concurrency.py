"""Two listings of the same asset reviewed at the same moment (PostgreSQL row locks):
only one may go live."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from listings import services
from listings.models import Listing
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_listings_of_one_asset_cannot_both_be_published():
    # given one asset in two listings, both pending review (submitted before the rule
    # could see the other: the second was submitted while the first was still a draft)
    holder = OrganizationFactory(verification_state="verified")
    member = MembershipFactory(organization=holder).user
    asset = IPAssetFactory(holder=holder)
    until = timezone.localdate() + datetime.timedelta(days=90)
    first, second = (
        services.listing_create(by=member, holder=holder, assets=[asset], title=title,
                                intent="transfer", valid_until=until)
        for title in ("转让", "许可")
    )  # fmt: skip
    Listing.objects.filter(pk__in=[first.pk, second.pk]).update(state="pending_review")
    staff = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    start = threading.Barrier(2, timeout=10)
    outcomes: dict[int, object] = {}

    def publish(listing: Listing, by) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            services.listing_publish(listing=listing, by=by)
            outcomes[listing.pk] = "ok"
        except Exception as error:  # asserted on below
            outcomes[listing.pk] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=publish, args=(listing, by))
        for listing, by in zip((first, second), staff, strict=True)
    ]
    # when two staff members publish them at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then one is published and the other refused because the asset is taken
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(map(str, outcomes.values())).count("ok") == 1, outcomes
    loser = next(outcome for outcome in outcomes.values() if outcome != "ok")
    assert isinstance(loser, ValidationError), repr(loser)
    assert any("already in" in message for message in loser.messages)
    assert Listing.objects.filter(state="published").count() == 1
