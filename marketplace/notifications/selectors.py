"""Reads for notifications: a user's inbox and its unread count."""

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def notifications_for_user(*, user: Any) -> QuerySet[Notification]:
    """The user's notifications, newest first, with their notices (one query a page)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("notice")
        .order_by("-created_at", "-pk")
    )


def notification_for_user(*, user: Any, pk: int) -> Notification:
    """The notification if `user` is its recipient; DoesNotExist otherwise (→ 404, so
    nobody learns which ids exist)."""
    return Notification.objects.select_related("notice").get(pk=pk, recipient=user)


def unread_count(*, user: Any) -> int:
    """How many of the user's notifications are unread (one COUNT query)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
