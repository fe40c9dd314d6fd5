"""The demo banner: while demo data is loaded, every page says its figures are illustrative."""

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

from marketplace.demo.selectors import demo_data_loaded

CACHE_KEY = "demo:loaded"
CACHE_SECONDS = 60  # seed_demo sets the key itself; the timeout covers a database reset


def demo_banner(request: HttpRequest) -> dict[str, Any]:
    loaded = cache.get(CACHE_KEY)
    if loaded is None:
        loaded = demo_data_loaded()
        cache.set(CACHE_KEY, loaded, CACHE_SECONDS)
    return {"demo_data_loaded": loaded}
