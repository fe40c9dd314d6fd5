"""OpenAPI schema scope: our public API under /api/, not Wagtail's internal admin API."""

from typing import Any


def only_public_api(endpoints: list[tuple[str, str, str, Any]]) -> list[tuple[str, str, str, Any]]:
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
