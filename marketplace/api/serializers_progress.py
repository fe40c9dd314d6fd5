"""The shape of GET /api/v1/stats/pledge-progress/ (issue 5). Every amount is a decimal
string with two places, never a float; labels are in the request's language."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.i18n import local_name
from marketplace.pledges.models import Goal

MAX_PK = 2**63 - 1


def Amount(**kwargs: Any) -> serializers.DecimalField:
    # Sums over the ledger may outgrow a single loan's 18 digits.
    return serializers.DecimalField(
        max_digits=22, decimal_places=2, coerce_to_string=True, read_only=True, **kwargs
    )


class ProgressQuerySerializer(serializers.Serializer[Any]):
    """The query string: `?goal=<id>` picks a goal other than the current one."""

    goal = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PK,
        help_text=_("The id of a goal; the current goal when left out."),
    )

    def validate_goal(self, value: int) -> Goal:
        goal = Goal.objects.filter(pk=value).first()
        if goal is None:
            raise serializers.ValidationError(_("There is no goal with this id."))
        return goal


class GoalSerializer(serializers.Serializer[Goal]):
    name = serializers.SerializerMethodField(help_text=_("In the request's language."))
    target = Amount()
    currency = serializers.CharField(read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True)

    def get_name(self, goal: Goal) -> str:
        return local_name(goal)


class MonthSerializer(serializers.Serializer[dict[str, Any]]):
    month = serializers.CharField(read_only=True, help_text="YYYY-MM")
    amount = Amount(help_text=_("Registered in the month."))
    count = serializers.IntegerField(read_only=True)
    cumulative = Amount(
        allow_null=True, help_text=_("Registered up to the month; null for months to come.")
    )
    path = Amount(help_text=_("The straight-line path to the goal at the month's end."))


class BreakdownRowSerializer(serializers.Serializer[dict[str, Any]]):
    key = serializers.CharField(read_only=True)
    # A field named like Field.label: DRF takes it as a declared field all the same.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    amount = Amount()
    count = serializers.IntegerField(read_only=True)


class DistrictRowSerializer(BreakdownRowSerializer):
    in_l_belt = serializers.BooleanField(
        read_only=True, help_text=_("In the action plan's L-shaped IP service belt.")
    )


class ProjectionSerializer(serializers.Serializer[Any]):
    monthly_pace = Amount(help_text=_("Registered per month so far."))
    projected_total = Amount(help_text=_("At that pace, by the end of the period."))
    will_reach = serializers.BooleanField(read_only=True)
    reach_month = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("YYYY-MM the goal is (or was) reached.")
    )


class PledgeProgressSerializer(serializers.Serializer[dict[str, Any]]):
    goal = GoalSerializer(read_only=True)
    registered_amount = Amount()
    percent = serializers.DecimalField(
        max_digits=22, decimal_places=2, coerce_to_string=True, read_only=True
    )
    remaining = Amount()
    count = serializers.IntegerField(read_only=True, help_text=_("Pledges registered."))
    holders = serializers.IntegerField(read_only=True, help_text=_("Holders financed."))
    average = Amount(allow_null=True)
    median = Amount(allow_null=True)
    by_month = MonthSerializer(many=True, read_only=True)
    by_district = DistrictRowSerializer(many=True, read_only=True)
    by_bank = BreakdownRowSerializer(many=True, read_only=True)
    by_kind = BreakdownRowSerializer(many=True, read_only=True)
    by_industry = BreakdownRowSerializer(many=True, read_only=True)
    projection = ProjectionSerializer(read_only=True)
    as_of = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When the latest ledger entry was recorded.")
    )
