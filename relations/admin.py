"""Admin for editors: relations, comparisons with their aspects inline, and a concept's
relations inline on the concept's page (which the concepts app, below this one, cannot know)."""

from django import forms
from django.contrib import admin

from concepts.admin import ConceptAdmin as ConceptOnlyAdmin
from concepts.models import Concept
from history.admin import ServiceAdmin
from kbapi.core.admin import mark_formsets_saved
from relations import services
from relations.models import Aspect, Comparison, Relation


@admin.register(Relation)
class RelationAdmin(ServiceAdmin):
    list_display = ("source", "type", "target", "note")
    list_filter = ("type",)
    search_fields = ("source__name", "source__slug", "target__name", "target__slug", "note")
    autocomplete_fields = ("source", "target")
    writes = services.RELATION_WRITES
    service_fields = ("source", "type", "target", "note")


class AspectForm(forms.ModelForm):
    values = forms.JSONField(
        help_text='One value per compared concept: {"concept-slug": "text", ...}'
    )

    class Meta:
        model = Aspect
        fields = ("position", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["values"] = {
                v.concept.slug: v.value for v in self.instance.values.select_related("concept")
            }


class AspectInline(admin.StackedInline):
    """The comparison's rows; saved through ``comparison_update`` as a whole."""

    model = Aspect
    form = AspectForm
    extra = 0
    ordering = ("position",)

    # Aspects are part of their comparison: whoever may change it may edit its rows.
    def _comparison_perm(self, request, action: str) -> bool:
        return request.user.has_perm(f"relations.{action}_comparison")

    def has_view_permission(self, request, obj=None):
        return self._comparison_perm(request, "view")

    def has_add_permission(self, request, obj=None):
        return self._comparison_perm(request, "change")

    def has_change_permission(self, request, obj=None):
        return self._comparison_perm(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._comparison_perm(request, "change")


class ComparedConceptsField(forms.CharField):
    """The compared concepts, as slugs in column order (``a, b, c``)."""

    def to_python(self, value):
        return [slug.strip() for slug in (value or "").split(",") if slug.strip()]


class ComparisonForm(forms.ModelForm):
    concept_slugs = ComparedConceptsField(
        label="Concepts", help_text="Slugs of the compared concepts, in column order."
    )

    class Meta:
        model = Comparison
        fields = ("slug", "title", "summary", "verdict")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            items = self.instance.items.select_related("concept")
            self.initial["concept_slugs"] = ", ".join(item.concept.slug for item in items)

    def clean_concept_slugs(self):
        slugs = self.cleaned_data["concept_slugs"]
        found = services.concepts_by_slug(slugs)
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise forms.ValidationError(f"Unknown concepts: {', '.join(missing)}")
        return [found[slug] for slug in slugs]


@admin.register(Comparison)
class ComparisonAdmin(ServiceAdmin):
    form = ComparisonForm
    list_display = ("title", "slug", "updated_at")
    search_fields = ("title", "slug", "summary")
    inlines = (AspectInline,)
    writes = services.COMPARISON_WRITES
    service_fields = services.COMPARISON_FIELDS

    def entry_initial(self, record) -> dict:
        return {"concept_slugs": ", ".join((record.related or {}).get("concepts", []))}

    def save_model(self, request, obj, form, change):
        # Comparisons are written whole (fields, concepts and aspects) in save_related.
        self._pending = (obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        aspects = [
            {"name": f.cleaned_data["name"], "values": f.cleaned_data["values"]}
            for formset in formsets
            for f in sorted(formset.forms, key=lambda f: f.cleaned_data.get("position") or 0)
            if f.cleaned_data and not formset._should_delete_form(f)
        ]
        data = {**self.service_data(form), "concepts": form.cleaned_data["concept_slugs"]}
        data["aspects"] = aspects
        context = self.service_context(request, form)
        if change:
            stored = Comparison.objects.get(pk=obj.pk)
            saved = services.comparison_update(
                comparison=stored,
                data=data,
                expected_version=self.opened_at_version(form),
                **context,
            )
        else:
            saved = services.comparison_create(**data, **context)
        obj.pk = saved.pk
        obj._state.adding = False
        mark_formsets_saved(formsets)


class OutgoingRelationInline(admin.TabularInline):
    """Relations from this concept to others (saved through relation services)."""

    model = Relation
    fk_name = "source"
    extra = 0
    fields = ("type", "target", "note")
    autocomplete_fields = ("target",)
    verbose_name = "relation from this concept"
    verbose_name_plural = "relations from this concept"


admin.site.unregister(Concept)


@admin.register(Concept)
class ConceptAdmin(ConceptOnlyAdmin):
    """The concepts' admin with the relations from each concept inline."""

    inlines = (*ConceptOnlyAdmin.inlines, OutgoingRelationInline)

    def save_formset(self, request, form, formset, change):
        if formset.model is Relation:
            return self._save_relations(request, form, formset)
        return super().save_formset(request, form, formset, change)

    def _save_relations(self, request, form, formset):
        context = self.service_context(request)
        for inline in formset.forms:
            if not inline.has_changed() and not formset._should_delete_form(inline):
                continue
            relation = inline.instance
            if formset._should_delete_form(inline):
                if relation.pk:
                    services.relation_delete(relation=relation, **context)
                continue
            data = {k: inline.cleaned_data[k] for k in ("type", "target", "note")}
            if relation.pk:
                stored = Relation.objects.get(pk=relation.pk)
                services.relation_update(relation=stored, data=data, **context)
            else:
                services.relation_create(source=form.instance, **data, **context)
