"""Helpers shared by the Wagtail admin tests (tests/*/test_wagtail_admin.py): reading an admin
page's text, rows, messages and menu, and granting permissions. The signed-in operator is the
`staff` / `staff_client` fixture pair in tests/conftest.py."""

from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Permission


def english(client):
    """The client, asking for the admin in English (the site's default is Chinese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text_of(response) -> str:
    return soup(response).get_text(" ", strip=True)


def messages_of(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


def in_menu(response, url: str) -> bool:
    """Wagtail renders its sidebar from JSON props; look for the menu item's URL there."""
    return f'"url": "{url}"' in response.content.decode()


def table_rows(response) -> list[str]:
    """The text of each row of an index or log table."""
    return [
        row.get_text(" ", strip=True) for row in soup(response).select("table.listing tbody tr")
    ]


def index_titles(response) -> set[str]:
    """The title column of an index: the link each row's title cell holds."""
    return {
        link.get_text(" ", strip=True)
        for link in soup(response).select("table.listing tbody td.title .title-wrapper a")
    }


def action_buttons(response) -> list[str]:
    """The values of the action buttons a review page offers."""
    return [b["value"] for b in soup(response).select("button[name=action]")]
