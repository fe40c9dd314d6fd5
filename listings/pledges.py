"""Which assets are pledged, asked of the pledges app without importing it.

Listings sit below pledges in the layers (pledges imports listings, never the reverse),
yet a listing must know whether its assets are pledged: a pledged right is transferred or
licensed only with the pledgee's consent (Civil Code art. 444), so a transfer or licence
listing of one is published only once the pledgee bank has recorded its consent to it,
and a pledged right cannot be listed for a second pledge.

So this module declares the question and the pledges app answers it: `PledgesConfig.ready()`
registers its `PledgeRegister` with `register_pledge_register`. The listing services, the
holder's form and the moderator's review page ask through the functions below. Without a
registered register (the pledges app not installed) no asset is pledged.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.utils.translation import pgettext

if TYPE_CHECKING:
    from marketplace.parties.models import User

    from .models import IPAsset, Listing


@dataclass(frozen=True)
class ListingConsent:
    """The pledgee's recorded consent to one listing."""

    given_by: str
    given_at: datetime.datetime
    note: str


@dataclass(frozen=True)
class AssetPledge:
    """An active pledge of one asset (registered and not yet released), as a listing
    needs to know it; `consent` is the pledgee's consent to the listing asked about."""

    asset_id: int
    application_id: int
    pledgee_id: int
    pledgee: str  # the bank's name
    registration_number: str
    registration_date: datetime.date | None
    consent: ListingConsent | None = None


class PledgeRegister(Protocol):
    def active_pledges(
        self, *, asset_ids: Sequence[int], listing_id: int | None
    ) -> dict[int, AssetPledge]:
        """The active pledge of each of these assets that has one (a fixed number of
        queries), with the pledgee's consent to `listing_id` if it gave one."""
        ...

    def consent_requested(
        self, *, listing: "Listing", pledges: Sequence[AssetPledge], by: "User | None"
    ) -> None:
        """A listing of pledged assets was sent for review: tell each pledgee it waits for
        its consent (inside the listing's transaction)."""
        ...


class _NoPledges:
    def active_pledges(
        self, *, asset_ids: Sequence[int], listing_id: int | None
    ) -> dict[int, AssetPledge]:
        return {}

    def consent_requested(
        self, *, listing: "Listing", pledges: Sequence[AssetPledge], by: "User | None"
    ) -> None:
        return None


_register: PledgeRegister = _NoPledges()


def register_pledge_register(register: PledgeRegister) -> None:
    global _register
    _register = register


def active_pledges(
    *, assets: Iterable["IPAsset"], listing: "Listing | None" = None
) -> dict[int, AssetPledge]:
    """The active pledge of each asset that has one, by asset id (with the pledgee's
    consent to `listing`, if given)."""
    asset_ids = sorted({asset.pk for asset in assets})
    if not asset_ids:
        return {}
    return _register.active_pledges(
        asset_ids=asset_ids, listing_id=listing.pk if listing is not None else None
    )


def awaiting_consent(pledges: Iterable[AssetPledge]) -> list[AssetPledge]:
    return [pledge for pledge in pledges if pledge.consent is None]


def pledgees(pledges: Iterable[AssetPledge]) -> str:
    """The banks' names, each once, in the order met: “中国银行郑州分行、中原银行”."""
    names = list(dict.fromkeys(pledge.pledgee for pledge in pledges))
    return pgettext("list separator", ", ").join(names)


def consent_requested(
    *, listing: "Listing", pledges: Sequence[AssetPledge], by: "User | None"
) -> None:
    if pledges:
        _register.consent_requested(listing=listing, pledges=pledges, by=by)
