"""GET /api/v1/stats/pledge-progress/: the pledge-financing goal's progress as public JSON,
the same figures as the /dashboard/ page (marketplace.pledges.progress). Its cost does not
grow with the ledger; shared caches may keep it a minute."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.pledges.progress import current_goal, pledge_progress

from .caching import cache_public_localized
from .serializers_progress import PledgeProgressSerializer, ProgressQuerySerializer

_Error = inline_serializer(
    "PledgeProgressGoalError", {"goal": serializers.ListField(child=serializers.CharField())}
)
_NotFound = inline_serializer("PledgeProgressNotFound", {"detail": serializers.CharField()})


class PledgeProgressView(APIView):
    permission_classes = [AllowAny]
    # Public figures: no session read, so no per-user variation and no CSRF machinery.
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="stats_pledge_progress",
        summary="Progress toward the pledge-financing goal",
        parameters=[
            OpenApiParameter(
                "goal",
                int,
                OpenApiParameter.QUERY,
                description="The id of a goal; the current goal when left out.",
            )
        ],
        responses={200: PledgeProgressSerializer, 400: _Error, 404: _NotFound},
        tags=["stats"],
    )
    def get(self, request: Request) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        goal = query.validated_data.get("goal") or current_goal()
        if goal is None:
            raise NotFound(_("No pledge-financing goal is set."))
        # The goal's name and the breakdowns' labels are in the request's language.
        return cache_public_localized(
            Response(PledgeProgressSerializer(pledge_progress(goal=goal)).data)
        )
