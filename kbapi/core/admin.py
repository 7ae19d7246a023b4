"""Admin plumbing: every save and delete in the admin goes through the services.

``ServiceModelAdmin`` is the admin of a model without history (categories,
tags: their History page is Django's log of admin actions);
``history.admin.ServiceAdmin`` adds django-simple-history's History pages and
Revert for a model with history.

Change forms carry the version they were opened at (a hidden field), and the
update service compares it with the stored one in its compare-and-set, so a
stale form is refused with a message instead of saving over a newer version.

Deletes are all or nothing: "Delete selected ..." runs in one transaction and
deletes each object through the delete service; when the service refuses any
of them (what depends on it, as the API's 409 says), nothing is deleted and the
changelist shows which objects are needed and by what.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from kbapi.core.services import PreconditionFailed, ServiceError, WritesThroughServices

VERSION_FIELD = "opened_at_version"
STALE_FORM_MESSAGE = (
    "Not saved: someone else changed this {name} after you opened it at version {opened}. "
    "Reload the page to see their changes, then apply yours again."
)


class DeleteRefused(Exception):
    """A bulk delete the services refused for some objects; nothing was deleted."""


def refusal_message(exc: ServiceError) -> str:
    """The service's reason, with what depends on the object (as the API's 409 details it)."""
    dependents = exc.details.get("dependents") or {}
    kinds = [f"{kind}: {', '.join(map(str, names))}" for kind, names in dependents.items() if names]
    return f"{exc.message} ({'; '.join(kinds)})" if kinds else exc.message


class OpenedAtVersionForm(forms.ModelForm):
    """Adds the hidden version the form was opened at."""

    opened_at_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial[VERSION_FIELD] = self.instance.version


class ServiceModelAdmin(WritesThroughServices, admin.ModelAdmin):
    """A ModelAdmin whose form saves call ``create_service`` / ``update_service`` (set by
    ``writes = services.CONCEPT_WRITES``, as the API's viewset names them).

    ``service_fields`` are the form fields handed to the services (plain and
    many-to-many alike); ``service_object`` names the keyword of the object.
    """

    create_service = None
    update_service = None
    delete_service = None
    service_object = ""
    service_fields: tuple[str, ...] = ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "form" not in kwargs and hasattr(self.model, "version"):
            name = f"Versioned{self.form.__name__}"
            kwargs["form"] = type(name, (OpenedAtVersionForm, self.form), {})
        return super().get_form(request, obj, change=change, **kwargs)

    @staticmethod
    def opened_at_version(form) -> int | None:
        """The version the change form showed (None: an old form without the field)."""
        return form.cleaned_data.get(VERSION_FIELD)

    def service_data(self, form) -> dict:
        return {f: form.cleaned_data[f] for f in self.service_fields if f in form.cleaned_data}

    def service_context(self, request, form=None) -> dict:
        message = form.cleaned_data.get("change_message", "") if form is not None else ""
        return {"actor": request.user, "change_message": message}

    def save_model(self, request, obj, form, change):
        data = self.service_data(form)
        context = self.service_context(request, form)
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            saved = type(self).update_service(
                **{self.service_object: stored},
                data=data,
                expected_version=self.opened_at_version(form),
                **context,
            )
        else:
            saved = type(self).create_service(**data, **context)
        obj.pk = saved.pk
        obj.version = saved.version
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields were set by the service; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        mark_formsets_saved(formsets)

    def delete_model(self, request, obj):
        type(self).delete_service(**{self.service_object: obj}, **self.service_context(request))

    def delete_queryset(self, request, queryset):
        """Delete each through the service, in one transaction: all, or none if one is refused."""
        refused = []
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                try:
                    with transaction.atomic(using=router.db_for_write(self.model)):
                        self.delete_model(request, obj)
                except ServiceError as exc:  # go on, to name every refused object
                    refused.append(exc)
            if refused:
                raise DeleteRefused(self._bulk_refusal_message(refused, len(queryset)))

    def _bulk_refusal_message(self, refused: list[ServiceError], selected: int) -> str:
        reasons = " ".join(refusal_message(exc) for exc in refused)
        names = model_ngettext(self.opts, selected)
        return (
            f"Nothing was deleted: {len(refused)} of the {selected} selected {names} "
            f"cannot be deleted. {reasons}"
        )

    def response_action(self, request, queryset):
        # The whole action in one transaction: the deletion log entries roll back too.
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset)
        except DeleteRefused as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except PreconditionFailed as exc:
            self.message_user(request, self._stale_message(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except (ServiceError, ValidationError) as exc:
            message = getattr(exc, "message", None) or "; ".join(exc.messages)
            self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _stale_message(self, exc: PreconditionFailed) -> str:
        return STALE_FORM_MESSAGE.format(
            name=self.model._meta.verbose_name,
            opened=exc.details.get("expected_version"),
        )

    def delete_view(self, request, object_id, extra_context=None):
        # Django runs the delete in a transaction; a refusal has rolled it back here.
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceError as exc:
            self.message_user(request, refusal_message(exc), level=messages.ERROR)
            opts = self.opts
            change = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[object_id],
            )
            return HttpResponseRedirect(change)


def mark_formsets_saved(formsets) -> None:
    """The admin's change message reads what formset.save() records; services saved instead."""
    for formset in formsets:
        for name in ("new_objects", "changed_objects", "deleted_objects"):
            if not hasattr(formset, name):
                setattr(formset, name, [])
