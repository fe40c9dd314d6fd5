from django.urls import path

from . import views

app_name = "deals"

urlpatterns = [
    path("workspace/deals/", views.deal_list, name="list"),
    path("workspace/deals/new/", views.deal_propose, name="propose"),
    path("workspace/deals/<int:pk>/", views.deal_detail, name="detail"),
    path(
        "workspace/deals/<int:pk>/documents/",
        views.deal_document_upload,
        name="document_upload",
    ),
    path(
        "workspace/deals/<int:pk>/recordal-evidence/",
        views.deal_recordal_evidence_upload,
        name="recordal_evidence_upload",
    ),
    *(
        path(
            f"workspace/deals/<int:pk>/{action}/",
            views.deal_action,
            {"action": action},
            name=action,
        )
        for action in views.SERVICES
    ),
]
