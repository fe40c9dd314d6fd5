"""The action plan's 2025 indicators and the figures staff enter for them (issue 5).

An `Indicator` is one numeric target of the plan (30 patent-navigation bases, ¥1.2 billion
of pledge financing …). Its current value is either computed from the platform's own
records (the directory, the pledge ledger: `marketplace.pledges.indicators`) or entered by
staff as an `IndicatorValue`, with where the figure comes from and the date it describes.
Values are a history: a correction is a newer value, never an edit, so every figure ever
shown can be traced to who entered it and from what source.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("Computed from the platform")  # counted from our own records
    MANUAL = "manual", _("Entered by staff")  # figures the platform does not hold


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20)
    unit_en = models.CharField(_("English unit"), max_length=40, blank=True)
    source_kind = models.CharField(
        _("source of the current value"),
        max_length=10,
        choices=IndicatorSource.choices,
        default=IndicatorSource.MANUAL,
    )
    # Institutions, people and bases are counted: a value of 12.5 is a typing error.
    whole_number = models.BooleanField(_("counted in whole numbers"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="indicator_target_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def computed(self) -> bool:
        return self.source_kind == IndicatorSource.COMPUTED


class IndicatorValueImmutable(Exception):
    """Indicator values are a history: a correction is a newer value."""


class IndicatorValueQuerySet(models.QuerySet["IndicatorValue"]):
    def update(self, **kwargs: Any) -> int:
        raise IndicatorValueImmutable("Indicator values cannot be changed; add a newer value.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise IndicatorValueImmutable("Indicator values cannot be deleted; add a newer value.")


class IndicatorValue(models.Model):
    """One figure for a staff-entered indicator. The current value is the newest by `as_of`
    (the date the figure describes), then by when it was entered; older rows stay as the
    history. Written only by `indicator_value_add`; `save` on a stored row and `delete`
    raise, and so do the queryset's `update` and `delete`."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # PROTECT: who entered a figure is part of its record (deactivate staff, do not delete
    # them); SET_NULL would also run the queryset `update` this history refuses.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["-as_of", "-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["indicator", "-as_of", "-created_at", "-id"], name="indicator_value_latest"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_not_negative"),
            models.CheckConstraint(condition=~Q(source=""), name="indicator_value_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.value} ({self.as_of})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise IndicatorValueImmutable("Indicator values cannot be changed; add a newer value.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise IndicatorValueImmutable("Indicator values cannot be deleted; add a newer value.")
