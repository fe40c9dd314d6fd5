"""allauth's account adapter: where a person lands after signing in."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from .selectors import is_bank_reviewer


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """A bank reviewer lands on the bank's review queue, everybody else on
        LOGIN_REDIRECT_URL (the workspace). allauth asks this only when the sign-in carries
        no safe `next`, after the password and after the second factor alike."""
        user = request.user
        if user.is_authenticated and is_bank_reviewer(user=user):
            return reverse("bank:queue")
        return super().get_login_redirect_url(request)
