"""The shape of a concept (concepts/shape.py): what the create services take, and a field
it cannot show."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from concepts.services import concept_create, example_create
from concepts.shape import CONCEPT, kind_of


def test_create_services_refuse_what_a_keyword_only_signature_would():
    with pytest.raises(
        TypeError, match=r"^concept_create\(\) got an unexpected keyword argument 'x'$"
    ):
        concept_create(slug="a", x=1)
    with pytest.raises(
        TypeError,
        match=r"^concept_create\(\) missing 4 required keyword-only arguments: "
        r"'summary', 'definition', 'category', and 'source'$",
    ):
        concept_create(slug="a", name="A")
    with pytest.raises(
        TypeError,
        match=r"^example_create\(\) missing 2 required keyword-only arguments: "
        r"'description' and 'concepts'$",
    ):
        example_create(slug="a", name="A", kind="code")
    with pytest.raises(TypeError, match=r"missing 1 required keyword-only argument: 'concepts'$"):
        example_create(slug="a", name="A", kind="code", description="d")


def test_the_full_form_is_the_models_fields_with_the_embedded_parts_and_stamps():
    assert CONCEPT.detail[0] == "url"
    assert [name for name in CONCEPT.detail[1:] if name in CONCEPT.kinds] == list(CONCEPT.fields)
    assert CONCEPT.detail[-3:] == ("version", "created_at", "updated_at")


def test_a_json_field_that_is_not_a_list_is_refused():
    field = models.JSONField(default=dict)
    field.set_attributes_from_name("settings")
    with pytest.raises(ImproperlyConfigured, match="JSON lists only"):
        kind_of(field)
