"""Swagger UI and ReDoc in a real browser: every operation shows, "Try it out" works,
and the pages load nothing from outside the app (they work offline)."""

import json
import urllib.request

from tests.live.browser import ARTIFACTS, browser_page, outside


def live_json(url: str):
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def schema_operations(base_url: str) -> dict[str, list[str]]:
    """tag -> operation ids, as the live schema lists them."""
    schema = live_json(f"{base_url}/api/schema/?format=json")
    operations: dict[str, list[str]] = {}
    for item in schema["paths"].values():
        for operation in item.values():
            operations.setdefault(operation["tags"][0], []).append(operation["operationId"])
    return operations


def try_it_out(block) -> tuple[str, str]:
    """Open an operation in Swagger UI, "Try it out", "Execute": the status and body shown."""
    block.locator(".opblock-summary").click()
    block.locator(".try-out__btn").click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    body = block.locator(".live-responses-table tbody .response-col_description pre").first
    return status.inner_text().strip(), body.inner_text()


def test_swagger_ui_shows_every_operation_and_try_it_out_lists_real_concepts(live_app):
    base = live_app.url
    operations = schema_operations(base)
    assert {"concepts", "categories", "examples", "relations", "comparisons"} <= set(operations)
    first_page = [c["name"] for c in live_json(f"{base}/api/v1/concepts/")["results"]]

    with browser_page(base) as page:
        page.goto(f"{base}/api/docs/")
        page.wait_for_selector("#operations-concepts-concepts_list")
        shown_tags = page.eval_on_selector_all(
            ".opblock-tag", "tags => tags.map(t => t.dataset.tag)"
        )
        shown_ops = set(page.eval_on_selector_all(".opblock", "ops => ops.map(o => o.id)"))
        assert shown_tags == list(dict.fromkeys(operations))
        expected = {f"operations-{tag}-{op}" for tag, ops in operations.items() for op in ops}
        assert expected == shown_ops
        page.screenshot(path=str(ARTIFACTS / "swagger-ui.png"))

        block = page.locator("#operations-concepts-concepts_list")
        status, text = try_it_out(block)
        assert status == "200"
        assert all(name in text for name in first_page[:5]), text[:500]
        block.screenshot(path=str(ARTIFACTS / "swagger-ui-try-it-out.png"))

        # the recorded response example, not a made-up "string": a real concept
        block = page.locator("#operations-concepts-concepts_retrieve")
        block.locator(".opblock-summary").click()
        response_200 = block.locator(".responses-table .response[data-code='200']").first
        response_200.wait_for()
        shown = response_200.inner_text()
        assert "A concept in full" in shown, shown[:500]
        assert '"slug": "key-value-store"' in shown, shown[:500]
        block.screenshot(path=str(ARTIFACTS / "swagger-ui-example.png"))
        assert outside(page.requests, base) == []
        assert f"{base}/api/schema/" in page.requests
        assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/" in u for u in page.requests)


def test_redoc_shows_every_operation_without_internet_assets(live_app):
    base = live_app.url
    operations = schema_operations(base)
    with browser_page(base) as page:
        page.goto(f"{base}/api/redoc/")
        page.wait_for_selector('[data-section-id="operation/concepts_list"]')
        sections = set(
            page.eval_on_selector_all(
                "[data-section-id]", "nodes => nodes.map(n => n.dataset.sectionId)"
            )
        )
        for tag, ops in operations.items():
            assert f"tag/{tag}" in sections
            assert {f"operation/{op}" for op in ops} <= sections, tag
        assert "List concepts" in page.inner_text('[data-section-id="operation/concepts_list"]')
        # ReDoc's response sample is the recorded example
        retrieve = page.inner_text('[data-section-id="operation/concepts_retrieve"]')
        assert '"key-value-store"' in retrieve, retrieve[-800:]
        page.screenshot(path=str(ARTIFACTS / "redoc.png"))
        assert outside(page.requests, base) == []
        assert any("/static/drf_spectacular_sidecar/redoc/" in u for u in page.requests)


def test_swagger_authorize_takes_the_token_as_printed(live_app):
    base = live_app.url
    credentials = json.dumps(
        {"username": live_app.admin_username, "password": live_app.admin_password}
    ).encode()
    login = urllib.request.Request(
        f"{base}/api/v1/auth/token/", data=credentials, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(login, timeout=30) as response:
        token = json.load(response)["token"]

    with browser_page(base) as page:
        page.goto(f"{base}/api/docs/")
        page.locator(".btn.authorize").first.click()
        page.locator(".auth-container input").first.fill(token)  # pasted as printed
        page.locator(".auth-btn-wrapper button.authorize").first.click()
        page.locator(".auth-btn-wrapper button.btn-done").first.click()

        block = page.locator("#operations-auth-auth_me_retrieve")
        status, text = try_it_out(block)
        assert status == "200"
        assert json.loads(text)["username"] == live_app.admin_username
        block.screenshot(path=str(ARTIFACTS / "swagger-ui-authorize.png"))
