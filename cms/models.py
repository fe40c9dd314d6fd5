from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .selectors import home_counts


class HomePage(Page):
    """The portal's front page: what the exchange is, and the numbers that matter."""

    intro = RichTextField(_("introduction (Chinese)"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)
    subtitle_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("subtitle_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count = 1
    subpage_types: list[str] = []
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["counts"] = home_counts()
        return context
