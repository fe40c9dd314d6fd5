"""Public, language-dependent JSON: shared caches may keep it a minute, per language."""

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.response import Response

PUBLIC_MAX_AGE = 60


def cache_public_localized(response: Response, *, max_age: int = PUBLIC_MAX_AGE) -> Response:
    """Mark a public response cacheable for `max_age` seconds, varying on what picks its
    language (names, labels and sources are translated): the Accept-Language header and
    the language cookie."""
    patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
