"""Admin plumbing: every save and delete in the admin goes through the services.

``ServiceModelAdmin`` is the admin of a model without history (categories,
tags: their History page is Django's log of admin actions); ``ServiceAdmin``
adds django-simple-history's History pages and Revert for a model with history.

Change forms carry the version they were opened at (a hidden field), and the
update service compares it with the stored one in its compare-and-set, so a
stale form is refused with a message instead of saving over a newer version.

Deletes are all or nothing: "Delete selected ..." runs in one transaction and
deletes each object through the delete service; when the service refuses any
of them (what depends on it, as the API's 409 says), nothing is deleted and the
changelist shows which objects are needed and by what.

History → an entry → "Revert" restores that entry as the API's revert does
(``kbapi.history.revert_to``: the entry's fields, many-to-many links and
comparison rows, through the update service, recorded as "Reverted to entry
N." with the editor as actor). The entry's page only shows the state; its
fields are not editable, and what is posted is the version the page was opened
at, which the update service's compare-and-set checks.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from kbapi.history import history_record, revert_message, revert_to
from kbapi.services import PreconditionFailed, ServiceError

VERSION_FIELD = "opened_at_version"
STALE_FORM_MESSAGE = (
    "Not saved: someone else changed this {name} after you opened it at version {opened}. "
    "Reload the page to see their changes, then apply yours again."
)
STALE_REVERT_MESSAGE = (
    "Not reverted: someone else changed this {name} after you opened this entry at version "
    "{opened}. Reload the page, then revert again if you still want this entry's state."
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


class RevertPreviewForm(forms.ModelForm):
    """The form of a history entry's page: the entry's state to look at, not to edit.

    ``entry_initial`` holds what the instance cannot give (the entry's
    many-to-many links; the form would read today's). Only the version stored
    now is posted with "Revert".
    """

    entry_initial: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.update(self.entry_initial)
        stored = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        self.initial[VERSION_FIELD] = stored.values_list("version", flat=True).first()
        for name, field in self.fields.items():
            field.disabled = name != VERSION_FIELD


class ServiceModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose form saves call ``create_service`` / ``update_service``.

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


class ServiceAdmin(ServiceModelAdmin, SimpleHistoryAdmin):
    """``ServiceModelAdmin`` for a model with history: its History pages, and Revert."""

    def __init__(self, model, admin_site):
        if not hasattr(model._meta, "simple_history_manager_attribute"):
            raise ImproperlyConfigured(
                f"{model.__name__} has no history: register it with ServiceModelAdmin."
            )
        super().__init__(model, admin_site)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        record = to_historic(obj) if obj is not None else None
        if record is not None:  # the history form view shows an entry
            attrs = {"entry_initial": self.entry_initial(record)}
            form = type(f"RevertPreview{form.__name__}", (RevertPreviewForm, form), attrs)
        return form

    def entry_initial(self, record) -> dict:
        """The entry's many-to-many links (kept as slugs in ``related``), as form initial."""
        related = record.related or {}
        return {
            field.name: list(
                field.related_model._default_manager.filter(slug__in=related[field.name])
            )
            for field in self.model._meta.many_to_many
            if field.name in related
        }

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            return self.revert_view(request, object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_view(self, request, object_id, version_id):
        """The entry page's "Revert": ``kbapi.history.revert_to``, as the API's revert.

        (simple-history's own POST saved the page's form, built on the entry's
        instance, through ``save_model``: the entry's old version failed the
        compare-and-set, many-to-many links and comparison rows were today's.)
        """
        obj = self.get_object(request, unquote(object_id))
        if obj is None:  # deleted: its history stays readable, but there is nothing to revert
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        record = history_record(obj, version_id)
        if record is None:
            raise Http404(f"This {self.opts.verbose_name} has no history entry {version_id}.")
        if not self.has_change_history_permission(request, obj) or self.revert_disabled(
            request, obj
        ):
            raise PermissionDenied
        version = forms.IntegerField(required=False, min_value=0)
        before = obj.version
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                reverted = revert_to(
                    obj,
                    record,
                    update_service=type(self).update_service,
                    service_object=self.service_object,
                    expected_version=version.clean(request.POST.get(VERSION_FIELD)),
                    actor=request.user,
                )
                if reverted.version != before:
                    self.log_change(request, reverted, revert_message(record))
        except PreconditionFailed as exc:
            message = STALE_REVERT_MESSAGE.format(
                name=self.opts.verbose_name, opened=exc.details.get("expected_version")
            )
            self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except (ServiceError, ValidationError) as exc:
            reason = getattr(exc, "message", None) or "; ".join(exc.messages)
            self.message_user(request, f"Not reverted: {reason}", level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        name, entry = self.opts.verbose_name, record.history_id
        if reverted.version == before:  # the update service wrote nothing
            message = f"The {name} “{reverted}” already is as entry {entry} recorded it."
        else:
            message = f"The {name} “{reverted}” was reverted to entry {entry}."
        self.message_user(request, message, level=messages.SUCCESS)
        opts = self.opts
        history = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history"
        return HttpResponseRedirect(reverse(history, args=[obj.pk]))


def mark_formsets_saved(formsets) -> None:
    """The admin's change message reads what formset.save() records; services saved instead."""
    for formset in formsets:
        for name in ("new_objects", "changed_objects", "deleted_objects"):
            if not hasattr(formset, name):
                setattr(formset, name, [])
