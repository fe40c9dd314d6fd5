"""Staff moderation of listings in the Wagtail admin: the index, the review page with its
publish and reject actions (through the services), and the dashboard's pending-review panel."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.permissions import policy_registry

from marketplace.money import format_price_exact
from marketplace.parties.districts import District
from marketplace.parties.models import Organization, VerificationState
from marketplace.parties.moderation import (
    Label,
    ModerationAction,
    ModerationIndexView,
    ModerationView,
    ModerationViewSet,
    NoteForm,
    ReasonForm,
)

from . import pledges, services
from .models import (
    OPEN_LISTING_STATES,
    AssetKind,
    IPAsset,
    Listing,
    ListingIntent,
    ListingState,
)
from .sanitize import sanitize_html

LISTING_INDEX_URL_NAME = "listing_moderation:index"
LISTING_REVIEW_URL_NAME = "listing_moderation:inspect"


def price_display(listing: Listing) -> str:
    return format_price_exact(listing.asking_price)


# --- the index -----------------------------------------------------------------------------


class ListingFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"),
        choices=ListingState.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"),
        choices=AssetKind.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    intent = django_filters.ChoiceFilter(
        label=gettext_lazy("Intent"),
        choices=ListingIntent.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    district = django_filters.ChoiceFilter(
        label=gettext_lazy("District"),
        choices=District.choices,
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Listing
        fields = ["state", "kind", "intent", "district"]


class ListingIndexView(ModerationIndexView):
    def get_base_queryset(self) -> QuerySet[Listing]:
        return super().get_base_queryset().select_related("holder")


# --- the review page -------------------------------------------------------------------------


def _publish(listing: Listing, by: Any, data: dict[str, Any]) -> Listing:
    return services.listing_publish(listing=listing, by=by, note=data["note"])


def _reject(listing: Listing, by: Any, data: dict[str, Any]) -> Listing:
    return services.listing_reject(listing=listing, by=by, reason=data["reason"])


class ListingModerationView(ModerationView):
    template_name = "listings/admin/listing_moderate.html"
    actions = (
        ModerationAction(
            name="publish",
            label=gettext_lazy("Publish"),
            form_class=NoteForm,
            run=_publish,
            done=gettext_lazy("“%(object)s” is published on the portal."),
            failed=gettext_lazy("“%(object)s” was not published: %(reasons)s"),
        ),
        ModerationAction(
            name="reject",
            label=gettext_lazy("Reject"),
            form_class=ReasonForm,
            run=_reject,
            done=gettext_lazy("“%(object)s” was rejected and sent back to its holder."),
            failed=gettext_lazy("“%(object)s” was not rejected: %(reasons)s"),
            destructive=True,
        ),
    )

    def get_queryset(self) -> QuerySet[Listing]:
        return Listing.objects.select_related("holder", "created_by").prefetch_related(
            Prefetch("assets", queryset=IPAsset.objects.order_by("pk"))
        )

    def get_state_label(self) -> str:
        return str(self.object.get_state_display())

    def get_facts(self) -> list[tuple[Label, Any]]:
        listing: Listing = self.object
        intent = listing.get_intent_display()
        if listing.licence_type:
            intent = f"{intent} · {listing.get_licence_type_display()}"
        district = listing.get_district_display()
        if listing.in_l_belt:
            district = f"{district} · {_('L-shaped service belt')}"
        return [
            (_("Title"), listing.title),
            (_("English title"), listing.title_en or "—"),
            (_("Intent"), intent),
            (_("Asking price"), price_display(listing)),
            (_("Valid until"), listing.valid_until),
            (_("Kind"), listing.get_kind_display()),
            (_("Industry"), listing.get_industry_display()),
            (_("District"), district),
            (_("Review note"), listing.review_note),
            (_("Created by"), listing.created_by),
            (_("Created"), listing.created_at),
            (_("Updated"), listing.updated_at),
            (_("Published on"), listing.published_at),
            # Stored sanitised; cleaned again here so staff never render a stray script.
            (_("Description"), mark_safe(sanitize_html(listing.description))),  # noqa: S308
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        listing: Listing = self.object
        assets = list(listing.assets.all())
        # Publishing fails while an asset is in another open listing: show where, up front.
        elsewhere: dict[int, list[Listing]] = {}
        others = (
            Listing.assets.through.objects.filter(
                ipasset__in=assets, listing__state__in=OPEN_LISTING_STATES
            )
            .exclude(listing=listing)
            .select_related("listing")
        )
        for row in others:
            elsewhere.setdefault(row.ipasset_id, []).append(row.listing)
        # Publishing also fails for a pledged asset without the pledgee's consent (a
        # transfer or licence) or at all (a pledge listing): show each asset's pledge.
        pledged = pledges.active_pledges(assets=assets, listing=listing)
        holder = listing.holder
        organisation_policy = policy_registry.get_by_type(Organization)
        context.update(
            assets=[
                (asset, elsewhere.get(asset.pk, []), pledged.get(asset.pk)) for asset in assets
            ],
            pledge_listing=listing.intent == ListingIntent.PLEDGE,
            holder=holder,
            holder_verified=holder.verification_state == VerificationState.VERIFIED,
            holder_url=(
                reverse("organisation_moderation:inspect", args=(holder.pk,))
                if organisation_policy.user_has_any_permission(self.request.user, ("view",))
                else ""
            ),
        )
        return context


# --- the viewset ---------------------------------------------------------------------------


class ListingViewSet(ModerationViewSet):
    model = Listing
    url_prefix = "listings"
    url_namespace = "listing_moderation"
    icon = "clipboard-list"
    menu_label = gettext_lazy("Listings")
    menu_name = "listings"
    menu_order = 210
    add_to_admin_menu = True
    index_view_class = ListingIndexView
    inspect_view_class = ListingModerationView
    filterset_class = ListingFilterSet
    list_display = [
        "title",
        Column("holder", label=gettext_lazy("Holder"), sort_key="holder__name"),
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display", sort_key="kind"),
        Column(
            "intent", label=gettext_lazy("Intent"), accessor="get_intent_display", sort_key="intent"
        ),
        Column(
            "asking_price",
            label=gettext_lazy("Price"),
            accessor=price_display,
            sort_key="asking_price",
        ),
        StatusTagColumn(
            "state",
            label=gettext_lazy("State"),
            accessor="get_state_display",
            sort_key="state",
            primary=lambda listing: listing.state == ListingState.PENDING_REVIEW,
        ),
        DateColumn("updated_at", label=gettext_lazy("Updated"), sort_key="updated_at"),
    ]
    ordering = "-updated_at"
    list_per_page = 50
    # Staff look listings up by a word of the title or the holder: the ORM's icontains
    # does that directly, without the portal's jieba-segmented search text.
    search_fields = ["title", "title_en", "holder__name"]
    search_backend_name = None


# --- the dashboard -------------------------------------------------------------------------


class PendingReviewPanel(Component):
    """What waits for staff: listings pending review, organisations pending verification."""

    name = "pending_review"
    template_name = "listings/admin/pending_review_panel.html"
    order = 50  # above Wagtail's own panels

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        user = self.request.user
        rows = []
        if policy_registry.get_by_type(Listing).user_has_any_permission(user, ("view",)):
            rows.append(
                {
                    "label": _("Listings pending review"),
                    "count": Listing.objects.filter(state=ListingState.PENDING_REVIEW).count(),
                    "url": reverse(LISTING_INDEX_URL_NAME)
                    + f"?state={ListingState.PENDING_REVIEW}",
                    "icon": "clipboard-list",
                }
            )
        if policy_registry.get_by_type(Organization).user_has_any_permission(user, ("view",)):
            rows.append(
                {
                    "label": _("Organisations pending verification"),
                    "count": Organization.objects.filter(
                        verification_state=VerificationState.PENDING
                    ).count(),
                    "url": reverse("organisation_moderation:index")
                    + f"?verification_state={VerificationState.PENDING}",
                    "icon": "group",
                }
            )
        return {"rows": rows}
