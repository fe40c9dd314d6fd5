from .listings import IPAssetFactory, ListingFactory
from .parties import MembershipFactory, OrganizationFactory, UserFactory, valid_credit_code

__all__ = [
    "IPAssetFactory",
    "ListingFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "UserFactory",
    "valid_credit_code",
]
