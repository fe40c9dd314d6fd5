import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from listings.expiry import add_years, derive_expiry
from listings.models import IPAsset, Listing, ListingIntent, ListingState
from listings.services import listing_derive_fields as derive_listing_fields
from listings.validators import patent_check_char

from .parties import OrganizationFactory


def valid_patent_number(n: int, *, year: int = 2020, type_digit: str = "1") -> str:
    body = f"{year}{type_digit}{n % 10_000_000:07d}"
    return f"{body}.{patent_check_char(body)}"


def years_ago(years: int) -> datetime.date:
    """The same calendar day `years` before today (29 February → 28 February)."""
    return add_years(timezone.localdate(), -years)


class IPAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IPAsset

    kind = "invention"
    number = factory.Sequence(lambda n: valid_patent_number(n))
    title = factory.Sequence(lambda n: f"一种锂电池隔膜的制备方法{n}")
    holder = factory.SubFactory(OrganizationFactory)
    # Relative to today, never a fixed day "today" could overtake: filed six years ago and
    # granted four years ago, a right of any kind is in force for years yet (an invention
    # for 14, a utility model for 4, a design for 4 or 9, a trademark for 6), and a 12-month
    # loan on it matures well before it ends, whichever day the tests run.
    filing_date = factory.LazyFunction(lambda: years_ago(6))
    grant_date = factory.LazyFunction(lambda: years_ago(4))
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
