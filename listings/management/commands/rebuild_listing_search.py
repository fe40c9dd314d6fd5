"""`manage.py rebuild_listing_search`: derive every listing's search text again and refresh
the search index. Run it once after an upgrade that changes what is indexed (the domain
words of listings.search, the kind and industry names); a database seeded afresh needs
nothing. Search synonyms need no rebuild: they apply when a query is asked."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from listings.services import listings_rebuild_search_text


class Command(BaseCommand):
    help = _("Derive every listing's search text again and refresh the search index.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = listings_rebuild_search_text()
        message = ngettext("%(count)d listing re-indexed.", "%(count)d listings re-indexed.", count)
        self.stdout.write(message % {"count": count})
