"""Django admin for parties. Verification goes through the services, never a direct write."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import services
from .models import Membership, Organization, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (gettext_lazy("Personal info"), {"fields": ("name", "phone")}),
        (
            gettext_lazy("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (gettext_lazy("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea, max_length=500)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "district", "verification_state", "created_at"]
    list_filter = ["verification_state", "kind", "district"]
    search_fields = ["name", "name_en", "credit_code"]
    readonly_fields = ["verification_state", "verification_note", "verified_at"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["verify_selected", "reject_selected"]

    @admin.action(description=gettext_lazy("Verify selected organisations"))
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        done = 0
        for organization in queryset:
            try:
                services.organization_verify(organization=organization, by=cast(User, request.user))
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{organization}: {error.messages[0]}", messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%(n)d organisation verified.", "%(n)d organisations verified.", done)
                % {"n": done},
                messages.SUCCESS,
            )

    @admin.action(description=gettext_lazy("Reject selected organisations…"))
    def reject_selected(
        self, request: HttpRequest, queryset: QuerySet[Organization]
    ) -> HttpResponse | None:
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            done = 0
            for organization in queryset:
                try:
                    services.organization_reject(
                        organization=organization,
                        by=cast(User, request.user),
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    self.message_user(
                        request, f"{organization}: {error.messages[0]}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    ngettext("%(n)d organisation rejected.", "%(n)d organisations rejected.", done)
                    % {"n": done},
                    messages.SUCCESS,
                )
            return None
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": _("Reject organisations"),
            "form": form,
            "queryset": queryset,
            "action": "reject_selected",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/parties/reason_action.html", context)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]
