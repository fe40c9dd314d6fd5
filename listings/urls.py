from django.urls import path

from . import views

app_name = "listings"

urlpatterns = [
    path("workspace/assets/new/", views.asset_create, name="asset_create"),
    path("workspace/assets/<int:pk>/", views.asset_detail, name="asset_detail"),
]
