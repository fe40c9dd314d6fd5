"""The bank's review pages, under /bank/ (see bank_views)."""

from django.urls import path

from . import bank_views
from .bank_forms import TRANSITION_FORMS

app_name = "bank"

urlpatterns = [
    path("", bank_views.queue, name="queue"),
    path("applications/<int:pk>/", bank_views.application_detail, name="application"),
    path(
        "applications/<int:pk>/documents/",
        bank_views.document_upload_view,
        name="upload",
    ),
    path(
        "applications/<int:pk>/consent/listings/<int:listing_pk>/",
        bank_views.listing_consent_give,
        name="listing_consent",
    ),
    path(
        "applications/<int:pk>/consent/<int:deal_pk>/",
        bank_views.consent_give,
        name="consent",
    ),
    # One URL per transition: bank:claim, bank:approve, … (POST only).
    *(
        path(
            f"applications/<int:pk>/{action}/",
            bank_views.application_transition,
            {"action": action},
            name=action,
        )
        for action in TRANSITION_FORMS
    ),
]
