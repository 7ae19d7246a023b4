"""Admin for editors: concepts with their examples and relations inline."""

from django.contrib import admin

from concepts import services
from concepts.models import Category, Concept, Example, Tag
from kbapi.admin import ServiceAdmin, ServiceModelAdmin
from relations.models import Relation
from relations.services import relation_create, relation_delete, relation_update


@admin.register(Category)
class CategoryAdmin(ServiceModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    create_service = services.category_create
    update_service = services.category_update
    delete_service = services.category_delete
    service_object = "category"
    service_fields = ("slug", "name", "description")


@admin.register(Tag)
class TagAdmin(ServiceModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    create_service = services.tag_create
    update_service = services.tag_update
    delete_service = services.tag_delete
    service_object = "tag"
    service_fields = ("slug", "name")


class ExampleInline(admin.TabularInline):
    """The examples that illustrate this concept (links saved through example services)."""

    model = Example.concepts.through
    extra = 0
    autocomplete_fields = ("example",)
    verbose_name = "example"
    verbose_name_plural = "examples"


class OutgoingRelationInline(admin.TabularInline):
    """Relations from this concept to others (saved through relation services)."""

    model = Relation
    fk_name = "source"
    extra = 0
    fields = ("type", "target", "note")
    autocomplete_fields = ("target",)
    verbose_name = "relation from this concept"
    verbose_name_plural = "relations from this concept"


@admin.register(Concept)
class ConceptAdmin(ServiceAdmin):
    list_display = ("name", "slug", "category", "source", "updated_at")
    list_filter = ("category", "tags")
    search_fields = ("name", "slug", "summary", "aliases")
    autocomplete_fields = ("tags",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (ExampleInline, OutgoingRelationInline)
    create_service = services.concept_create
    update_service = services.concept_update
    delete_service = services.concept_delete
    service_object = "concept"
    service_fields = services.CONCEPT_FIELDS + ("tags",)

    def save_formset(self, request, form, formset, change):
        if formset.model is Relation:
            return self._save_relations(request, form, formset)
        return self._save_examples(request, form, formset)

    def _save_relations(self, request, form, formset):
        context = self.service_context(request)
        for inline in formset.forms:
            if not inline.has_changed() and not formset._should_delete_form(inline):
                continue
            relation = inline.instance
            if formset._should_delete_form(inline):
                if relation.pk:
                    relation_delete(relation=relation, **context)
                continue
            data = {k: inline.cleaned_data[k] for k in ("type", "target", "note")}
            if relation.pk:
                stored = Relation.objects.get(pk=relation.pk)
                relation_update(relation=stored, data=data, **context)
            else:
                relation_create(source=form.instance, **data, **context)

    def _save_examples(self, request, form, formset):
        concept = Concept.objects.get(pk=form.instance.pk)
        context = self.service_context(request)
        for inline in formset.forms:
            example = inline.cleaned_data.get("example")
            if example is None or not (inline.has_changed() or formset._should_delete_form(inline)):
                continue
            linked = set(example.concepts.all())
            if formset._should_delete_form(inline):
                linked.discard(concept)
            else:
                linked.add(concept)
            services.example_update(example=example, data={"concepts": linked}, **context)


@admin.register(Example)
class ExampleAdmin(ServiceAdmin):
    list_display = ("name", "slug", "kind", "language")
    list_filter = ("kind", "language")
    search_fields = ("name", "slug", "description")
    autocomplete_fields = ("concepts",)
    prepopulated_fields = {"slug": ("name",)}
    create_service = services.example_create
    update_service = services.example_update
    delete_service = services.example_delete
    service_object = "example"
    service_fields = services.EXAMPLE_FIELDS + ("concepts",)
