"""Pagination links that keep the rest of the query string (shareable URLs)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.utils.http import urlencode


def query_string(form: forms.Form, filters: dict[str, Any]) -> str:
    """The valid filters as a query string, in the form's field order, without `page`.

    Values that were dropped as invalid are not carried on to the next page."""
    pairs: list[tuple[str, str]] = []
    for name in form.fields:
        if name not in filters:
            continue
        value = filters[name]
        if value is True:
            pairs.append((name, "on"))  # what a browser sends for a ticked checkbox
        elif isinstance(value, Decimal):
            pairs.append((name, format(value.normalize(), "f")))
        else:
            pairs.append((name, str(value)))
    return urlencode(pairs)


def page_url(base_query: str, number: int) -> str:
    return f"?{base_query}&page={number}" if base_query else f"?page={number}"


def page_links(page: Page, base_query: str) -> dict[str, Any]:
    """Previous/next and an elided run of page numbers (1 … 4 5 [6] 7 8 … 20)."""
    items: list[dict[str, Any]] = []
    paginator = page.paginator
    for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == Paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append(
                {
                    "number": number,
                    "url": page_url(base_query, int(number)),
                    "current": number == page.number,
                }
            )
    return {
        "previous": page_url(base_query, page.previous_page_number())
        if page.has_previous()
        else "",
        "next": page_url(base_query, page.next_page_number()) if page.has_next() else "",
        "items": items,
        "show": paginator.num_pages > 1,
    }
