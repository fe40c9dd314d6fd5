import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from marketplace.i18n import localized, reading_english
from marketplace.parties.districts import District
from marketplace.parties.models import Organization


class AssetKind(models.TextChoices):
    INVENTION = "invention", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model patent")
    DESIGN = "design", _("Design patent")
    TRADEMARK = "trademark", _("Trademark")
    COPYRIGHT_WORK = "copyright_work", _("Copyright work")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
    GEOGRAPHICAL_INDICATION = "geographical_indication", _("Geographical indication")


PATENT_KINDS = frozenset({AssetKind.INVENTION, AssetKind.UTILITY_MODEL, AssetKind.DESIGN})


class AssetStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # filed, not yet granted or registered
    VALID = "valid", _("Valid")  # in force
    LAPSED = "lapsed", _("Lapsed")  # fees unpaid or not renewed
    EXPIRED = "expired", _("Expired")  # the legal term ran out
    INVALIDATED = "invalidated", _("Invalidated")  # declared invalid


class Industry(models.TextChoices):
    ELECTRONICS = "electronics", _("Electronic information")  # 电子信息
    EQUIPMENT = "equipment", _("Equipment manufacturing")  # 装备制造
    NEV = "nev", _("New-energy vehicles")  # 新能源汽车
    BIOMEDICINE = "biomedicine", _("Biomedicine")  # 生物医药
    MATERIALS = "materials", _("New materials")  # 新材料
    AGRICULTURE = "agriculture", _("Modern agriculture")  # 现代农业
    CULTURE = "culture", _("Cultural and creative")  # 文化创意
    OTHER = "other", _("Other")  # 其他


class IPAssetQuerySet(models.QuerySet["IPAsset"]):
    def in_force(self) -> "IPAssetQuerySet":
        return self.filter(status=AssetStatus.VALID)


class IPAsset(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=AssetKind.choices)
    number = models.CharField(
        _("number"),
        max_length=40,
        help_text=_("Application or registration number; stored normalised."),
    )
    title = models.CharField(_("title"), max_length=300)
    holder = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assets", verbose_name=_("holder")
    )
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    grant_date = models.DateField(_("grant / registration date"), null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(
        _("renewals"), default=0, help_text=_("Trademark renewals recorded (10 years each).")
    )
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True, editable=False)
    status = models.CharField(
        pgettext_lazy("IP asset", "status"),
        max_length=20,
        choices=AssetStatus.choices,
        default=AssetStatus.PENDING,
    )
    # JSON lists rather than ArrayField so the embedded SQLite default works too; the
    # services validate and normalise their contents.
    ipc_codes = models.JSONField(_("IPC codes"), default=list, blank=True)
    nice_classes = models.JSONField(_("Nice classes"), default=list, blank=True)
    industry = models.CharField(
        _("industry"), max_length=20, choices=Industry.choices, default=Industry.OTHER
    )
    district = models.CharField(_("district"), max_length=20, choices=District.choices)
    abstract = models.TextField(_("abstract"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = IPAssetQuerySet.as_manager()

    class Meta:
        verbose_name = _("IP asset")
        verbose_name_plural = _("IP assets")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="unique_asset_number"),
        ]
        indexes = [
            models.Index(fields=["holder", "kind"]),
            models.Index(fields=["status", "expiry_date"]),
            models.Index(fields=["industry", "district"]),
        ]

    def __str__(self) -> str:
        # The number in brackets of the reader's language: full-width in Chinese text.
        if reading_english():
            return f"{self.title} ({self.number})"
        return f"{self.title}（{self.number}）"

    @property
    def is_patent(self) -> bool:
        return self.kind in PATENT_KINDS

    @property
    def remaining_days(self) -> int | None:
        if self.expiry_date is None:
            return None
        return (self.expiry_date - timezone.localdate()).days

    def expires_before(self, day: datetime.date) -> bool:
        return self.expiry_date is not None and self.expiry_date < day


class ListingIntent(models.TextChoices):
    TRANSFER = "transfer", _("Transfer")  # the right changes hands
    LICENCE = "licence", _("Licence")  # the holder keeps it and licenses its use
    PLEDGE = "pledge", _("Pledge financing")  # the holder seeks a loan secured on it


class LicenceType(models.TextChoices):
    EXCLUSIVE = "exclusive", _("Exclusive licence")  # only the licensee, not even the holder
    SOLE = "sole", _("Sole licence")  # the licensee and the holder
    NON_EXCLUSIVE = "non_exclusive", _("Non-exclusive licence")  # any number of licensees
    OPEN = "open", _("Open licence")  # published terms any applicant may accept


class ListingState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being written by the holder
    PENDING_REVIEW = "pending_review", _("Pending review")  # waiting for staff
    PUBLISHED = "published", _("Published")  # visible on the portal
    REJECTED = "rejected", _("Rejected")  # staff gave a reason; the holder may edit and resubmit
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the holder took it down
    CLOSED = "closed", _("Closed")  # a deal on it completed
    EXPIRED = "expired", pgettext_lazy("listing state", "Expired")  # validity date passed


# A new listing stays on the portal this long unless the holder sets another date.
DEFAULT_VALIDITY_DAYS = 90


def default_valid_until() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=DEFAULT_VALIDITY_DAYS)


# States in which a listing holds its assets: they cannot be listed again meanwhile.
OPEN_LISTING_STATES = (ListingState.PENDING_REVIEW, ListingState.PUBLISHED)
EDITABLE_LISTING_STATES = (ListingState.DRAFT, ListingState.REJECTED)


# States in which the public sees a listing at /listings/<id>/: on offer, or closed by a
# completed deal or a registered pledge (its result stays public, as an exchange publishes
# its results: 成交公告). Withdrawn, expired, draft, pending and rejected listings are not
# public: they carry no result, and the holder took them down, let them lapse or never had
# them published.
PUBLIC_LISTING_STATES = (ListingState.PUBLISHED, ListingState.CLOSED)


class ListingQuerySet(SearchableQuerySetMixin, models.QuerySet["Listing"]):
    def published(self) -> "ListingQuerySet":
        return self.filter(state=ListingState.PUBLISHED)

    def closed(self) -> "ListingQuerySet":
        return self.filter(state=ListingState.CLOSED)

    def public(self) -> "ListingQuerySet":
        """Published or closed: the listings with a public page."""
        return self.filter(state__in=PUBLIC_LISTING_STATES)


class Listing(ConcurrentTransitionMixin, FSMModelMixin, index.Indexed, models.Model):
    holder = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="listings", verbose_name=_("holder")
    )
    assets = models.ManyToManyField(IPAsset, related_name="listings", verbose_name=_("assets"))
    title = models.CharField(_("title"), max_length=200)
    # Optional: English readers see it instead of the title (a listing is the holder's own
    # words, so the platform does not translate it).
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    intent = models.CharField(_("intent"), max_length=10, choices=ListingIntent.choices)
    licence_type = models.CharField(
        _("licence type"), max_length=15, choices=LicenceType.choices, blank=True
    )
    # None means "negotiable" (面议).
    asking_price = models.DecimalField(
        _("asking price (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    description = models.TextField(_("description"), blank=True)  # sanitised HTML
    valid_until = models.DateField(_("valid until"))
    state = FSMField(
        _("state"), default=ListingState.DRAFT, choices=ListingState.choices, protected=True
    )
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    # Copied from the assets when the listing is written, for filters and facets that
    # must not join through the assets on every portal query.
    kind = models.CharField(_("kind"), max_length=30, choices=AssetKind.choices)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    district = models.CharField(_("district"), max_length=20, choices=District.choices)
    in_l_belt = models.BooleanField(_("in the L-shaped service belt"), default=False)
    # jieba-segmented words of the title, description, holder, numbers and codes: the
    # search backends (database or Elasticsearch) then only split on spaces.
    search_text = models.TextField(editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # When a completed deal or a registered pledge closed it (the result's date).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ListingQuerySet.as_manager()

    search_fields = [
        index.SearchField("search_text"),
        index.FilterField("state"),
        index.FilterField("intent"),
        index.FilterField("kind"),
        index.FilterField("industry"),
        index.FilterField("district"),
        index.FilterField("in_l_belt"),
        index.FilterField("asking_price"),
        index.FilterField("holder_id"),
        index.FilterField("published_at"),
    ]

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["state", "-published_at"]),
            models.Index(fields=["state", "kind", "intent"]),
            models.Index(fields=["holder", "state"]),
            models.Index(fields=["state", "valid_until"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/listings/{self.pk}/"

    @property
    def local_title(self) -> str:
        """The English title for English readers when the holder gave one."""
        return localized(self.title, self.title_en)

    @property
    def is_closed(self) -> bool:
        return self.state == ListingState.CLOSED

    @property
    def is_negotiable(self) -> bool:
        return self.asking_price is None

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_LISTING_STATES

    # --- transitions: fields only; services lock, guard, save and audit ---------------
    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=ListingState.DRAFT, target=ListingState.PENDING_REVIEW)
    def submit(self, *, by: Any = None, description: str = "") -> None:
        self.review_note = ""

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=ListingState.REJECTED, target=ListingState.PENDING_REVIEW)
    def resubmit(self, *, by: Any = None, description: str = "") -> None:
        self.review_note = ""

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=ListingState.PENDING_REVIEW, target=ListingState.PUBLISHED)
    def publish(self, *, by: Any = None, description: str = "") -> None:
        self.review_note = description
        self.published_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=ListingState.PENDING_REVIEW, target=ListingState.REJECTED)
    def reject(self, *, by: Any = None, description: str = "") -> None:
        self.review_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=ListingState.PUBLISHED, target=ListingState.WITHDRAWN)
    def withdraw(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=ListingState.PUBLISHED, target=ListingState.CLOSED)
    def close(self, *, by: Any = None, description: str = "") -> None:
        self.closed_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=ListingState.PUBLISHED, target=ListingState.EXPIRED)
    def expire(self, *, by: Any = None, description: str = "") -> None:
        pass


SEARCH_TERM_MAX_LENGTH = 40  # characters of one search term (a synonym's term or any other)


class SearchSynonym(models.Model):
    """A group of search terms staff keep: searching the term or one of its synonyms also
    finds listings that use another of them or one of the one-way terms; a one-way term
    does not find the group. Applied when a query is asked (listings.search), never
    indexed, so a change takes effect on the next search."""

    term = models.CharField(
        _("term"),
        max_length=SEARCH_TERM_MAX_LENGTH,
        help_text=_("The name most people use, e.g. 锂离子电池."),
    )
    synonyms = models.TextField(
        _("synonyms"),
        blank=True,
        help_text=_(
            "Other names for the same thing, one per line: common names, abbreviations, "
            "English (e.g. 锂电池, 锂电, Li-ion). The term and each synonym find one another."
        ),
    )
    one_way = models.TextField(
        _("one-way terms"),
        blank=True,
        help_text=_(
            "Terms that searching this group also finds, one per line, but which do not find "
            "the group: the kinds of the term (金刚石 under 超硬材料), or the full name behind "
            "an ambiguous abbreviation (地理标志 under 地标, which is also a landmark)."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["term"]
        constraints = [
            # The service refuses a term already in a group, with a clearer message; this
            # is the database's own guard against two writes at once.
            models.UniqueConstraint(
                Lower("term"),
                name="listings_searchsynonym_term_unique",
                violation_error_message=_("This term already has a group."),
            )
        ]

    def __str__(self) -> str:
        return self.term

    @property
    def synonym_list(self) -> list[str]:
        return [line for line in self.synonyms.splitlines() if line.strip()]

    @property
    def one_way_list(self) -> list[str]:
        return [line for line in self.one_way.splitlines() if line.strip()]
