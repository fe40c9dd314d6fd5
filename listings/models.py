import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
        _("status"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.PENDING
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
        return f"{self.title} ({self.number})"

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
