"""Filters of the action plan's indicator board (pledges/indicators_board.html)."""

import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def day(value: datetime.date | None) -> SafeString | str:
    """2026-03-31 as a <time> element (kept on one line by the board's stylesheet), to put
    inside a translated sentence; an empty string without a date."""
    if value is None:
        return ""
    iso = value.isoformat()
    return format_html('<time datetime="{}">{}</time>', iso, iso)
