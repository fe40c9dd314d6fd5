from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from .health import healthz

# Both admins sign people in through allauth, so its TOTP step cannot be bypassed.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    # Wagtail's own sign-in form would skip allauth's TOTP step; send it to allauth.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtail_login_redirect",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico whatever the page says; answer without touching Wagtail.
    path(
        "favicon.ico",
        RedirectView.as_view(url=settings.STATIC_URL + "img/favicon.svg", permanent=True),
    ),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("files/", include("marketplace.documents.urls")),
    path("notifications/", include("marketplace.notifications.urls")),
    path("api/v1/", include("marketplace.api.urls")),
    path("", include("cms.urls")),
    path("", include("marketplace.parties.urls")),
    path("", include("listings.urls")),
    path("", include("marketplace.pledges.urls")),
    path("", include("marketplace.deals.urls")),
    path("bank/", include("marketplace.pledges.bank_urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree serves everything else, so it comes last.
urlpatterns.append(path("", include(wagtail_urls)))
