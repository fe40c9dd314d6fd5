"""In-app notifications and the e-mails that go with them.

A `Notice` is one event addressed to one or more organisations ("the bank must review this
application"), written in the transaction of the change it reports, with its text already
rendered in every language of the site. Delivery, after commit, fans it out to one
`Notification` per member of those organisations (the inbox row: read or not, e-mailed or
not). Rendering when the event happens means the text says what was true then, and the
inbox page needs no knowledge of the apps that raised the events.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from marketplace.parties.models import Organization

EVENT_MAX_LENGTH = 60


def text_in_language(texts: dict[str, str], language: str | None) -> str:
    """`texts[language]`, else its base language ("en-gb" → "en"), else the site's default
    language (zh-hans), else whatever there is."""
    if not texts:
        return ""
    if language:
        language = language.lower()
        if language in texts:
            return texts[language]
        base = language.split("-")[0]
        if base in texts:
            return texts[base]
    if settings.LANGUAGE_CODE in texts:
        return texts[settings.LANGUAGE_CODE]
    return next(iter(texts.values()))


class Notice(models.Model):
    """One event, addressed to organisations; written with the change it reports."""

    # "<app>.<what happened>", e.g. "pledges.submitted": for filtering and for tests.
    event = models.CharField(_("event"), max_length=EVENT_MAX_LENGTH)
    # The message rendered in each language of settings.LANGUAGES: {"zh-hans": …, "en": …}.
    text = models.JSONField(_("text"), default=dict)
    # A local path where the recipient acts, e.g. "/bank/applications/12/"; may be empty.
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The site's address when the notice was written (notifications.site): e-mail links
    # point there, though delivery runs later and outside any request.
    site_url = models.CharField(_("site address"), max_length=200, blank=True)
    organizations = models.ManyToManyField(
        Organization, related_name="notices", verbose_name=_("recipient organisations")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caused by"),
    )
    # What the notice is about (an application, a deal, an asset), if anything.
    target_content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject type"),
    )
    target_object_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    target = GenericForeignKey("target_content_type", "target_object_id")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Set when the fan-out and the e-mails are done; the sweep re-queues notices without it.
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["target_content_type", "target_object_id"]),
            models.Index(fields=["event", "-created_at"]),
            models.Index(fields=["delivered_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.current_text

    def text_in(self, language: str | None) -> str:
        return text_in_language(self.text, language)

    @property
    def current_text(self) -> str:
        """The text in the active language, falling back to Simplified Chinese."""
        return self.text_in(translation.get_language())


class Notification(models.Model):
    """A notice in one user's inbox: whether they read it, whether they were e-mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("notice")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set right after the e-mail went out; delivery e-mails only rows where it is empty.
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Delivery may run twice (a retry, a sweep): each user gets a notice once.
            models.UniqueConstraint(
                fields=["notice", "recipient"], name="unique_notification_per_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),  # the unread count
            models.Index(fields=["recipient", "-created_at"]),  # the inbox, newest first
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def text(self) -> str:
        """The notice's text in the active language, falling back to Simplified Chinese."""
        return self.notice.current_text


class AssetExpiryNotice(models.Model):
    """An expiry reminder sent to an asset's holder (listings.services.watch), one per
    asset, term and threshold, so the daily job sends each reminder once.

    The expiry date is part of the key: a renewed trademark gets a new term, and the
    reminders for the new term must be sent again when it draws to its end.
    """

    asset = models.ForeignKey(
        "listings.IPAsset",
        on_delete=models.CASCADE,
        related_name="expiry_notices",
        verbose_name=_("IP asset"),
    )
    expiry_date = models.DateField(_("expiry date"))
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    notice = models.ForeignKey(
        Notice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notice"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("asset expiry reminder")
        verbose_name_plural = _("asset expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "expiry_date", "days_before"],
                name="unique_asset_expiry_reminder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} · {self.expiry_date} · {self.days_before}"
