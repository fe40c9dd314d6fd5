import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from listings.expiry import derive_expiry
from listings.models import IPAsset, Listing, ListingIntent, ListingState
from listings.services import listing_derive_fields as derive_listing_fields
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


class ListingFactory(factory.django.DjangoModelFactory):
    """A draft listing of one asset of its (verified) holder, written through the model.

    `state` is protected: pass e.g. `state="published"` and it is set on the instance before
    the first save (as OrganizationFactory does); `assets=[...]` replaces the default asset.
    """

    class Meta:
        model = Listing
        skip_postgeneration_save = True

    holder = factory.SubFactory(OrganizationFactory, verification_state="verified")
    title = factory.Sequence(lambda n: f"锂电池隔膜专利转让{n}")
    intent = ListingIntent.TRANSFER
    asking_price = Decimal("500000.00")
    description = "<p>一种锂电池隔膜的制备方法。</p>"
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    kind = "invention"
    industry = "nev"
    district = factory.SelfAttribute("holder.district")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        state = kwargs.pop("state", None)
        obj = model_class(*args, **kwargs)
        if state:
            obj.__dict__["state"] = state
            if state == ListingState.PUBLISHED and obj.published_at is None:
                obj.published_at = timezone.now()
        obj.save()
        return obj

    @factory.post_generation
    def assets(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create:
            return
        assets = list(extracted) if extracted else [IPAssetFactory(holder=obj.holder)]
        obj.assets.set(assets)
        # The facets and search words come from the assets, as listing_create derives them.
        derive_listing_fields(obj, assets)
        obj.save()
