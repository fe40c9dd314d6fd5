"""The holder's pages for pledge financing, under /workspace/pledges/ (the bank's are in
bank_urls.py, under /bank/)."""

from django.urls import path

from . import workspace_views

app_name = "pledges"

urlpatterns = [
    path("workspace/pledges/", workspace_views.application_list, name="workspace_list"),
    path("workspace/pledges/new/", workspace_views.application_create, name="workspace_create"),
    path(
        "workspace/pledges/<int:pk>/",
        workspace_views.application_detail,
        name="workspace_detail",
    ),
    path(
        "workspace/pledges/<int:pk>/edit/",
        workspace_views.application_edit,
        name="workspace_edit",
    ),
    path(
        "workspace/pledges/<int:pk>/documents/",
        workspace_views.application_document_upload,
        name="workspace_document_upload",
    ),
    *(
        path(
            f"workspace/pledges/<int:pk>/{action}/",
            workspace_views.application_transition,
            {"action": action},
            name=f"workspace_{action}",
        )
        for action in workspace_views.TRANSITIONS
    ),
]
