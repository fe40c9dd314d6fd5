"""Site-wide URLs of the public site that are not Wagtail pages (sitemap, robots)."""

from django.urls import path

urlpatterns: list = []
