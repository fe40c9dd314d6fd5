import uuid
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from listings.models import IPAsset
from marketplace.parties.models import Organization
from marketplace.parties.selectors import bank_reviewer_memberships


class DocumentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("Certificate")  # 证书: patent, trademark or copyright
    LICENCE_CONTRACT = "licence_contract", _("Licence contract")  # 许可合同
    VALUATION_REPORT = "valuation_report", _("Valuation report")  # 评估报告
    FINANCIAL_STATEMENT = "financial_statement", _("Financial statement")  # 财务报表
    CONTRACT = "contract", _("Contract")  # 合同: loan, pledge, transfer
    REGISTRATION = "registration", _("Registration certificate")  # 质押登记通知书 / 备案证明
    # The authority's proof that a deal's transfer or licence was recorded (手续合格通知书,
    # 核准转让证明, 备案证明 …): uploaded only through deals.services.recordal_evidence_submit.
    RECORDAL_EVIDENCE = "recordal_evidence", _("Recordal evidence")
    OTHER = "other", _("Other")  # 其他


# The types the platform stores, by the extension a stored object gets. Only these are
# accepted (checked by extension and by the first bytes in services.document_upload).
EXTENSION_FOR_CONTENT_TYPE = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}


def document_upload_to(instance: "Document", filename: str) -> str:
    """A random path: the uploader's file name never reaches the storage (it may hold
    path tricks, personal data or a misleading extension). The extension comes from the
    content type the service detected; the month keeps the orphan sweep's listing short."""
    extension = EXTENSION_FOR_CONTENT_TYPE.get(instance.content_type, "")
    month = timezone.now().strftime("%Y/%m")
    return f"documents/{month}/{uuid.uuid4().hex}{extension}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: Any) -> "DocumentQuerySet":
        """Members of the owning organisation and platform staff see a document; so do both
        sides of a pledge application (the applicant, and the bank's reviewers once it was
        submitted — they also read its assets' certificates) and both parties of a
        deal for the deal's documents."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        from marketplace.parties.models import Membership

        my_orgs = Membership.objects.filter(user=user).values("organization_id")
        # Applications addressed to a bank I review for, once they left the holder's draft
        # (a bank's other staff do not read the applicants' files).
        reviewed_banks = bank_reviewer_memberships().filter(user=user).values("organization_id")
        received = (
            apps.get_model("pledges", "PledgeApplication")
            .objects.filter(bank_id__in=reviewed_banks)
            .exclude(state="draft")
        )
        return self.filter(
            Q(organization_id__in=my_orgs)
            | Q(pledge_application__applicant_id__in=my_orgs)
            | Q(pledge_application__in=received.values("pk"))
            | Q(asset__pledges__application__in=received.values("pk"))
            | Q(deal__buyer_id__in=my_orgs)
            | Q(deal__seller_id__in=my_orgs)
        ).distinct()


class Document(models.Model):
    """An uploaded file of an organisation, access-checked on download.

    `organization` owns the document and is the access boundary: its members (and staff)
    may download it, whatever it is attached to. What the document belongs to is a
    nullable foreign key per kind of object — `asset`, `pledge_application`, `deal`
    (valuation reports may add `valuation`); a check constraint keeps at most one set.
    Plain foreign keys rather than a generic relation: the database keeps referential
    integrity and `on_delete`, the joins are indexed, and the template tags can
    `select_related`. A document with none of them set is the organisation's own (e.g. its
    business licence).

    Who else may read it follows from what it is attached to (`DocumentQuerySet.visible_to`):
    the reviewers of the bank a submitted pledge application is addressed to read the
    application's documents and its assets' certificates; both parties of a deal read the
    deal's documents.

    Rows are never deleted by a cascade: that would leave the stored file behind. Delete a
    document through `services.document_delete`, which removes the file after commit.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("organisation"),
    )
    asset = models.ForeignKey(
        IPAsset,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("IP asset"),
    )
    pledge_application = models.ForeignKey(
        "pledges.PledgeApplication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("pledge financing application"),
    )
    deal = models.ForeignKey(
        "deals.Deal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("deal"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    # As the uploader named it, cleaned of any path; shown and used for downloads only.
    original_name = models.CharField(_("file name"), max_length=255)
    # Detected by the service from the first bytes, never taken from the browser.
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["asset", "-uploaded_at"]),
            models.Index(fields=["organization", "-uploaded_at"]),
            models.Index(fields=["sha256"]),
        ]
        constraints = [
            # A document belongs to one thing at most (or to the organisation itself).
            models.CheckConstraint(
                condition=(
                    Q(asset__isnull=True, pledge_application__isnull=True, deal__isnull=True)
                    | Q(asset__isnull=False, pledge_application__isnull=True, deal__isnull=True)
                    | Q(asset__isnull=True, pledge_application__isnull=False, deal__isnull=True)
                    | Q(asset__isnull=True, pledge_application__isnull=True, deal__isnull=False)
                ),
                name="document_has_at_most_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
