"""Reads for pledge applications, each with what its page needs (a fixed number of queries)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.models import AssetStatus, IPAsset
from listings.selectors import AssetNote
from marketplace.parties.models import User
from marketplace.parties.selectors import acting_organization_ids, bank_reviewer_memberships

from .models import PledgeApplication, PledgedAsset, PledgeState

BANK_QUEUE_SORTS = {
    "oldest": ("state_changed_at", "pk"),  # longest in its state first (the default)
    "newest": ("-state_changed_at", "-pk"),
    "amount": ("-requested_amount", "pk"),
}


def _addressed_to_banks_of(user: User) -> QuerySet[PledgeApplication]:
    """Applications addressed to the banks `user` reviews for (a subquery, not a query of
    its own), never drafts: the bank does not see a draft."""
    if not user.is_authenticated:
        return PledgeApplication.objects.none()
    return PledgeApplication.objects.filter(
        bank_id__in=bank_reviewer_memberships().filter(user=user).values("organization_id")
    ).exclude(state=PledgeState.DRAFT)


# Quoted: Prefetch is subscriptable at run time only once django_stubs_ext has patched it,
# and cms.models imports this module while the apps load, possibly before that.
def _assets_prefetch() -> "Prefetch[Any]":
    return Prefetch("assets", queryset=IPAsset.objects.order_by("pk"))


def pledges_for_bank(
    *, user: User, state: str = "", sort: str = "oldest", mine: bool = False
) -> QuerySet[PledgeApplication]:
    """Applications addressed to the banks `user` reviews for, never drafts (the bank
    does not see a draft); optionally one state, or only those `user` claimed."""
    queryset = (
        _addressed_to_banks_of(user)
        .select_related("applicant", "bank", "reviewer")
        .prefetch_related(_assets_prefetch())
    )
    if state:
        queryset = queryset.filter(state=state)
    if mine:
        queryset = queryset.filter(reviewer=user)
    return queryset.order_by(*BANK_QUEUE_SORTS.get(sort, BANK_QUEUE_SORTS["oldest"]))


def pledge_counts_for_bank(*, user: User) -> dict[str, int]:
    from django.db.models import Count

    rows = _addressed_to_banks_of(user).order_by().values_list("state").annotate(n=Count("pk"))
    return dict(rows.values_list("state", "n"))


def pledge_for_bank_reviewer(*, user: User, pk: int) -> PledgeApplication:
    """DoesNotExist unless `user` reviews for the bank it is addressed to (→ 404)."""
    return (
        _addressed_to_banks_of(user)
        .select_related("applicant", "bank", "reviewer", "listing")
        .prefetch_related(_assets_prefetch())
        .get(pk=pk)
    )


def pledges_for_holder(*, user: User) -> QuerySet[PledgeApplication]:
    if not user.is_authenticated:
        return PledgeApplication.objects.none()
    return (
        PledgeApplication.objects.filter(applicant_id__in=acting_organization_ids(user=user))
        .select_related("applicant", "bank")
        .prefetch_related(_assets_prefetch())
        .order_by("-created_at", "-pk")
    )


def pledge_for_holder(*, user: User, pk: int) -> PledgeApplication:
    """DoesNotExist unless `user` is a member of the applicant (→ 404)."""
    if not user.is_authenticated:
        raise PledgeApplication.DoesNotExist
    return (
        PledgeApplication.objects.filter(applicant_id__in=acting_organization_ids(user=user))
        .select_related("applicant", "bank", "reviewer", "listing")
        .prefetch_related(_assets_prefetch())
        .get(pk=pk)
    )


def prior_pledges_of_assets(*, application: PledgeApplication) -> QuerySet[PledgedAsset]:
    """Other applications that pledged (or asked to pledge) the same assets, for the
    reviewer: which bank, what state, when — any bank's, as the public pledge register
    would show them, but without amounts of other banks' loans."""
    return (
        PledgedAsset.objects.filter(asset__in=application.assets.all())
        .exclude(application=application)
        .exclude(application__state=PledgeState.DRAFT)
        .select_related("asset", "application__bank")
        .order_by("-application__created_at")
    )


def assets_under_active_pledge(*, assets: Iterable[IPAsset]) -> dict[int, bool]:
    """Whether each asset is under an active pledge (one query for all of them)."""
    pks = [asset.pk for asset in assets]
    active = set(
        PledgedAsset.objects.filter(asset_id__in=pks, active=True).values_list(
            "asset_id", flat=True
        )
    )
    return {pk: pk in active for pk in pks}


def active_pledges_of_assets(*, assets: Iterable[IPAsset]) -> QuerySet[PledgedAsset]:
    return PledgedAsset.objects.filter(
        asset__in=[a.pk for a in assets], active=True
    ).select_related("application__bank", "asset")


def asset_notes_for_pledge(*, assets: QuerySet[IPAsset]) -> dict[int, list[AssetNote]]:
    """Why each asset that cannot be pledged cannot (the rules of `pledge_submit`: valid,
    granted, not under an active pledge), for the application form's picker to show it
    disabled with the reason. Two queries, whatever the number of assets. (Whether an
    asset outlives the loan depends on the term: its label shows when it expires.)"""
    today = timezone.localdate()
    rows = list(assets.values_list("pk", "status", "grant_date"))
    pledged = {
        row.asset_id: row.application.bank.name
        for row in active_pledges_of_assets(assets=[IPAsset(pk=pk) for pk, *_rest in rows])
    }
    notes: dict[int, list[AssetNote]] = {}
    for pk, status, grant_date in rows:
        if status != AssetStatus.VALID:
            text = _("Cannot be pledged: it is “%(status)s”.") % {
                "status": AssetStatus(status).label
            }
        elif grant_date is None or grant_date > today:
            text = _("Cannot be pledged: it is not granted or registered yet.")
        elif pk in pledged:
            text = _("Cannot be pledged: it is already pledged to %(bank)s.") % {
                "bank": pledged[pk]
            }
        else:
            continue
        notes[pk] = [AssetNote(text, blocks=True)]
    return notes
