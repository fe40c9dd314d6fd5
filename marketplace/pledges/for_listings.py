"""The pledges app's answer to the listings' question “which of these assets are pledged?”
(`listings.pledges`): listings sit below pledges and cannot import them, so
`PledgesConfig.ready()` registers this register with them."""

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy

from listings.models import Listing
from listings.pledges import AssetPledge, ListingConsent
from marketplace.notifications.services import notify_organizations
from marketplace.parties.models import User

from .models import PledgeConsent, PledgedAsset


class PledgeRegisterForListings:
    def active_pledges(
        self, *, asset_ids: Sequence[int], listing_id: int | None
    ) -> dict[int, AssetPledge]:
        """Two queries at most: the active pledges, then the consents to the listing."""
        rows = list(
            PledgedAsset.objects.filter(asset_id__in=asset_ids, active=True)
            .select_related("application__bank")
            .order_by("asset_id")
        )
        if not rows:
            return {}
        consents: dict[int, PledgeConsent] = {}
        if listing_id is not None:
            consents = {
                consent.application_id: consent
                for consent in PledgeConsent.objects.filter(
                    listing_id=listing_id,
                    application_id__in={row.application_id for row in rows},
                ).select_related("given_by")
            }
        pledges = {}
        for row in rows:
            application = row.application
            consent = consents.get(row.application_id)
            pledges[row.asset_id] = AssetPledge(
                asset_id=row.asset_id,
                application_id=application.pk,
                pledgee_id=application.bank_id,
                pledgee=application.bank.name,
                registration_number=application.registration_number,
                registration_date=application.registration_date,
                consent=(
                    ListingConsent(
                        given_by=str(consent.given_by),
                        given_at=consent.created_at,
                        note=consent.note,
                    )
                    if consent is not None
                    else None
                ),
            )
        return pledges

    def consent_requested(
        self, *, listing: Listing, pledges: Sequence[AssetPledge], by: User | None
    ) -> None:
        """Each pledgee bank hears that the listing waits for its consent, on the page of
        its pledge where it gives it."""
        for application_id in dict.fromkeys(pledge.application_id for pledge in pledges):
            pledge = next(p for p in pledges if p.application_id == application_id)
            notify_organizations(
                organizations=[pledge.pledgee_id],
                event="pledges.listing_consent_requested",
                message=gettext_lazy(
                    "%(holder)s put an asset pledged to you in the listing “%(listing)s” "
                    "(%(intent)s): it is published only with your consent."
                ),
                params={
                    "holder": listing.holder.name,
                    "intent": listing.get_intent_display(),
                    "listing": listing.title,
                },
                url=reverse("bank:application", args=[application_id]) + "#consent",
                actor=by,
                target=listing,
            )
