"""`unread_notifications_count` for the header's notifications link (every page)."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's unread count, counted only when a template uses it: a page
    that never shows it makes no query (nor does it load the user or the session), and
    an anonymous visitor never causes one."""

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return unread_count(user=user)

    return {"unread_notifications_count": SimpleLazyObject(count)}
