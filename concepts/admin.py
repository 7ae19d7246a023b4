"""Admin for editors: concepts with their examples inline (the relations app adds its own)."""

from django.contrib import admin

from concepts import services
from concepts.models import Category, Concept, Example, Tag
from concepts.shape import EXAMPLE
from history.admin import ServiceAdmin
from kbapi.core.admin import ServiceModelAdmin


@admin.register(Category)
class CategoryAdmin(ServiceModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    writes = services.CATEGORY_WRITES
    service_fields = ("slug", "name", "description")


@admin.register(Tag)
class TagAdmin(ServiceModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    writes = services.TAG_WRITES
    service_fields = ("slug", "name")


class ExampleInline(admin.TabularInline):
    """The examples that illustrate this concept (links saved through example services)."""

    model = Example.concepts.through
    extra = 0
    autocomplete_fields = ("example",)
    verbose_name = "example"
    verbose_name_plural = "examples"


@admin.register(Concept)
class ConceptAdmin(ServiceAdmin):
    list_display = ("name", "slug", "category", "source", "updated_at")
    list_filter = ("category", "tags")
    search_fields = ("name", "slug", "summary", "aliases")
    autocomplete_fields = ("tags",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (ExampleInline,)  # relations/admin.py adds the concept's relations
    writes = services.CONCEPT_WRITES
    service_fields = services.CONCEPT_FIELDS + ("tags",)

    def save_formset(self, request, form, formset, change):
        """The examples inline: each example's concepts, through the example service."""
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
    autocomplete_fields = ("concepts", "requires")
    prepopulated_fields = {"slug": ("name",)}
    writes = services.EXAMPLE_WRITES
    service_fields = services.EXAMPLE_FIELDS + EXAMPLE.links
