"""Every write to transfer and licence deals.

As for pledge applications, a transition locks the deal, checks who acts and whether the
state allows the move, checks the rules, runs the transition (django-fsm-log writes the
audit row), saves and queues the notice to the party that acts next — one transaction.

Who acts: members of the buyer propose and withdraw; members of the seller accept and
decline; each party signs for itself (the contract counts as signed when both have);
either party files the recordal and uploads the authority's evidence of it; either party
or platform staff cancel (staff alone once the recordal is filed). Money arriving — the
deposit, then the balance — is reported by the payments app (a provider's webhook, or staff
confirming an offline transfer), never by a party. Platform staff complete the deal, by
accepting the recordal evidence: a party's word that the recordal took effect is not
enough, and the seller is paid out of escrow only then.

Rules (DESIGN.md): buyer ≠ seller; an asset under an active pledge is transferred or
licensed only with the pledgee bank's recorded consent (Civil Code art. 444); an
exclusive (or sole) licence in force excludes any further licence of the asset, and a new
exclusive or sole licence needs an asset without licences in force; the deal completes
only with the balance in escrow and the recordal evidence accepted by staff.
"""

import datetime
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from listings.models import IPAsset, LicenceType, Listing, ListingIntent, ListingState
from listings.services import assets_change_holder, listing_close
from marketplace.documents.models import DocumentKind
from marketplace.documents.services import document_delete, document_upload
from marketplace.i18n import local_name, local_name_lazy, localized_lazy
from marketplace.money import format_yuan_exact
from marketplace.notifications.services import notify_organizations
from marketplace.parties.models import Organization, User, VerificationState
from marketplace.parties.selectors import acting_memberships
from marketplace.pledges.models import PledgeConsent, PledgedAsset

from .models import (
    COMMITTED_DEAL_STATES,
    OPEN_DEAL_STATES,
    Deal,
    DealKind,
    DealState,
    EvidenceState,
    Licence,
    RecordalEvidence,
)

MAX_PRICE = Decimal("9999999999999999.99")
DEFAULT_DEPOSIT_RATE = Decimal("0.10")  # 10 % of the price unless the seller sets another
EXCLUSIVE_TYPES = (LicenceType.EXCLUSIVE, LicenceType.SOLE)

Side = Literal["buyer", "seller", "either", "either_or_staff", "staff", "system"]


# --- who may act ---------------------------------------------------------------------------


def _acting_for(user: User | None, organization_ids: Sequence[int]) -> set[int]:
    """Which of `organization_ids` `user` acts for (not as a bank reviewer), in one query."""
    if user is None or not user.is_authenticated:
        return set()
    return set(
        acting_memberships(user=user)
        .filter(organization_id__in=organization_ids)
        .values_list("organization_id", flat=True)
    )


def party_of(*, user: User | None, deal: Deal) -> str | None:
    """ "buyer", "seller" or None: which side of the deal `user` acts for (the seller's
    side first, should `user` belong to both)."""
    acting = _acting_for(user, [deal.seller_id, deal.buyer_id])
    if deal.seller_id in acting:
        return "seller"
    if deal.buyer_id in acting:
        return "buyer"
    return None


def _authorise(*, by: User | None, deal: Deal, side: Side) -> str | None:
    if side == "system":
        return None
    party = party_of(user=by, deal=deal)
    if side in ("buyer", "seller") and party != side:
        if side == "buyer":
            raise PermissionDenied(_("Only the buyer can do this."))
        raise PermissionDenied(_("Only the seller can do this."))
    if side == "either" and party is None:
        raise PermissionDenied(_("Only the parties to the deal can do this."))
    if side == "either_or_staff" and party is None and not _is_staff(by):
        raise PermissionDenied(_("Only the parties to the deal or platform staff can do this."))
    if side == "staff" and not _is_staff(by):
        raise PermissionDenied(_("Only platform staff can do this."))
    return party


def _is_staff(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_staff


# --- the rules -----------------------------------------------------------------------------


def _listing_assets(listing: Listing, *, lock: bool = False) -> list[IPAsset]:
    queryset = IPAsset.objects.filter(listings=listing).order_by("pk")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return list(queryset)


def _pledge_errors(deal: Deal, assets: Sequence[IPAsset]) -> list[ValidationError]:
    """An asset under an active pledge needs the pledgee's consent to this deal."""
    pledged = (
        PledgedAsset.objects.filter(asset__in=assets, active=True)
        .select_related("asset", "application__bank")
        .order_by("asset_id")
    )
    consented = set(
        PledgeConsent.objects.filter(deal=deal).values_list("application_id", flat=True)
    )
    return [
        ValidationError(
            _(
                "%(asset)s is pledged to %(bank)s: it can be transferred or licensed only with "
                "the bank's consent (Civil Code art. 444). Ask the bank to record its consent."
            )
            % {"asset": row.asset, "bank": local_name(row.application.bank)},
            code="pledged_without_consent",
        )
        for row in pledged
        if row.application_id not in consented
    ]


def _licence_errors(
    licence_type: str, assets: Sequence[IPAsset], *, on: datetime.date
) -> list[ValidationError]:
    """An exclusive or sole licence in force excludes any other; a new exclusive or sole
    licence needs an asset without licences in force."""
    errors: list[ValidationError] = []
    in_force = Licence.objects.in_force(on=on).filter(asset__in=assets).select_related("asset")
    for licence in in_force:
        if licence.licence_type in EXCLUSIVE_TYPES:
            errors.append(
                ValidationError(
                    _(
                        "%(asset)s is under an %(type)s until %(end)s; "
                        "no further licence is possible."
                    )
                    % {
                        "asset": licence.asset,
                        "type": licence.get_licence_type_display(),
                        "end": licence.end.isoformat() if licence.end else "—",
                    },
                    code="exclusive_licence",
                )
            )
        elif licence_type in EXCLUSIVE_TYPES:
            errors.append(
                ValidationError(
                    _(
                        "%(asset)s is already licensed; "
                        "an exclusive or sole licence is not possible."
                    )
                    % {"asset": licence.asset},
                    code="already_licensed",
                )
            )
    return errors


def _rights_errors(deal: Deal, assets: Sequence[IPAsset]) -> list[ValidationError]:
    errors = [
        ValidationError(
            _("%(asset)s is no longer held by the seller.") % {"asset": asset},
            code="not_holder",
        )
        for asset in assets
        if asset.holder_id != deal.seller_id
    ]
    errors += _pledge_errors(deal, assets)
    if deal.kind == DealKind.LICENCE:
        errors += _licence_errors(
            deal.licence_type, assets, on=deal.licence_start or timezone.localdate()
        )
    return errors


def _raise(errors: list[ValidationError]) -> None:
    if errors:
        raise ValidationError(errors)


# --- notices -------------------------------------------------------------------------------

NOTICES: dict[str, tuple[str, Any]] = {
    "propose": ("seller", gettext_lazy("%(buyer)s made an offer of %(price)s on “%(listing)s”.")),
    "accept": (
        "buyer",
        gettext_lazy("%(seller)s accepted your offer on “%(listing)s”; pay the deposit next."),
    ),
    "decline": ("buyer", gettext_lazy("%(seller)s declined your offer on “%(listing)s”.")),
    "withdraw": ("seller", gettext_lazy("%(buyer)s withdrew the offer on “%(listing)s”.")),
    "pay_deposit": (
        "both",
        gettext_lazy("The deposit for “%(listing)s” is received; sign the contract next."),
    ),
    "sign_contract": (
        "both",
        gettext_lazy(
            "The contract for “%(listing)s” is signed by both parties; the buyer now pays "
            "the balance into the platform's escrow account."
        ),
    ),
    "pay_balance": (
        "both",
        gettext_lazy(
            "The balance for “%(listing)s” is in the platform's escrow account; file the "
            "recordal with the authority next."
        ),
    ),
    "file_recordal": (
        "other",
        gettext_lazy(
            "The recordal for “%(listing)s” is filed; upload the authority's document once "
            "it is issued."
        ),
    ),
    "complete": (
        "both",
        gettext_lazy(
            "Platform staff accepted the recordal evidence: the deal on “%(listing)s” is "
            "completed and the price is paid out to the seller."
        ),
    ),
    "cancel": ("both", gettext_lazy("The deal on “%(listing)s” was cancelled.")),
}


def _notify(deal: Deal, name: str, by: User | None, party: str | None) -> None:
    side, message = NOTICES[name]
    if side == "both":
        recipients = [deal.seller_id, deal.buyer_id]
    elif side == "other":
        recipients = [deal.buyer_id if party == "seller" else deal.seller_id]
    else:
        recipients = [deal.seller_id if side == "seller" else deal.buyer_id]
    notify_organizations(
        organizations=recipients,
        event=f"deals.{name}",
        message=message,
        params={
            # Rendered in every language: each reader gets the names in theirs.
            "listing": localized_lazy(deal.listing.title, deal.listing.title_en),
            "buyer": local_name_lazy(deal.buyer),
            "seller": local_name_lazy(deal.seller),
            "price": format_yuan_exact(deal.price, always_fen=True),
        },
        url=reverse("deals:detail", args=[deal.pk]),
        actor=by,
        target=deal,
    )


# --- the transition runner -----------------------------------------------------------------


def _run(
    *,
    deal: Deal,
    by: User | None,
    name: str,
    side: Side,
    note: str = "",
    check: Callable[[Deal], None] | None = None,
    apply: Callable[[Deal], None] | None = None,
    after: Callable[[Deal], object] | None = None,
) -> Deal:
    try:
        with transaction.atomic():
            locked = (
                Deal.objects.select_for_update(of=("self",))
                .select_related("listing", "buyer", "seller")
                .get(pk=deal.pk)
            )
            party = _authorise(by=by, deal=locked, side=side)
            method = getattr(locked, name)
            if not can_proceed(method, check_conditions=False):
                raise ValidationError(
                    _("This deal is “%(state)s”, so that step is not possible now.")
                    % {"state": locked.get_state_display()},
                    code="invalid_transition",
                )
            if check is not None:
                check(locked)
            if apply is not None:
                apply(locked)
            method(by=by, description=note)
            locked.state_changed_at = timezone.now()
            locked.save()
            if after is not None:
                after(locked)
            _notify(locked, name, by, party)
    except ConcurrentTransition:
        raise ValidationError(
            _("This deal was changed by someone else meanwhile. Reload it and try again."),
            code="concurrent_transition",
        ) from None
    return locked


# --- the offer -----------------------------------------------------------------------------


def deal_propose(
    *,
    by: User,
    buyer: Organization,
    listing: Listing,
    price: Decimal | None,
    message: str = "",
    territory: str = "",
    licence_start: datetime.date | None = None,
    licence_end: datetime.date | None = None,
    royalty: str = "",
) -> Deal:
    """A member of a verified buyer offers on a published transfer or licence listing of
    another organisation; one open offer per buyer and listing."""
    acting = _acting_for(by, [buyer.pk, listing.holder_id])
    if buyer.pk not in acting:
        raise PermissionDenied(_("Only members of the buying organisation can make an offer."))
    if buyer.pk != listing.holder_id and listing.holder_id in acting:
        # One person on both sides of a deal could accept their own offer.
        raise PermissionDenied(_("A member of the seller cannot make an offer on its listing."))
    errors: dict[str, list[str]] = {}
    if buyer.verification_state != VerificationState.VERIFIED:
        errors["buyer"] = [_("Your organisation must be verified by platform staff first.")]
    elif buyer.pk == listing.holder_id:
        errors["buyer"] = [_("An organisation cannot buy its own listing.")]
    if price is None or price <= 0:
        errors["price"] = [_("Enter your offer, above zero.")]
    elif price > MAX_PRICE:
        errors["price"] = [_("This amount is too large.")]
    assets = _listing_assets(listing)
    if listing.intent == ListingIntent.LICENCE:
        today = timezone.localdate()
        if not territory.strip():
            errors["territory"] = [_("Say where the licence applies (e.g. mainland China).")]
        if licence_start is None or licence_start < today:
            errors["licence_start"] = [_("The licence starts today or later.")]
        if licence_end is None or (licence_start and licence_end <= licence_start):
            errors["licence_end"] = [_("The licence ends after it starts.")]
        else:
            expiring = [a for a in assets if a.expiry_date and a.expiry_date < licence_end]
            if expiring:
                errors["licence_end"] = [
                    _("%(asset)s expires on %(expiry)s, before the licence would end.")
                    % {"asset": expiring[0], "expiry": str(expiring[0].expiry_date)}
                ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        if listing.state != ListingState.PUBLISHED or listing.intent not in (
            ListingIntent.TRANSFER,
            ListingIntent.LICENCE,
        ):
            raise ValidationError(
                _("Offers are made on published transfer or licence listings only."),
                code="listing_not_open",
            )
        if Deal.objects.filter(listing=listing, buyer=buyer, state__in=OPEN_DEAL_STATES).exists():
            raise ValidationError(
                _("Your organisation already has an open offer on this listing."),
                code="duplicate_offer",
            )
        if listing.intent == ListingIntent.LICENCE:
            _raise(
                _licence_errors(
                    listing.licence_type, assets, on=licence_start or timezone.localdate()
                )
            )
        deal = Deal.objects.create(
            listing=listing,
            kind=listing.intent,
            seller_id=listing.holder_id,
            buyer=buyer,
            price=price,
            message=message.strip()[:2000],
            licence_type=listing.licence_type if listing.intent == ListingIntent.LICENCE else "",
            territory=territory.strip(),
            licence_start=licence_start,
            licence_end=licence_end,
            royalty=royalty.strip(),
            created_by=by,
        )
        # Proposed under the listing's lock: a second offer of the same buyer waiting for
        # that lock must find this one open (a deal still "new" would not count).
        return _run(deal=deal, by=by, name="propose", side="buyer")


def deal_accept(
    *, deal: Deal, by: User, deposit_amount: Decimal | None = None, note: str = ""
) -> Deal:
    """The seller accepts; the buyer then owes the deposit (10 % of the price unless the
    seller sets another amount, at most the price). A transfer listing takes one accepted
    offer at a time, and so does an exclusive or sole licence listing."""
    from marketplace.payments.services import payment_deposit_request

    if deposit_amount is not None and deposit_amount <= 0:
        raise ValidationError({"deposit_amount": [_("The deposit is above zero.")]})

    def check(d: Deal) -> None:
        if deposit_amount is not None and deposit_amount > d.price:
            raise ValidationError({"deposit_amount": [_("The deposit cannot exceed the price.")]})
        if d.listing.state != ListingState.PUBLISHED:
            raise ValidationError(
                _("The listing is “%(state)s”; offers on it can no longer be accepted.")
                % {"state": d.listing.get_state_display()},
                code="listing_not_open",
            )
        one_at_a_time = d.kind == DealKind.TRANSFER or d.licence_type in EXCLUSIVE_TYPES

        def refuse_if_committed() -> None:
            if one_at_a_time and (
                Deal.objects.filter(listing_id=d.listing_id, state__in=COMMITTED_DEAL_STATES)
                .exclude(pk=d.pk)
                .exists()
            ):
                raise ValidationError(
                    _("Another offer on this listing is already accepted."),
                    code="already_committed",
                )

        refuse_if_committed()
        assets = _listing_assets(d.listing, lock=True)
        # Two acceptances on one listing (each holding only its own deal's lock) queue up
        # on the assets' locks: look again now, as the other may have committed meanwhile.
        refuse_if_committed()
        _raise(_rights_errors(d, assets))

    def apply(d: Deal) -> None:
        d.deposit_amount = deposit_amount or max(
            (d.price * DEFAULT_DEPOSIT_RATE).quantize(Decimal("0.01"), ROUND_HALF_UP),
            Decimal("0.01"),
        )

    return _run(
        deal=deal,
        by=by,
        name="accept",
        side="seller",
        note=note.strip(),
        check=check,
        apply=apply,
        after=lambda d: payment_deposit_request(deal=d),
    )


def deal_decline(*, deal: Deal, by: User, reason: str) -> Deal:
    """The seller says no, with a reason the buyer reads."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the buyer a reason.")]})
    return _run(deal=deal, by=by, name="decline", side="seller", note=reason.strip())


def deal_withdraw(*, deal: Deal, by: User, note: str = "") -> Deal:
    """The buyer takes the offer back before the seller answers."""
    return _run(deal=deal, by=by, name="withdraw", side="buyer", note=note.strip())


def deal_pay_deposit(*, deal: Deal, by: User | None = None) -> Deal:
    """The deposit arrived (called by the payments app only: the Stripe webhook, or staff
    confirming an offline transfer)."""
    return _run(deal=deal, by=by, name="pay_deposit", side="system")


def deal_sign(*, deal: Deal, by: User) -> Deal:
    """A party records that it signed the contract; when both have, the deal moves to
    contract_signed and the buyer owes the balance (the price less the deposit; with none
    owed the deal moves straight on to balance_paid). Signing twice changes nothing."""
    from marketplace.payments.services import payment_balance_request

    with transaction.atomic():
        locked = (
            Deal.objects.select_for_update(of=("self",))
            .select_related("listing", "buyer", "seller")
            .get(pk=deal.pk)
        )
        party = _authorise(by=by, deal=locked, side="either")
        if locked.state != DealState.DEPOSIT_PAID:
            raise ValidationError(
                _("This deal is “%(state)s”, so that step is not possible now.")
                % {"state": locked.get_state_display()},
                code="invalid_transition",
            )
        now = timezone.now()
        if party == "seller" and locked.seller_signed_at is None:
            locked.seller_signed_at = now
        elif party == "buyer" and locked.buyer_signed_at is None:
            locked.buyer_signed_at = now
        else:
            return locked
        locked.save(update_fields=["seller_signed_at", "buyer_signed_at", "updated_at"])
        if locked.signed_by_both():
            # Both signatures are in: the transition, under the lock already held; the
            # buyer now owes the balance.
            balance: list[object] = []
            locked = _run(
                deal=locked,
                by=by,
                name="sign_contract",
                side="either",
                after=lambda d: balance.append(payment_balance_request(deal=d)),
            )
            if balance == [None]:
                # The deposit was the whole price: nothing more to pay into escrow.
                locked = _run(
                    deal=locked,
                    by=None,
                    name="pay_balance",
                    side="system",
                    note=_("No balance is owed: the deposit was the whole price."),
                )
            return locked
        notify_organizations(
            organizations=[locked.buyer_id if party == "seller" else locked.seller_id],
            event="deals.signed_by_one",
            message=gettext_lazy(
                "%(party)s signed the contract for “%(listing)s”; your signature is awaited."
            ),
            params={
                "party": local_name_lazy(locked.seller if party == "seller" else locked.buyer),
                "listing": localized_lazy(locked.listing.title, locked.listing.title_en),
            },
            url=reverse("deals:detail", args=[locked.pk]),
            actor=by,
            target=locked,
        )
    return locked


def deal_pay_balance(*, deal: Deal, by: User | None = None) -> Deal:
    """The balance arrived in escrow (called by the payments app only: a provider's
    webhook, or staff confirming an offline transfer)."""
    return _run(deal=deal, by=by, name="pay_balance", side="system")


def deal_file_recordal(
    *, deal: Deal, by: User, recordal_number: str, recordal_date: datetime.date
) -> Deal:
    """A party records that the transfer or licence was filed for recordal with the
    authority (`deals.recordal`: CNIPA for patents, its Trademark Office for trademarks, a
    copyright registration body for works), once the balance is in escrow."""
    if not recordal_number.strip():
        raise ValidationError({"recordal_number": [_("Enter the recordal number.")]})
    if recordal_date is None:
        raise ValidationError({"recordal_date": [_("Enter the filing date.")]})
    if recordal_date > timezone.localdate():
        raise ValidationError({"recordal_date": [_("This date cannot be in the future.")]})

    def apply(d: Deal) -> None:
        d.recordal_number = recordal_number.strip()
        d.recordal_date = recordal_date

    return _run(deal=deal, by=by, name="file_recordal", side="either", apply=apply)


def _completion_errors(deal: Deal) -> list[ValidationError]:
    """The money and the paper: the balance is in escrow, and staff accepted the
    authority's evidence of the recordal."""
    from marketplace.payments.services import balance_settled

    errors = []
    if not balance_settled(deal=deal):
        errors.append(
            ValidationError(
                _(
                    "The balance of %(amount)s has not arrived in the platform's escrow "
                    "account yet; the deal completes only once it has."
                )
                % {
                    "amount": format_yuan_exact(
                        deal.balance_amount or Decimal("0"), always_fen=True
                    )
                },
                code="balance_not_settled",
            )
        )
    if not deal.recordal_evidence.filter(state=EvidenceState.ACCEPTED).exists():
        errors.append(
            ValidationError(
                _(
                    "The recordal evidence is not accepted yet: a party uploads the "
                    "authority's document and platform staff check it before the deal "
                    "completes."
                ),
                code="evidence_not_accepted",
            )
        )
    return errors


def deal_complete(*, deal: Deal, by: User, note: str = "") -> Deal:
    """Platform staff complete the deal, once the balance is in escrow and they accepted
    the recordal evidence (`recordal_evidence_accept` calls this in its transaction). A
    transfer moves the assets to the buyer; a licence creates one Licence per asset; the
    listing closes and other open offers on it are declined; what the buyer paid into
    escrow is owed to the seller as a payout. The pledge and licence rules are checked
    once more, on locked assets."""
    from marketplace.payments.services import payment_payout_request

    assets: list[IPAsset] = []

    def check(d: Deal) -> None:
        _raise(_completion_errors(d))
        # Lock the waiting offers this completion will decline before the assets, the
        # order deal_accept locks in (its offer, then the assets): else an acceptance
        # holding its offer and a completion holding the assets wait for each other.
        list(
            Deal.objects.select_for_update(of=("self",))
            .filter(listing_id=d.listing_id, state=DealState.PROPOSED)
            .exclude(pk=d.pk)
            .order_by("pk")
        )
        assets.extend(_listing_assets(d.listing, lock=True))
        _raise(_rights_errors(d, assets))

    def after(d: Deal) -> None:
        if d.kind == DealKind.TRANSFER:
            assets_change_holder(assets=assets, new_holder=d.buyer)
        else:
            Licence.objects.bulk_create(
                [
                    Licence(
                        asset=asset,
                        deal=d,
                        licensor=d.seller,
                        licensee=d.buyer,
                        licence_type=d.licence_type,
                        territory=d.territory,
                        start=d.licence_start or timezone.localdate(),
                        end=d.licence_end,
                        royalty=d.royalty,
                        recordal_number=d.recordal_number,
                    )
                    for asset in assets
                ]
            )
        if d.listing.state == ListingState.PUBLISHED:
            listing_close(listing=d.listing, by=by, note=str(d))
        for other in Deal.objects.filter(listing_id=d.listing_id, state=DealState.PROPOSED):
            _run(
                deal=other,
                by=None,
                name="decline",
                side="system",
                note=_("The listing closed: another deal on it completed."),
            )
        payment_payout_request(deal=d)

    return _run(
        deal=deal,
        by=by,
        name="complete",
        side="staff",
        note=note.strip(),
        check=check,
        after=after,
    )


def deal_cancel(*, deal: Deal, by: User, reason: str) -> Deal:
    """A party (or staff) calls the deal off after acceptance and before the recordal is
    filed; after the filing only staff can (the authority refused the recordal, say), so
    that the money in escrow does not stay there. What the buyer paid into escrow (the
    deposit, the balance) is refunded; requests not paid yet are cancelled."""
    from marketplace.payments.services import payment_unwind

    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for the cancellation.")]})

    def check(d: Deal) -> None:
        if d.state == DealState.RECORDAL_FILED and not _is_staff(by):
            raise PermissionDenied(
                _(
                    "Once the recordal is filed, only platform staff can cancel the deal "
                    "(if the authority refuses the recordal, say). Contact them."
                )
            )

    return _run(
        deal=deal,
        by=by,
        name="cancel",
        side="either_or_staff",
        note=reason.strip(),
        check=check,
        after=lambda d: payment_unwind(deal=d),
    )


# --- the recordal evidence -------------------------------------------------------------------


def _lock_deal(deal: Deal) -> Deal:
    return (
        Deal.objects.select_for_update(of=("self",))
        .select_related("listing", "buyer", "seller")
        .get(pk=deal.pk)
    )


def _evidence_can_be_uploaded(deal: Deal) -> None:
    if deal.state != DealState.RECORDAL_FILED:
        raise ValidationError(
            _("This deal is “%(state)s”, so that step is not possible now.")
            % {"state": deal.get_state_display()},
            code="invalid_transition",
        )
    waiting = deal.recordal_evidence.filter(state=EvidenceState.SUBMITTED).first()
    if waiting is not None:
        raise ValidationError(
            _(
                "The recordal evidence uploaded on %(date)s is waiting for platform staff's "
                "check; you can upload another once it has been checked."
            )
            % {"date": timezone.localtime(waiting.submitted_at).strftime("%Y-%m-%d %H:%M")},
            code="evidence_awaiting_check",
        )


def recordal_evidence_submit(*, deal: Deal, by: User, uploaded_file: File) -> RecordalEvidence:
    """A party uploads the authority's document showing the recordal (see
    `deals.recordal` for which one, per asset kind and deal kind) once the recordal is
    filed, for platform staff to check. One upload waits for the check at a time. The file
    is stored first (no transaction open during a slow upload) and deleted again if the
    submission cannot be recorded."""
    fresh = Deal.objects.select_related("listing", "buyer", "seller").get(pk=deal.pk)
    party = _authorise(by=by, deal=fresh, side="either")
    _evidence_can_be_uploaded(fresh)
    document = document_upload(
        by=by,
        organization=fresh.seller if party == "seller" else fresh.buyer,
        kind=DocumentKind.RECORDAL_EVIDENCE,
        uploaded_file=uploaded_file,
        deal=fresh,
    )
    try:
        with transaction.atomic():
            locked = _lock_deal(fresh)
            _evidence_can_be_uploaded(locked)
            evidence = RecordalEvidence.objects.create(
                deal=locked, document=document, submitted_by=by
            )
            notify_organizations(
                organizations=[locked.buyer_id if party == "seller" else locked.seller_id],
                event="deals.evidence_submitted",
                message=gettext_lazy(
                    "%(party)s uploaded the recordal evidence for “%(listing)s”; platform "
                    "staff check it next."
                ),
                params={
                    "party": (locked.seller if party == "seller" else locked.buyer).name,
                    "listing": locked.listing.title,
                },
                url=reverse("deals:detail", args=[locked.pk]),
                actor=by,
                target=locked,
            )
    except BaseException:
        document_delete(by=by, document=document)
        raise
    return evidence


def _lock_evidence(evidence: RecordalEvidence, *, by: User | None) -> RecordalEvidence:
    """Staff only; the deal first, then the evidence (the order uploads lock in)."""
    if not _is_staff(by):
        raise PermissionDenied(_("Only platform staff check recordal evidence."))
    _lock_deal(evidence.deal)
    locked = (
        RecordalEvidence.objects.select_for_update(of=("self",))
        .select_related("deal__listing", "deal__buyer", "deal__seller")
        .get(pk=evidence.pk)
    )
    if locked.state != EvidenceState.SUBMITTED:
        raise ValidationError(
            _("This evidence is “%(state)s”; only evidence awaiting the check can be checked.")
            % {"state": locked.get_state_display()},
            code="invalid_transition",
        )
    return locked


def recordal_evidence_accept(
    *, evidence: RecordalEvidence, by: User, note: str = ""
) -> RecordalEvidence:
    """Platform staff accept the evidence (the authority's document matches the deal's
    assets and parties): the deal completes in the same transaction (`deal_complete`,
    which needs the balance in escrow too). If the deal cannot complete, nothing changes
    and the reason is raised."""
    try:
        with transaction.atomic():
            locked = _lock_evidence(evidence, by=by)
            locked.accept(by=by, description=note.strip()[:500])
            locked.save()
            deal_complete(
                deal=locked.deal,
                by=by,
                note=note.strip() or _("Recordal evidence accepted."),
            )
    except ConcurrentTransition:
        raise ValidationError(
            _("This evidence was checked by someone else meanwhile. Reload it and try again."),
            code="concurrent_transition",
        ) from None
    return locked


def recordal_evidence_reject(
    *, evidence: RecordalEvidence, by: User, reason: str
) -> RecordalEvidence:
    """Platform staff reject the evidence, with a reason both parties read (the wrong
    document, an illegible scan, another holder named …); a party uploads another."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the parties a reason.")]})
    try:
        with transaction.atomic():
            locked = _lock_evidence(evidence, by=by)
            locked.reject(by=by, description=reason.strip()[:500])
            locked.save()
            deal = locked.deal
            notify_organizations(
                organizations=[deal.seller_id, deal.buyer_id],
                event="deals.evidence_rejected",
                message=gettext_lazy(
                    "Platform staff did not accept the recordal evidence for “%(listing)s” "
                    "(%(reason)s); upload the authority's document again."
                ),
                params={"listing": deal.listing.title, "reason": locked.review_note},
                url=reverse("deals:detail", args=[deal.pk]),
                actor=by,
                target=deal,
            )
    except ConcurrentTransition:
        raise ValidationError(
            _("This evidence was checked by someone else meanwhile. Reload it and try again."),
            code="concurrent_transition",
        ) from None
    return locked
