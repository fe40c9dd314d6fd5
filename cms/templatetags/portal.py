"""Filters of the public pages: prices, legal terms and bilingual names."""

from decimal import Decimal

from django import template
from django.utils import timezone, translation
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from listings.models import AssetKind, IPAsset
from marketplace.money import format_yuan, format_yuan_exact
from marketplace.parties.models import Organization

register = template.Library()


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


@register.filter
def yuan(amount: Decimal | None) -> str:
    """A listing's price; an empty price means the parties negotiate it."""
    if amount is None:
        return _("Negotiable")
    return format_yuan(amount, chinese=not _english())


@register.filter
def yuan_exact(amount: Decimal | None) -> str:
    return "" if amount is None else format_yuan_exact(amount)


@register.filter
def remaining_term(asset: IPAsset) -> str:
    """What is left of the right's legal term, e.g. "9 years, 3 months"."""
    if asset.expiry_date is None:
        if asset.kind == AssetKind.GEOGRAPHICAL_INDICATION:
            return _("No fixed term")
        return _("Not known yet")
    if asset.expiry_date < timezone.localdate():
        return _("Term ended")
    # Django's own catalogue translates the years and months.
    return timeuntil(asset.expiry_date)


@register.filter
def local_name(organization: Organization) -> str:
    if _english() and organization.name_en:
        return organization.name_en
    return organization.name
