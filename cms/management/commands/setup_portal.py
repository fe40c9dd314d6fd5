"""`manage.py setup_portal`: create the portal's index pages (/listings/, /news/,
/institutions/) under the home page where they are missing. Safe in production and safe to
run again; seed_demo calls the same service."""

from typing import Any

from django.core.management.base import BaseCommand

from cms.services import portal_pages_ensure


class Command(BaseCommand):
    help = "Create the listing, news and institution index pages where missing."

    def handle(self, *args: Any, **options: Any) -> None:
        for slug, page in portal_pages_ensure().items():
            self.stdout.write(f"/{slug}/: {page.title}")
