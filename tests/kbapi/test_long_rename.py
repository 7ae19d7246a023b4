"""A rename whose automatic change message would be over the history column's 100 characters."""

import pytest
from django.urls import reverse

from concepts.models import Concept

pytestmark = pytest.mark.django_db


def test_renaming_a_category_with_a_long_slug_records_a_fitting_message(editor, small_kb):
    concept = Concept.objects.select_related("category").first()
    old = concept.category.slug
    long_slug = "c-" + "x" * 60
    assert (
        editor.patch(
            reverse("category-detail", args=[old]), {"slug": long_slug}, format="json"
        ).status_code
        == 200
    )
    response = editor.patch(
        reverse("category-detail", args=[long_slug]), {"slug": "y" * 60}, format="json"
    )
    assert response.status_code == 200, response.content
    reason = concept.history.order_by("-history_id").first().history_change_reason
    assert reason and len(reason) <= 100
