"""The API's JSON renderer writes what DRF's own renderer writes, faster."""

import datetime
import decimal
import uuid

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict

from kbapi.http.renderers import JSONRenderer

MOMENT = datetime.datetime(2026, 11, 27, 20, 15, 1, 123456, tzinfo=datetime.UTC)
SAMPLES = {
    "text": {"name": "Relational database", "aliases": ["RDBMS", "SQL database"]},
    "non-ascii": {"summary": "Straße, naïve, 数据库, emoji 🙂"},
    "line separators": {"note": "one\u2028two\u2029three"},
    "numbers": {"int": 7, "neg": -3, "float": 0.125, "rank": 12.000001, "big": 2**62, "bool": True},
    "nested": {"a": [{"b": [1, {"c": None}]}], "empty": {}, "none": []},
    "dates": {"at": MOMENT, "day": MOMENT.date(), "time": MOMENT.time()},
    "decimal and uuid": {"d": decimal.Decimal("1.50"), "u": uuid.UUID(int=5)},
    "lazy text": {"message": gettext_lazy("This field is required.")},
    "dict subclass": ReturnDict({"slug": "acid"}, serializer=None),
    "tuple": {"pair": ("a", "b")},
    "non-string keys": {1: "one", 2: "two"},
    "huge integer": {"n": 2**70},
}


@pytest.mark.parametrize("data", SAMPLES.values(), ids=SAMPLES.keys())
def test_the_bytes_are_those_of_drfs_renderer(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_line_separators_are_escaped_for_javascript():
    assert b"\\u2028" in JSONRenderer().render({"note": "a\u2028b"})


def test_an_indent_asked_for_in_accept_is_honoured():
    rendered = JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert rendered == DRFJSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert b"\n  " in rendered


def test_nothing_renders_as_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_the_api_answers_with_it(anon, small_kb):
    response = anon.get(reverse("concept-detail", args=["relational-database"]))
    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert response.content == DRFJSONRenderer().render(response.data)
