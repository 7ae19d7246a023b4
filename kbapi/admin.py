"""Admin plumbing: every save and delete in the admin goes through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from kbapi.services import ServiceError


class ServiceAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose form saves call ``create_service`` / ``update_service``.

    ``service_fields`` are the form fields handed to the services (plain and
    many-to-many alike); ``service_object`` names the keyword of the object.
    """

    create_service = None
    update_service = None
    delete_service = None
    service_object = ""
    service_fields: tuple[str, ...] = ()

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
            saved = type(self).update_service(**{self.service_object: stored}, data=data, **context)
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
        for obj in queryset:
            self.delete_model(request, obj)

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (ServiceError, ValidationError) as exc:
            message = getattr(exc, "message", None) or "; ".join(exc.messages)
            self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def mark_formsets_saved(formsets) -> None:
    """The admin's change message reads what formset.save() records; services saved instead."""
    for formset in formsets:
        for name in ("new_objects", "changed_objects", "deleted_objects"):
            if not hasattr(formset, name):
                setattr(formset, name, [])
