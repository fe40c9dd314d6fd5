"""Search synonyms in the Wagtail admin (Settings → Search synonyms): staff search the
groups, add, edit and delete them. The form shows the service's rules next to the fields;
the views write through the services, which log the change and refresh the portal's
synonym map once it commits."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from marketplace.forms import ServiceErrorsMixin
from marketplace.parties.models import User

from . import services
from .models import SearchSynonym


class SearchSynonymForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = SearchSynonym
        fields = ["term", "synonyms", "one_way"]
        widgets = {
            "synonyms": forms.Textarea(attrs={"rows": 5}),
            "one_way": forms.Textarea(attrs={"rows": 5}),
        }

    def terms(self, name: str) -> list[str]:
        return services.split_terms(self.cleaned_data.get(name) or "")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        try:
            services.search_synonym_validate(
                term=self.cleaned_data.get("term", ""),
                synonyms=self.terms("synonyms"),
                one_way=self.terms("one_way"),
                synonym=self.instance if self.instance.pk else None,
            )
        except ValidationError as error:
            if "term" in self.errors:  # the field's own message (empty, too long) says it
                error.error_dict.pop("term", None)
            self.apply_service_error(error)
        return cleaned


class _ServiceFormMixin:
    """form_valid that shows a refusal of the service (a group saved by someone else in
    the meantime) on the form instead of failing the request."""

    form: SearchSynonymForm

    def form_valid(self, form: SearchSynonymForm) -> HttpResponse:
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            form.apply_service_error(error)
            return self.form_invalid(form)  # type: ignore[attr-defined]


class SearchSynonymCreateView(_ServiceFormMixin, generic.CreateView):
    def save_instance(self) -> SearchSynonym:
        return services.search_synonym_create(
            by=cast(User, self.request.user),
            term=self.form.cleaned_data["term"],
            synonyms=self.form.terms("synonyms"),
            one_way=self.form.terms("one_way"),
        )


class SearchSynonymEditView(_ServiceFormMixin, generic.EditView):
    def save_instance(self) -> SearchSynonym:
        return services.search_synonym_update(
            synonym=self.object,
            by=cast(User, self.request.user),
            term=self.form.cleaned_data["term"],
            synonyms=self.form.terms("synonyms"),
            one_way=self.form.terms("one_way"),
        )


class SearchSynonymDeleteView(generic.DeleteView):
    def delete_action(self) -> None:
        services.search_synonym_delete(synonym=self.object, by=cast(User, self.request.user))


def _joined(attribute: str) -> Any:
    def read(synonym: SearchSynonym) -> str:
        return "、".join(getattr(synonym, attribute))

    return read


def _updated(synonym: SearchSynonym) -> str:
    return date_format(timezone.localtime(synonym.updated_at), "SHORT_DATE_FORMAT")


class SearchSynonymViewSet(ModelViewSet):
    model = SearchSynonym
    name = "search_synonyms"
    url_prefix = "search-synonyms"
    icon = "search"
    menu_label = _("Search synonyms")
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    add_view_class = SearchSynonymCreateView
    edit_view_class = SearchSynonymEditView
    delete_view_class = SearchSynonymDeleteView
    # The table is small and not in the search index: the ORM searches its three columns.
    search_fields = ["term", "synonyms", "one_way"]
    search_backend_name = None
    list_per_page = 100  # the starting list fits on one page
    list_display = [
        TitleColumn(
            "term",
            label=pgettext_lazy("search synonym", "Term"),
            url_name="search_synonyms:edit",
            sort_key="term",
        ),
        Column("synonyms", label=_("Synonyms"), accessor=_joined("synonym_list")),
        Column("one_way", label=_("One-way terms"), accessor=_joined("one_way_list")),
        Column("updated_at", label=_("Updated"), accessor=_updated, sort_key="updated_at"),
    ]

    def get_form_class(self, for_update: bool = False) -> type[SearchSynonymForm]:
        return SearchSynonymForm
