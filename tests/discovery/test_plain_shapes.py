"""The path and the advice are built as plain dicts: the same data as their serializers."""

import pytest
from rest_framework.test import APIRequestFactory

from discovery import queries as discovery
from discovery.api import serializers as shapes


@pytest.fixture
def request_():
    return APIRequestFactory().get("/api/v1/graph/path/", HTTP_HOST="testserver")


@pytest.mark.parametrize(
    ("source", "target", "types"),
    [
        ("key-value-store", "acid", ()),
        ("key-value-store", "django-orm", ()),
        ("acid", "acid", ()),
        ("relational-database", "table", ("part-of", "is-a")),
    ],
)
def test_path_data_equals_the_serializer(request_, source, target, types):
    answer = discovery.path(source=source, target=target, types=types)
    expected = shapes.PathSerializer(answer, context={"request": request_}).data
    assert shapes.path_data(answer, request_) == expected
    assert list(shapes.path_data(answer, request_)) == list(expected)


@pytest.mark.parametrize(
    ("structured", "q"),
    [
        ({}, "user session cache"),
        ({}, "social network friends of friends"),
        ({"transactions": ["multi-operation"], "latency": ["low"]}, ""),
        ({"data_structure": ["semi-structured"]}, "analytics over huge write volumes"),
    ],
)
def test_advice_data_equals_the_serializer(request_, structured, q):
    answer = discovery.advise(structured=structured, q=q)
    assert any(a.reasons_for for a in answer["results"])
    expected = shapes.AdvisorSerializer(answer, context={"request": request_}).data
    got = shapes.advice_data(answer, request_)
    assert got == expected
    assert [list(item) for item in got["results"]] == [list(i) for i in expected["results"]]


def test_the_advice_cases_cover_reasons_against(request_):
    answer = discovery.advise(structured={"transactions": ["multi-operation"]}, q="")
    assert any(a.reasons_against for a in answer["results"])
    expected = shapes.AdvisorSerializer(answer, context={"request": request_}).data
    assert shapes.advice_data(answer, request_) == expected
