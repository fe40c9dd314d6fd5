from django.urls import path

from . import views, workspace_views

app_name = "listings"

urlpatterns = [
    path("workspace/assets/new/", views.asset_create, name="asset_create"),
    path(
        "workspace/assets/check-number/",
        workspace_views.asset_check_number,
        name="asset_check_number",
    ),
    path("workspace/assets/<int:pk>/", views.asset_detail, name="asset_detail"),
    path("workspace/assets/<int:pk>/edit/", workspace_views.asset_edit, name="asset_edit"),
    path("workspace/listings/", workspace_views.listing_list, name="workspace_listings"),
    path(
        "workspace/listings/new/",
        workspace_views.listing_create,
        name="workspace_listing_create",
    ),
    path(
        "workspace/listings/<int:pk>/",
        workspace_views.listing_detail,
        name="workspace_listing_detail",
    ),
    path(
        "workspace/listings/<int:pk>/edit/",
        workspace_views.listing_edit,
        name="workspace_listing_edit",
    ),
    *(
        path(
            f"workspace/listings/<int:pk>/{action}/",
            workspace_views.listing_transition,
            {"action": action},
            name=f"workspace_listing_{action}",
        )
        for action in workspace_views.TRANSITIONS
    ),
]
