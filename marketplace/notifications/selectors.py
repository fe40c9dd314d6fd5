"""Reads for notifications: a user's inbox, and the header's facts (its unread count)."""

from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from marketplace.parties.models import User
from marketplace.parties.selectors import bank_reviewer_memberships

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


def header_facts(*, user: Any) -> tuple[int, bool]:
    """What the page header shows a signed-in user, in one query: the unread count and
    whether they review for a bank (the "Bank review" link)."""
    if not user.is_authenticated:
        return 0, False
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        User.objects.filter(pk=user.pk)
        .values_list(
            Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            Exists(bank_reviewer_memberships().filter(user=OuterRef("pk"))),
        )
        .first()
    )
    return (0, False) if row is None else (int(row[0]), bool(row[1]))
