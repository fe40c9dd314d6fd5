"""Reads for pledge applications, each with what its page needs (a fixed number of queries)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.models import AssetStatus, IPAsset
from listings.selectors import AssetNote
from marketplace.parties.models import User
from marketplace.parties.selectors import acting_organization_ids, bank_reviewer_memberships

from .models import PledgeApplication, PledgedAsset, PledgeState

# --- the bank's queue ------------------------------------------------------------------
# The queue is split into tabs by what the reviewer has to do with a file; its default tab
# is the work waiting for them. Each tab has its usual order (a sort of BANK_QUEUE_SORTS).

# Approved until repaid: the bank still has a step to record (contract, registration,
# disbursement, repayment, default, disposal, and after repayment the release).
IN_PROGRESS_STATES = (
    PledgeState.APPROVED,
    PledgeState.CONTRACT_SIGNED,
    PledgeState.REGISTERED,
    PledgeState.DISBURSED,
    PledgeState.OVERDUE,
    PledgeState.DEFAULTED,
    PledgeState.REPAID,
)
# Finished one way or the other: nothing left for the bank to record.
CLOSED_STATES = (
    PledgeState.RELEASED,
    PledgeState.REJECTED,
    PledgeState.WITHDRAWN,
    PledgeState.CANCELLED,
    PledgeState.DISPOSED,
)

# The order of the "stage" sort: the review first, then the files that need the bank now
# (overdue, defaulted), the steps after approval in their order, running loans, and the
# files that wait for the holder; closed files last.
_STAGE_RANK = {
    PledgeState.SUBMITTED: 0,
    PledgeState.UNDER_REVIEW: 0,
    PledgeState.OVERDUE: 1,
    PledgeState.DEFAULTED: 2,
    PledgeState.APPROVED: 3,
    PledgeState.CONTRACT_SIGNED: 4,
    PledgeState.REGISTERED: 5,
    PledgeState.REPAID: 6,
    PledgeState.DISBURSED: 7,
    PledgeState.RETURNED: 8,
}
_CLOSED_RANK = 9
_STAGE = Case(
    *[When(state=state, then=Value(rank)) for state, rank in _STAGE_RANK.items()],
    default=Value(_CLOSED_RANK),
    output_field=IntegerField(),
)

BANK_QUEUE_SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "oldest": ("state_changed_at", "pk"),  # longest in its state (waiting) first
    "newest": ("-state_changed_at", "-pk"),  # most recent change first
    "amount": ("-requested_amount", "pk"),
    "stage": (_STAGE.asc(), "state_changed_at", "pk"),  # the bank's work first
}


@dataclass(frozen=True)
class BankQueueTab:
    key: str
    states: tuple[str, ...]  # the states its files can be in (the state filter's choices)
    sort: str  # its usual order

    def condition(self, user: User) -> Q:
        """Which of the bank's files the tab holds for `user`."""
        if self.key == "waiting":  # new and resubmitted files, and the reviews `user` claimed
            return Q(state=PledgeState.SUBMITTED) | Q(state=PledgeState.UNDER_REVIEW, reviewer=user)
        if self.key == "colleagues":  # in review by another reviewer (or one since removed)
            return Q(state=PledgeState.UNDER_REVIEW) & ~Q(reviewer=user)
        return Q(state__in=self.states)


_ALL_STATES = tuple(state for state in PledgeState if state != PledgeState.DRAFT)
BANK_QUEUE_TABS = {
    tab.key: tab
    for tab in (
        BankQueueTab("waiting", (PledgeState.SUBMITTED, PledgeState.UNDER_REVIEW), "oldest"),
        BankQueueTab("colleagues", (PledgeState.UNDER_REVIEW,), "oldest"),
        BankQueueTab("returned", (PledgeState.RETURNED,), "oldest"),
        BankQueueTab("in_progress", IN_PROGRESS_STATES, "stage"),
        BankQueueTab("closed", CLOSED_STATES, "newest"),
        BankQueueTab("all", _ALL_STATES, "stage"),
    )
}
DEFAULT_BANK_QUEUE_TAB = "waiting"


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
    *,
    user: User,
    tab: str = "all",
    state: str = "",
    sort: str = "",
    mine: bool = False,
) -> QuerySet[PledgeApplication]:
    """Applications addressed to the banks `user` reviews for, never drafts (the bank
    does not see a draft): those of one tab of the queue (BANK_QUEUE_TABS; "all" by
    default), optionally of one state, or only those `user` claimed; in the tab's usual
    order unless `sort` names another. Unknown values are the defaults."""
    queue_tab = BANK_QUEUE_TABS.get(tab, BANK_QUEUE_TABS["all"])
    queryset = (
        _addressed_to_banks_of(user)
        .filter(queue_tab.condition(user))
        .select_related("applicant", "bank", "reviewer")
        .prefetch_related(_assets_prefetch())
    )
    if state:
        queryset = queryset.filter(state=state)
    if mine:
        queryset = queryset.filter(reviewer=user)
    order = BANK_QUEUE_SORTS.get(sort) or BANK_QUEUE_SORTS[queue_tab.sort]
    return queryset.order_by(*order)


@dataclass(frozen=True)
class BankQueueCounts:
    by_state: dict[str, int]  # every state the bank sees → its files
    by_tab: dict[str, int]  # every tab of BANK_QUEUE_TABS → its files (for `user`)


def bank_queue_counts(*, user: User) -> BankQueueCounts:
    """How many files each state and each tab of `user`'s queue holds (one query)."""
    rows = list(
        _addressed_to_banks_of(user)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(reviewer=user)))
    )
    by_state = {row["state"]: row["n"] for row in rows}
    mine_in_review = next(
        (row["mine"] for row in rows if row["state"] == PledgeState.UNDER_REVIEW), 0
    )
    by_tab = {
        key: sum(by_state.get(state, 0) for state in tab.states)
        for key, tab in BANK_QUEUE_TABS.items()
    }
    by_tab["waiting"] = by_state.get(PledgeState.SUBMITTED, 0) + mine_in_review
    by_tab["colleagues"] = by_state.get(PledgeState.UNDER_REVIEW, 0) - mine_in_review
    return BankQueueCounts(by_state=by_state, by_tab=by_tab)


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
