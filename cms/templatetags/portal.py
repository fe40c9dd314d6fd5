"""Filters of the public pages: prices, legal terms and bilingual names."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from listings.models import AssetKind, IPAsset
from marketplace import i18n
from marketplace.i18n import yuan_for_reader
from marketplace.money import format_yuan_exact

register = template.Library()


@register.filter
def yuan(amount: Decimal | None) -> str:
    """A listing's price; an empty price means the parties negotiate it."""
    if amount is None:
        return _("Negotiable")
    return yuan_for_reader(amount)


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
def local_name(obj: Any) -> str:
    """An organisation's or a goal's name in the reader's language."""
    return i18n.local_name(obj)


# Synonyms named under the result count; the rest are searched too, only not named.
SHOWN_SYNONYMS = 6


@register.filter
def term_list(terms: Sequence[str]) -> str:
    """Search terms enumerated as the reader's language writes a list (锂电、锂电池 /
    锂电, 锂电池), the first few only."""
    shown = pgettext("list separator", ", ").join(terms[:SHOWN_SYNONYMS])
    if len(terms) > SHOWN_SYNONYMS:
        return pgettext("a list that goes on", "%(items)s …") % {"items": shown}
    return shown
