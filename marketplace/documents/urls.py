from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>/", views.document_download, name="download"),
    path("<int:pk>/delete/", views.document_delete, name="delete"),
    path("assets/<int:asset_pk>/", views.asset_document_upload, name="asset_upload"),
]
