"""The admin of a model with history: its History pages, and Revert.

History → an entry → "Revert" restores that entry as the API's revert does
(``history.revert.revert_to``: the entry's fields, many-to-many links and
comparison rows, through the update service, recorded as "Reverted to entry
N." with the editor as actor). The entry's page only shows the state; its
fields are not editable, and what is posted is the version the page was opened
at, which the update service's compare-and-set checks.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from history.revert import history_record, revert_message, revert_to
from kbapi.core.admin import VERSION_FIELD, ServiceModelAdmin
from kbapi.core.services import PreconditionFailed, ServiceError

STALE_REVERT_MESSAGE = (
    "Not reverted: someone else changed this {name} after you opened this entry at version "
    "{opened}. Reload the page, then revert again if you still want this entry's state."
)


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
        """The entry page's "Revert": ``history.api.revert_to``, as the API's revert.

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
