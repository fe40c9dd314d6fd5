"""The public indicator board as JSON."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.pledges.indicators import indicator_board

from .caching import cache_public_localized
from .serializers_indicators import IndicatorSerializer


class IndicatorListView(APIView):
    """Every numeric 2025 target of the action plan with its current value and progress."""

    # Public and read-only: no session is read, so no CSRF and nothing personal to vary on.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="indicators_list",
        summary="The action plan's 2025 indicators",
        responses=IndicatorSerializer(many=True),
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        rows = indicator_board()
        # Computed rows' `source` is in the request's language (header or cookie).
        return cache_public_localized(Response(IndicatorSerializer(rows, many=True).data))
