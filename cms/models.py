"""The public portal as Wagtail pages.

The tree is: HomePage (/) → ListingIndexPage (/listings/, routable: search and the listing
detail at /listings/<id>/), NewsIndexPage (/news/) → NewsPage, InstitutionIndexPage
(/institutions/), DashboardPage (/dashboard/: the pledge-financing goal). Page content is
bilingual the simple way: the page's own fields are Chinese, and each `*_en` field replaces
its Chinese twin when the visitor reads English.
"""

from typing import Any

from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from listings.forms import ListingSearchForm
from listings.models import Listing
from listings.sanitize import html_to_text
from listings.selectors import listing_for_public_page, listing_search, listings_for_cards
from marketplace.i18n import local_name, localized, reading_english
from marketplace.pledges.indicators import indicator_board
from marketplace.pledges.models import Goal
from marketplace.pledges.progress import (
    all_goals,
    choose_current_goal,
    current_goal,
    goal_headline,
    pledge_progress,
)
from marketplace.pledges.selectors import assets_under_active_pledge

from .forms import InstitutionFilterForm, dropped_filters, search_form_data
from .pagination import page_links, query_string
from .selectors import (
    home_counts,
    latest_news,
    listing_result,
    newest_listings,
    service_institution_facets,
    service_institutions,
)
from .seo import Seo

# Primary keys are 64-bit; a longer number in the URL is simply not a listing (SQLite would
# otherwise raise OverflowError → 500).
MAX_PK = 2**63 - 1
META_DESCRIPTION_CHARS = 150


def default_description() -> str:
    # the same words as templates/base.html's default meta description
    return gettext(
        "Transfer, license and pledge patents, trademarks, copyrights and geographical "
        "indications in Zhengzhou."
    )


def per_page_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        _("items per page"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )


class BilingualPage(Page):
    """Chinese title and introduction with English twins shown to English readers."""

    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro = RichTextField(_("introduction (Chinese)"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    bilingual_panels = [
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
    ]
    content_panels = [*Page.content_panels, *bilingual_panels]
    search_fields = [
        *Page.search_fields,
        index.SearchField("title_en"),
        index.SearchField("intro"),
        index.SearchField("intro_en"),
    ]
    api_fields = [APIField("title_en"), APIField("intro"), APIField("intro_en")]

    class Meta:
        abstract = True

    @property
    def local_title(self) -> str:
        return localized(self.title, self.title_en)

    @property
    def local_intro(self) -> str:
        """Rich text (Wagtail's internal format: render it with |richtext)."""
        return localized(self.intro, self.intro_en)

    def seo(self, request: HttpRequest) -> Seo:
        """The promote tab's SEO title and search description win in Chinese; in English
        the English title and introduction stand in for them."""
        if reading_english():
            title = self.title_en or self.seo_title or self.title
            description = html_to_text(self.intro_en) or self.search_description
        else:
            title = self.seo_title or self.title
            description = self.search_description or html_to_text(self.intro)
        return Seo(
            title=title,
            description=Truncator(description or default_description()).chars(
                META_DESCRIPTION_CHARS
            ),
            # The page itself, not whatever query string came with the request.
            url=request.build_absolute_uri(request.path),
        )

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["seo"] = self.seo(request)
        return context


class HomePage(BilingualPage):
    """The portal's front page: what the exchange is, and the numbers that matter."""

    max_count = 1
    subpage_types = [
        "cms.ListingIndexPage",
        "cms.NewsIndexPage",
        "cms.InstitutionIndexPage",
        "cms.DashboardPage",
    ]
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def seo(self, request: HttpRequest) -> Seo:
        seo = super().seo(request)
        seo.full_title = seo.title  # the site's name is the home page's title
        return seo

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["counts"] = home_counts()
        context["newest_listings"] = newest_listings(limit=6)
        context["latest_news"] = latest_news(limit=3)
        # The goal's progress bar: a fixed handful of queries over the maintained aggregates.
        context["goal_progress"] = current_goal_headline()
        return context


class ListingIndexPage(RoutablePageMixin, BilingualPage):
    """The market: search and filter published listings; each listing at /listings/<id>/."""

    per_page = per_page_field()

    content_panels = [*BilingualPage.content_panels, FieldPanel("per_page")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "cms/listing_index_page.html"

    class Meta:
        verbose_name = _("listing index page")

    @path("", name="search")
    def search_view(self, request: HttpRequest) -> HttpResponse:
        form = ListingSearchForm(search_form_data(request.GET))
        filters = form.valid_filters()
        search = listing_search(filters=filters)
        # get_page: a page past the end gives the last page, garbage gives the first.
        page = Paginator(search.results, self.per_page).get_page(request.GET.get("page"))
        base_query = query_string(form, filters)
        seo = self.seo(request)
        if base_query:  # a search is shareable: its URL carries the valid filters only
            seo.url = f"{seo.url}?{base_query}"
        return self.render(
            request,
            context_overrides={
                "seo": seo,
                "form": form,
                "filters": filters,
                "search": search,
                "page_obj": page,
                "listings": listings_for_cards(page.object_list),
                "facet_fields": facet_fields(form, search.facets, filters),
                "dropped": dropped_filters(form),
                "base_query": base_query,
                "pages": page_links(page, base_query),
            },
        )

    @path("<int:pk>/", name="listing_detail")
    def listing_detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if pk > MAX_PK:
            raise Http404
        try:
            # Published, or closed with its result; withdrawn, expired and unpublished
            # listings are not public (listings.models.PUBLIC_LISTING_STATES).
            listing = listing_for_public_page(pk=pk)
        except Listing.DoesNotExist:
            raise Http404 from None
        assets = list(listing.assets.all())  # prefetched, in the order they were recorded
        pledged = assets_under_active_pledge(assets=assets)
        description = html_to_text(listing.description) or " · ".join(
            str(part)
            for part in (
                listing.get_kind_display(),
                listing.get_intent_display(),
                local_name(listing.holder),
            )
        )
        return self.render(
            request,
            template="cms/listing_detail.html",
            context_overrides={
                "listing": listing,
                "result": listing_result(listing=listing),
                "asset_rows": [(asset, pledged[asset.pk]) for asset in assets],
                "seo": Seo(
                    title=listing.local_title,
                    description=Truncator(description).chars(META_DESCRIPTION_CHARS),
                    url=request.build_absolute_uri(request.path),
                    og_type="article",
                ),
            },
        )


def facet_fields(
    form: Any, facets: dict[str, dict[str, int]], filters: dict[str, Any]
) -> list[dict[str, Any]]:
    """The select filters with each option's count beside it (counts ignore the field's
    own filter, so they say what picking that option would give)."""
    fields = []
    for name, counts in facets.items():
        field = form[name]
        options = [
            {
                "value": value,
                "label": label,
                "count": counts.get(value, 0) if value else None,
                "selected": filters.get(name, "") == value,
            }
            for value, label in field.field.choices
        ]
        fields.append({"name": name, "field": field, "options": options})
    return fields


class NewsIndexPage(BilingualPage):
    """News and policy: the newest first."""

    per_page = per_page_field()

    content_panels = [*BilingualPage.content_panels, FieldPanel("per_page")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1
    template = "cms/news_index_page.html"

    class Meta:
        verbose_name = _("news index page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        page = Paginator(news, self.per_page).get_page(request.GET.get("page"))
        context["page_obj"] = page
        context["pages"] = page_links(page, "")
        return context


class NewsPage(BilingualPage):
    """A news item or policy text. `intro` is a plain summary here (lists, meta description)."""

    date = models.DateField(_("date"))
    intro = models.TextField(_("summary (Chinese)"), blank=True)
    intro_en = models.TextField(_("summary (English)"), blank=True)
    body = RichTextField(_("body (Chinese)"))
    body_en = RichTextField(
        _("body (English)"),
        blank=True,
        help_text=_("Optional; English readers see the Chinese body when this is empty."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(_("source address"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
        FieldPanel("body"),
        FieldPanel("body_en"),
        MultiFieldPanel([FieldPanel("source"), FieldPanel("source_url")], heading=_("Source")),
    ]
    search_fields = [
        *BilingualPage.search_fields,
        index.SearchField("body"),
        index.SearchField("body_en"),
        index.FilterField("date"),
    ]
    api_fields = [
        *BilingualPage.api_fields,
        APIField("date"),
        APIField("body"),
        APIField("body_en"),
        APIField("source"),
        APIField("source_url"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "cms/news_page.html"

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["news_index"] = self.get_parent().specific
        return context

    @property
    def local_body(self) -> str:
        return localized(self.body, self.body_en)

    @property
    def body_in_chinese_only(self) -> bool:
        return reading_english() and not self.body_en

    def seo(self, request: HttpRequest) -> Seo:
        seo = super().seo(request)
        english = reading_english() and self.intro_en
        summary = self.intro_en if english else (self.search_description or self.intro)
        if summary:
            seo.description = Truncator(" ".join(summary.split())).chars(META_DESCRIPTION_CHARS)
        seo.og_type = "article"
        return seo


class InstitutionIndexPage(BilingualPage):
    """The directory of verified service institutions (appraisal, agencies, law firms)."""

    per_page = per_page_field()

    content_panels = [*BilingualPage.content_panels, FieldPanel("per_page")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "cms/institution_index_page.html"

    class Meta:
        verbose_name = _("service institution directory")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        form = InstitutionFilterForm(request.GET)
        filters = form.valid_filters()
        institutions = service_institutions(filters=filters)
        page = Paginator(institutions, self.per_page).get_page(request.GET.get("page"))
        base_query = query_string(form, filters)
        if base_query:
            context["seo"].url = f"{context['seo'].url}?{base_query}"
        context.update(
            form=form,
            filters=filters,
            page_obj=page,
            facet_fields=facet_fields(form, service_institution_facets(filters=filters), filters),
            dropped=dropped_filters(form),
            base_query=base_query,
            pages=page_links(page, base_query),
        )
        return context


# --- the pledge-financing goal (issue 5) -------------------------------------------------


def current_goal_headline() -> dict[str, Any] | None:
    """The current goal's bar for the home page (marketplace.pledges.progress
    .goal_headline), or None when no goal is set: two short queries."""
    goal = current_goal()
    return None if goal is None else goal_headline(goal=goal)


DASHBOARD_INTRO_HELP = _(
    "The page opens with a sentence naming the goal shown, its amount and period, written "
    "from the goal itself; keep this introduction free of a particular goal's figures."
)


def goal_standing(goal: Goal, *, current: Goal | None) -> str:
    """Where the goal shown stands, for the dashboard's opening sentence: "current" (its
    period holds today), "latest_ended" / "next" (the current goal, when staff have not
    set one for today), "earlier" or "later" (another goal picked with ?goal=<id>)."""
    today = timezone.localdate()
    if current is not None and goal.pk == current.pk:
        if goal.start <= today <= goal.end:
            return "current"
        return "latest_ended" if goal.end < today else "next"
    return "earlier" if goal.end < today else "later"


class DashboardPage(BilingualPage):
    """/dashboard/: how far the city is toward its pledge-financing goal — the progress bar,
    the key figures, the monthly trend against the straight-line path with a projection,
    the breakdowns and the action plan's indicator board. Charts are server-rendered SVG
    (cms.templatetags.charts), each with its table under it."""

    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    template = "cms/dashboard_page.html"

    # The opening sentence names the goal shown (cms/dashboard_page.html); the editors'
    # introduction follows it and should not cite a goal that a later one replaces.
    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro", help_text=DASHBOARD_INTRO_HELP),
        FieldPanel("intro_en", help_text=DASHBOARD_INTRO_HELP),
    ]

    class Meta:
        verbose_name = _("pledge financing dashboard")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # The current goal, or the one ?goal=<id> names (an earlier plan's final result, a
        # later goal); every goal is offered as a link when there is more than one.
        goals = all_goals()
        current = choose_current_goal(goals, today=timezone.localdate())
        goal = current
        wanted = request.GET.get("goal", "").strip()
        if wanted:
            goal = next((g for g in goals if wanted.isdigit() and str(g.pk) == wanted), None)
            if goal is None:
                raise Http404(gettext("There is no such goal."))
        progress = None if goal is None else pledge_progress(goal=goal)
        context.update(
            progress=progress,
            goals=goals,
            current_goal=current,
            goal_standing=None if goal is None else goal_standing(goal, current=current),
        )
        if progress is not None:
            context["breakdowns"] = [
                {
                    "slug": "district",
                    "title": gettext("By district"),
                    "key_heading": gettext("District"),
                    "rows": progress["by_district"],
                    "highlight": True,
                },
                {
                    "slug": "bank",
                    "title": gettext("By bank"),
                    "key_heading": gettext("Bank"),
                    "rows": progress["by_bank"],
                    "highlight": False,
                },
                {
                    "slug": "kind",
                    "title": gettext("By kind of asset"),
                    "key_heading": gettext("Kind of asset"),
                    "rows": progress["by_kind"],
                    "highlight": False,
                },
                {
                    "slug": "industry",
                    "title": gettext("By industry"),
                    "key_heading": gettext("Industry"),
                    "rows": progress["by_industry"],
                    "highlight": False,
                },
            ]
        # The action plan's indicator board (marketplace.pledges.indicators), a fixed
        # number of queries too.
        context["indicators"] = indicator_board()
        return context
