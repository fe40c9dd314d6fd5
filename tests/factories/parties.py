import random

import factory

from marketplace.parties.models import Membership, MembershipRole, Organization, User
from marketplace.parties.validators import CREDIT_CODE_ALPHABET, credit_code_check_char


def valid_credit_code(seed: int | None = None) -> str:
    """A credit code that passes GB 32100-2015: 91 (enterprise) + 410100 (Zhengzhou) + 9."""
    rng = random.Random(seed)
    body = "91410100" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("correct-horse-battery")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"郑州测试科技有限公司{n}")
    kind = "enterprise"
    credit_code = factory.Sequence(lambda n: valid_credit_code(seed=n))
    district = "high_tech"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The verification state is protected; set it on the instance before the first save.
        state = kwargs.pop("verification_state", None)
        obj = model_class(*args, **kwargs)
        if state:
            obj.__dict__["verification_state"] = state
        obj.save()
        return obj


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MembershipRole.OWNER
