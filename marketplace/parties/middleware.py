"""Two-factor enforcement for the people who move money and verify others."""

from collections.abc import Callable
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import is_bank_reviewer

# Paths a user without TOTP still needs: signing in/out, setting up TOTP, assets, health.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/healthz/", "/i18n/")


def mfa_required_for(user: Any) -> bool:
    """Staff and bank reviewers must use TOTP when MFA_REQUIRED is on."""
    return bool(user.is_staff or user.is_superuser or is_bank_reviewer(user=user))


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and mfa_required_for(user)
            and not is_mfa_enabled(user, types=["totp"])
        ):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set up an authenticator app."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
