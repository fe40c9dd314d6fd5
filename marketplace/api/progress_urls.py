"""The pledge-progress JSON; marketplace/urls.py includes it under api/v1/."""

from django.urls import path

from .views_progress import PledgeProgressView

urlpatterns = [
    path("stats/pledge-progress/", PledgeProgressView.as_view(), name="pledge_progress"),
]
