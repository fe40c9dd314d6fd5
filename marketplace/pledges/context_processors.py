from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from marketplace.parties.selectors import is_bank_reviewer


def bank_reviewer(request: HttpRequest) -> dict[str, Any]:
    """`is_bank_reviewer` for the header's "Bank review" link: one EXISTS query, run only
    when a template asks, and never for an anonymous visitor."""

    def check() -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and is_bank_reviewer(user=user))

    return {"is_bank_reviewer": SimpleLazyObject(check)}
