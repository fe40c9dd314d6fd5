"""Every write to notices and notifications goes through here.

The rules:

- `notify_organizations` runs inside the transaction of the change it reports. It writes
  the notice there (a change that rolls back leaves no notice) and queues its delivery
  for after the commit, so nobody hears of a change that did not happen.
- Delivery (`notice_deliver`, run by the `notifications.deliver` task) is safe to run
  twice and concurrently: the (notice, recipient) constraint keeps one notification per
  user, and each e-mail is sent with its row locked and marked as sent right after.
- If queueing after the commit fails (the broker is down) the notice stays undelivered
  and `notices_deliver_pending` queues it again: the notice row is the only copy that
  matters, never the queued task.
"""

import datetime
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from marketplace.parties.models import Organization, User

from . import tasks
from .models import EVENT_MAX_LENGTH, Notice, Notification
from .site import site_url

logger = logging.getLogger(__name__)

# "<app>.<what happened>": lower case words joined by dots, e.g. "deals.accepted".
EVENT_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
# How much of each language's text goes into the e-mail subject.
SUBJECT_TEXT_LENGTH = 60
# A notice not delivered this long after it was written is queued again by the sweep ...
REDELIVERY_AFTER = datetime.timedelta(minutes=15)
# ... for this long; older ones are left alone (news that late is no longer news).
REDELIVERY_WINDOW = datetime.timedelta(days=2)
REDELIVERY_BATCH = 500


def is_local_path(url: str) -> bool:
    """A path on this site ("/deals/3/"), not another host, scheme or a "//host" trick."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def absolute_url(path: str, *, base: str = "") -> str:
    """The path on `base`, or on the site's public address (notifications.site), for
    e-mails."""
    return (base.rstrip("/") or site_url()) + path


def _render(message: str | Promise, params: Mapping[str, Any]) -> dict[str, str]:
    """The message in every language of the site; lazy parameters (state labels, say) are
    translated with it."""
    texts: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values = {key: str(value) for key, value in params.items()}
            try:
                texts[code] = str(message) % values
            except KeyError as error:
                raise ValueError(f"The message needs a value for {error} in params.") from None
    return texts


# --- notices -----------------------------------------------------------------------------


def notify_organizations(
    *,
    organizations: Iterable[Organization | int],
    event: str,
    message: str | Promise,
    params: Mapping[str, Any] | None = None,
    url: str = "",
    actor: User | None = None,
    target: Model | None = None,
) -> Notice:
    """Tell the members of `organizations` (the party that must act next) what happened.

    Call it inside the `transaction.atomic()` block of the change it reports: the notice
    is written in that transaction and delivered only after it commits — one notification
    for each active member of the organisations except `actor`, and an e-mail. (Called
    outside a transaction, the notice commits and is queued at once.)

    `message` is a `gettext_lazy` string with %(name)s placeholders filled from `params`
    (whose values may be lazy translations too); it is rendered now in every language of
    the site. `event` names what happened ("<app>.<event>", at most 60 characters);
    `url` is the local path where the recipient acts; `target` is what the notice is
    about. A wrong argument is a programming error: ValueError.
    """
    organization_ids = sorted(
        {
            organization if isinstance(organization, int) else organization.pk
            for organization in organizations
        }
    )
    if not organization_ids:
        raise ValueError("A notice needs at least one recipient organisation.")
    if len(event) > EVENT_MAX_LENGTH or not EVENT_PATTERN.fullmatch(event):
        raise ValueError(f"Event {event!r} is not '<app>.<event>' of at most 60 characters.")
    if url and not is_local_path(url):
        raise ValueError(f"The link {url!r} is not a local path.")
    notice = Notice(
        event=event,
        text=_render(message, params or {}),
        url=url,
        actor=actor,
        site_url=site_url(),  # delivery runs later, outside the request
    )
    if target is not None:
        notice.target_content_type = ContentType.objects.get_for_model(target)
        notice.target_object_id = target.pk
    with transaction.atomic():
        notice.save()
        notice.organizations.set(organization_ids)
        notice_id = notice.pk
        # robust: a broker that is down must not fail the caller's request after its
        # change committed; the sweep (notices_deliver_pending) delivers the notice later.
        transaction.on_commit(lambda: tasks.deliver_notice_task.delay(notice_id), robust=True)
    return notice


def notice_deliver(*, notice_id: int) -> dict[str, int]:
    """Fan a committed notice out to its recipients and e-mail them; safe to run twice.

    Every active member of a recipient organisation, except the actor, gets one
    notification (a second run adds none) and one e-mail, Chinese first, then English,
    with the absolute link. Users without an e-mail address get the notification only.
    Each e-mail goes out with its notification row locked and is marked sent right after,
    so two concurrent deliveries do not send it twice, and a failure part-way leaves only
    the unsent ones for the retry. Returns how many notifications and e-mails it made.
    """
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        logger.warning("Notice %s to deliver does not exist (any more).", notice_id)
        return {"notifications": 0, "emails": 0}
    created = _fan_out(notice)
    emailed = _send_emails(notice)
    Notice.objects.filter(pk=notice.pk, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    return {"notifications": created, "emails": emailed}


def _fan_out(notice: Notice) -> int:
    recipients = User.objects.filter(
        is_active=True, memberships__organization__notices=notice
    ).distinct()
    if notice.actor_id is not None:
        recipients = recipients.exclude(pk=notice.actor_id)
    recipient_ids = set(recipients.values_list("pk", flat=True))
    existing = set(notice.notifications.values_list("recipient_id", flat=True))
    new = sorted(recipient_ids - existing)
    # ignore_conflicts: a concurrent delivery may have written some of them meanwhile.
    Notification.objects.bulk_create(
        [
            Notification(notice=notice, recipient_id=user_id, created_at=timezone.now())
            for user_id in new
        ],
        ignore_conflicts=True,
    )
    return len(new)


def _send_emails(notice: Notice) -> int:
    pending = list(
        notice.notifications.filter(emailed_at__isnull=True, recipient__is_active=True)
        .exclude(recipient__email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not pending:
        return 0
    subject, body = _email_content(notice)
    sent = 0
    with mail.get_connection() as connection:
        for pk in pending:
            with transaction.atomic():
                notification = (
                    Notification.objects.select_for_update(of=("self",))
                    .select_related("recipient")
                    .filter(pk=pk, emailed_at__isnull=True)
                    .first()
                )
                if notification is None:
                    continue  # another delivery sent this one meanwhile
                mail.EmailMessage(
                    subject=subject,
                    body=body,
                    to=[notification.recipient.email],
                    connection=connection,
                ).send()
                notification.emailed_at = timezone.now()
                notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def _email_content(notice: Notice) -> tuple[str, str]:
    """(subject, body): each in every language of the site, Chinese first."""
    inbox = absolute_url(reverse("notifications:list"), base=notice.site_url)
    link = absolute_url(notice.url, base=notice.site_url) if notice.url else inbox
    subjects: list[str] = []
    blocks: list[str] = []
    for code, _name in settings.LANGUAGES:
        text = notice.text_in(code)
        with translation.override(code):
            # A header holds no line breaks.
            subjects.append(Truncator(" ".join(text.split())).chars(SUBJECT_TEXT_LENGTH))
            blocks.append(
                "\n\n".join(
                    [
                        text,
                        _("Open it here: %(url)s") % {"url": link},
                        _("All your notifications: %(url)s") % {"url": inbox},
                        _(
                            "You receive this e-mail because you are a member of an "
                            "organisation on the Zhengzhou IP Exchange."
                        ),
                    ]
                )
            )
    return " / ".join(subjects), "\n\n----------\n\n".join(blocks) + "\n"


def notices_deliver_pending(*, now: datetime.datetime | None = None) -> int:
    """Queue delivery again for notices written more than REDELIVERY_AFTER ago (and less
    than REDELIVERY_WINDOW) that are still not delivered: queueing after the commit failed,
    or every retry did. Safe any time, as delivery is. Returns how many it queued."""
    now = now or timezone.now()
    notice_ids = list(
        Notice.objects.filter(
            delivered_at__isnull=True,
            created_at__lt=now - REDELIVERY_AFTER,
            created_at__gte=now - REDELIVERY_WINDOW,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:REDELIVERY_BATCH]
    )
    for notice_id in notice_ids:
        tasks.deliver_notice_task.delay(notice_id)
    return len(notice_ids)


# --- notifications -----------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """The recipient has seen the notification; the first time it was read is kept."""
    if notification.recipient_id != by.pk:
        raise PermissionDenied(_("This notification is not addressed to you."))
    if notification.read_at is None:
        now = timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if updated:
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    """Every unread notification `by` had received by now is read now (one created in the
    same instant by another request stays unread); returns how many were marked."""
    now = timezone.now()
    return Notification.objects.filter(
        recipient=by, read_at__isnull=True, created_at__lte=now
    ).update(read_at=now)
