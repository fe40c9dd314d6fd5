from django.urls import path

from . import views

app_name = "parties"

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
    path(
        "workspace/organizations/new/",
        views.organization_register,
        name="organization_register",
    ),
]
