"""While demo data is loaded, every public page says its figures are illustrative."""

import datetime

import pytest
from django.core.cache import cache

from marketplace.demo.context_processors import CACHE_KEY
from marketplace.demo.models import DemoDataset

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"]


def banner(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    start = html.find('class="demo-banner"')
    return "" if start < 0 else html[start : html.find("</div>\n</div>", start)]


@pytest.mark.parametrize("path", PAGES)
def test_no_banner_without_demo_data(client, path):
    cache.delete(CACHE_KEY)
    assert banner(client.get(path)) == ""


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("language", "label", "line"),
    [
        ("zh-hans", "演示数据", "并非官方统计数据"),
        ("en", "Demo data", "are not official statistics"),
    ],
)
def test_every_public_page_says_demo_data_in_both_languages(client, path, language, label, line):
    # given demo data is loaded
    DemoDataset.objects.create(pk=1, anchor=datetime.date.today())
    cache.delete(CACHE_KEY)
    client.cookies["django_language"] = language
    # when
    text = banner(client.get(path))
    # then
    assert label in text
    assert line in text
    assert 'role="note"' in text


def test_the_flag_is_cached_so_a_page_pays_for_it_once_a_minute(client):
    DemoDataset.objects.create(pk=1, anchor=datetime.date.today())
    cache.delete(CACHE_KEY)
    client.get("/accounts/login/")
    assert cache.get(CACHE_KEY) is True
    # deleting the row shows through once the cached flag is gone (seed_demo sets it)
    DemoDataset.objects.all().delete()
    cache.delete(CACHE_KEY)
    assert banner(client.get("/accounts/login/")) == ""
