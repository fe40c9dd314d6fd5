"""The page header's facts for a signed-in user: the unread-notifications count and
whether they review for a bank (the "Bank review" link)."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import header_facts


def header(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications_count` and `is_bank_reviewer`, read together in one query
    the first time a template uses either: a page that shows neither makes no query (nor
    does it load the user or the session), and an anonymous visitor never causes one."""
    read: list[tuple[int, bool]] = []

    def facts() -> tuple[int, bool]:
        if not read:
            user = getattr(request, "user", None)
            read.append((0, False) if user is None else header_facts(user=user))
        return read[0]

    return {
        "unread_notifications_count": SimpleLazyObject(lambda: facts()[0]),
        "is_bank_reviewer": SimpleLazyObject(lambda: facts()[1]),
    }
