"""The public indicator board as JSON: `GET /api/v1/indicators/`."""

from rest_framework import serializers


class IndicatorSerializer(serializers.Serializer):
    """One indicator of the action plan. Amounts and values are decimal strings (never
    floats); `current`, `progress` and `as_of` are null while there is no figure yet."""

    code = serializers.CharField(source="indicator.code", help_text="Stable identifier.")
    name = serializers.CharField(source="indicator.name", help_text="Chinese name.")
    name_en = serializers.CharField(source="indicator.name_en", help_text="English name.")
    unit = serializers.CharField(source="indicator.unit", help_text="Chinese unit (元 for yuan).")
    unit_en = serializers.CharField(source="indicator.unit_en", help_text="English unit.")
    target = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    current = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=True
    )
    progress = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        allow_null=True,
        coerce_to_string=True,
        help_text="Percent of the target, one decimal; above 100 once exceeded.",
    )
    source = serializers.CharField(  # type: ignore[assignment]  # DRF pops declared fields
        help_text="Where the current figure comes from (in the request's language when "
        "computed by the platform; as entered by staff otherwise)."
    )
    as_of = serializers.DateField(allow_null=True, help_text="The date the figure describes.")
    computed = serializers.BooleanField(
        help_text="True when the platform computes the figure from its own records."
    )
