"""The public site's non-page views: sitemap.xml and robots.txt."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps import views as wagtail_sitemap_views

from .sitemaps import portal_sitemaps

# Private areas: sign-in pages, the holder workspace and both admins.
ROBOTS_DISALLOW = ("/admin/", "/django-admin/", "/workspace/", "/accounts/")


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    return wagtail_sitemap_views.sitemap(request, sitemaps=portal_sitemaps(request))


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {prefix}" for prefix in ROBOTS_DISALLOW),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('cms:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
