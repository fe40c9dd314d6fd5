from .deals import PaymentFactory, RecordalEvidenceFactory, pdf_upload, ready_to_complete
from .listings import IPAssetFactory, ListingFactory
from .parties import MembershipFactory, OrganizationFactory, UserFactory, valid_credit_code
from .pledges import BankFactory, DealFactory, PledgeApplicationFactory

__all__ = [
    "BankFactory",
    "DealFactory",
    "IPAssetFactory",
    "ListingFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "PaymentFactory",
    "PledgeApplicationFactory",
    "RecordalEvidenceFactory",
    "UserFactory",
    "pdf_upload",
    "ready_to_complete",
    "valid_credit_code",
]
