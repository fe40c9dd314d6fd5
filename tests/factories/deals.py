"""The money and the paper of a deal: payments in any state, recordal evidence in any state.

`PaymentFactory(deal=..., purpose="balance", state="succeeded")` is a row as the payments
services would leave it; `RecordalEvidenceFactory(deal=..., state="accepted")` stores a
small PDF as the seller's document and attaches it, the state set before the first save
(it is protected). `ready_to_complete(deal)` gives a deal at its recordal what completion
needs: the balance received and evidence waiting for the staff's check.
"""

import hashlib
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.deals.models import Deal, EvidenceState, RecordalEvidence
from marketplace.documents.models import Document, DocumentKind
from marketplace.payments.models import Payment, PaymentProvider, PaymentPurpose, PaymentState

from .pledges import DealFactory

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_upload(name: str = "手续合格通知书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    deal = factory.SubFactory(DealFactory, state="accepted")
    purpose = PaymentPurpose.DEPOSIT
    provider = PaymentProvider.OFFLINE
    state = PaymentState.PENDING
    amount = factory.LazyAttribute(
        lambda p: (
            p.deal.deposit_amount
            if p.purpose == PaymentPurpose.DEPOSIT
            else p.deal.price - (p.deal.deposit_amount or Decimal("0"))
        )
    )
    confirmed_at = factory.LazyAttribute(
        lambda p: timezone.now() if p.state == PaymentState.SUCCEEDED else None
    )


class RecordalEvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordalEvidence

    deal = factory.SubFactory(DealFactory, state="recordal_filed")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        state = kwargs.pop("state", EvidenceState.SUBMITTED)
        name = kwargs.pop("name", "手续合格通知书.pdf")
        deal: Deal = kwargs["deal"]
        if "document" not in kwargs:
            document = Document(
                organization=deal.seller,
                deal=deal,
                kind=DocumentKind.RECORDAL_EVIDENCE,
                original_name=name,
                content_type="application/pdf",
                size=len(PDF),
                sha256=hashlib.sha256(PDF).hexdigest(),
            )
            document.file.save("upload", ContentFile(PDF), save=False)
            document.save()
            kwargs["document"] = document
        obj = model_class(*args, **kwargs)
        obj.__dict__["state"] = state
        if state != EvidenceState.SUBMITTED:
            obj.reviewed_at = timezone.now()
        obj.save()
        return obj


def ready_to_complete(deal: Deal) -> RecordalEvidence:
    """The balance in escrow and the recordal evidence waiting for the staff's check."""
    PaymentFactory(deal=deal, purpose=PaymentPurpose.DEPOSIT, state=PaymentState.SUCCEEDED)
    PaymentFactory(deal=deal, purpose=PaymentPurpose.BALANCE, state=PaymentState.SUCCEEDED)
    return RecordalEvidenceFactory(deal=deal)
