"""The public JSON API, mounted at /api/v1/ (names in the "api" namespace)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from .progress_urls import urlpatterns as progress_urlpatterns
from .views_indicators import IndicatorListView

app_name = "api"

urlpatterns = [
    path("indicators/", IndicatorListView.as_view(), name="indicators"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *progress_urlpatterns,
]
