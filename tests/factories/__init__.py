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
    "PledgeApplicationFactory",
    "UserFactory",
    "valid_credit_code",
]
