"""Editors' view: the admin's concept page in a real browser, with its inlines and history."""

from tests.live.browser import ARTIFACTS, browser_page, outside


def sign_in_to_concepts(page, live_app) -> None:
    """The admin's login form, as a person fills it, landing on the concept list."""
    page.goto(f"{live_app.url}/admin/login/?next=/admin/concepts/concept/")
    page.fill("#id_username", live_app.admin_username)
    page.fill("#id_password", live_app.admin_password)
    page.click("input[type=submit]")
    page.wait_for_selector("#changelist")


def search_concepts(page, query: str) -> None:
    """The concept list's search box, as a person uses it, landing on the results."""
    page.fill("#searchbar", query)
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#result_list")


def open_concept(page, name: str) -> None:
    """A concept's change page, from the link in the result list that reads ``name``."""
    page.click(f"#result_list a:text-is('{name}')")
    page.wait_for_selector("#concept_form")


def test_concept_change_page_shows_examples_relations_and_history(live_app):
    base = live_app.url
    with browser_page(base) as page:
        sign_in_to_concepts(page, live_app)

        search_concepts(page, "key-value")
        assert page.locator("#changelist-filter").is_visible()  # list filters: category, tags
        open_concept(page, "Key-value store")

        assert page.input_value("#id_slug") == "key-value-store"
        examples = page.locator(".inline-group", has_text="Examples")
        relations = page.locator(".inline-group", has_text="Relations from this concept")
        assert examples.locator("tr.has_original").count() >= 1
        assert relations.locator("tr.has_original").count() >= 1
        assert "Redis" in examples.inner_text()
        assert "is-a" in relations.inner_html() or "Is a" in relations.inner_text()
        history = page.locator("a.historylink")
        assert history.is_visible()
        page.screenshot(path=str(ARTIFACTS / "admin-concept.png"), full_page=True)

        history.click()
        page.wait_for_selector("#content")
        assert "history" in page.title().lower()
        assert outside(page.requests, base) == []


def test_concept_is_reverted_from_its_history(live_app):
    """Edit a concept, then History → its first entry → Revert: the browser posts only the version."""
    base = live_app.url
    with browser_page(base) as page:
        sign_in_to_concepts(page, live_app)

        search_concepts(page, "flat file")
        open_concept(page, "Flat file")
        change_url = page.url
        original = page.input_value("#id_summary")
        page.fill("#id_summary", "Changed in the browser.")
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")
        assert page.input_value("#id_summary") == "Changed in the browser."

        page.click("a.historylink")
        page.wait_for_selector("#change-history")
        page.locator("#change-history tbody tr a").last.click()  # the oldest entry
        page.wait_for_selector("input[name=_save]")
        assert page.input_value("#id_summary") == original
        assert page.locator("#id_summary").is_disabled()  # shown, not edited
        page.screenshot(path=str(ARTIFACTS / "admin-revert.png"), full_page=True)
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")
        assert "was reverted to entry" in page.inner_text(".messagelist")
        assert "Reverted to entry" in page.inner_text("#change-history")

        page.goto(change_url)
        page.wait_for_selector("#concept_form")
        assert page.input_value("#id_summary") == original
        assert outside(page.requests, base) == []
