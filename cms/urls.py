"""Site-wide URLs of the public site that are not Wagtail pages (sitemap, robots)."""

from django.urls import path

from . import views

app_name = "cms"

urlpatterns = [
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
