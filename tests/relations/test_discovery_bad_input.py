"""Bad input of any kind to the discovery endpoints is a 4xx in the error shape, never a 500."""

import pytest

from tests.relations.loaded import small_kb_once  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_kb_once")]

ODD = ["a\x00b", "%", "Relational-Database", "x" * 5000, "é", "a--b", "'; drop table x; --"]


def urls_with(value: str) -> list[tuple[str, dict]]:
    return [
        ("/api/v1/graph/path/", {"from": value, "to": "database"}),
        ("/api/v1/graph/path/", {"from": "database", "to": value}),
        ("/api/v1/concepts/database/learning-path/", {"known": value}),
        ("/api/v1/concepts/database/neighbors/", {"type": value}),
        ("/api/v1/concepts/database/neighbors/", {"depth": value}),
        ("/api/v1/graph/", {"around": value}),
        ("/api/v1/graph/", {"category": value}),
        ("/api/v1/graph/", {"format": value}),
        ("/api/v1/compare/", {"concepts": f"database,{value}"}),
        ("/api/v1/advisor/", {"q": value}),
        ("/api/v1/advisor/", {"latency": value}),
        ("/api/v1/advisor/", {"intended_use": value}),
    ]


@pytest.mark.parametrize(
    "value", ODD, ids=["nul", "percent", "capitals", "long", "accent", "double-hyphen", "sql"]
)
def test_odd_values_are_4xx_in_the_error_shape(anon, value):
    for url, params in urls_with(value):
        response = anon.get(url, params)
        assert 400 <= response.status_code < 500, (url, params, response.status_code)
        body = response.json()
        assert body["status"] == response.status_code and body["message"], (url, params)


def test_too_many_slugs_are_400(anon):
    response = anon.get("/api/v1/concepts/database/learning-path/", {"known": "a," * 300})
    assert response.status_code == 400
    assert "at most" in response.json()["errors"]["known"][0]


def test_discovery_endpoints_are_read_only(editor):
    for url in ("/api/v1/graph/", "/api/v1/compare/", "/api/v1/advisor/", "/api/v1/graph/path/"):
        for method in (editor.post, editor.put, editor.patch, editor.delete):
            response = method(url, {}, format="json")
            assert response.status_code == 405, (url, method)
            assert response.json()["code"] == "method_not_allowed"
