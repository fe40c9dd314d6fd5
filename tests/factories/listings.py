import datetime

import factory

from listings.expiry import derive_expiry
from listings.models import IPAsset
from listings.validators import patent_check_char

from .parties import OrganizationFactory


def valid_patent_number(n: int, *, year: int = 2020, type_digit: str = "1") -> str:
    body = f"{year}{type_digit}{n % 10_000_000:07d}"
    return f"{body}.{patent_check_char(body)}"


class IPAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IPAsset

    kind = "invention"
    number = factory.Sequence(lambda n: valid_patent_number(n))
    title = factory.Sequence(lambda n: f"一种锂电池隔膜的制备方法{n}")
    holder = factory.SubFactory(OrganizationFactory)
    filing_date = datetime.date(2020, 3, 1)
    grant_date = datetime.date(2022, 5, 10)
    status = "valid"
    industry = "nev"
    district = factory.SelfAttribute("holder.district")
    expiry_date = factory.LazyAttribute(
        lambda o: derive_expiry(kind=o.kind, filing_date=o.filing_date, grant_date=o.grant_date)
    )
