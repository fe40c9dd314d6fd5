"""The demo data's own record: which day its calendar hangs on and which sections are in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    """One row while demo data is loaded (`seed_demo` writes it; production refuses to).

    `anchor` is the day the demo was first loaded: every demo date is relative to it, so a
    later run completes the same demo instead of adding a second one beside it. `sections`
    lists the sections loaded so far, each written in one transaction with its rows. While
    the row exists, every public page says the figures are demo figures.
    """

    anchor = models.DateField(_("anchor day"))
    sections = models.JSONField(_("sections loaded"), default=list)
    created_at = models.DateTimeField(_("first loaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last loaded"), auto_now=True)

    class Meta:
        verbose_name = _("demo dataset")
        verbose_name_plural = _("demo datasets")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="demo_dataset_single_row")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} ({self.anchor.isoformat()})"
