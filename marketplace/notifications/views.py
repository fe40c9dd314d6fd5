"""The signed-in user's notifications: the inbox, opening one, marking all read.

A notification is only ever found through its recipient, so anybody else gets a 404 and
ids reveal nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from marketplace.parties.http import AuthenticatedHttpRequest

from . import services
from .models import Notification
from .selectors import notification_for_user, notifications_for_user

NOTIFICATIONS_PER_PAGE = 25


@login_required
@require_safe
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(notifications_for_user(user=request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # The unread count comes from the header's context processor (read once per page).
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_safe
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go where its recipient acts (a local path only;
    anything else, or no link, leads back to the inbox)."""
    try:
        notification = notification_for_user(user=request.user, pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    services.notification_mark_read(notification=notification, by=request.user)
    url = notification.notice.url
    if url and services.is_local_path(url):
        return redirect(url)
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(by=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "Marked %(count)d notification as read.",
                "Marked %(count)d notifications as read.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("You have no unread notifications."))
    return redirect("notifications:list")
