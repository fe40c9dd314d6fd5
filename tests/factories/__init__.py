from .listings import IPAssetFactory
from .parties import MembershipFactory, OrganizationFactory, UserFactory, valid_credit_code

__all__ = [
    "IPAssetFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "UserFactory",
    "valid_credit_code",
]
